"""The library as a whole: load every case, check it, and list the pages to generate."""

from __future__ import annotations

from pathlib import Path

from .check.validate import check_library
from .model import glossary
from .model.cases import Case, load_cases
from .model.problems import Problem
from .model.schema import data_problems
from .site.mdtext import Page
from .site.pages import site_pages
from .site.stats import stats_page

CASES_DIR = "cases"


def load_checked(root: Path) -> tuple[list[Case], list[Problem]]:
    """All cases under root/cases and every problem found in them (empty when all is well)."""
    broken = data_problems()
    if broken:  # the schema or a list itself: the cases cannot be judged against it
        return [], broken
    cases, problems = load_cases(root / CASES_DIR, root)
    problems = sorted(set(problems + check_library(cases) + glossary.check(cases)))
    return cases, problems


def generated_pages(cases: list[Case], related_cases: dict[str, list[Case]] | None = None) -> list[Page]:
    """Every generated page; related cases (by case id) are found when not given."""
    return site_pages(cases, related_cases) + [stats_page(cases)]

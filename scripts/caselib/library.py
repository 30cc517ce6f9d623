"""The library as a whole: load every case, check it, and list the pages to generate."""

from __future__ import annotations

from pathlib import Path

from .check.validate import check_library
from .model import glossary
from .model.cases import Case, load_cases
from .model.problems import Problem
from .model.schema import data_problems
from .model.text import digest
from .site.mdtext import Page
from .site.pages import site_pages
from .site.related import related
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


def content_key(cases: list[Case]) -> str:
    """A digest of every case's content (path, front matter, body), in order: what related cases
    and the search index are made from (with the data files, read once per process)."""
    return digest(part for case in cases for part in (case.path, repr(case.meta), case.body))


class RelatedMemo:
    """Related cases kept across `mkdocs serve` rebuilds (on the plugin), found again only when the
    cases' content changed (`content_key`)."""

    def __init__(self):
        self.key = ""
        self.ids: dict[str, list[str]] = {}  # case id -> ids of its related cases
        self.computed = 0  # how many times they were found (for tests)

    def related(self, cases: list[Case], key: str = "") -> dict[str, list[Case]]:
        """Related cases by case id; `key` is the cases' `content_key` when the caller has it."""
        key = key or content_key(cases)
        if key != self.key:
            found = related(cases)
            self.ids = {case_id: [c.id for c in others] for case_id, others in found.items()}
            self.key = key
            self.computed += 1
        by_id = {case.id: case for case in cases}
        return {case_id: [by_id[i] for i in others] for case_id, others in self.ids.items()}

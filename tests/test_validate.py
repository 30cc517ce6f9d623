"""Every validation rule has failing fixtures; each fixture's exact messages are asserted.

A fixture is tests/fixtures/invalid/<rule>--<variant>.md (or a directory of case files for
rules that compare cases), and <name>.expected holds the exact lines `check` must print.
Set CASELIB_REGEN=1 to rewrite the .expected files after an intended change, then review them.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from caselib.check import validate
from caselib.check.validate import check_library
from caselib.model.cases import load_cases, read_case_file

FIXTURES = Path(__file__).parent / "fixtures"
INVALID = FIXTURES / "invalid"
FIXTURE_NAMES = sorted(p.name.removesuffix(".md") for p in INVALID.iterdir() if p.suffix != ".expected")


def problems_of(name: str) -> list[str]:
    target = INVALID / name
    if target.is_dir():
        cases, problems = load_cases(target, root=INVALID)
    else:
        case, problems = read_case_file(target.with_suffix(".md"), INVALID)
        cases = [case] if case else []
    return [str(p) for p in sorted(set(problems + check_library(cases)))]


@pytest.mark.parametrize("name", FIXTURE_NAMES)
def test_fixture_gives_exact_messages(name):
    expected_file = INVALID / f"{name}.expected"
    got = problems_of(name)
    if os.environ.get("CASELIB_REGEN"):
        expected_file.write_text("".join(line + "\n" for line in got), encoding="utf-8")
    expected = expected_file.read_text(encoding="utf-8").splitlines()
    assert got, f"{name} 应当报错，但没有发现问题"
    assert got == expected


def test_every_rule_has_a_failing_fixture():
    rules = [r.__name__ for r in validate.CASE_RULES] + [r.__name__ for r in validate.LIBRARY_RULES]
    covered = {name.split("--")[0] for name in FIXTURE_NAMES}
    assert sorted(set(rules) - covered) == []


@pytest.mark.parametrize("path", sorted((FIXTURES / "valid").glob("*.md")), ids=lambda p: p.name)
def test_valid_fixtures_pass(path):
    case, problems = read_case_file(path, FIXTURES)
    assert problems == [] and check_library([case]) == []


def test_real_library_passes():
    cases, problems = load_cases(Path(__file__).parent.parent / "cases")
    assert len(cases) >= 5
    assert [str(p) for p in problems + check_library(cases)] == []


def test_an_unchanged_body_is_judged_once():
    """Under `mkdocs serve` every save rebuilds: a body not edited is not rendered again."""
    from caselib.check import markup

    case, _ = read_case_file(FIXTURES / "valid" / "minimal.md", FIXTURES)
    markup.verdict.cache_clear()
    check_library([case])
    check_library([case])
    assert markup.verdict.cache_info().misses == 1 and markup.verdict.cache_info().hits >= 1

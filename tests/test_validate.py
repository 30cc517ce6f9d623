"""Every validation rule has failing fixtures; each fixture's exact messages are asserted.

A fixture is tests/fixtures/invalid/<rule>--<variant>.md (or a directory of case files for
rules that compare cases, checked as the `cases/` folder of a library), and <name>.expected holds
the exact lines `check` must print. Set CASELIB_REGEN=1 to rewrite the .expected files after an
intended change, then review them.

Every rule code (data/rules.yml) is yielded by at least one fixture (or by the test the registry
names), codes are unique, and a code once published keeps its name (tests/fixtures/rule-codes.txt).
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from pathlib import Path

import pytest

from caselib.check import codes, validate
from caselib.check.validate import check_library
from caselib.model.cases import load_cases, read_case_file

FIXTURES = Path(__file__).parent / "fixtures"
INVALID = FIXTURES / "invalid"
FIXTURE_NAMES = sorted(p.name.removesuffix(".md") for p in INVALID.iterdir() if p.suffix != ".expected")


def problems_of(name: str) -> list[str]:
    target = INVALID / name
    if target.is_dir():
        with tempfile.TemporaryDirectory() as tmp:
            shutil.copytree(target, Path(tmp) / "cases", symlinks=True)
            cases, problems = load_cases(Path(tmp) / "cases", root=Path(tmp))
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


SNAPSHOT = FIXTURES / "rule-codes.txt"
ROOT = Path(__file__).parent.parent


def test_rule_codes_are_unique_and_well_formed():
    found = codes.rules()
    assert all(codes.CODE_PATTERN.match(r.code) for r in found)
    assert len({r.code for r in found}) == len(found) and len({r.name for r in found}) == len(found)
    assert [r.code for r in found] == sorted(r.code for r in found)
    assert all(r.title and r.example for r in found)


def test_rule_codes_are_stable():
    """A published code keeps its name and is never reused; new codes are added to the snapshot."""
    published = dict(line.split() for line in SNAPSHOT.read_text(encoding="utf-8").splitlines() if line.strip())
    now = {r.code: r.name for r in codes.rules()}
    assert {code: now.get(code) for code in published} == published, "规则编号不能改名、删除或重用"
    assert sorted(now) == sorted(published), f"新的规则编号请加进 {SNAPSHOT.name}"


def test_every_code_has_a_failing_fixture():
    yielded = set()
    for expected in INVALID.glob("*.expected"):
        yielded |= set(re.findall(r"\[(CL\d{3})\]$", expected.read_text(encoding="utf-8"), re.M))
    for rule in codes.rules():
        if rule.fixture:  # made by a test (a symlink, a 5 MB file): that test asserts the code
            path, test = rule.fixture.split("::")
            assert f"def {test}(" in (ROOT / path).read_text(encoding="utf-8")
            assert rule.code in (ROOT / path).read_text(encoding="utf-8")
            yielded.add(rule.code)
    assert sorted(r.code for r in codes.rules() if not r.retired and r.code not in yielded) == []


def test_every_code_in_the_source_is_registered():
    used = set()
    for path in (ROOT / "scripts" / "caselib").rglob("*.py"):
        used |= set(re.findall(r'"(CL\d{3})"', path.read_text(encoding="utf-8")))
    assert sorted(used - set(codes.by_code())) == []
    assert sorted(c for c, r in codes.by_code().items() if not r.retired and c not in used) == []


def test_rules_page_lists_every_code_with_its_example():
    from caselib.site.pages import rules_page, site_pages

    page = rules_page()
    assert page.path == "contributing/rules.md" and page in site_pages([])
    for rule in codes.rules():
        row = next(line for line in page.markdown.splitlines() if line.startswith(f"| {rule.code} |"))
        assert row.count(" | ") >= 3 and ("可以" in row) == rule.fix
    assert "make fix" in page.markdown and "--ignore" in page.markdown

"""`check --fix` (make fix): only the safe rewrites, in place, the rest of the file byte for byte;
`check --ignore` by code; the GitHub annotations titled by code."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from caselib.check import fix
from caselib.check.validate import check_library
from caselib.model.cases import parse_case, read_case_file

ROOT = Path(__file__).parent.parent
FIXTURES = ROOT / "tests" / "fixtures"
FIXABLE = [
    "rule_field_values--province_suffix",
    "rule_field_values--enum_near_miss",
    "rule_field_values--date_slashes",
    "rule_field_values--date_format",
    "rule_field_values--list_expected",
    "rule_field_values--list_chinese_comma",
    "rule_field_values--list_item_chinese_comma",
    "rule_field_values--list_enumeration_comma",
]


def caselib(*args, cwd: Path, env: dict | None = None):
    return subprocess.run(
        [sys.executable, "-m", "caselib", *args],
        cwd=cwd,
        env={**os.environ, "PYTHONPATH": str(ROOT / "scripts"), "GITHUB_ACTIONS": "", **(env or {})},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_fix_rewrites_only_the_values_and_keeps_comments():
    before = (FIXTURES / "fix" / "before.md").read_text(encoding="utf-8")
    case, _ = parse_case(before, "cases/x.md")
    fixed, changes = fix.fixes(before, case)
    assert fixed == (FIXTURES / "fix" / "after.md").read_text(encoding="utf-8")
    assert [(c.line, c.field, c.code) for c in changes] == [
        (6, "org_type", "CL032"),
        (7, "province", "CL032"),
        (8, "models", "CL042"),
        (9, "standards", "CL042"),
        (10, "themes", "CL042"),
        (13, "published", "CL036"),
    ]
    again, _ = parse_case(fixed, "cases/x.md")
    assert [str(p) for p in check_library([again])] == []


def test_fix_keeps_a_byte_order_mark_and_crlf_line_endings():
    before = "\ufeff" + (FIXTURES / "fix" / "before.md").read_text(encoding="utf-8").replace("\n", "\r\n")
    case, _ = parse_case(before, "cases/x.md")
    fixed, changes = fix.fixes(before, case)
    assert len(changes) == 6 and fixed.startswith("\ufeff---\r\n") and "\n" not in fixed.replace("\r\n", "")
    assert fixed == "\ufeff" + (FIXTURES / "fix" / "after.md").read_text(encoding="utf-8").replace("\n", "\r\n")


@pytest.mark.parametrize("name", FIXABLE)
def test_each_fixable_fixture_passes_after_the_fix(name, tmp_path):
    path = tmp_path / f"{name}.md"
    shutil.copy(FIXTURES / "invalid" / f"{name}.md", path)
    case, _ = read_case_file(path, tmp_path)
    assert case is not None and check_library([case])
    changes = fix.fix_file(path, case)
    assert changes
    again, problems = read_case_file(path, tmp_path)
    assert problems == [] and [str(p) for p in check_library([again])] == []


def test_a_value_written_over_several_lines_is_left_alone():
    text = (
        (FIXTURES / "valid" / "minimal.md").read_text(encoding="utf-8").replace("province: 四川", "province:\n  甘肃省")
    )
    case, _ = parse_case(text, "cases/x.md")
    assert check_library([case])  # still reported
    assert fix.fixes(text, case) == (text, [])


def test_check_fix_command_reports_changes_and_rechecks(tmp_path):
    (tmp_path / "cases").mkdir()
    shutil.copy(FIXTURES / "fix" / "before.md", tmp_path / "cases" / "2024-example-fix.md")
    run = caselib("check", "--fix", cwd=tmp_path)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "cases/2024-example-fix.md:7: province: 已改正 甘肃省 → 甘肃 [CL032]" in run.stdout
    assert "检查通过" in run.stdout and "自动改正了 6 处" in run.stderr
    assert (tmp_path / "cases" / "2024-example-fix.md").read_text(encoding="utf-8") == (
        FIXTURES / "fix" / "after.md"
    ).read_text(encoding="utf-8")


def test_check_ignore_skips_codes_and_refuses_unknown_ones(tmp_path):
    (tmp_path / "cases").mkdir()
    shutil.copy(FIXTURES / "fix" / "before.md", tmp_path / "cases" / "2024-example-fix.md")
    run = caselib("check", "--ignore", "CL032,cl036", cwd=tmp_path)
    assert run.returncode == 1
    assert "[CL042]" in run.stdout and "[CL032]" not in run.stdout and "[CL036]" not in run.stdout
    run = caselib("check", "--ignore", "CL032,CL036,CL042", cwd=tmp_path)
    assert run.returncode == 0 and "检查通过" in run.stdout and "跳过了 CL032、CL036、CL042 的问题" in run.stdout
    bad = caselib("check", "--ignore", "CL999", cwd=tmp_path)
    assert bad.returncode == 2 and "没有编号为 CL999 的规则" in bad.stderr and "Traceback" not in bad.stderr


def test_github_actions_get_annotations_titled_by_code(tmp_path):
    (tmp_path / "cases").mkdir()
    shutil.copy(FIXTURES / "fix" / "before.md", tmp_path / "cases" / "2024-example-fix.md")
    run = caselib("check", cwd=tmp_path, env={"GITHUB_ACTIONS": "true"})
    lines = run.stdout.strip().split("\n")
    assert run.returncode == 1 and all(
        line.startswith("::error file=cases/2024-example-fix.md,line=") for line in lines
    )
    assert "::error file=cases/2024-example-fix.md,line=7,title=CL032::province: “甘肃省”应写成“甘肃”" in run.stdout
    plain = caselib("check", "--format", "text", cwd=tmp_path, env={"GITHUB_ACTIONS": "true"})
    assert plain.stdout.startswith("cases/2024-example-fix.md:6: org_type: ")


def test_an_enumeration_that_may_be_one_name_is_left_to_the_contributor():
    """models: 手拉手、一帮一 may be one model's name or two: reported (CL041), not rewritten."""
    path = FIXTURES / "invalid" / "rule_field_values--list_enumeration_ambiguous.md"
    text = path.read_text(encoding="utf-8")
    case, _ = read_case_file(path, FIXTURES)
    assert [p.code for p in check_library([case])] == ["CL041"]
    assert "make fix" not in check_library([case])[0].message
    assert fix.fixes(text, case) == (text, [])


def test_fix_over_a_library_with_a_folder_named_like_a_case(tmp_path):
    """cases/x.md as a folder: --fix fixes the files, the check names the folder (CL004)."""
    shutil.copytree(FIXTURES / "invalid" / "file--directory", tmp_path / "cases")
    shutil.copy(FIXTURES / "fix" / "before.md", tmp_path / "cases" / "2024-example-fix.md")
    run = caselib("check", "--fix", cwd=tmp_path)
    assert run.returncode == 1 and "Traceback" not in run.stderr
    assert "自动改正了 6 处" in run.stderr and run.stdout.strip().endswith(
        "cases/x.md:1: 文件: 无法读取（Is a directory） [CL004]"
    )

"""Bad input (issue 5) beyond one-fixture-per-rule: every case of the list gives a Chinese message
naming the file and line, or a documented safe outcome; never a traceback, never a case dropped.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from caselib.check.validate import check_library
from caselib.model.cases import MAX_FILE_BYTES, load_cases, parse_case, read_case_file
from caselib.model.schema import fields

from conftest import copy_project

FIXTURES = Path(__file__).parent / "fixtures"
MINIMAL = (FIXTURES / "valid" / "minimal.md").read_text(encoding="utf-8")
ALL_BAD = sorted(p for p in (FIXTURES / "invalid").iterdir() if p.suffix != ".expected") + sorted(
    (FIXTURES / "hostile").glob("net--*.md")
)


def run_check(cwd: Path, scripts: Path) -> subprocess.CompletedProcess:
    """The real `check` command in `cwd`, with the package from `scripts`."""
    return subprocess.run(
        [sys.executable, "-m", "caselib", "check"],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "PYTHONPATH": str(scripts)},
    )


def check(text: str, name: str = "cases/x.md") -> list[str]:
    case, problems = parse_case(text, name)
    return [str(p) for p in sorted(set(problems + check_library([case] if case else [])))]


@pytest.mark.parametrize("key", [f.key for f in fields() if f.required])
def test_each_required_field_missing_in_turn(key):
    lines = [line for line in MINIMAL.split("\n") if not line.startswith(f"{key}:")]
    assert len(lines) == len(MINIMAL.split("\n")) - 1
    got = check("\n".join(lines))
    assert any(p.startswith(f"cases/x.md:1: {key}: 缺少必填字段") for p in got), got


@pytest.mark.parametrize("written", ["四力 ", " 四力", "四力\u3000", "\uff14\uff21"])
def test_stray_and_full_width_spaces_in_tags_are_normalised(written):
    text = MINIMAL.replace("themes:", f'models: ["{written}"]\nthemes:')
    case, problems = parse_case(text, "cases/x.md")
    assert problems == [] and check_library([case]) == []
    assert case.meta["models"] == ["四力" if "力" in written else "4A"]


@pytest.mark.parametrize("written", ["四 力", "四\u3000力"])
def test_inner_spaces_in_tags_are_rejected(written):
    got = check(MINIMAL.replace("themes:", f'models: ["{written}"]\nthemes:'))
    assert got == [f"cases/x.md:8: models: “{written}”中间有空格，请删掉空格"] or got == [
        "cases/x.md:8: models: “四 力”中间有空格，请删掉空格"
    ]


def test_bom_and_crlf_keep_line_numbers():
    text = "\ufeff" + MINIMAL.replace("province: 四川", "province: 四州").replace("\n", "\r\n")
    assert check(text) == [
        "cases/x.md:7: province: “四州”不在允许的值中（允许：北京、天津、河北、山西、内蒙古、辽宁、"
        "吉林、黑龙江、上海、江苏、浙江、安徽、福建、江西、山东、河南、湖北、湖南、广东、广西、海南、重庆、"
        "四川、贵州、云南、西藏、陕西、甘肃、青海、宁夏、新疆、香港、澳门、台湾、未知）。你是不是想写“贵州”？"
    ]


def test_a_5_mb_body_is_refused_without_reading_it(tmp_path):
    (tmp_path / "cases").mkdir()
    big = tmp_path / "cases" / "big.md"
    big.write_text(MINIMAL + ("党建工作" * 10 + "\n") * 43_000, encoding="utf-8")
    assert big.stat().st_size > 5_000_000 > MAX_FILE_BYTES
    case, problems = read_case_file(big, tmp_path)
    assert case is None
    assert [str(p) for p in problems] == [
        "cases/big.md:1: 文件: 文件太大（5203 KB），案例文件最多 300 KB：请确认没有把整个网页、图片或附件粘贴进来"
    ]


def test_a_symlink_pointing_outside_the_repository_is_refused(tmp_path):
    outside = tmp_path / "outside.md"
    outside.write_text(MINIMAL, encoding="utf-8")
    root = tmp_path / "repo"
    (root / "cases").mkdir(parents=True)
    (root / "cases" / "link.md").symlink_to(outside)
    cases, problems = load_cases(root / "cases", root)
    assert cases == []
    assert [str(p) for p in problems] == [
        "cases/link.md:1: 文件: 是指向仓库以外的符号链接，不能作为案例；请把文件本身放进 cases/"
    ]


def test_files_that_would_not_become_cases_are_reported(tmp_path):
    cases_dir = tmp_path / "cases"
    (cases_dir / "sub").mkdir(parents=True)
    (cases_dir / "a.md").write_text(MINIMAL, encoding="utf-8")
    (cases_dir / "b.MD").write_text(MINIMAL, encoding="utf-8")
    (cases_dir / "c.markdown").write_text(MINIMAL, encoding="utf-8")
    (cases_dir / "sub" / "d.md").write_text(MINIMAL, encoding="utf-8")
    (cases_dir / "README.md").write_text("说明", encoding="utf-8")
    (cases_dir / ".gitkeep").write_text("", encoding="utf-8")
    cases, problems = load_cases(cases_dir, tmp_path)
    assert [c.path for c in cases] == ["cases/a.md"]
    assert [str(p) for p in problems] == [
        "cases/b.MD:1: 文件: 不是 .md 文件，不会成为案例：案例文件要直接放在 cases/ 下，文件名以 .md 结尾",
        "cases/c.markdown:1: 文件: 不是 .md 文件，不会成为案例：案例文件要直接放在 cases/ 下，文件名以 .md 结尾",
        "cases/sub/d.md:1: 文件: 在子目录里，不会成为案例：案例文件要直接放在 cases/ 下，文件名以 .md 结尾",
    ]


def test_file_names_with_spaces_and_chinese_are_checked_like_any_other(tmp_path):
    cases_dir = tmp_path / "cases"
    cases_dir.mkdir()
    (cases_dir / "我的 案例 2024.md").write_text(MINIMAL.replace("province: 四川", "province: 四州"), encoding="utf-8")
    cases, problems = load_cases(cases_dir, tmp_path)
    assert [str(p)[:37] for p in problems + check_library(cases)] == ["cases/我的 案例 2024.md:7: province: “四州”"]


def test_yaml_object_tags_are_refused():
    for tag in (
        "!!python/object:os.system",
        "!!python/object/new:os.system",
        "!!python/name:os.system",
        "!!binary",
        "!custom",
    ):
        got = check(MINIMAL.replace("title: 示例案例", f"title: {tag} x"))
        assert got == ["cases/x.md:3: 元数据: 不允许使用 YAML 标签（以 ! 开头的写法），请直接写文字"], (tag, got)


@pytest.mark.parametrize("path", ALL_BAD, ids=lambda p: p.relative_to(FIXTURES).as_posix())
def test_check_command_never_shows_a_traceback(path, tmp_path):
    """Every bad fixture (file, or folder of files) as cases/ of a repository, through the real
    command: exit 1, and every line is `cases/file:line: field: message`."""
    cases_dir = tmp_path / "cases"
    if path.is_dir():
        shutil.copytree(path, cases_dir)
    else:
        cases_dir.mkdir()
        shutil.copy(path, cases_dir / path.name)
    result = run_check(tmp_path, Path(__file__).parent.parent / "scripts")
    assert "Traceback" not in result.stderr + result.stdout
    assert result.returncode == 1, result.stdout + result.stderr
    lines = result.stdout.strip().split("\n")
    assert lines and all(re.match(r"^cases/[^:]+\.md:\d+: \S+: .", line) for line in lines), lines


@pytest.mark.parametrize(
    "name, text, expected",
    [
        (
            "vocab/themes.yml",
            "- 党建与业务融合\n- [未闭合\n",
            "scripts/caselib/data/vocab/themes.yml:2: 数据文件: YAML 格式错误：方括号列表没有写完整",
        ),
        (
            "vocab/provinces.yml",
            "四川: 1\n",
            "scripts/caselib/data/vocab/provinces.yml:1: 数据文件: 受控词表应是一个非空列表",
        ),
        (
            "glossary.yml",
            "- term: 四力\n  expansion: [a\n",
            "scripts/caselib/data/glossary.yml:2: 词典: YAML 格式错误：方括号列表没有写完整",
        ),
    ],
)
def test_a_broken_data_file_is_a_message_not_a_traceback(tmp_path, name, text, expected):
    """`check` (and the build, through library.load_checked) reads every data file the build reads."""
    project = copy_project(tmp_path / "project")
    (project / "scripts" / "caselib" / "data" / name).write_text(text, encoding="utf-8")
    result = run_check(project, project / "scripts")
    assert "Traceback" not in result.stderr + result.stdout
    assert result.returncode == 1 and result.stdout.startswith(expected), result.stdout + result.stderr


def test_no_message_can_drive_a_terminal():
    """A value or a key with terminal escapes or bidi overrides is named in messages, never printed raw
    (a log line cannot be made to look green, nor reordered)."""
    text = MINIMAL.replace("title: ", '"\\e[32mOK\\e[0m": 1\ntitle: \u202e', 1).replace("正文", "正文\x1b[2J", 1)
    got = check(text)
    assert got and all("\x1b" not in line and "\u202e" not in line for line in got)
    assert any("\\x1b[32mOK" in line for line in got)  # shown as its escape

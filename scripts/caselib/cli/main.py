"""Command line: python -m caselib check [PATH...] [--fix] [--ignore CL031,CL048] [--format github]"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from ..booklet import register as register_booklet
from ..check import fix
from ..check.codes import unknown_codes
from ..check.validate import FIX_HINT, check_library
from ..model import glossary
from ..model.cases import case_files, load_cases, read_case_file
from ..model.problems import visible
from ..model.schema import data_problems
from .contribute import register as register_contribute

GUIDE_HINT = (
    "字段的写法和允许的值见 CONTRIBUTING.md（网站上的“参与贡献 › 字段说明”页）；"
    "方括号里是规则编号，说明见“参与贡献 › 检查规则”页。"
)
FIX_NOTE = "标有“运行 make fix 可自动改正”的问题，可以运行 make fix（即 python -m caselib check --fix）自动改正。"


def _codes(text: str) -> list[str]:
    return [c.strip().upper() for c in text.split(",") if c.strip()]


def _check(args) -> int:
    ignored = _codes(args.ignore or "")
    if unknown_codes(ignored):
        print(
            f"--ignore: 没有编号为 {'、'.join(unknown_codes(ignored))} 的规则（写法：--ignore CL031,CL048）",
            file=sys.stderr,
        )
        return 2
    form = args.format or ("github" if os.environ.get("GITHUB_ACTIONS") == "true" else "text")
    if args.fix:
        status = _fix(args.paths)
        if status:
            return status
    root = Path.cwd()
    broken = data_problems()
    if broken:
        return _report(broken, form, 0)
    library, problems = load_cases(root / "cases", root)
    loaded = {(root / c.path).resolve() for c in library} | {(root / p.path).resolve() for p in problems}
    targets = [Path(p) for p in args.paths]
    for path in targets:
        if not path.is_file():
            print(f"{path}:1: 文件: 找不到这个文件", file=sys.stderr)
            return 2
        if path.resolve() not in loaded:  # a file outside cases/, checked against the library
            case, found = read_case_file(path, root)
            problems += found
            library += [case] if case else []
    problems += check_library(library)
    if targets:
        wanted = {p.resolve() for p in targets}
        problems = [p for p in problems if (root / p.path).resolve() in wanted]
    problems += glossary.check(library)  # the build reads it: always checked
    skipped = sorted({p.code for p in problems if p.code in ignored})
    problems = [p for p in problems if p.code not in ignored]
    return _report(problems, form, len(targets) or len(library), skipped)


def _fix(paths: list[str]) -> int:
    """Apply the safe rewrites to the given files (all of cases/ when none), saying what changed."""
    root = Path.cwd()
    given = [Path(p) for p in paths]
    for path in given:
        if not path.is_file():
            print(f"{path}:1: 文件: 找不到这个文件", file=sys.stderr)
            return 2
    changed = 0
    for path in given or [p for p in case_files(root / "cases") if p.is_file()]:  # the check names the rest
        case, _ = read_case_file(path, root)
        if case is None:
            continue
        try:
            changes = fix.fix_file(path, case)
        except (OSError, UnicodeDecodeError) as exc:
            print(f"{case.path}:1: 文件: 无法改写（{exc}）", file=sys.stderr)
            return 2
        for change in changes:
            print(change.describe(case.path))
        changed += len(changes)
    print(f"自动改正了 {changed} 处。" if changed else "没有可以自动改正的地方。", file=sys.stderr)
    return 0


def _report(problems, form: str, checked: int, skipped: list[str] | None = None) -> int:
    problems = sorted(set(problems))
    for problem in problems:
        print(github_annotation(problem) if form == "github" else problem)
    if problems:
        fixable = any(FIX_HINT in p.message for p in problems)
        print(f"\n发现 {len(problems)} 个问题。{GUIDE_HINT}" + (FIX_NOTE if fixable else ""), file=sys.stderr)
        return 1
    note = f"（按 --ignore 跳过了 {'、'.join(skipped)} 的问题）" if skipped else ""
    print(f"检查通过：{checked} 个案例文件没有问题。{note}")
    return 0


def github_annotation(problem) -> str:
    """A GitHub Actions error annotation for one problem (shown on the line in the pull request),
    titled by the rule's code."""

    def esc(text: str, prop: bool = False) -> str:
        text = str(text).replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
        return text.replace(":", "%3A").replace(",", "%2C") if prop else text

    message = visible(f"{problem.field}: {problem.message}" + (f" [{problem.code}]" if problem.code else ""))
    return (
        f"::error file={esc(problem.path, True)},line={problem.line},"
        f"title={esc(problem.code or problem.field, True)}::{esc(message)}"
    )


def _corpus(args) -> int:
    from ..bench.corpus import generate

    out = Path(args.out)
    if out.resolve() == (Path.cwd() / "cases").resolve():
        print("不能把合成案例写进 cases/：请换一个输出目录", file=sys.stderr)
        return 2
    written = generate(args.count, Path.cwd() / "cases", out, seed=args.seed)
    print(f"已生成 {len(written)} 个合成案例：{out}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m caselib", description="党建创新案例库工具")
    sub = parser.add_subparsers(dest="command", required=True)
    check = sub.add_parser("check", help="检查案例文件（默认检查 cases/ 下全部文件）")
    check.add_argument("paths", nargs="*", help="只检查这些文件")
    check.add_argument(
        "--format",
        choices=("text", "github"),
        default=None,
        help="github：输出 GitHub Actions 注释，问题显示在合并请求的对应行上（在 GitHub Actions 里默认如此）",
    )
    check.add_argument("--ignore", metavar="CL031,CL048", help="不检查这些编号的规则（逗号隔开；编号见“检查规则”页）")
    check.add_argument(
        "--fix",
        action="store_true",
        help="先自动改正可以安全改正的写法（省份全称、日期格式、中文逗号隔开的列表、组织类型等的其他写法），再检查",
    )
    check.set_defaults(func=_check)
    corpus = sub.add_parser("corpus", help="生成合成案例（仅用于性能测试，不要放进 cases/）")
    corpus.add_argument("count", type=int, help="案例数量")
    corpus.add_argument("out", help="输出目录")
    corpus.add_argument("--seed", type=int, default=0)
    corpus.set_defaults(func=_corpus)
    register_contribute(sub)
    register_booklet(sub)
    args = parser.parse_args(argv)
    return args.func(args)

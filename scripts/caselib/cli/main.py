"""Command line: python -m caselib check [PATH...]"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..booklet import register as register_booklet
from ..check.validate import check_library
from ..model import glossary
from ..model.cases import load_cases, read_case_file
from ..model.schema import data_problems
from .contribute import register as register_contribute

GUIDE_HINT = "字段的写法和允许的值见 CONTRIBUTING.md（网站上的“参与贡献 › 字段说明”页）。"


def _check(args) -> int:
    root = Path.cwd()
    broken = data_problems()
    if broken:
        return _report(broken, args.format, 0)
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
    return _report(problems, args.format, len(targets) or len(library))


def _report(problems, format: str, checked: int) -> int:
    problems = sorted(set(problems))
    for problem in problems:
        print(github_annotation(problem) if format == "github" else problem)
    if problems:
        print(f"\n发现 {len(problems)} 个问题。{GUIDE_HINT}", file=sys.stderr)
        return 1
    print(f"检查通过：{checked} 个案例文件没有问题。")
    return 0


def github_annotation(problem) -> str:
    """A GitHub Actions error annotation for one problem (shown on the line in the pull request)."""

    def esc(text: str, prop: bool = False) -> str:
        text = str(text).replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
        return text.replace(":", "%3A").replace(",", "%2C") if prop else text

    return (
        f"::error file={esc(problem.path, True)},line={problem.line},"
        f"title={esc(problem.field, True)}::{esc(problem.field)}: {esc(problem.message)}"
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
        default="text",
        help="github：输出 GitHub Actions 注释，问题显示在合并请求的对应行上",
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

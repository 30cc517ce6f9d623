"""Contributor commands: import a raw source, scaffold a new case, write the field guide."""

from __future__ import annotations

import functools
import re
import sys
from pathlib import Path

from ..check.validate import (
    FIX_HINT,
    ID_PATTERN,
    PLACEHOLDER_MARK,
    flow_list,
    quoted_list,
    safe_rewrite,
    split_values,
    value_problems,
)
from ..importer.core import case_text, import_lines, render, report
from ..importer.read import ImportError_, printable, read_source
from ..model.cases import load_cases
from ..model.problems import char_name, invisible
from ..model.schema import UNKNOWN, Field, fields
from ..model.text import normalize_tag

SECTIONS = ("背景", "做法", "成效", "启示")


class _Refused(Exception):
    """A case file that must not be written; the message is for the contributor (Chinese)."""


MAX_ID = 100  # characters of an id that names a file here (real ones have about 25)


def id_problem(case_id: str) -> str | None:
    """Why `case_id` cannot name a case file, or None: the id rule (validate.ID_PATTERN, the
    whole text: its "$" would let a final newline through) and at most MAX_ID characters."""
    if ID_PATTERN.fullmatch(case_id) and len(case_id) <= MAX_ID:
        return None
    shown = printable(case_id if len(case_id) <= 60 else case_id[:60] + "……")
    if ID_PATTERN.fullmatch(case_id):
        return f"编号“{shown}”太长：最多 {MAX_ID} 个字符"
    return (
        f"编号“{shown}”格式不对：只能用小写英文字母、数字和连字符（例如 2019-swpu-sili），"
        "不能有斜杠、点、空格或大写字母"
    )


def case_path(root: Path, case_id: str) -> Path:
    """cases/<id>.md under root, refused unless the id follows the rule and the file, links
    followed, is inside cases/ (so nothing is ever written anywhere else)."""
    problem = id_problem(case_id)
    if problem:
        raise _Refused(problem)
    folder = root / "cases"
    target = folder / f"{case_id}.md"
    try:
        if not folder.is_dir():
            raise _Refused("当前目录下没有 cases/ 文件夹：请在案例库的根目录运行")
        if target.resolve().parent != folder.resolve() or (target.exists() and not target.is_file()):
            raise _Refused(f"cases/{target.name} 不是 cases/ 里的普通文件（可能是指向别处的链接）：不写入")
    except OSError as exc:
        raise _Refused(f"无法写入 cases/{target.name}（{exc.strerror or type(exc).__name__}）") from None
    return target


def _write(target: Path, text: str, new: bool = False) -> None:
    """Write a case file; `new`: only if no file (nor link) of that name exists yet."""
    try:
        with target.open("x" if new else "w", encoding="utf-8") as fh:
            fh.write(text)
    except FileExistsError:
        raise _Refused(f"cases/{target.name} 已经存在：请换一个编号") from None
    except OSError as exc:
        raise _Refused(f"无法写入 cases/{target.name}（{exc.strerror or type(exc).__name__}）") from None


def cmd_import(args) -> int:
    root = Path.cwd()
    if args.id is not None and id_problem(args.id):
        print(f"--id: {id_problem(args.id)}", file=sys.stderr)
        return 2
    cases, _ = load_cases(root / "cases", root)
    status = 0
    for name in args.paths:
        path = Path(name)
        try:
            source = read_source(path)
            result = import_lines(
                source.lines,
                args.url or source.url,
                cases,
                case_id=args.id,
                title_hint=source.title_hint,
                source_meta=source.meta,
            )
        except ImportError_ as exc:
            print(f"{printable(str(path))}:1: 文件: {exc}", file=sys.stderr)
            status = 2
            continue
        writing = not (args.stdout or args.dry_run)
        case_id = result.meta["id"]
        shown = "标准输出" if args.stdout else ("未写入（--dry-run）" if args.dry_run else f"cases/{case_id}.md")
        others = [d for d, _ in result.duplicates if d != args.id]
        target = None
        if others and writing:
            shown = f"未写入：已有案例 {others[0]} 是同一篇文章（确要覆盖请用 --id {others[0]}）"
            status = max(status, 1)
        elif writing:
            try:
                target = case_path(root, case_id)
            except _Refused as exc:
                shown = f"未写入：{exc}"
                status = 2
        print(report(result, printable(str(path)), shown, source.encoding, source.kind, source.notes), file=sys.stderr)
        text = case_text(result)
        if args.stdout:
            sys.stdout.write(text)
        elif target is not None:
            try:
                _write(target, text)
            except _Refused as exc:
                print(f"{printable(str(path))}:1: 文件: {exc}", file=sys.stderr)
                status = 2
    return status


# Fields `new` does not ask for: gaps follow 〔原文缺失〕 marks in a body it does not have yet, todo is
# the importer's
NOT_ASKED = ("gaps", "todo")


@functools.cache
def _library(root: Path) -> tuple:
    return tuple(load_cases(root / "cases", root)[0]) if (root / "cases").is_dir() else ()


class _Ended(Exception):
    """The input ended before every required field had an answer."""


def answer_value(spec: Field, text: str):
    """An answer typed at the prompt as the field's value: a list field takes its values separated
    by commas (，、,) or, where values may contain commas (schema: commas), by semicolons."""
    text = text.strip()
    if not spec.is_list:
        return text
    if spec.commas:
        items = [part for part in re.split(r"\s*[；;]\s*", text) if part]
    else:
        items = split_values(spec, text)
    return [normalize_tag(item) if spec.dimension else item for item in items]


def answer_problems(spec: Field, value, root: Path) -> list[tuple[str, str]]:
    """(code, message) for an answer: the field's rules, as `check` applies them; an id or a title
    another case has; for the id, also the file it would name."""
    found = value_problems(spec, value)
    if spec.key in ("id", "title") and not found:
        taken = {str(case.meta.get(spec.key)): case.path for case in _library(root)}
        if value in taken:
            code = "CL054" if spec.key == "id" else "CL055"
            found.append((code, f"{spec.label}“{value}”与 {taken[value]} 重复；每个案例的{spec.label}必须唯一"))
    texts = value if isinstance(value, list) else [value]
    hidden = [c for item in texts if isinstance(item, str) for c in invisible(item)]
    if hidden:
        found.append(("CL021", f"含有看不见的字符 {char_name(hidden[0])}：请删掉"))
    if spec.key == "id" and not found:
        problem = id_problem(value)
        if problem:
            found.append(("CL034", problem))
        elif (root / "cases" / f"{value}.md").exists():
            found.append(("CL054", f"cases/{value}.md 已经存在：请换一个编号"))
    return found


def _prompt(spec: Field) -> str:
    need = "必填" + (f"，原文没有给出时填 {UNKNOWN}" if spec.unknown else "") if spec.required else "选填，直接回车跳过"
    lines = [f"{spec.label}（{spec.key}，{need}）", f"  {spec.help}"]
    if spec.allowed:
        lines.append(f"  允许：{quoted_list(spec.allowed)}")
    if spec.is_list:
        lines.append("  多个值用分号；隔开" if spec.commas else "  多个值用逗号隔开")
    return "\n".join(lines) + "\n> "


def _ask(spec: Field, root: Path, read, say):
    """Ask for one field until the answer passes its rules; None for an optional field left empty.
    An answer that has a safe rewrite (甘肃省 → 甘肃) is offered: Enter takes it."""
    offered = None
    question = _prompt(spec)
    while True:
        text = read(question)
        if text is None:
            raise _Ended(spec.label)
        if not text.strip():
            if offered is not None:
                return offered
            if not spec.required:
                return None
            say(f"  “{spec.label}”是必填的：{spec.help}")
            question = "> "
            continue
        value = answer_value(spec, text)
        found = answer_problems(spec, value, root)
        if not found:
            return value
        for code, message in found:  # the offer below is this dialogue's `make fix`
            message = message.replace(f"；{FIX_HINT}", "").replace(f"（{FIX_HINT}）", "")
            say(f"  ✗ {message} [{code}]")
        better = safe_rewrite(spec, value)
        if better is not None and not answer_problems(spec, better, root):
            offered = better
            shown = flow_list(better) if isinstance(better, list) else better
            question = f"直接回车采用“{shown}”，或重新输入：\n> "
        else:
            offered = None
            question = "请重新输入：\n> "


def _stdin_reader(question: str) -> str | None:
    try:
        return input(question)
    except EOFError:
        return None


def cmd_new(args) -> int:
    """Ask for every field of the schema (those given as options are not asked), check each answer
    with `check`'s rules at once, and write cases/<id>.md with a body to fill in."""
    root = Path.cwd()
    values: dict[str, str | list[str]] = {}
    refused = []
    for spec in fields():
        if spec.key in NOT_ASKED:
            continue
        given = getattr(args, spec.key, None)
        if given is None:
            continue
        if spec.key == "id":  # it names a file: refused before anything else is looked at
            if id_problem(given):
                print(f"--id: {id_problem(given)}", file=sys.stderr)
                return 2
            try:
                case_path(root, given)
            except _Refused as exc:
                print(exc, file=sys.stderr)
                return 2
        value = answer_value(spec, given)
        found = answer_problems(spec, value, root)
        refused += [f"--{spec.key}: {spec.key}: {message} [{code}]" for code, message in found]
        if value not in ("", []):
            values[spec.key] = value
    if refused:
        print("\n".join(refused), file=sys.stderr)
        return 1
    say = functools.partial(print, file=sys.stderr)
    try:
        for spec in fields():
            if spec.key in NOT_ASKED or spec.key in values:
                continue
            value = _ask(spec, root, _stdin_reader, say)
            if value is not None:
                values[spec.key] = value
    except _Ended as ended:
        print(
            f"\n缺少“{ended}”：输入已结束，没有写入文件。请在终端里运行按提示填写，或用 --字段名 给出（见 --help）",
            file=sys.stderr,
        )
        return 2
    except KeyboardInterrupt:
        print("\n已取消，没有写入文件。", file=sys.stderr)
        return 130
    body = "\n\n".join(f"## {s}\n\n{PLACEHOLDER_MARK}：{s}。照原文，不要改写。〕" for s in SECTIONS) + "\n"
    text = render(values) + "\n" + body
    try:
        target = case_path(root, str(values["id"]))
        _write(target, text, new=True)
    except _Refused as exc:
        print(exc, file=sys.stderr)
        return 2
    print(f"已写入 cases/{target.name}：把各节的〔待填写…〕换成案例原文（换完之前检查不会通过），再运行 make check")
    return 0


def add_new_options(parser) -> None:
    for spec in fields():
        if spec.key in NOT_ASKED:
            continue
        parser.add_argument(f"--{spec.key}", help=f"{spec.label}：{spec.help}")


# --- the field guide section of CONTRIBUTING.md ----------------------------------------------

GUIDE_START = "<!-- 字段说明：由 python -m caselib fields 从 schema.yml 生成，请勿手改 -->"
GUIDE_END = "<!-- 字段说明结束 -->"


def field_guide_markdown() -> str:
    from ..site.pages import field_guide_page

    content = field_guide_page().content
    content = content.split("# 字段说明\n\n", 1)[1]
    content = re.sub(r"^## ", "### ", content, flags=re.M)
    return f"{GUIDE_START}\n\n{content.strip()}\n\n{GUIDE_END}"


def with_field_guide(text: str) -> str:
    start, end = text.find(GUIDE_START), text.find(GUIDE_END)
    if start == -1 or end == -1:
        raise ValueError("CONTRIBUTING.md 里缺少字段说明的起止标记")
    return text[:start] + field_guide_markdown() + text[end + len(GUIDE_END) :]


def cmd_fields(args) -> int:
    path = Path.cwd() / "CONTRIBUTING.md"
    old = path.read_text(encoding="utf-8")
    new = with_field_guide(old)
    if args.check:
        if new != old:
            print("CONTRIBUTING.md 的字段说明已过时：请运行 python -m caselib fields", file=sys.stderr)
            return 1
        return 0
    path.write_text(new, encoding="utf-8")
    print("已更新 CONTRIBUTING.md 的字段说明")
    return 0


def register(sub) -> None:
    imp = sub.add_parser("import", help="把网页、文本或 Word 原文导入为案例文件，并给出审核报告")
    imp.add_argument("paths", nargs="+", help="原文文件（.txt / .html / .docx）")
    imp.add_argument("--stdout", action="store_true", help="把案例打印出来，不写文件")
    imp.add_argument("--dry-run", action="store_true", help="只给出报告，不写文件")
    imp.add_argument("--id", help="案例编号（重新导入已有案例时给出它的编号，人工决定的字段会保留）")
    imp.add_argument("--url", help="原文网址（写入 source_url；网址里的日期也会被识别）")
    imp.set_defaults(func=cmd_import)
    new = sub.add_parser("new", help="按提示填写字段，生成一个新的案例文件框架")
    add_new_options(new)
    new.set_defaults(func=cmd_new)
    flds = sub.add_parser("fields", help="根据 schema.yml 更新 CONTRIBUTING.md 的字段说明")
    flds.add_argument("--check", action="store_true", help="只检查是否过时")
    flds.set_defaults(func=cmd_fields)

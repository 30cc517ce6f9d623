"""Validation rules. Each rule is a small generator yielding (line, field, message).

Field rules are chosen by the field's type in schema.yml; case rules look at the whole case;
library rules compare cases with each other. Messages are for contributors: Chinese, saying
what is wrong and what is allowed.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from urllib.parse import urlsplit

from ..model import spam
from ..model.cases import Case
from ..model.problems import Problem, char_name, invisible
from ..model.schema import UNKNOWN, Field, dimensions, fields, fields_by_key
from ..model.tags import tag_values
from ..model.text import GAP_MARK, slug
from .markup import BODY_RULES

ID_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
MAX_ID_CHARS = 64
MAX_VALUES = 30  # values in one list field
# Page names a case or a tag value must not take: `index` is the page of its folder
# (/cases/ lists every case, /models/ every model).
RESERVED = {"index"}
DATE_PATTERN = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
EARLIEST_YEAR = 1921

Found = Iterator[tuple[str, str]]  # (field key, message) for one value


def _allowed_list(values: Iterable[str], limit: int = 40) -> str:
    values = list(values)
    shown = "、".join(values[:limit])
    return shown + ("……" if len(values) > limit else "")


def _suggest(value: str, allowed: Iterable[str]) -> str:
    match = difflib.get_close_matches(value, list(allowed), n=1, cutoff=0.5)
    return f"你是不是想写“{match[0]}”？" if match else ""


def _check_text(spec: Field, value) -> Iterator[str]:
    if not isinstance(value, str):
        yield f"应是一段文字，现在是{_type_name(value)}"
        return
    if not value.strip():
        yield "不能为空" + (f"；原文没有给出时填 {UNKNOWN}" if spec.unknown else "")
        return
    if value.strip() == UNKNOWN and not spec.unknown:
        yield f"不能填 {UNKNOWN}，这一项必须根据原文填写"
    if spec.type != "longtext" and "\n" in value.strip():
        yield "只能写一行"
    if "<" in value or ">" in value:
        yield "不能包含 < 或 >（不允许写 HTML）"
    if spec.max_chars and len(value) > spec.max_chars:
        yield f"太长：{len(value)} 字，最多 {spec.max_chars} 字"
    if spec.dimension and re.search(r"\s", value.strip()):
        yield f"“{value}”中间有空格，请删掉空格"
    if spec.dimension and slug(value).casefold() in RESERVED:
        yield f"“{value}”是网站自己的页面名，不能用作{spec.label}"


def _check_enum(spec: Field, value) -> Iterator[str]:
    if not isinstance(value, str) or not value.strip():
        yield f"应从允许值中选一个（允许：{_allowed_list(_enum_allowed(spec))}）"
        return
    allowed = _enum_allowed(spec)
    if value not in allowed:
        hint = _suggest(value, allowed)
        yield f"“{value}”不在允许的值中（允许：{_allowed_list(allowed)}）" + (f"。{hint}" if hint else "")


def _enum_allowed(spec: Field) -> tuple[str, ...]:
    return spec.allowed + ((UNKNOWN,) if spec.unknown else ())


def _check_id(spec: Field, value) -> Iterator[str]:
    if not isinstance(value, str) or not ID_PATTERN.fullmatch(value):
        yield f"“{str(value)[:80]}”格式不对（只能用小写英文字母、数字和连字符，例如 {spec.example}）"
    elif len(value) > MAX_ID_CHARS:
        yield f"太长：{len(value)} 个字符，最多 {MAX_ID_CHARS} 个（例如 {spec.example}）"
    elif value in RESERVED:
        yield f"“{value}”是网站自己的页面名，不能用作编号（例如 {spec.example}）"


def _check_date(spec: Field, value) -> Iterator[str]:
    text = str(value) if isinstance(value, (str, int)) else None
    match = DATE_PATTERN.match(value) if isinstance(value, str) else None
    if not match:
        yield f"“{text if text is not None else value}”不是日期（格式：YYYY-MM-DD，例如 {spec.example}）"
        return
    try:
        day = dt.date(*(int(part) for part in match.groups()))
    except ValueError:
        yield f"“{value}”这一天不存在（格式：YYYY-MM-DD，例如 {spec.example}）"
        return
    if day.year < EARLIEST_YEAR:
        yield f"“{value}”太早了（允许：{EARLIEST_YEAR} 年以后的日期）"
    elif day > dt.date.today():
        yield f"“{value}”还没有到（允许：今天及以前的日期，写原文的发布日期）"


def _check_url(spec: Field, value) -> Iterator[str]:
    if not isinstance(value, str):
        yield f"应是网址，现在是{_type_name(value)}"
        return
    try:
        parts = urlsplit(value.strip())
        _ = parts.port  # a port that is not a number raises too
    except ValueError:
        parts = None
    if (
        parts is None
        or parts.scheme not in ("http", "https")
        or not parts.netloc
        or re.search(r"[\s<>\"']", value.strip())
    ):
        yield f"“{value}”不是有效网址（允许：以 http:// 或 https:// 开头的完整网址）"


def _check_list(item_check: Callable[[Field, object], Iterator[str]]):
    def check(spec: Field, value) -> Iterator[str]:
        if not isinstance(value, list):
            yield (
                f"应是列表，现在是{_type_name(value)}"
                f"（写法：{spec.key}: [{value if isinstance(value, str) else '值一'}]，多个值用逗号隔开）"
            )
            return
        if len(value) > MAX_VALUES:
            yield f"值太多：{len(value)} 个，最多 {MAX_VALUES} 个"
            return
        seen = set()
        for item in value:
            if item in seen:
                yield f"“{item}”重复了"
            seen.add(item)
            yield from item_check(spec, item)

    return check


def _check_todo(spec: Field, value) -> Iterator[str]:
    """Decisions the importer left to a person: a case with any of them cannot pass."""
    items = value if isinstance(value, list) else [value]
    for item in items:
        yield f"还有待决定的事项：{item}（处理后删掉这一条；全部处理完后删掉 {spec.key} 字段）"


CHECKS: dict[str, Callable[[Field, object], Iterator[str]]] = {
    "id": _check_id,
    "text": _check_text,
    "longtext": _check_text,
    "enum": _check_enum,
    "date": _check_date,
    "url": _check_url,
    "text_list": _check_list(_check_text),
    "enum_list": _check_list(_check_enum),
    "todo": _check_todo,
}


def _type_name(value) -> str:
    if value is None:
        return "空值"
    if isinstance(value, bool):
        return "真假值"
    if isinstance(value, (int, float)):
        return f"数字 {value}"
    if isinstance(value, list):
        return "列表"
    if isinstance(value, dict):
        return "嵌套的字段"
    return "文字"


# --- rules over one case: each yields (line, field, message) -------------------------------


def rule_unknown_fields(case: Case):
    known = fields_by_key()
    for key in case.meta:
        if key not in known:
            hint = _suggest(key, known)
            yield (
                case.line_of(key),
                key,
                f"不认识这个字段（允许：{_allowed_list(known)}）" + (f"。{hint}" if hint else ""),
            )


def rule_visible_text(case: Case):
    """No character one cannot see: control, zero-width, bidi and private-use characters make
    look-alike tags (四\u200b力 beside 四力), break the feed and the booklet, or reorder text."""
    for key, value in case.meta.items():
        for item in value if isinstance(value, list) else [value]:
            hidden = invisible(item) if isinstance(item, str) else []
            if hidden:
                yield (
                    case.line_of(key),
                    key,
                    f"含有看不见的字符 {char_name(hidden[0])}：它会让看起来一样的值成为不同的标签，"
                    "或让订阅源和汇编出错；请删掉（从网页复制时常会带上）",
                )
                break


def rule_required_fields(case: Case):
    for spec in fields():
        if spec.required and spec.key not in case.meta:
            yield (1, spec.key, f"缺少必填字段“{spec.label}”：{spec.help}")


def rule_field_values(case: Case):
    for spec in fields():
        if spec.key not in case.meta:
            continue
        value = case.meta[spec.key]
        if value is None or value == [] or value == "":
            if spec.required:
                yield (case.line_of(spec.key), spec.key, f"“{spec.label}”不能为空：{spec.help}")
            continue
        for message in CHECKS[spec.type](spec, value):
            yield (case.line_of(spec.key), spec.key, message)


def rule_body_not_empty(case: Case):
    if not case.body.strip():
        yield (case.body_line, "正文", "正文是空的：在元数据的 --- 下面写案例全文")


def rule_no_spam(case: Case):
    """Injected gambling and porn spam (model/spam.py: brand words and shapes, keyword-stuffed
    lines) in any front-matter value or body line."""
    values = [
        (key, str(text)) for key, value in case.meta.items() for text in (value if isinstance(value, list) else [value])
    ]
    if spam.maybe_spam("\n".join(text for _, text in values)):  # one scan; fields only when needed
        for key, text in values:
            for problem in _spam_problems(text, in_body=False):
                yield (case.line_of(key), key, problem)
    if not spam.maybe_spam(case.body):
        return
    any_run = bool(spam.find(case.body))  # one scan of the body; its lines only when it has a run
    for offset, line in enumerate(case.body.split("\n")):
        for problem in _spam_problems(line, in_body=True, runs=any_run):
            yield (case.body_line + offset, "正文", problem)


def _spam_problems(text: str, in_body: bool, runs: bool = True) -> Iterator[str]:
    fix = (
        f"删除它，在原位置写 {GAP_MARK}，并在 gaps 里记一条说明（不要猜测原词）"
        if in_body
        else "删除它；原文在这里写的校名或词语不要猜测补写，无法确定时填 未知"
    )
    for run in spam.find(text) if runs else ():
        yield f"含有植入的赌博或色情广告词“{run}”（{spam.why(run)}）：{fix}"
    words = spam.stuffed(text)
    if words:
        shown = "、".join(words[:5])
        yield f"这一行堆满了色情或赌博关键词（{shown}），是被篡改的网页植入的：删除整行"


def rule_gaps_match_marks(case: Case):
    marks = case.body.count(GAP_MARK)
    gaps = case.meta.get("gaps") or []
    recorded = len(gaps) if isinstance(gaps, list) else 0
    if marks != recorded:
        yield (
            case.line_of("gaps") if "gaps" in case.meta else 1,
            "gaps",
            f"正文中有 {marks} 处 {GAP_MARK}，gaps 里记录了 {recorded} 条；两者应一一对应",
        )


CASE_RULES = (
    rule_unknown_fields,
    rule_visible_text,
    rule_required_fields,
    rule_field_values,
    rule_body_not_empty,
    rule_no_spam,
    rule_gaps_match_marks,
    *BODY_RULES,
)


def check_case(case: Case) -> list[Problem]:
    return [Problem(case.path, line, key, message) for rule in CASE_RULES for line, key, message in rule(case)]


# --- rules over the whole library -----------------------------------------------------------


def rule_unique(key: str, label: str):
    def rule(cases: list[Case]) -> Iterator[Problem]:
        owners: dict[str, list[Case]] = defaultdict(list)
        for case in cases:
            value = case.meta.get(key)
            if isinstance(value, str) and value.strip():
                owners[value.strip()].append(case)
        for value, group in owners.items():
            if len(group) < 2:
                continue
            for case in group:
                others = "、".join(c.path for c in group if c is not case)
                yield Problem(
                    case.path, case.line_of(key), key, f"{label}“{value}”与 {others} 重复；每个案例的{label}必须唯一"
                )

    rule.__name__ = f"rule_unique_{key}"
    return rule


def rule_tag_urls_distinct(cases: list[Case]) -> Iterator[Problem]:
    """Two different tag values must not share one index page address."""
    for dim in dimensions():
        first: dict[str, tuple[str, Case]] = {}
        for case in cases:
            for value in tag_values(case, dim):
                key = slug(value).casefold()  # one folder on a case-insensitive file system
                seen = first.setdefault(key, (value, case))
                if seen[0] != value:
                    spec = dim.fields[0] if dim.fields else None
                    field_key = spec.key if spec else dim.key
                    yield Problem(
                        case.path,
                        case.line_of(field_key),
                        field_key,
                        f"“{value}”与 {seen[1].path} 中的“{seen[0]}”只差标点、空格或大小写，"
                        f"会共用一个索引页；请统一成同一种写法",
                    )


LIBRARY_RULES = (rule_unique("id", "编号"), rule_unique("title", "标题"), rule_tag_urls_distinct)


def check_library(cases: list[Case]) -> list[Problem]:
    problems = [p for case in cases for p in check_case(case)]
    problems += [p for rule in LIBRARY_RULES for p in rule(cases)]
    return sorted(set(problems))

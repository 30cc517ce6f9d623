"""Validation rules. Each rule is a small generator yielding (line, field, code, message).

Field rules are chosen by the field's type in schema.yml; case rules look at the whole case;
library rules compare cases with each other. Messages are for contributors: Chinese, saying
what is wrong and what is allowed; every one carries its rule's stable code (data/rules.yml,
check/codes.py). `safe_rewrite` is what `check --fix` may change without asking.
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
# What `new` writes where only the contributor can fill in: it never passes the check (CL057)
PLACEHOLDER_MARK = "〔待填写"
URL_TEXT = re.compile(r"^\s*(?:https?://|www\.)\S+\s*$", re.IGNORECASE)

Found = Iterator[tuple[str, str]]  # (code, message) for one value
FIX_HINT = "运行 make fix 可自动改正"
# What joins several values written as one: Chinese comma, enumeration comma (顿号), semicolons,
# an ASCII comma (inside a text value, not a YAML list)
LIST_SEPARATORS = re.compile(r"\s*[，、,；;]\s*")
# Dates as people write them: 2024/1/15, 2024.1.15, 2024-1-15, 2024年1月15日
OTHER_DATE = re.compile(r"^\s*(\d{4})\s*(?:[/.\-]|年)\s*(\d{1,2})\s*(?:[/.\-]|月)\s*(\d{1,2})\s*日?\s*$")


def quoted_list(values: Iterable[str], limit: int = 40) -> str:
    """Allowed values, each in 「」: a value may itself contain 、 (不忘初心、牢记使命)."""
    values = list(values)
    shown = "".join(f"「{v}」" for v in values[:limit])
    return shown + ("……" if len(values) > limit else "")


def _suggest(value: str, allowed: Iterable[str]) -> str:
    match = difflib.get_close_matches(value, list(allowed), n=1, cutoff=0.5)
    return f"你是不是想写“{match[0]}”？" if match else ""


def _check_text(spec: Field, value) -> Found:
    if not isinstance(value, str):
        yield "CL024", f"应是一段文字，现在是{_type_name(value)}"
        return
    if not value.strip():
        yield "CL023", "不能为空" + (f"；原文没有给出时填 {UNKNOWN}" if spec.unknown else "")
        return
    if value.strip() == UNKNOWN and not spec.unknown:
        yield "CL025", f"不能填 {UNKNOWN}，这一项必须根据原文填写"
    if spec.type != "longtext" and "\n" in value.strip():
        yield "CL026", "只能写一行"
    if "<" in value or ">" in value:
        yield "CL027", "不能包含 < 或 >（不允许写 HTML）"
    if spec.max_chars and len(value) > spec.max_chars:
        yield "CL028", f"太长：{len(value)} 字，最多 {spec.max_chars} 字"
    if URL_TEXT.match(value):
        yield "CL049", f"“{value[:80]}”是网址，不是{spec.label}：原文网址写在 source_url 里，这里写{spec.label}本身"
    if spec.dimension and re.search(r"\s", value.strip()):
        yield "CL029", f"“{value}”中间有空格，请删掉空格"
    if spec.dimension and slug(value).casefold() in RESERVED:
        yield "CL030", f"“{value}”是网站自己的页面名，不能用作{spec.label}"
    if spec.dimension:
        yield from _wrong_field(spec, value)


def _check_enum(spec: Field, value) -> Found:
    allowed = _enum_allowed(spec)
    if not isinstance(value, str) or not value.strip():
        yield "CL031", f"应从允许值中选一个（允许：{quoted_list(allowed)}）"
        return
    if value in allowed:
        return
    if value in spec.aliases:
        yield "CL032", f"“{value}”应写成“{spec.aliases[value]}”（{spec.label}的规范写法；{FIX_HINT}）"
        return
    moved = list(_wrong_field(spec, value))
    if moved:
        yield from moved
        return
    hint = _suggest(value, allowed)
    yield "CL031", f"“{value}”不在允许的值中（允许：{quoted_list(allowed)}）" + (f"。{hint}" if hint else "")


def _enum_allowed(spec: Field) -> tuple[str, ...]:
    return spec.allowed + ((UNKNOWN,) if spec.unknown else ())


def _wrong_field(spec: Field, value: str) -> Found:
    """A value that belongs to another field's controlled list (七个有力 under models)."""
    for other in fields():
        if other.key != spec.key and other.type == "enum_list" and value in other.allowed:
            yield (
                "CL046",
                f"“{value}”是{other.label}（{other.key}），不是{spec.label}：请把它移到 {other.key} 里"
                f"（{other.key}: [{value}]）",
            )
            return


def _check_id(spec: Field, value) -> Found:
    if not isinstance(value, str) or not ID_PATTERN.fullmatch(value):
        yield "CL033", f"“{str(value)[:80]}”格式不对（只能用小写英文字母、数字和连字符，例如 {spec.example}）"
    elif len(value) > MAX_ID_CHARS:
        yield "CL034", f"太长：{len(value)} 个字符，最多 {MAX_ID_CHARS} 个（例如 {spec.example}）"
    elif value in RESERVED:
        yield "CL030", f"“{value}”是网站自己的页面名，不能用作编号（例如 {spec.example}）"


def iso_date(value) -> str | None:
    """YYYY-MM-DD for a date written another way (2024/1/15, 2024年1月15日), if that day exists."""
    match = OTHER_DATE.match(value) if isinstance(value, str) else None
    if not match:
        return None
    try:
        return dt.date(*(int(part) for part in match.groups())).isoformat()
    except ValueError:
        return None


def _check_date(spec: Field, value) -> Found:
    text = str(value) if isinstance(value, (str, int)) else None
    match = DATE_PATTERN.match(value) if isinstance(value, str) else None
    if not match:
        better = iso_date(value)
        if better:
            yield "CL036", f"“{value}”应写成 {better}（格式：YYYY-MM-DD；{FIX_HINT}）"
        else:
            yield "CL035", f"“{text if text is not None else value}”不是日期（格式：YYYY-MM-DD，例如 {spec.example}）"
        return
    try:
        day = dt.date(*(int(part) for part in match.groups()))
    except ValueError:
        yield "CL037", f"“{value}”这一天不存在（格式：YYYY-MM-DD，例如 {spec.example}）"
        return
    if day.year < EARLIEST_YEAR:
        yield "CL038", f"“{value}”太早了（允许：{EARLIEST_YEAR} 年以后的日期）"
    elif day > dt.date.today():
        yield "CL039", f"“{value}”还没有到（允许：今天及以前的日期，写原文的发布日期）"


def _check_url(spec: Field, value) -> Found:
    if not isinstance(value, str):
        yield "CL024", f"应是网址，现在是{_type_name(value)}"
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
        yield "CL040", f"“{value}”不是有效网址（允许：以 http:// 或 https:// 开头的完整网址）"


def _parts(spec: Field, text: str, separators: str) -> list[str]:
    """text split at the separators; 、 too in a controlled list, when every part is allowed (a
    value may contain 、 itself: 不忘初心、牢记使命, or a model named 手拉手、一帮一)."""
    parts = [p for p in re.split(rf"\s*[{separators}]\s*", text.strip()) if p]
    if spec.type == "enum_list":
        finer = [p for part in parts for p in re.split(r"\s*、\s*", part) if p]
        if len(finer) > len(parts) and all(p in spec.allowed or p in spec.aliases for p in finer):
            return finer
    return parts


def split_values(spec: Field, text: str) -> list[str]:
    """The values of a list field written as one text (四力，三化 → [四力, 三化]); an allowed value
    stays whole; a field whose values may contain commas (schema: commas) is never split."""
    text = text.strip()
    if not text:
        return []
    if spec.commas or text in spec.allowed or text in spec.aliases:
        return [text]
    return _parts(spec, text, "，,；;")


def _enumerated(value) -> list[str]:
    """The parts of a text joined by 、 (enumeration comma), when there are several."""
    parts = [p for p in re.split(r"\s*、\s*", value.strip()) if p] if isinstance(value, str) else []
    return parts if len(parts) > 1 else []


def flow_list(values: list) -> str:
    return "[" + ", ".join(str(v) for v in values) + "]"


def _joined(spec: Field, item) -> list[str] | None:
    """The values of one list item that joins several with a Chinese comma or semicolon, or None."""
    if not isinstance(item, str) or spec.commas or item in spec.allowed or item in spec.aliases:
        return None
    parts = _parts(spec, item, "，,；;")  # a tag's normal form has the ASCII ones
    return parts if len(parts) > 1 else None


def _check_list(item_check: Callable[[Field, object], Found]):
    def check(spec: Field, value) -> Found:
        if isinstance(value, str) and len(split_values(spec, value)) > 1:
            parts = split_values(spec, value)
            yield (
                "CL042",
                f"{len(parts)} 个值用逗号或顿号连在一起，会被当成一个值：应写成列表 "
                f"{spec.key}: {flow_list(parts)}（{FIX_HINT}）",
            )
            return
        if not isinstance(value, list):
            one_value = not isinstance(value, str) or value in spec.allowed or value in spec.aliases
            parts = [] if one_value else _enumerated(value)
            fixable = isinstance(value, str) and not parts  # one value or several: the contributor says
            maybe = f"；如果是 {len(parts)} 个值，写成 {flow_list(parts)}" if parts else ""
            yield (
                "CL041",
                f"应是列表，现在是{_type_name(value)}"
                f"（写法：{spec.key}: [{value if isinstance(value, str) else '值一'}]，多个值用英文逗号隔开{maybe}"
                + (f"；{FIX_HINT}）" if fixable else "）"),
            )
            return
        if len(value) > MAX_VALUES:
            yield "CL043", f"值太多：{len(value)} 个，最多 {MAX_VALUES} 个"
            return
        if spec.max_items and len(value) > spec.max_items or spec.min_items and len(value) < spec.min_items:
            yield (
                "CL044",
                f"写了 {len(value)} 个值，{spec.label}应选 {spec.min_items or 0} 到 {spec.max_items or MAX_VALUES} 个："
                "请只留下最主要的",
            )
        seen = set()
        for item in value:
            if item in seen:
                yield "CL045", f"“{item}”重复了"
            seen.add(item)
            joined = _joined(spec, item)
            if joined:
                yield (
                    "CL042",
                    f"{len(joined)} 个值用逗号连在一起写成了一项：多个值用英文逗号隔开，"
                    f"写成 {flow_list(joined)}（{FIX_HINT}）",
                )
                continue
            yield from item_check(spec, item)

    return check


def _check_todo(spec: Field, value) -> Found:
    """Decisions the importer left to a person: a case with any of them cannot pass."""
    items = value if isinstance(value, list) else [value]
    for item in items:
        yield "CL047", f"还有待决定的事项：{item}（处理后删掉这一条；全部处理完后删掉 {spec.key} 字段）"


CHECKS: dict[str, Callable[[Field, object], Found]] = {
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


def value_problems(spec: Field, value) -> list[tuple[str, str]]:
    """(code, message) for one field's value, as `check` reports it (also `new`, at its prompt)."""
    if value is None or value == [] or value == "":
        return [("CL023", f"“{spec.label}”不能为空：{spec.help}")] if spec.required else []
    return list(CHECKS[spec.type](spec, value))


def safe_rewrite(spec: Field, value):
    """The value rewritten where the rewrite cannot change its meaning (`check --fix`): another
    form of an allowed value (甘肃省 → 甘肃), a date written another way, several values written
    as one text or one item (四力，三化 → [四力, 三化]). None when nothing is to be rewritten."""
    if spec.type == "enum" and isinstance(value, str) and value not in spec.allowed:
        return spec.aliases.get(value)
    if spec.type == "date" and isinstance(value, str) and not DATE_PATTERN.match(value):
        return iso_date(value)
    if not spec.is_list or not (isinstance(value, str) or isinstance(value, list)):
        return None
    if (
        isinstance(value, str)
        and value not in spec.allowed
        and value not in spec.aliases
        and len(split_values(spec, value)) == 1
        and _enumerated(value)
    ):
        return None  # 手拉手、一帮一: one model's name, or two? Not for a rewrite to decide
    items = split_values(spec, value) if isinstance(value, str) else value
    if not all(isinstance(item, str) for item in items):
        return None
    result: list[str] = []
    for item in items:
        for part in _joined(spec, item) or [item]:
            result.append(spec.aliases.get(part, part) if part not in spec.allowed else part)
    return result if result != value else None


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


# --- rules over one case: each yields (line, field, code, message) ---------------------------


def rule_unknown_fields(case: Case):
    """Only the fields of the schema."""
    known = fields_by_key()
    for key in case.meta:
        if key not in known:
            hint = _suggest(key, known)
            yield (
                case.line_of(key),
                key,
                "CL020",
                f"不认识这个字段（允许：{quoted_list(known)}）" + (f"。{hint}" if hint else ""),
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
                    "CL021",
                    f"含有看不见的字符 {char_name(hidden[0])}：它会让看起来一样的值成为不同的标签，"
                    "或让订阅源和汇编出错；请删掉（从网页复制时常会带上）",
                )
                break


def rule_required_fields(case: Case):
    """Every required field is there."""
    for spec in fields():
        if spec.required and spec.key not in case.meta:
            yield (1, spec.key, "CL022", f"缺少必填字段“{spec.label}”：{spec.help}")


def rule_field_values(case: Case):
    """Each value as its field's type in the schema allows (CHECKS, by type)."""
    for spec in fields():
        if spec.key not in case.meta:
            continue
        for code, message in value_problems(spec, case.meta[spec.key]):
            yield (case.line_of(spec.key), spec.key, code, message)


def rule_id_matches_file_name(case: Case):
    """A case file in cases/ is named <id>.md: the file and its page are found by the same name."""
    if not case.library_file or not isinstance(case.meta.get("id"), str) or not case.id:
        return
    if case.library_file != f"{case.id}.md":
        yield (
            case.line_of("id"),
            "id",
            "CL048",
            f"编号“{case.id}”与文件名“{case.library_file}”不一致：文件名应是 {case.id}.md"
            "（改文件名，或把 id 改成与文件名一致；发布过的案例不要改 id）",
        )


def rule_body_not_empty(case: Case):
    """A body below the front matter."""
    if not case.body.strip():
        yield (case.body_line, "正文", "CL050", "正文是空的：在元数据的 --- 下面写案例全文")


def rule_no_spam(case: Case):
    """Injected gambling and porn spam (model/spam.py: brand words and shapes, keyword-stuffed
    lines) in any front-matter value or body line."""
    values = [
        (key, str(text)) for key, value in case.meta.items() for text in (value if isinstance(value, list) else [value])
    ]
    if spam.maybe_spam("\n".join(text for _, text in values)):  # one scan; fields only when needed
        for key, text in values:
            for problem in _spam_problems(text, in_body=False):
                yield (case.line_of(key), key, "CL051", problem)
    if not spam.maybe_spam(case.body):
        return
    any_run = bool(spam.find(case.body))  # one scan of the body; its lines only when it has a run
    for offset, line in enumerate(case.body.split("\n")):
        for problem in _spam_problems(line, in_body=True, runs=any_run):
            yield (case.body_line + offset, "正文", "CL052", problem)


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


def rule_no_placeholder(case: Case):
    """No placeholder left where `new` asked for the case's own text (〔待填写：…〕)."""
    for key, value in case.meta.items():
        if PLACEHOLDER_MARK in str(value):
            yield (case.line_of(key), key, "CL057", f"还是占位文字：请把“{PLACEHOLDER_MARK}…〕”换成案例原文的内容")
    for offset, line in enumerate(case.body.split("\n")):
        if PLACEHOLDER_MARK in line:
            yield (
                case.body_line + offset,
                "正文",
                "CL057",
                f"还是占位文字“{line.strip()[:40]}”：请换成案例原文的这一部分（照原文，不要改写）",
            )


def rule_gaps_match_marks(case: Case):
    """One gaps entry per 〔原文缺失〕 in the body."""
    marks = case.body.count(GAP_MARK)
    gaps = case.meta.get("gaps") or []
    recorded = len(gaps) if isinstance(gaps, list) else 0
    if marks != recorded:
        yield (
            case.line_of("gaps") if "gaps" in case.meta else 1,
            "gaps",
            "CL053",
            f"正文中有 {marks} 处 {GAP_MARK}，gaps 里记录了 {recorded} 条；两者应一一对应",
        )


CASE_RULES = (
    rule_unknown_fields,
    rule_visible_text,
    rule_required_fields,
    rule_field_values,
    rule_id_matches_file_name,
    rule_body_not_empty,
    rule_no_spam,
    rule_no_placeholder,
    rule_gaps_match_marks,
    *BODY_RULES,
)


def check_case(case: Case) -> list[Problem]:
    return [
        Problem(case.path, line, key, message, code) for rule in CASE_RULES for line, key, code, message in rule(case)
    ]


# --- rules over the whole library -----------------------------------------------------------


def rule_unique(key: str, label: str, code: str):
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
                    case.path,
                    case.line_of(key),
                    key,
                    f"{label}“{value}”与 {others} 重复；每个案例的{label}必须唯一",
                    code,
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
                        "CL056",
                    )


LIBRARY_RULES = (rule_unique("id", "编号", "CL054"), rule_unique("title", "标题", "CL055"), rule_tag_urls_distinct)


def check_library(cases: list[Case]) -> list[Problem]:
    problems = [p for case in cases for p in check_case(case)]
    problems += [p for rule in LIBRARY_RULES for p in rule(cases)]
    return sorted(set(problems))

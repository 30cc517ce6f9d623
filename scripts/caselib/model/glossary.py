"""模式词典: curated definitions of named models and requirements (data/glossary.yml).

A definition is shown at the top of the index page of its value (`/models/四力/`,
`/standards/七个有力/`) with the sentence it comes from and the case cited, followed by the
models that appear together with it. The checker verifies every quoted sentence is really in
the body of the cited case, so a definition never drifts from its source.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import yaml

from .cases import Case
from .problems import Problem, char_name, invisible
from .yamlsafe import SafeLoader, error_message

GLOSSARY_PATH = Path(__file__).parent.parent / "data" / "glossary.yml"
GLOSSARY_FILE = "scripts/caselib/data/glossary.yml"
KEYS = ("term", "expansion", "quote", "case")


@dataclass(frozen=True)
class Entry:
    term: str
    expansion: str
    quote: str
    case: str
    line: int


MAX_CHARS = {"term": 30, "expansion": 200, "quote": 500, "case": 64}
FIELD = "词典"


class GlossaryError(Exception):
    def __init__(self, line: int, message: str):
        super().__init__(message)
        self.line, self.message = line, message


def parse(text: str) -> list[Entry]:
    """Entries with the line of each `term:` (for messages); GlossaryError when the file is not a
    list of entries of four plain values."""
    try:
        node = yaml.compose(text, Loader=SafeLoader)
    except yaml.YAMLError as exc:
        line, message = error_message(exc, text)
        raise GlossaryError(1 + line, message) from None
    if node is None:
        return []
    if not isinstance(node, yaml.SequenceNode):
        raise GlossaryError(node.start_mark.line + 1, "词典应是词条的列表，每条以“- term:”开头")
    entries, seen = [], set()
    for item in node.value:
        line = item.start_mark.line + 1
        if not isinstance(item, yaml.MappingNode):
            raise GlossaryError(line, "每个词条应写成 term、expansion、quote、case 四项（见文件开头的说明）")
        data = {}
        for key, value in item.value:
            if id(value) in seen or not isinstance(key, yaml.ScalarNode) or not isinstance(value, yaml.ScalarNode):
                raise GlossaryError(key.start_mark.line + 1, "每一项只能是一段文字（不能是列表、嵌套或 & * 别名）")
            seen.add(id(value))
            if key.value not in KEYS:
                raise GlossaryError(key.start_mark.line + 1, f"不认识“{key.value[:30]}”（允许：{'、'.join(KEYS)}）")
            data[key.value] = value.value
        term, expansion, quote, case = (str(data.get(k, "")).strip() for k in KEYS)
        entries.append(Entry(term, expansion, quote, case, line=line))
    return entries


def load(path: Path = GLOSSARY_PATH, shown_path: str = GLOSSARY_FILE) -> tuple[list[Entry], list[Problem]]:
    """The entries of a glossary file, or none and the problem that stops it."""
    try:
        return parse(path.read_text(encoding="utf-8")), []
    except (OSError, UnicodeDecodeError) as exc:
        return [], [Problem(shown_path, 1, FIELD, f"无法读取（{exc}），应是 UTF-8 文本")]
    except GlossaryError as exc:
        return [], [Problem(shown_path, exc.line, FIELD, exc.message)]


@functools.lru_cache(maxsize=1)
def entries() -> tuple[Entry, ...]:
    return tuple(load()[0])


@functools.lru_cache(maxsize=1)
def by_term() -> dict[str, Entry]:
    return {e.term: e for e in entries()}


def shown(cases: list[Case]) -> list[Entry]:
    """The entries whose cited case is in the library: only those are shown."""
    ids = {c.id for c in cases}
    return [e for e in entries() if e.case in ids]


def check(cases: list[Case], items: Iterable[Entry] | None = None, path: str = GLOSSARY_FILE) -> list[Problem]:
    """Every entry is complete, unique, and quotes the body of an existing case."""
    known = {c.id: c for c in cases}
    problems: list[Problem] = []
    seen: set[str] = set()
    if items is None:
        items, problems = load()
    for e in items:
        for key in KEYS:
            value = getattr(e, key)
            if not value:
                problems.append(
                    Problem(
                        path, e.line, key, f"词条“{e.term}”缺少 {key}（每个词条都要写 term、expansion、quote、case）"
                    )
                )
            elif len(value) > MAX_CHARS[key]:
                problems.append(Problem(path, e.line, key, f"太长：{len(value)} 字，最多 {MAX_CHARS[key]} 字"))
            elif invisible(value):
                problems.append(
                    Problem(path, e.line, key, f"含有看不见的字符 {char_name(invisible(value)[0])}：请删掉")
                )
            elif key != "quote" and ("<" in value or ">" in value):
                problems.append(
                    Problem(
                        path,
                        e.line,
                        key,
                        "不能包含 < 或 >：释义显示为鼠标停留时的提示，只能是纯文字（要写书名号请用《》）",
                    )
                )
        if e.term in seen:
            problems.append(Problem(path, e.line, "term", f"词条“{e.term}”重复，每个模式只写一条"))
        seen.add(e.term)
        case = known.get(e.case)
        # An entry whose case is not in this library (a test or benchmark corpus) is not shown.
        if case is not None and e.quote and e.quote not in case.body:
            problems.append(
                Problem(path, e.line, "quote", f"引文不在案例“{e.case}”的正文中：请从正文逐字复制一句（含标点）")
            )
        if case is not None and e.term and e.term not in (*case.values("models"), *case.values("standards")):
            problems.append(
                Problem(
                    path,
                    e.line,
                    "term",
                    f"“{e.term}”不是案例“{e.case}”的模式（models）或对标要求"
                    "（standards）之一：词条名要与该案例中的写法完全一致",
                )
            )
    return problems


def co_occurring(term: str, cases: list[Case], limit: int = 10) -> list[tuple[str, int]]:
    """Models that appear in the same cases as `term`, most shared cases first."""
    counts: dict[str, int] = {}
    for case in cases:
        models = list(dict.fromkeys(case.values("models")))
        if term in models or term in case.values("standards"):
            for m in models:
                if m != term:
                    counts[m] = counts.get(m, 0) + 1
    return sorted(counts.items(), key=lambda r: (-r[1], r[0]))[:limit]

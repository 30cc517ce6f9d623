"""模式词典: curated definitions of named models and requirements (data/glossary.yml).

A definition is shown at the top of the index page of its value (`/models/四力/`,
`/standards/七个有力/`) with the sentence it comes from and the case cited, followed by the
models that appear together with it. The checker verifies every quoted sentence is really in
the body of the cited case, so a definition never drifts from its source.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

import yaml

from .cases import Case
from .problems import Problem
from .yamlsafe import SafeLoader

GLOSSARY_PATH = Path(__file__).parent / "data" / "glossary.yml"
GLOSSARY_FILE = "scripts/caselib/data/glossary.yml"
KEYS = ("term", "expansion", "quote", "case")


@dataclass(frozen=True)
class Entry:
    term: str
    expansion: str
    quote: str
    case: str
    line: int


def parse(text: str) -> list[Entry]:
    """Entries with the line of each `term:` (for messages)."""
    node = yaml.compose(text, Loader=SafeLoader)
    entries = []
    for item in (node.value if node is not None else []):
        data = {k.value: v.value for k, v in item.value}
        entries.append(Entry(*(str(data.get(k, "")).strip() for k in KEYS), line=item.start_mark.line + 1))
    return entries


@functools.lru_cache(maxsize=1)
def entries() -> tuple[Entry, ...]:
    return tuple(parse(GLOSSARY_PATH.read_text(encoding="utf-8")))


@functools.lru_cache(maxsize=1)
def by_term() -> dict[str, Entry]:
    return {e.term: e for e in entries()}


def shown(cases: list[Case]) -> list[Entry]:
    """The entries whose cited case is in the library: only those are shown."""
    ids = {c.id for c in cases}
    return [e for e in entries() if e.case in ids]


def check(cases: list[Case], items=None, path: str = GLOSSARY_FILE) -> list[Problem]:
    """Every entry is complete, unique, and quotes the body of an existing case."""
    known = {c.id: c for c in cases}
    problems, seen = [], set()
    for e in (entries() if items is None else items):
        for key in KEYS:
            if not getattr(e, key):
                problems.append(Problem(path, e.line, key, f"词条“{e.term}”缺少 {key}（每个词条都要写 term、expansion、quote、case）"))
        if e.term in seen:
            problems.append(Problem(path, e.line, "term", f"词条“{e.term}”重复，每个模式只写一条"))
        seen.add(e.term)
        case = known.get(e.case)
        # An entry whose case is not in this library (a test or benchmark corpus) is not shown.
        if case is not None and e.quote and e.quote not in case.body:
            problems.append(Problem(path, e.line, "quote", f"引文不在案例“{e.case}”的正文中：请从正文逐字复制一句（含标点）"))
        if case is not None and e.term and e.term not in (*case.values("models"), *case.values("standards")):
            problems.append(Problem(path, e.line, "term", f"“{e.term}”不是案例“{e.case}”的模式（models）或对标要求"
                                    "（standards）之一：词条名要与该案例中的写法完全一致"))
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

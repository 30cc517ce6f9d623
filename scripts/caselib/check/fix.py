"""`check --fix`: the safe rewrites (validate.safe_rewrite) applied to a case file in place.

Only a field written on one line (`province: 甘肃省`, `models: 四力，三化`, `themes: [a，b]`) is
rewritten, and only its value: the key, the spacing before the value, a trailing comment, the
line ending, a byte-order mark and every other line stay byte for byte. A field written over
several lines is left alone (check still reports it).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from ..model.cases import Case, ShapeError, compose_and_load, normalize_value
from ..model.schema import fields_by_key
from .codes import by_code
from .validate import safe_rewrite, value_problems

_LINE_BREAK = re.compile(r"(\r\n|\r|\n)")
_FIELD_LINE = re.compile(
    r"^(?P<key>[A-Za-z_][A-Za-z0-9_]*)(?P<colon>[ \t]*:[ \t]*)(?P<value>.*?)(?P<comment>[ \t]+#.*)?$"
)


@dataclass(frozen=True)
class Change:
    line: int
    field: str
    old: str  # the value as it was written
    new: str  # as it is written now
    code: str  # the rule it satisfies

    def describe(self, path: str) -> str:
        return f"{path}:{self.line}: {self.field}: 已改正 {self.old} → {self.new} [{self.code}]"


def _load_one(text: str):
    """text read as front matter is read (cases.compose_and_load); None where it does not load."""
    try:
        return compose_and_load(text)[1]
    except (yaml.YAMLError, ShapeError, RecursionError):
        return None


def _scalar(value: str, in_list: bool) -> str:
    """value as YAML writes it: plain where that reads back the same, else double-quoted."""
    probe = f"k: [{value}]" if in_list else f"k: {value}"
    loaded = _load_one(probe)
    if loaded == {"k": [value] if in_list else value} and value == value.strip():
        return value
    return json.dumps(value, ensure_ascii=False)  # a JSON string is a YAML double-quoted scalar


def yaml_value(value) -> str:
    if isinstance(value, list):
        return "[" + ", ".join(_scalar(str(v), True) for v in value) + "]"
    return _scalar(str(value), False)


def _fix_code(key: str, value) -> str:
    spec = fields_by_key()[key]
    fixable = [code for code, _ in value_problems(spec, value) if by_code()[code].fix]
    return fixable[0] if fixable else ""


def fixes(text: str, case: Case) -> tuple[str, list[Change]]:
    """text with every safe rewrite of case (read from text) applied, and the changes made."""
    parts = _LINE_BREAK.split(text)  # lines at even indexes, their breaks at odd ones
    changes = []
    for key, value in case.meta.items():
        spec = fields_by_key().get(key)
        better = safe_rewrite(spec, value) if spec else None
        code = _fix_code(key, value) if better is not None else ""
        if better is None or not code:
            continue
        index = 2 * (case.line_of(key) - 1)
        if index >= len(parts):
            continue
        line = parts[index]
        bom = "\ufeff" if line.startswith("\ufeff") else ""
        match = _FIELD_LINE.match(line[len(bom) :])
        if not match or match.group("key") != key:
            continue
        loaded = _load_one(match.group("key") + ": " + match.group("value"))
        if not isinstance(loaded, dict) or normalize_value(key, loaded.get(key)) != value:
            continue  # written over several lines, or not as read: leave it to the contributor
        new_value = yaml_value(better)
        parts[index] = bom + match.group("key") + match.group("colon") + new_value + (match.group("comment") or "")
        changes.append(Change(case.line_of(key), key, match.group("value"), new_value, code))
    return "".join(parts), sorted(changes, key=lambda c: c.line)


def fix_file(path: Path, case: Case) -> list[Change]:
    """Rewrite path in place with the safe fixes of case (read from it); the changes made."""
    text = path.read_bytes().decode("utf-8")
    new, changes = fixes(text, case)
    if changes and new != text:
        path.write_bytes(new.encode("utf-8"))
    return changes

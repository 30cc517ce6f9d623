"""The case schema and controlled vocabularies, loaded from the data files.

Everything else (validator, field guide, scaffold, index pages) reads the schema from here.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from .problems import Problem
from .yamlsafe import SafeLoader, error_message

DATA_DIR = Path(__file__).parent.parent / "data"  # caselib/data
DATA_SHOWN = "scripts/caselib/data"  # as messages name the data files
UNKNOWN = "未知"


@dataclass(frozen=True)
class Field:
    key: str
    label: str
    type: str
    required: bool
    help: str
    unknown: bool = False
    vocab: str | None = None
    max_chars: int | None = None
    dimension: str | None = None
    example: object = None
    min_items: int | None = None  # list fields: fewest values (a required list has at least one)
    max_items: int | None = None  # list fields: most values
    commas: bool = False  # list fields: a value may contain a comma (not several values joined)

    @property
    def aliases(self) -> dict[str, str]:
        """Other written forms of allowed values (甘肃省 → 甘肃), from data/aliases.yml."""
        return aliases(self.vocab) if self.vocab else {}

    @property
    def is_list(self) -> bool:
        return self.type.endswith("_list")

    @property
    def allowed(self) -> tuple[str, ...]:
        return vocab(self.vocab) if self.vocab else ()


@dataclass(frozen=True)
class Dimension:
    key: str
    label: str
    path: str
    intro: str
    fields: tuple[Field, ...] = field(default=())


def _read(name: str):
    with open(DATA_DIR / name, encoding="utf-8") as fh:
        return yaml.load(fh, Loader=SafeLoader)


@functools.cache
def fields() -> tuple[Field, ...]:
    return tuple(Field(**entry) for entry in _read("schema.yml")["fields"])


@functools.cache
def fields_by_key() -> dict[str, Field]:
    return {f.key: f for f in fields()}


@functools.cache
def vocab(name: str) -> tuple[str, ...]:
    return tuple(_read(f"vocab/{name}.yml"))


@functools.cache
def aliases(name: str) -> dict[str, str]:
    """Other forms of the values of one controlled list, each meaning exactly one allowed value."""
    table = _read("aliases.yml").get(name) or {}
    return {str(k): str(v) for k, v in table.items() if str(v) in vocab(name)}


@functools.cache
def dimensions() -> tuple[Dimension, ...]:
    result = []
    for entry in _read("dimensions.yml"):
        owners = tuple(f for f in fields() if f.dimension == entry["key"])
        result.append(Dimension(fields=owners, **entry))
    return tuple(result)


def data_problems() -> list[Problem]:
    """The YAML data files the build reads (schema, dimensions, controlled lists, importer lists)
    parse, and each controlled list is a list: a broken one is a `path:line` message, never a
    traceback. The glossary has its own checks (glossary.check)."""
    problems = []
    for path in sorted([*DATA_DIR.glob("*.yml"), *DATA_DIR.glob("vocab/*.yml")]):
        if path.name == "glossary.yml":
            continue
        shown = f"{DATA_SHOWN}/{path.relative_to(DATA_DIR).as_posix()}"
        try:
            text = path.read_text(encoding="utf-8")
            data = yaml.load(text, Loader=SafeLoader)
        except yaml.YAMLError as exc:
            line, message, _ = error_message(exc, text)
            problems.append(Problem(shown, 1 + line, "数据文件", message, "CL098"))
            continue
        except (OSError, UnicodeDecodeError) as exc:
            problems.append(Problem(shown, 1, "数据文件", f"无法读取（{exc}）", "CL098"))
            continue
        if path.parent.name == "vocab" and not (isinstance(data, list) and data):
            problems.append(Problem(shown, 1, "数据文件", "受控词表应是一个非空列表，每行以“- ”开头", "CL098"))
        elif path.parent.name == "vocab" and not all(isinstance(v, str) and v.strip() for v in data):
            problems.append(Problem(shown, 1, "数据文件", "受控词表的每一项都应是一段文字", "CL098"))
    return problems

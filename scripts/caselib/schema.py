"""The case schema and controlled vocabularies, loaded from the data files.

Everything else (validator, field guide, scaffold, index pages) reads the schema from here.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from .yamlsafe import SafeLoader

DATA_DIR = Path(__file__).parent / "data"
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
def institutions() -> tuple[dict, ...]:
    return tuple(_read("vocab/institutions.yml"))


@functools.cache
def dimensions() -> tuple[Dimension, ...]:
    result = []
    for entry in _read("dimensions.yml"):
        owners = tuple(f for f in fields() if f.dimension == entry["key"])
        result.append(Dimension(fields=owners, **entry))
    return tuple(result)

"""The registry of rule codes (data/rules.yml): every problem `check` reports carries one.

Codes are stable and never reused; tests/test_validate.py asserts that each code has a failing
fixture that yields it and that every code the checker prints is registered.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

import yaml

from ..model.schema import DATA_DIR
from ..model.yamlsafe import SafeLoader

CODE_PATTERN = re.compile(r"^CL\d{3}$")


@dataclass(frozen=True)
class Rule:
    code: str
    name: str
    title: str  # what the rule asks for (Chinese)
    example: str  # what breaks it, as written in a case file
    fix: bool = False  # `check --fix` rewrites it
    fixture: str = ""  # the test that makes it, when no fixture file can
    retired: bool = False


@functools.cache
def rules() -> tuple[Rule, ...]:
    with open(DATA_DIR / "rules.yml", encoding="utf-8") as fh:
        entries: list[dict] = yaml.load(fh, SafeLoader)
    return tuple(Rule(**{**entry, "example": str(entry["example"])}) for entry in entries)


@functools.cache
def by_code() -> dict[str, Rule]:
    return {r.code: r for r in rules()}


def unknown_codes(codes: list[str]) -> list[str]:
    """The codes of `codes` that name no rule (for `check --ignore`)."""
    return [c for c in codes if c not in by_code()]

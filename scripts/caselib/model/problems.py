"""A problem found in a case file, printed as `path:line: field: message`."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

# What a reader cannot see, or a terminal or a log would act on: control characters (ANSI
# escapes start with one), format characters (bidi overrides, zero-width), private-use and
# surrogate code points, line and paragraph separators.
HIDDEN_CATEGORIES = frozenset({"Cc", "Cf", "Co", "Cs", "Zl", "Zp"})


def hidden(char: str) -> bool:
    return unicodedata.category(char) in HIDDEN_CATEGORIES


def invisible(text: str) -> list[str]:
    """The hidden characters of a text a contributor wrote (tab and newline are allowed there)."""
    return [c for c in text if c not in "\t\n" and hidden(c)]


def char_name(char: str) -> str:
    """U+202E（RIGHT-TO-LEFT OVERRIDE）, for messages about characters one cannot see."""
    name = unicodedata.name(char, "")
    return f"U+{ord(char):04X}" + (f"（{name}）" if name else "")


def visible(text: str) -> str:
    """text with every hidden character (the same ones `invisible` names, and tab and newline: a
    message is one line) written as its escape (\\x1b, \\u202e), so printing it is inert."""
    return "".join(c.encode("unicode_escape").decode("ascii") if hidden(c) else c for c in text)


@dataclass(frozen=True, order=True)
class Problem:
    path: str
    line: int
    field: str
    message: str

    def __str__(self) -> str:
        return visible(f"{self.path}:{self.line}: {self.field}: {self.message}")

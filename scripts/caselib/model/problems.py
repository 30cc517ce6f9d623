"""A problem found in a case file, printed as `path:line: field: message [CL012]`.

The code names the rule (data/rules.yml lists every code; `check --ignore CL012` skips one)."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

# What a terminal or a log would act on or hide: control characters (ANSI escapes start with one),
# bidi overrides, zero-width and other format characters. Printed as \x1b, \u202e.
_HIDDEN = re.compile(r"[\x00-\x1f\x7f-\x9f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff\ufff9-\ufffb]")


def invisible(text: str) -> list[str]:
    """The characters of text that a reader cannot see or that change how the rest is shown
    (control, format, private-use and separator characters; not tab and newline)."""
    return [c for c in text if c not in "\t\n" and unicodedata.category(c) in ("Cc", "Cf", "Co", "Cs", "Zl", "Zp")]


def char_name(char: str) -> str:
    """U+202E（RIGHT-TO-LEFT OVERRIDE）, for messages about characters one cannot see."""
    name = unicodedata.name(char, "")
    return f"U+{ord(char):04X}" + (f"（{name}）" if name else "")


def visible(text: str) -> str:
    """text with every hidden character written as its escape, so printing it is inert."""
    return _HIDDEN.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), text)


@dataclass(frozen=True, order=True)
class Problem:
    path: str
    line: int
    field: str
    message: str
    code: str = ""  # the rule's stable code (CL001…), see data/rules.yml

    def __str__(self) -> str:
        shown = f"{self.path}:{self.line}: {self.field}: {self.message}"
        return visible(shown + (f" [{self.code}]" if self.code else ""))

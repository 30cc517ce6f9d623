"""The one search normalisation, applied to indexed text and to queries (mirrored in search.js).

Character by character, so a position in the normalised text maps back to the original text:
NFKC (full-width → half-width, compatibility forms), lower case, traditional → simplified by a
char-level map built from OpenCC's t2s data (data/t2s.json, first candidate; no phrase rules),
and every whitespace character becomes one space. `tests/test_searchnorm.py` runs the JS
version in Chromium on many strings and asserts it agrees with this one.
"""

from __future__ import annotations

import functools
import json
import unicodedata
from pathlib import Path

# Whitespace after NFKC (the same list is in search.js).
WHITESPACE = frozenset(" \t\n\r\f\v\x85\u1680\u2028\u2029\ufeff")
T2S_PATH = Path(__file__).parent.parent / "data" / "t2s.json"


@functools.lru_cache(maxsize=1)
def t2s_map() -> dict[str, str]:
    return json.loads(T2S_PATH.read_text(encoding="utf-8"))


@functools.lru_cache(maxsize=65536)
def norm_char(ch: str) -> str:
    """The normalised form of one character (may be empty or several characters)."""
    if ch == "\0":
        return ""
    mapping = t2s_map()
    out = unicodedata.normalize("NFKC", ch).lower()
    return "".join(" " if c in WHITESPACE else mapping.get(c, c) for c in out)


class _Table(dict):
    """str.translate table: code point → normalised text, filled on first use."""

    def __missing__(self, code: int) -> str:
        self[code] = out = norm_char(chr(code))
        return out


_TABLE = _Table()


def normalize(text: str) -> str:
    return text.translate(_TABLE)


def query_terms(query: str) -> list[str]:
    """The AND-ed terms of a query: normalised, split on whitespace, duplicates dropped."""
    seen: list[str] = []
    for term in normalize(query).split(" "):
        if term and term not in seen:
            seen.append(term)
    return seen

"""Text normalisation shared by loading, page generation, URLs, search and duplicate detection."""

from __future__ import annotations

import functools
import hashlib
import json
import re
import unicodedata
from pathlib import Path

GAP_MARK = "〔原文缺失〕"  # marks, in a case body, a word lost to tampering in the source

# Characters that would break or confuse a URL path segment; "+" and Chinese punctuation stay.
_UNSAFE_IN_PATH = re.compile(r"[\s/\\?#%&:*\"'<>|.,;!@$^`{}\[\]()=~]+")


# Whitespace after NFKC (the same list is in search.js).
WHITESPACE = frozenset(" \t\n\r\f\v\x85\u1680\u2028\u2029\ufeff")
T2S_PATH = Path(__file__).parent.parent / "data" / "t2s.json"


@functools.lru_cache(maxsize=1)
def t2s_map() -> dict[str, str]:
    """The one traditional → simplified mapping: char-level, built from OpenCC's t2s data (first
    candidate, no phrase rules). OpenCC itself runs only where a whole traditional page is turned
    into a simplified case (the importer), where its phrase rules matter."""
    return json.loads(T2S_PATH.read_text(encoding="utf-8"))


@functools.lru_cache(maxsize=65536)
def fold_char(ch: str) -> str:
    """The folded form of one character (may be empty or several characters)."""
    if ch == "\0":
        return ""
    mapping = t2s_map()
    out = unicodedata.normalize("NFKC", ch).lower()
    return "".join(" " if c in WHITESPACE else mapping.get(c, c) for c in out)


class _Table(dict):
    """str.translate table: code point → folded text, filled on first use."""

    def __missing__(self, code: int) -> str:
        self[code] = out = fold_char(chr(code))
        return out


_TABLE = _Table()


def fold(text: str) -> str:
    """The one text normaliser, character by character (a position maps back to the original):
    NFKC (full-width → half-width, compatibility forms), lower case, traditional → simplified
    (`t2s_map`), every whitespace character one space."""
    return text.translate(_TABLE)


def normalize_tag(value: str) -> str:
    """The one normal form of a tag value: NFKC (full-width ASCII to half-width), trimmed."""
    return unicodedata.normalize("NFKC", value).strip()


def slug(value: str) -> str:
    """A stable, readable URL path segment for a tag value; Chinese characters are kept."""
    text = _UNSAFE_IN_PATH.sub("-", normalize_tag(value)).strip("-")
    if not text:
        text = "t" + hashlib.sha1(value.encode("utf-8")).hexdigest()[:8]
    return text


def digest(parts) -> str:
    """A SHA-256 hex digest of texts taken in order, each length-prefixed (so ("ab", "c") and
    ("a", "bc") differ): the keys of what is built from them."""
    sha = hashlib.sha256()
    for part in parts:
        data = part.encode("utf-8")
        sha.update(len(data).to_bytes(8, "big") + data)
    return sha.hexdigest()

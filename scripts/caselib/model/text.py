"""Text normalisation shared by loading, page generation and URLs."""

from __future__ import annotations

import hashlib
import re
import unicodedata

GAP_MARK = "〔原文缺失〕"  # marks, in a case body, a word lost to tampering in the source

# Characters that would break or confuse a URL path segment; "+" and Chinese punctuation stay.
_UNSAFE_IN_PATH = re.compile(r"[\s/\\?#%&:*\"'<>|.,;!@$^`{}\[\]()=~]+")


def normalize_tag(value: str) -> str:
    """The one normal form of a tag value: NFKC (full-width ASCII to half-width), trimmed."""
    return unicodedata.normalize("NFKC", value).strip()


def slug(value: str) -> str:
    """A stable, readable URL path segment for a tag value; Chinese characters are kept."""
    text = _UNSAFE_IN_PATH.sub("-", normalize_tag(value)).strip("-")
    if not text:
        text = "t" + hashlib.sha1(value.encode("utf-8")).hexdigest()[:8]
    return text

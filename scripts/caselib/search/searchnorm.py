"""The search normalisation, applied to indexed text and to queries (mirrored in search.js).

It is the library's one text normaliser, `caselib.model.text.fold`: character by character, so a
position in the normalised text maps back to the original text; NFKC, lower case, traditional →
simplified by the char-level map `t2s_map` (data/t2s.json), every whitespace character one space.
`tests/test_searchnorm.py` runs the JS version in Chromium on many strings and asserts it agrees.
"""

from __future__ import annotations

from ..model.text import WHITESPACE, t2s_map
from ..model.text import fold as normalize

__all__ = ["WHITESPACE", "normalize", "query_terms", "t2s_map"]


def query_terms(query: str) -> list[str]:
    """The AND-ed terms of a query: normalised, split on whitespace, duplicates dropped."""
    seen: list[str] = []
    for term in normalize(query).split(" "):
        if term and term not in seen:
            seen.append(term)
    return seen

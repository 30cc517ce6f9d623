"""Duplicate detection: the same article from another site, or a traditional-character copy."""

from __future__ import annotations

import unicodedata

from ..model import spam
from ..model.cases import Case
from ..model.text import GAP_MARK, fold

SHINGLE = 8
THRESHOLD = 0.6


def normalise(text: str) -> str:
    """Folded (`text.fold`: NFKC, lower case, simplified), without punctuation, spaces, gap marks
    and spam (`model/spam.py`, as the importer and check find it)."""
    text = spam.remove(fold(text)).replace(fold(GAP_MARK), "")
    return "".join(ch for ch in text if unicodedata.category(ch)[0] in "LN")


def shingles(text: str) -> set[str]:
    flat = normalise(text)
    return {flat[i : i + SHINGLE] for i in range(max(1, len(flat) - SHINGLE + 1))}


def find_duplicates(body: str, cases: list[Case]) -> list[tuple[str, float]]:
    """Existing cases sharing most of their text with body: [(case id, share)], best first."""
    mine = shingles(body)
    found = []
    for case in cases:
        theirs = shingles(case.body)
        if not mine or not theirs:
            continue
        share = len(mine & theirs) / min(len(mine), len(theirs))
        if share >= THRESHOLD:
            found.append((case.id, round(share, 2)))
    return sorted(found, key=lambda item: -item[1])

"""Related cases: for every case, the few most similar other cases.

score(a, b) = 3 × shared models + 1 × shared themes + 0.5 × shared standards
            + 1 × same organisation type (unknown is not a type) + 4 × text similarity

Text similarity is the cosine of TF-IDF vectors of character bigrams of the normalised text
(title, summary and the start of the body; NFKC, punctuation and spaces removed), each vector
cut to its TERMS strongest bigrams. Ties are broken by case id, so the result is deterministic;
a case is never related to itself; only cases with a positive score are listed.

Scaling: pairs are never enumerated. An inverted index over each case's features (tags and
its strongest bigrams) proposes candidates; features shared by more than CAP cases (a theme
of thousands of cases, a bigram like 党建) are too common to propose anyone and are skipped
when proposing (they still count in the score). Only the CANDIDATES best-proposed cases are
scored in full.
"""

from __future__ import annotations

import heapq
import math
import operator
import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterator

from .cases import Case
from .schema import dimensions
from .tags import tag_values

WEIGHTS = {"model": 3.0, "theme": 1.0, "standard": 0.5, "org_type": 1.0}  # by dimension key
TEXT_WEIGHT = 4.0
TERMS = 32            # bigrams kept per case vector
TEXT_CHARS = 1500     # characters of normalised text read per case (title, summary, body start)
CAP = 100             # features shared by more cases do not propose candidates
CANDIDATES = 40       # candidates scored in full per case
LIMIT = 5

_NOT_WORD = re.compile(r"[\W_]+")


def normalise(text: str) -> str:
    """NFKC, lower case, without punctuation, spaces or Markdown heading marks."""
    text = _NOT_WORD.sub("", text)  # first: the rest is mostly CJK, which NFKC quick-checks fast
    if not unicodedata.is_normalized("NFKC", text):
        text = _NOT_WORD.sub("", unicodedata.normalize("NFKC", text))
    return text.lower()


def bigrams(text: str) -> Counter:
    return Counter(map(operator.add, text, text[1:]))


def _tags(case: Case, dims) -> set[tuple[str, str]]:
    """(dimension key, value) of the weighted dimensions; unknown values are not tags."""
    return {(dim.key, v) for dim in dims for v in tag_values(case, dim)}


def _text(case: Case) -> str:
    parts = [case.title, str(case.meta.get("summary") or ""), case.body[:2 * TEXT_CHARS]]
    return normalise("\n".join(parts))[:TEXT_CHARS]


def _vectors(cases: list[Case]) -> list[dict[str, float]]:
    counts = [bigrams(_text(c)) for c in cases]
    df: Counter = Counter()
    for c in counts:
        df.update(c.keys())
    n = len(cases)
    # a bigram in one case only cannot relate it to another: it has no weight
    idf = {g: math.log(n / d) for g, d in df.items() if d > 1}
    vectors = []
    for c in counts:
        weights = [(g, tf * idf[g]) for g, tf in c.items() if g in idf]
        # stable sort: equal weights keep text order, so the vector depends only on the case's text
        top = sorted(weights, key=operator.itemgetter(1), reverse=True)[:TERMS]
        norm = math.sqrt(sum(w * w for _, w in top)) or 1.0
        vectors.append({g: w / norm for g, w in top})
    return vectors


def _cosine(a: dict[str, float], b: dict[str, float]) -> float:
    return sum(a[g] * b[g] for g in a.keys() & b.keys())


def score(tags_a: set, tags_b: set, vec_a: dict, vec_b: dict) -> float:
    shared = sum(WEIGHTS[kind] for kind, _ in tags_a & tags_b)
    return shared + TEXT_WEIGHT * _cosine(vec_a, vec_b)


def related(cases: list[Case], limit: int = LIMIT) -> dict[str, list[Case]]:
    """For each case id, up to `limit` related cases, most related first."""
    return dict(each(cases, limit))


def each(cases: list[Case], limit: int = LIMIT) -> Iterator[tuple[str, list[Case]]]:
    """(case id, its related cases) for each case in turn, as `related` gives them."""
    dims = [d for d in dimensions() if d.key in WEIGHTS]
    tags = [_tags(c, dims) for c in cases]
    vectors = _vectors(cases)
    # sorted: set order follows the per-process string hash, and ties keep proposal order
    features = [sorted(t) + [("text", g) for g in v] for t, v in zip(tags, vectors)]
    postings: dict[tuple[str, str], list[int]] = defaultdict(list)
    for i, feats in enumerate(features):
        for f in feats:
            postings[f].append(i)
    for i, case in enumerate(cases):
        proposed: Counter = Counter()
        for f in features[i]:
            posting = postings[f]
            if len(posting) <= CAP:
                proposed.update(posting)
        proposed.pop(i, None)
        if len(proposed) < CANDIDATES:
            # a case with only common features: its commonest features propose, up to CAP each
            for f in sorted(features[i], key=lambda f: (len(postings[f]), f)):
                if len(postings[f]) > CAP:
                    proposed.update(j for j in postings[f][:CAP] if j != i)
                if len(proposed) >= CANDIDATES:
                    break
        # ties keep the Counter's (deterministic) insertion order
        candidates = heapq.nlargest(CANDIDATES, proposed.items(), key=operator.itemgetter(1))
        scored = []
        for j, _ in candidates:
            s = score(tags[i], tags[j], vectors[i], vectors[j])
            if s > 0:
                scored.append((-round(s, 9), cases[j].id, j))
        scored.sort()
        yield case.id, [cases[j] for _, _, j in scored[:limit]]

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

The work is done with numpy on whole arrays, a block of cases at a time. Every step gives
what the plain definition gives (`score`, and the reference in tests/test_related.py):
the same bigram counts, the same stable order of equal weights (text order), the same float
operations for the weights and norms (Python's sum for the norm), the same proposal order
(feature order, then case order), and scores rounded to 9 decimals exactly as round() does
before they are ranked. Only the order in which a cosine's products are added differs: here
the candidate's vector order, in the definition set order, which follows the string hash
seed. Either changes the last bits of a score only, which the rounding absorbs, as the
definition itself relies on to give the same result under every hash seed.
"""

from __future__ import annotations

import heapq
import math
import operator
import re
import unicodedata
from collections import Counter
from collections.abc import Iterator
from typing import TYPE_CHECKING

from ..model.cases import Case
from ..model.schema import dimensions
from ..model.tags import tag_values

if TYPE_CHECKING:
    import numpy as np  # imported where the arrays are made: `check` and the CLI need none of it

WEIGHTS = {"model": 3.0, "theme": 1.0, "standard": 0.5, "org_type": 1.0}  # by dimension key
TEXT_WEIGHT = 4.0
TERMS = 32  # bigrams kept per case vector
TEXT_CHARS = 1500  # characters of normalised text read per case (title, summary, body start)
CAP = 100  # features shared by more cases do not propose candidates
CANDIDATES = 40  # candidates scored in full per case
LIMIT = 5

BLOCK = 1 << 20  # cells of the largest temporary matrices (8 MiB of float64 or int64)
_DENSE_CODES = 1 << 25  # bigram codes (distinct characters squared) counted with one bincount

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
    parts = [case.title, str(case.meta.get("summary") or ""), case.body[: 2 * TEXT_CHARS]]
    return normalise("\n".join(parts))[:TEXT_CHARS]


def _texts(cases: list[Case]) -> list[str]:
    """_text of each case, the same strings: the first removal of punctuation and spaces (the
    one that reads every character) done on arrays, a block of cases at a time."""
    raw = ["\n".join([c.title, str(c.meta.get("summary") or ""), c.body[: 2 * TEXT_CHARS]]) for c in cases]
    texts: list[str] = []
    size, a = 0, 0
    for b, part in enumerate(raw + [None]):
        if part is not None and (size == 0 or size + len(part) <= BLOCK * 4):
            size += len(part)
            continue
        texts += _texts_of(raw[a:b])
        a, size = b, len(part or "")
    return texts


def _texts_of(raw: list[str]) -> list[str]:
    """normalise(text)[:TEXT_CHARS] of each text."""
    import numpy as np

    if not raw:
        return []
    points = np.frombuffer("".join(raw).encode("utf-32-le", "surrogatepass"), dtype="<u4")
    present = np.zeros(0x110000, dtype=bool)
    present[points] = True
    seen = np.flatnonzero(present)
    word = np.ones(len(seen), dtype=bool)  # the regex decides, one character at a time
    for match in _NOT_WORD.finditer("".join(map(chr, seen.tolist()))):
        word[match.start() : match.end()] = False
    present[seen] = word
    keep = present[points]
    starts = np.cumsum([0] + [len(r) for r in raw[:-1]])  # no text is empty: it has its two \n
    kept = np.concatenate([[0], np.cumsum(np.add.reduceat(keep, starts, dtype=np.int64))])
    words = points[keep].tobytes().decode("utf-32-le", "surrogatepass")
    texts = []
    for lo, hi in zip(kept.tolist(), kept[1:].tolist()):
        text = words[lo:hi]  # normalise(), after its first regex
        if not unicodedata.is_normalized("NFKC", text):
            text = _NOT_WORD.sub("", unicodedata.normalize("NFKC", text))
        texts.append(text.lower()[:TEXT_CHARS])
    return texts


def _cosine(a: dict[str, float], b: dict[str, float]) -> float:
    return sum(a[g] * b[g] for g in a.keys() & b.keys())


def score(tags_a: set, tags_b: set, vec_a: dict, vec_b: dict) -> float:
    """The score of one pair (tags as (dimension key, value), vectors as {bigram: weight})."""
    shared = sum(WEIGHTS[kind] for kind, _ in tags_a & tags_b)
    return shared + TEXT_WEIGHT * _cosine(vec_a, vec_b)


def related(cases: list[Case], limit: int = LIMIT) -> dict[str, list[Case]]:
    """For each case id, up to `limit` related cases, most related first."""
    return dict(each(cases, limit))


def each(cases: list[Case], limit: int = LIMIT) -> Iterator[tuple[str, list[Case]]]:
    """(case id, its related cases) for each case in turn, as `related` gives them.

    All cases are computed before the first is given."""
    ranked = _ranked(cases)
    for i, case in enumerate(cases):
        yield case.id, [cases[j] for j in ranked[i][:limit]]


# --- the computation, on arrays ------------------------------------------------------------


def _ranked(cases: list[Case]) -> list[list[int]]:
    """For each case (by index), the indexes of its scored candidates with a positive score,
    most related first (score rounded to 9 decimals, then case id, then index)."""
    import numpy as np

    n = len(cases)
    if n == 0:
        return []
    dims = [d for d in dimensions() if d.key in WEIGHTS]
    tag_sets = [_tags(c, dims) for c in cases]
    vectors = _vectors(_texts(cases))
    f = _Features(tag_sets, vectors)
    ids = [c.id for c in cases]
    id_rank = np.empty(n, dtype=np.int64)
    id_rank[sorted(range(n), key=lambda j: (ids[j], j))] = np.arange(n)

    ranked: list[list[int]] = []
    for a, b in _case_blocks(n, f):
        rows, others = _candidates(f, a, b, n)
        scores = _scores(f, a, b, rows, others)
        positive = scores > 0
        rows, others, rounded = rows[positive], others[positive], _round9(scores[positive])
        order = np.lexsort((id_rank[others], -rounded, rows))
        ordered = others[order].tolist()
        at = 0
        for k in np.bincount(rows, minlength=b - a).tolist():
            ranked.append(ordered[at : at + k])
            at += k
    return ranked


def _scores(f: _Features, a: int, b: int, rows: np.ndarray, others: np.ndarray) -> np.ndarray:
    """score() of each pair (case a + rows[k], case others[k]), a <= a + rows[k] < b, rows ascending.

    Tag weights are multiples of 0.5, so their sum is exact in any order; the cosine adds the
    products in the other case's vector order (the definition: in set order)."""
    import numpy as np

    scores = np.empty(len(rows))
    step = max(1, math.isqrt(BLOCK // f.width))  # cases whose features fill one matrix
    bounds = np.searchsorted(rows, np.arange(0, b - a + step, step))
    for s, lo_pair, hi_pair in zip(range(a, b, step), bounds, bounds[1:]):
        e = min(b, s + step)
        lo, hi = f.offsets[s], f.offsets[e]
        features = f.id[lo:hi]
        f.column[features] = np.arange(len(features))  # a column for each (the last -1 stays 0)
        mine = np.zeros((e - s, len(features) + 1))
        mine[f.case[lo:hi] - s, f.column[features]] = f.value[lo:hi]
        row, other = rows[lo_pair:hi_pair, None] + (a - s), others[lo_pair:hi_pair]
        shared = mine[row, f.column[f.tag_ids[other]]].sum(axis=1)
        products = mine[row, f.column[f.text_ids[other]]] * f.text_weights[other]
        f.column[features] = -1
        cosine = np.zeros(len(other))
        for k in range(products.shape[1]):
            cosine += products[:, k]
        scores[lo_pair:hi_pair] = shared + TEXT_WEIGHT * cosine
    return scores


def _round9(scores: np.ndarray) -> np.ndarray:
    """round(score, 9) for each score, the same floats as Python's round (correctly rounded
    decimal, half to even): rint(score × 1e9) / 1e9 is that float unless score × 1e9 lies near
    a half, where its rounding error could matter; those few go through round() itself."""
    import numpy as np

    scaled = scores * 1e9
    rounded = np.rint(scaled) / 1e9
    near = ~(np.abs(scaled - np.floor(scaled) - 0.5) > 1e-3) | ~(np.abs(scores) < 1e6)
    for k in np.flatnonzero(near).tolist():
        rounded[k] = round(float(scores[k]), 9)
    return rounded


def _case_blocks(n: int, f: _Features) -> Iterator[tuple[int, int]]:
    """Blocks of cases whose proposals stay near BLOCK."""
    size = max(1, min(n, BLOCK // (f.width * max(CAP, 1))))  # proposals of a block
    while size > 1 and size * f.width * f.width * n >= 1 << 62:  # candidate keys fit in int64
        size //= 2
    for a in range(0, n, size):
        yield a, min(n, a + size)


class _Features:
    """Every case's features in order (its tags sorted, then its vector's bigrams in vector
    order) and every feature's posting list (its cases in case order).

    Feature ids: tags 0 … tags-1 in sorted order, then the vectors' bigrams in string order."""

    def __init__(self, tag_sets: list[set], vectors: _Vectors):
        import numpy as np

        n = len(tag_sets)
        tags = sorted(set().union(*tag_sets))
        self.tags = tags
        tag_id = {t: k for k, t in enumerate(tags)}
        case_tags = [sorted(tag_id[t] for t in s) for s in tag_sets]
        n_tags = np.fromiter(map(len, case_tags), dtype=np.int64, count=n)
        valid = vectors.codes >= 0
        self.codes = _distinct(vectors.codes[valid])
        self.vectors = vectors
        self.count = len(tags) + len(self.codes)
        pad = self.count
        text_ids = np.full(vectors.codes.shape, pad, dtype=np.int64)
        text_ids[valid] = len(tags) + np.searchsorted(self.codes, vectors.codes[valid])
        self.text_ids, self.text_weights = text_ids, vectors.weights
        self.tag_ids = np.full((n, max(int(n_tags.max()), 1)), pad, dtype=np.int64)
        tag_rows, tag_cols = _ragged(n_tags)
        flat_tags = np.fromiter((t for row in case_tags for t in row), dtype=np.int64, count=len(tag_rows))
        self.tag_ids[tag_rows, tag_cols] = flat_tags
        tag_weight = np.array([WEIGHTS[kind] for kind, _ in tags] + [0.0])

        text_rows, text_cols = np.nonzero(valid)  # row by row, in vector order
        case = np.concatenate([tag_rows, text_rows])
        position = np.concatenate([tag_cols, n_tags[text_rows] + text_cols])
        ids = np.concatenate([flat_tags, text_ids[text_rows, text_cols]])
        value = np.concatenate([tag_weight[flat_tags], vectors.weights[text_rows, text_cols]])
        n_features = n_tags + vectors.lengths
        self.width = int(n_features.max()) + 1  # positions and counts are below it
        order = np.argsort(case * self.width + position, kind="stable")
        self.case, self.position, self.id, self.value = case[order], position[order], ids[order], value[order]
        self.offsets = np.concatenate([[0], np.cumsum(n_features)])
        self.df = np.bincount(self.id, minlength=self.count)
        self.posting = self.case[np.argsort(self.id, kind="stable")]  # each posting in case order
        self.posting_start = np.cumsum(self.df) - self.df
        self.column = np.full(self.count + 1, -1, dtype=np.int64)  # scratch for _scores

    def key(self, feature: int) -> tuple[str, str]:
        """The feature as the definition names it: a tag, or ("text", bigram)."""
        if feature < len(self.tags):
            return self.tags[feature]
        return ("text", self.vectors.bigram(int(self.codes[feature - len(self.tags)])))

    def postings(self, feature: int) -> np.ndarray:
        start = self.posting_start[feature]
        return self.posting[start : start + self.df[feature]]


def _candidates(f: _Features, a: int, b: int, n: int) -> tuple[np.ndarray, np.ndarray]:
    """(row, case) of the CANDIDATES best-proposed cases of each case a + row, a ≤ case < b.

    A case's features of at most CAP cases each propose their cases; the proposals are ranked
    by how many features proposed them, then by proposal order (the feature's position, then
    case order), as a Counter filled feature after feature and heapq.nlargest rank them."""
    import numpy as np

    width, candidates = f.width, max(CANDIDATES, 0)
    lo, hi = f.offsets[a], f.offsets[b]
    feature, case, position = f.id[lo:hi], f.case[lo:hi], f.position[lo:hi]
    small = f.df[feature] <= CAP
    feature, case, position = feature[small], case[small], position[small]
    rows, cols = _ragged(f.df[feature])
    proposer, proposed = case[rows], f.posting[f.posting_start[feature][rows] + cols]
    mine = proposed != proposer
    key = ((proposer[mine] - a) * n + proposed[mine]) * width + position[rows][mine]
    key.sort()  # by pair, then position: a run's first is its first proposal
    pair = key // width
    first = np.ones(len(key), dtype=bool)
    first[1:] = pair[1:] != pair[:-1]
    starts = np.flatnonzero(first)
    count = np.diff(np.append(starts, len(key)))
    rank_key = (((pair[starts] // n) * width + (width - count)) * width + key[starts] % width) * n + pair[starts] % n
    rank_key.sort()  # by proposer; then more proposals, position, case
    others, rest = rank_key % n, rank_key // n
    first_position, rest = rest % width, rest // width
    count, rows = width - rest % width, rest // width
    per_row = np.bincount(rows, minlength=b - a)
    rank = np.arange(len(rows)) - np.repeat(np.cumsum(per_row) - per_row, per_row)
    keep = rank < candidates
    short = np.flatnonzero(per_row < candidates)
    if len(short):
        # cases with few proposals: their commonest features propose too (plain Python: rare)
        keep &= per_row[rows] >= candidates
        extra_rows, extra_others = [], []
        row_start = np.cumsum(per_row) - per_row
        for row in short.tolist():
            mine = slice(row_start[row], row_start[row] + per_row[row])
            proposals = sorted(zip(first_position[mine].tolist(), others[mine].tolist(), count[mine].tolist()))
            found = _complete(f, a + row, Counter({j: k for _, j, k in proposals}))
            extra_rows += [row] * len(found)
            extra_others += found
        rows = np.concatenate([rows[keep], np.array(extra_rows, dtype=np.int64)])
        others = np.concatenate([others[keep], np.array(extra_others, dtype=np.int64)])
        order = np.argsort(rows, kind="stable")
        return rows[order], others[order]
    return rows[keep], others[keep]


def _complete(f: _Features, i: int, proposed: Counter) -> list[int]:
    """A case with fewer than CANDIDATES proposals: its commonest features propose, up to CAP
    cases each, until there are enough; then the CANDIDATES best-proposed."""
    lo, hi = f.offsets[i], f.offsets[i + 1]
    features = f.id[lo:hi].tolist()
    if len(proposed) < CANDIDATES:
        for feature in sorted(features, key=lambda g: (int(f.df[g]), f.key(g))):
            if f.df[feature] > CAP:
                proposed.update(j for j in f.postings(feature)[:CAP].tolist() if j != i)
            if len(proposed) >= CANDIDATES:
                break
    return [j for j, _ in heapq.nlargest(CANDIDATES, proposed.items(), key=operator.itemgetter(1))]


# --- text vectors -------------------------------------------------------------------------


class _Vectors:
    """Each case's vector: up to TERMS (bigram, weight) in vector order, as rows of matrices."""

    def __init__(self, codes: np.ndarray, weights: np.ndarray, lengths: np.ndarray, chars: np.ndarray):
        self.codes = codes  # (cases, TERMS) int64 bigram codes, -1 past the row's length
        self.weights = weights  # (cases, TERMS) float64 normalised weights, 0 past the length
        self.lengths = lengths  # (cases,) entries in each row
        self.chars = chars  # code point of each character id: code = first id × chars + second id

    def bigram(self, code: int) -> str:
        c = len(self.chars)
        return chr(self.chars[code // c]) + chr(self.chars[code % c])


def _vectors(texts: list[str]) -> _Vectors:
    """The definition's vectors: TF-IDF of each text's bigrams (idf = log(cases / df), a bigram of
    one case has none), the TERMS strongest (equal weights in text order), divided by their norm."""
    import numpy as np

    n, terms = len(texts), max(TERMS, 0)
    lengths = np.fromiter(map(len, texts), dtype=np.int64, count=n)
    points = np.frombuffer("".join(texts).encode("utf-32-le", "surrogatepass"), dtype="<u4")
    # characters numbered in code point order, so that bigram codes sort as the bigrams do
    present = np.zeros(0x110000, dtype=bool)
    present[points] = True
    chars = np.flatnonzero(present)
    c = max(len(chars), 1)
    code_type = np.int32 if c * c < 1 << 31 else np.int64
    char_id = (np.cumsum(present, dtype=np.int64) - 1).astype(code_type)[points]
    del points
    starts = np.cumsum(lengths) - lengths
    per_case = np.maximum(lengths - 1, 0)  # bigrams of each case, with repeats
    top_codes = np.full((n, terms), -1, dtype=np.int64)
    top_weights = np.zeros((n, terms))
    top_lengths = np.zeros(n, dtype=np.int64)
    if not per_case.any():
        return _Vectors(top_codes, top_weights, top_lengths, chars)

    # 1. each case's distinct bigrams: code, count (tf) and first position, block by block
    blocks = []
    for a, b, width in _row_blocks(per_case):
        m = per_case[a:b, None]
        col = np.arange(width)
        assert c * c * width < 1 << 63, "bigram codes and positions must fit in int64"
        at = np.minimum(starts[a:b, None] + col, len(char_id) - 2)
        keys = (char_id[at].astype(np.int64) * c + char_id[at + 1]) * width + col
        keys[col >= m] = np.iinfo(np.int64).max
        keys.sort(axis=1)  # by bigram, then position; padding last
        code = keys // width
        run = col < m
        run[:, 1:] &= code[:, 1:] != code[:, :-1]
        r, start = np.divmod(np.flatnonzero(run), width)  # the first occurrence of each distinct bigram
        end = np.empty_like(start)
        end[:-1] = np.where(r[1:] == r[:-1], start[1:], m[r[:-1], 0])
        end[-1:] = m[r[-1:], 0]
        first = keys[r, start] - code[r, start] * width
        blocks.append(
            (
                a,
                b,
                width,
                code[r, start].astype(code_type),
                (end - start).astype(np.int32),
                (r * width + first).astype(np.int32),
            )
        )  # (row, first position) in the block
    del char_id

    # 2. document frequency and idf
    codes = np.concatenate([block[3] for block in blocks])
    if c * c <= _DENSE_CODES:
        df_of = np.bincount(codes, minlength=1)
        frequency = lambda block_codes: df_of[block_codes]  # noqa: E731
    else:
        codes.sort()
        new = np.ones(len(codes), dtype=bool)
        new[1:] = codes[1:] != codes[:-1]
        distinct, counts = codes[new], np.diff(np.append(np.flatnonzero(new), len(codes)))
        frequency = lambda block_codes: counts[np.searchsorted(distinct, block_codes)]  # noqa: E731
    del codes
    idf = np.zeros(n + 1)
    for d in range(2, n + 1):
        idf[d] = math.log(n / d)  # math.log, as the definition: the same float

    # 3. each case's TERMS strongest bigrams, strongest first, equal weights in text order
    for a, b, width, code_of, tf, at in blocks:
        if terms == 0:
            break
        df = frequency(code_of)
        w = np.full((b - a, width), -1.0)  # by first position: text order; -1: no weight
        w.flat[at] = np.where(df > 1, tf * idf[df], -1.0)
        code = np.zeros((b - a, width), dtype=code_type)
        code.flat[at] = code_of
        if width > terms:
            cut = np.partition(w, width - terms, axis=1)[:, width - terms, None]  # the TERMS-th largest
        else:
            cut = np.full((b - a, 1), -1.0)
        above = w > cut
        tied = (w == cut) & (cut >= 0)
        keep = above | (tied & (np.cumsum(tied, axis=1) <= terms - above.sum(axis=1, keepdims=True)))
        r, col = np.nonzero(keep)
        kept = np.bincount(r, minlength=b - a)
        rank = np.arange(len(r)) - np.repeat(np.cumsum(kept) - kept, kept)
        chosen = np.full((b - a, terms), np.inf)  # -weight; padding last
        chosen[r, rank] = -w[r, col]
        chosen_code = np.full((b - a, terms), -1, dtype=np.int64)
        chosen_code[r, rank] = code[r, col]
        order = np.argsort(chosen, axis=1, kind="stable")  # a stable sort: ties keep text order
        top_codes[a:b] = np.take_along_axis(chosen_code, order, axis=1)
        top_weights[a:b] = np.maximum(-np.take_along_axis(chosen, order, axis=1), 0.0)
        top_lengths[a:b] = kept
    # the norm: the squares added by Python's sum, in vector order, as the definition does
    squares = (top_weights * top_weights).tolist()
    norms = np.array([math.sqrt(sum(row[:k])) or 1.0 for row, k in zip(squares, top_lengths.tolist())])
    return _Vectors(top_codes, top_weights / norms[:, None], top_lengths, chars)


def _distinct(values: np.ndarray) -> np.ndarray:
    """The distinct values, ascending (np.unique, without its overhead)."""
    import numpy as np

    values = np.sort(values)
    new = np.ones(len(values), dtype=bool)
    new[1:] = values[1:] != values[:-1]
    return values[new]


def _ragged(m: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(row, column) of every cell of rows of lengths m, row after row."""
    import numpy as np

    rows = np.repeat(np.arange(len(m)), m)
    cols = np.arange(len(rows)) - np.repeat(np.cumsum(m) - m, m)
    return rows, cols


def _row_blocks(widths: np.ndarray) -> Iterator[tuple[int, int, int]]:
    """(first row, end, width): consecutive rows whose padded matrix stays under BLOCK cells."""
    a, n = 0, len(widths)
    while a < n:
        b, width = a + 1, max(int(widths[a]), 1)
        while b < n and max(width, int(widths[b])) * (b + 1 - a) <= BLOCK:
            width = max(width, int(widths[b]))
            b += 1
        yield a, b, width
        a = b

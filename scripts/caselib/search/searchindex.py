"""The search index: exact substring search over case text, fetched in small pieces.

Every case becomes one record of fields, each normalised with `searchnorm.normalize`:
  head  = title, models, institution     (matches here rank higher)
  rest  = other metadata, then the body as plain text
Fields are joined with NUL, which no query contains and no indexed n-gram spans, so a match
never crosses two fields. The head is padded with NUL to `head` characters (in the entry file),
so a position below `head` is a match in the head. Docs are numbered in the order of the /cases/
list (newest first), so doc n is item n of that list.

Keys are the n-grams of 1 to GRAM (4) characters, and the n-grams of GRAM+1 to LONG (8) characters
found in at least LONG_SHARE of the docs. Files under <site>/search/data/:
  entry.json      format, docs, head, gram, long, shards, dir: the only fixed name, small
  <dir>/          every other file, gzip; <dir> is a hash of all of them, so one build's files
                  are never mixed with another's (a cached entry.json keeps to its own folder)
  t2s.gz          the traditional→simplified map used by the query normaliser (JSON)
  k/<s>.gz        doc-list shard s = `shard_of(key, shards)`, binary (varints, searchcodec):
                    K, then K directory rows:
                      n c0 … c(n-1)   the key's length and code points
                      docs            how many docs contain the key
                      size            bytes of the key's data below
                      file off        (GRAM-grams only) where its positions start: p/<file>.gz, byte off
                      breaks          (GRAM-grams only) how many times its positions move to the next file
                    then each key's data: `docs` deltas of doc * 2 + (1 if in the head), `docs`
                    occurrence counts (capped at COUNT_CAP), then `breaks` deltas of the doc
                    indexes (in this list) where a new file starts
  p/<f>.gz        positions of GRAM-grams, in key order, cut between docs every POS_BYTES:
                    per doc of the key's list: count, first position, position deltas
  d/<doc>.gz      one case for showing a result: url, title, institution, date, body (JSON)

A term of up to GRAM characters is a key: its doc list is the exact answer; so is a frequent term
of up to LONG characters. Any other longer term occurs at p iff the GRAM-grams at offsets 0, GRAM,
2·GRAM, …, L-GRAM (the fewest that cover it) occur at p + their offset: candidates are the docs in
all their lists, and only their positions in the files holding candidates are fetched to check
them. So results and counts are exact.
`Index.search()` is the same algorithm and ranking (`rank`) as search.js, used by tests, the
benchmark and scripts/search_bytes.py; it counts the compressed bytes it reads
(`Index.read_bytes`), which are the bytes the browser fetches.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..model.cases import newest_first
from ..site.urls import case_path, page_url
from . import searchcodec
from .searchnorm import normalize, query_terms, t2s_map

INDEX_DIR = "search/data"
ENTRY = "entry.json"
FORMAT = 3
COUNT_CAP = 127  # occurrence counts kept in doc lists are capped here (one varint byte)
SCORE_CAP = 20  # per term, at most this many occurrences count towards the ranking
PAGE_SIZE = 10  # results shown at a time, each with its snippet (search.js)
GRAM = 4
LONG = 8  # frequent n-grams of GRAM+1 … LONG characters get doc lists too (no positions)
LONG_SHARE = 0.2  # … those found in at least this share of the docs (and LONG_MIN_DOCS)
LONG_MIN_DOCS = 2
SHARD_BYTES = 16384  # aimed-at size of a doc-list shard before gzip
POS_BYTES = 16384  # a position file is cut at the first doc boundary past this many bytes
TABLE_LIMIT = 1 << 25  # n-grams are renumbered with a lookup table up to this many possible keys
HEAD_KEYS = ("title", "models", "institution")
META_KEYS = (
    "unit",
    "org_type",
    "province",
    "standards",
    "themes",
    "published",
    "source",
    "honours",
    "summary",
    "authors",
)
SEP = "\0"
_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_MARKS = re.compile(r"^\s{0,3}(?:#{1,6}\s+|>\s?|[-*+]\s+|\d+[.)]\s+)")
_EMPH = re.compile(r"(\*\*|__|\*|`)")
_TAGS = re.compile(r"<[^>]+>")


def _values(value) -> list[str]:
    if value is None or value == "" or value == []:
        return []
    if isinstance(value, (list, tuple)):
        return [str(v) for v in value if v not in (None, "")]
    return [str(value)]


def plain_body(markdown: str) -> str:
    """The body as plain text: Markdown marks and HTML tags removed, one line per block."""
    lines = []
    for line in markdown.splitlines():
        line = _TAGS.sub("", _EMPH.sub("", _LINK.sub(r"\1", _MARKS.sub("", line)))).strip()
        if line:
            lines.append(line)
    return "\n".join(lines)


@dataclass(frozen=True)
class Record:
    url: str
    title: str
    institution: str
    date: str
    head: list[str]  # original text of the head fields
    rest: list[str]  # original text of the other metadata fields and the body


def record(case) -> Record:
    head = [v for key in HEAD_KEYS for v in _values(case.meta.get(key))]
    rest = [v for key in META_KEYS for v in _values(case.meta.get(key))] + [plain_body(case.body)]
    url = page_url(case_path(case))
    return Record(url, case.title, str(case.meta.get("institution", "")), case.published, head, rest)


def searchable_fields(case) -> list[str]:
    """Every normalised field of a case: the plain truth a search must agree with."""
    rec = record(case)
    return [normalize(v) for v in rec.head + rec.rest]


def matches(fields: list[str], query: str) -> bool:
    """Plain substring truth: every term of the query is inside one field."""
    terms = query_terms(query)
    return bool(terms) and all(any(t in f for f in fields) for t in terms)


def list_hash(urls: list[str]) -> int:
    """FNV-1a (32 bits) of the doc URLs in doc order, one per line (the same in cases-browse.js):
    the /cases/ page checks that the index it reads numbers the same cases as its own list (a page
    cached from an older build must not read a newer index)."""
    h = 0x811C9DC5
    for byte in "\n".join(urls).encode("utf-8"):
        h = ((h ^ byte) * 0x01000193) & 0xFFFFFFFF
    return h


def shard_of(gram: str, shards: int) -> int:
    """Hash over UTF-16 code units (the same in search.js)."""
    h = 0
    data = gram.encode("utf-16-le")
    for i in range(0, len(data), 2):
        h = (h * 31 + (data[i] | data[i + 1] << 8)) & 0xFFFFFFFF
    return h % shards


def _shards_of(cps: np.ndarray, shards: int) -> np.ndarray:
    """`shard_of` for many keys at once: rows of code points, 0 = none."""
    h = np.zeros(len(cps), dtype=np.uint64)
    mask = np.uint64(0xFFFFFFFF)
    for j in range(cps.shape[1]):
        c = cps[:, j].astype(np.uint64)
        astral = c > 0xFFFF
        hi = np.uint64(0xD800) + ((c - np.uint64(0x10000)) >> np.uint64(10))
        lo = np.uint64(0xDC00) + ((c - np.uint64(0x10000)) & np.uint64(0x3FF))
        step = (h * np.uint64(31) + np.where(astral, hi, c)) & mask
        step = np.where(astral, (step * np.uint64(31) + lo) & mask, step)
        h = np.where(c > 0, step, h)
    return (h % np.uint64(shards)).astype(np.int64)


def _gzip(data: bytes) -> bytes:
    return gzip.compress(data, compresslevel=6, mtime=0)


def _order(cases) -> list:
    """Doc numbers are the order of the /cases/ list (newest first), so doc n is list item n."""
    return newest_first(cases)


def _dense(keys: np.ndarray, bound: int) -> tuple[np.ndarray, int]:
    """Keys (0 ≤ key < bound) renumbered 0.. in the same order, and how many distinct."""
    if bound <= TABLE_LIMIT:
        seen = np.zeros(bound, dtype=bool)
        seen[keys] = True
        present = np.flatnonzero(seen)
        del seen
        # np.zeros leaves untouched pages unallocated: only the entries of present keys are written
        number = np.zeros(bound, dtype=np.int32)
        number[present] = np.arange(len(present), dtype=np.int32)
        return number[keys], len(present)
    distinct, dense = np.unique(keys, return_inverse=True)
    return dense.astype(np.int32), len(distinct)


def _extend(ids: np.ndarray, base: int, last: np.ndarray) -> np.ndarray:
    """ids * base + last as int64, in place (arrays of every n-gram occurrence: no temporaries)."""
    out = ids.astype(np.int64)
    out *= base
    out += last
    return out


def _stable_order(ids: np.ndarray, distinct: int) -> np.ndarray:
    """A stable sort order of dense ids; numpy's radix sort when they fit in 16 bits."""
    if distinct <= 1 << 16:
        return np.argsort(ids.astype(np.uint16), kind="stable")
    return np.argsort(ids, kind="stable")


@dataclass
class _Level:
    """The keys of one n-gram length, in key order, with their doc lists (and positions)."""

    cps: np.ndarray  # keys × LONG code points (0 = none)
    docs: np.ndarray  # per key: how many docs
    values: np.ndarray  # per key, back to back: doc-list deltas, then break deltas
    counts: np.ndarray  # per key: how many values
    pos: np.ndarray  # keys × 3: file, offset, breaks (zeros below GRAM)


def _texts(records) -> tuple[list[str], int]:
    heads = [SEP.join(normalize(v) for v in r.head) for r in records]
    rests = [SEP.join(normalize(v) for v in r.rest) for r in records]
    head_len = max((len(h) for h in heads), default=0) + 1
    return [h + SEP * (head_len - len(h)) + r for h, r in zip(heads, rests)], head_len


@dataclass
class _Text:
    """All docs' normalised text as arrays, one entry per character."""

    cp: np.ndarray  # code point, 0 = NUL (between fields and docs)
    doc: np.ndarray  # doc number
    pos: np.ndarray  # position in the doc's text
    head: int


def _text_arrays(texts: list[str], head_len: int) -> tuple[_Text, list[tuple[int, np.ndarray, np.ndarray, int]]]:
    """The text arrays, and per n-gram length n with keys: n, where its n-grams start, their dense
    ids, how many."""
    big = SEP.join(texts) + SEP * (LONG + 1)
    cp = np.frombuffer(big.encode("utf-32-le"), dtype=np.uint32).astype(np.int32)
    lengths = np.array([len(t) + 1 for t in texts], dtype=np.int64)
    starts = np.cumsum(lengths) - lengths
    doc_of = np.zeros(len(cp), dtype=np.int32)
    if len(texts):
        doc_of[starts[1:]] = 1
        doc_of = np.cumsum(doc_of, dtype=np.int32)
    pos_of = (np.arange(len(cp), dtype=np.int64) - starts[doc_of]).astype(np.int32) if len(texts) else doc_of
    # dense character ids, 0 = NUL; an n-gram's id numbers (its (n-1)-gram's id, its last char)
    seen = np.zeros(0x110000, dtype=bool)
    seen[cp] = True
    seen[0] = False
    char_id = np.cumsum(seen, dtype=np.int32)
    cid = char_id[cp]
    base = int(char_id[-1]) + 1
    size = len(cp) - LONG
    least = max(LONG_MIN_DOCS, int(np.ceil(LONG_SHARE * len(texts))))
    distinct = 1
    prev = np.zeros(0, dtype=np.int32)  # the (n-1)-gram ids: set by each round, first read when n = 2
    valid = np.ones(size, dtype=bool)
    out = []
    ndocs = max(1, len(texts))

    def in_enough_docs(k: np.ndarray, where: np.ndarray, distinct: int) -> np.ndarray:
        """Per n-gram occurrence (ids k at positions `where`): is its n-gram in `least` docs?"""
        pairs = k.astype(np.int64) * ndocs + doc_of[where]
        pairs.sort()  # (numpy's hash-based np.unique took ten times as long here)
        first = np.ones(len(pairs), dtype=bool)
        first[1:] = pairs[1:] != pairs[:-1]
        return np.bincount(pairs[first] // ndocs, minlength=distinct)[k] >= least

    frequent = np.zeros(0, dtype=bool)  # set at n = GRAM: where an n-gram in `least` docs starts
    for n in range(1, GRAM + 1):
        nxt = cid[n - 1 : n - 1 + size]
        valid &= nxt != 0
        at = np.flatnonzero(valid).astype(np.int32)
        ids = np.zeros(size, dtype=np.int32)
        ids[at], distinct = _dense(_extend(prev[at], base, nxt[at]) if n > 1 else nxt[at], distinct * base)
        prev = ids
        out.append((n, at, ids[at], distinct))
    frequent = np.zeros(size, dtype=bool)
    frequent[at] = in_enough_docs(prev[at], at, distinct)
    del at
    # longer n-grams: only those in `least` docs, so only where both their (n-1)-grams are
    for n in range(GRAM + 1, LONG + 1):
        both = frequent.copy()
        both[:-1] &= frequent[1:]
        both[-1] = False
        at = np.flatnonzero(both).astype(np.int32)
        del both
        k, distinct = _dense(_extend(prev[at], base, cid[at + n - 1]), distinct * base)
        keep = in_enough_docs(k, at, distinct)
        prev = np.zeros(size, dtype=np.int32)
        prev[at] = k
        frequent = np.zeros(size, dtype=bool)
        frequent[at[keep]] = True
        k, kept = _dense(k[keep], distinct)
        if kept:
            out.append((n, at[keep], k, kept))
    return _Text(cp, doc_of, pos_of, head_len), out


def _level(text: _Text, n: int, at: np.ndarray, k: np.ndarray, distinct: int) -> tuple[_Level, list[bytes]]:
    """Doc lists of the n-grams starting at `at` (ids `k`); for GRAM-grams, the position files.

    Memory: at 10,000 cases the text has about 27 million characters and every array here has one
    entry per character or per (key, doc) pair, so each one is dropped (`del`) as soon as it has
    served; the peak is then about half of what keeping them to the end costs."""
    head_len, cp = text.head, text.cp
    at = at[_stable_order(k, distinct)]
    k = np.repeat(np.arange(distinct, dtype=np.int32), np.bincount(k, minlength=distinct))
    total = len(k)
    new_key = np.ones(total, dtype=bool)
    new_key[1:] = k[1:] != k[:-1]
    del k
    doc = text.doc[at]
    new_pair = new_key.copy()
    new_pair[1:] |= doc[1:] != doc[:-1]
    pair = np.flatnonzero(new_pair)  # first occurrence of each (key, doc)
    pair_key_start = new_key[pair]
    del new_key
    key_pair = np.flatnonzero(pair_key_start)  # first pair of each key
    docs = np.diff(np.append(key_pair, len(pair)))
    cps = np.zeros((len(key_pair), LONG), dtype=np.int64)
    first_at = at[pair[key_pair]]
    for j in range(n):
        cps[:, j] = cp[first_at + j]
    del first_at
    pos = text.pos[at]
    del at
    pair_value = doc[pair].astype(np.int64)
    pair_value *= 2
    pair_value += pos[pair] < head_len
    del doc
    delta = pair_value.copy()
    np.subtract(delta[1:], pair_value[:-1], out=delta[1:], where=~pair_key_start[1:])
    del pair_value
    count = np.diff(np.append(pair, total))  # occurrences of the key in each of its docs
    posinfo = np.zeros((len(key_pair), 3), dtype=np.int64)
    if n != GRAM:
        values = np.empty(2 * len(delta), dtype=np.uint32)  # every value is below 2**32
        out_start = 2 * (np.cumsum(docs) - docs)
        values[searchcodec.gather_ranges(out_start, docs)] = delta
        values[searchcodec.gather_ranges(out_start + docs, docs)] = np.minimum(count, COUNT_CAP)
        return _Level(cps, docs, values, 2 * docs, posinfo), []
    # positions: per pair, count then first position and deltas
    pdelta = pos.copy()
    pdelta[1:] -= np.where(new_pair[1:], 0, pos[:-1])
    del pos, new_pair
    stream = np.empty(total + len(pair), dtype=np.int64)
    head_at = pair + np.arange(len(pair))
    del pair
    stream[head_at] = count
    capped = np.minimum(count, COUNT_CAP)
    del count
    body = np.ones(len(stream), dtype=bool)
    body[head_at] = False
    stream[body] = pdelta
    del body, pdelta
    data, nbytes = searchcodec.encode(stream)
    del stream
    byte_at = nbytes.astype(np.int64).cumsum() - nbytes
    del nbytes
    pair_byte = byte_at[head_at]
    del byte_at, head_at
    bucket = pair_byte // POS_BYTES
    first_in_bucket = np.ones(len(pair_byte), dtype=bool)
    first_in_bucket[1:] = bucket[1:] != bucket[:-1]
    del bucket
    file_of = np.cumsum(first_in_bucket) - 1
    file_start = pair_byte[first_in_bucket]
    file_end = np.append(file_start[1:], len(data))
    files = [data[a:b].tobytes() for a, b in zip(file_start, file_end)]
    del data
    posinfo[:, 0] = file_of[key_pair]
    posinfo[:, 1] = pair_byte[key_pair] - file_start[file_of[key_pair]]
    del file_of, pair_byte
    brk = first_in_bucket & ~pair_key_start  # a key's data moves to a new file
    del first_in_bucket, pair_key_start
    brk_pair = np.flatnonzero(brk)
    del brk
    brk_key = np.searchsorted(key_pair, brk_pair, side="right") - 1
    local = brk_pair - key_pair[brk_key]
    brk_delta = local.copy()
    brk_delta[1:] -= np.where(brk_key[1:] == brk_key[:-1], local[:-1], 0)
    posinfo[:, 2] = np.bincount(brk_key, minlength=len(key_pair))
    # per key: doc deltas, occurrence counts, then break deltas
    counts = 2 * docs + posinfo[:, 2]
    values = np.empty(int(counts.sum()), dtype=np.uint32)  # every value is below 2**32
    out_start = np.cumsum(counts) - counts
    values[searchcodec.gather_ranges(out_start, docs)] = delta
    del delta
    values[searchcodec.gather_ranges(out_start + docs, docs)] = capped
    values[searchcodec.gather_ranges(out_start + 2 * docs, posinfo[:, 2])] = brk_delta
    return _Level(cps, docs, values, counts, posinfo), files


def _shard_files(levels: list[_Level]) -> list[bytes]:
    """The doc-list shards: keys ordered by (shard, length, key)."""
    cps = np.concatenate([lv.cps for lv in levels])
    data, nbytes = searchcodec.encode(np.concatenate([lv.values for lv in levels]))
    key_bytes = searchcodec.group_sizes(nbytes, np.concatenate([lv.counts for lv in levels]))
    key_start = np.cumsum(key_bytes) - key_bytes
    lens = (cps != 0).sum(axis=1)
    total = int(key_bytes.sum()) + int((lens + 6).sum())
    shards = 1
    while shards < 1 << 16 and total / shards > SHARD_BYTES:
        shards *= 2
    shard = _shards_of(cps, shards)
    order = np.argsort(shard, kind="stable")  # keys already by (length, key)
    rows = np.column_stack(
        [lens, cps, np.concatenate([lv.docs for lv in levels]), key_bytes, np.concatenate([lv.pos for lv in levels])]
    )[order]
    present = np.ones(rows.shape, dtype=bool)  # a row: length, that many code points, 5 fields
    present[:, 1 : 1 + LONG] = cps[order] != 0
    dir_data, dir_nbytes = searchcodec.encode(rows[present])
    row_bytes = searchcodec.group_sizes(dir_nbytes, lens[order] + 6)
    body = data[searchcodec.gather_ranges(key_start[order], key_bytes[order])]
    per_shard = np.bincount(shard, minlength=shards)
    cut = np.cumsum(per_shard) - per_shard
    row_at = np.append(np.cumsum(row_bytes) - row_bytes, int(row_bytes.sum()))
    body_at = np.append(np.cumsum(key_bytes[order]) - key_bytes[order], int(key_bytes.sum()))
    counts, count_bytes = searchcodec.encode(per_shard)
    count_at = np.append(count_bytes.astype(np.int64).cumsum() - count_bytes, len(counts))
    out = []
    for s in range(shards):
        a, b = int(cut[s]), int(cut[s] + per_shard[s])
        out.append(
            counts[count_at[s] : count_at[s + 1]].tobytes()
            + dir_data[row_at[a] : row_at[b]].tobytes()
            + body[body_at[a] : body_at[b]].tobytes()
        )
    return out


def build(cases, site_dir: Path) -> dict:
    """Write the index for `cases` under site_dir/INDEX_DIR; return the entry.

    Every file goes into one folder named by the hash of all of them, and the small entry file
    (ENTRY, the only fixed name) names that folder: a browser holding a cached entry of an older
    build keeps reading that build's folder until it fetches the new entry, never a mix of two
    builds. Whatever was under INDEX_DIR before is removed.

    One thread: two (numpy and zlib release the GIL) saved wall time on an idle machine but cost
    more CPU time, most of it in the kernel writing files side by side.
    """
    records = [record(c) for c in _order(cases)]
    texts, head_len = _texts(records)
    text, grams = _text_arrays(texts, head_len)
    index_dir = Path(site_dir) / INDEX_DIR
    if index_dir.exists():
        shutil.rmtree(index_dir)
    out_dir = index_dir / ".building"
    for sub in ("k", "p", "d"):
        (out_dir / sub).mkdir(parents=True, exist_ok=True)
    digests: dict[str, bytes] = {}  # file name → sha256 of its bytes

    def write(name: str, data: bytes) -> None:
        packed = _gzip(data)
        digests[name] = hashlib.sha256(packed).digest()
        (out_dir / name).write_bytes(packed)

    levels: list[_Level] = []
    pos_files: list[bytes] = []
    grams.reverse()
    while grams:  # each level's arrays are freed once it has run
        level, files = _level(text, *grams.pop())
        levels.append(level)
        pos_files += files  # only the GRAM-grams have position files
    shard_files = _shard_files(levels)
    for shard, data in enumerate(shard_files):
        write(f"k/{shard}.gz", data)
    for file, data in enumerate(pos_files):
        write(f"p/{file}.gz", data)
    for doc, rec in enumerate(records):
        shown = {"u": rec.url, "t": rec.title, "i": rec.institution, "d": rec.date, "b": rec.rest[-1]}
        write(f"d/{doc}.gz", json.dumps(shown, ensure_ascii=False).encode("utf-8"))
    write("t2s.gz", json.dumps(t2s_map(), ensure_ascii=False, sort_keys=True).encode("utf-8"))
    entry: dict = {
        "format": FORMAT,
        "docs": len(records),
        "list": list_hash([r.url for r in records]),
        "head": head_len,
        "gram": GRAM,
        "long": LONG,
        "shards": len(shard_files),
    }
    whole = hashlib.sha256(json.dumps(entry).encode())
    for name in sorted(digests):
        whole.update(name.encode() + b"\0" + digests[name])
    folder = whole.hexdigest()[:16]
    entry["dir"] = folder
    out_dir.rename(index_dir / folder)
    (index_dir / ENTRY).write_text(json.dumps(entry), encoding="utf-8")
    return entry


# --- reading the index back (tests, benchmark, completeness checks) ---------------------------


@dataclass
class Entry:
    docs: list[int]  # doc numbers, ascending
    heads: list[bool]  # whether the key occurs in that doc's head
    counts: list[int]  # how often the key occurs in that doc (capped at COUNT_CAP)
    file: int = 0
    offset: int = 0
    breaks: tuple = ()  # doc indexes (in `docs`) where the positions move to the next file


@dataclass(frozen=True)
class Hit:
    head: bool  # the term occurs in the title, a model or the institution
    count: int  # how often it occurs in the doc (capped at COUNT_CAP)


# A key shard: its bytes, and per key where its doc list starts and its other directory fields.
_Shard = tuple[bytes, dict[str, tuple[int, list[int]]]]


def rank(found: dict[int, list[Hit]], terms: list[str], titles, adjacent: frozenset = frozenset()) -> list[int]:
    """Matching docs in the order a reader expects (the same in search.js):
    1. the query as one phrase (its terms joined) in the title;
    2. more terms in the title, a model or the institution;
    3. the terms side by side, in the query's order, somewhere in the case (`adjacent`: the docs
       holding the joined phrase; looked up only when it is a key of up to GRAM characters);
    4. a higher score: per term, how often it occurs (at most SCORE_CAP times counted);
    5. newest first (doc number)."""
    phrase = "".join(terms)

    def key(doc: int):
        hits = found[doc]
        return (
            phrase not in titles(doc),
            -sum(h.head for h in hits),
            doc not in adjacent,
            -sum(min(h.count, SCORE_CAP) for h in hits),
            doc,
        )

    return sorted(found, key=key)


class Index:
    def __init__(self, site_dir: Path):
        self.root = Path(site_dir) / INDEX_DIR
        self.manifest = json.loads((self.root / ENTRY).read_text(encoding="utf-8"))
        self.dir = self.root / self.manifest["dir"]
        self._files: dict[str, bytes] = {}
        self._shards: dict[int, _Shard] = {}
        self._titles: dict[int, str] = {}
        self.read_bytes = len((self.root / ENTRY).read_bytes())  # compressed bytes read (what a browser fetches)

    def _file(self, name: str) -> bytes:
        if name not in self._files:
            raw = (self.dir / name).read_bytes()
            self.read_bytes += len(raw)
            self._files[name] = gzip.decompress(raw)
        return self._files[name]

    def doc(self, n: int) -> dict:
        return json.loads(self._file(f"d/{n}.gz").decode("utf-8"))

    def title(self, n: int) -> str:
        """A doc's normalised title, read without counting bytes (on /cases/ the page has the titles)."""
        if n not in self._titles:
            data = json.loads(gzip.decompress((self.dir / f"d/{n}.gz").read_bytes()).decode("utf-8"))
            self._titles[n] = normalize(data["t"])
        return self._titles[n]

    def _shard(self, s: int) -> _Shard:
        if s not in self._shards:
            buf = self._file(f"k/{s}.gz")
            (count,), at = searchcodec.decode(buf, 0, 1)
            rows = []
            for _ in range(count):
                (n,), at = searchcodec.decode(buf, at, 1)
                row, at = searchcodec.decode(buf, at, n + 5)
                rows.append((n, row))
            keys: dict[str, tuple[int, list[int]]] = {}
            for n, row in rows:
                keys["".join(chr(c) for c in row[:n])] = (at, row[n:])
                at += row[n + 1]
            self._shards[s] = (buf, keys)
        return self._shards[s]

    def entry(self, key: str) -> Entry | None:
        buf, keys = self._shard(shard_of(key, self.manifest["shards"]))
        if key not in keys:
            return None
        at, (ndocs, _, file, offset, nbreaks) = keys[key]
        deltas, at = searchcodec.decode(buf, at, ndocs)
        counts, at = searchcodec.decode(buf, at, ndocs)
        values, v = [], 0
        for d in deltas:
            v += d
            values.append(v)
        steps, _ = searchcodec.decode(buf, at, nbreaks)
        breaks, b = [], 0
        for d in steps:
            b += d
            breaks.append(b)
        return Entry([v >> 1 for v in values], [bool(v & 1) for v in values], counts, file, offset, tuple(breaks))

    def positions(self, entry: Entry, wanted: set[int]) -> dict[int, list[int]]:
        """Positions of a GRAM-gram in the wanted docs, reading only the files that hold them."""
        bounds = [0, *entry.breaks, len(entry.docs)]
        out = {}
        for k in range(len(bounds) - 1):
            lo, hi = bounds[k], bounds[k + 1]
            if not any(entry.docs[i] in wanted for i in range(lo, hi)):
                continue
            buf = self._file(f"p/{entry.file + k}.gz")
            at = entry.offset if k == 0 else 0
            for i in range(lo, hi):
                (count,), at = searchcodec.decode(buf, at, 1)
                steps, at = searchcodec.decode(buf, at, count)
                if entry.docs[i] in wanted:
                    p, pos = 0, []
                    for s in steps:
                        p += s
                        pos.append(p)
                    out[entry.docs[i]] = pos
        return out

    def term(self, term: str) -> dict[int, Hit]:
        """Docs containing the normalised term → where (head or not) and how often."""
        gram = self.manifest["gram"]
        if len(term) <= self.manifest["long"]:
            e = self.entry(term)
            if e or len(term) <= gram:  # a frequent longer term has its own doc list
                return {d: Hit(h, c) for d, h, c in zip(e.docs, e.heads, e.counts)} if e else {}
        cover = _cover(len(term), gram)
        looked_up = {o: self.entry(term[o : o + gram]) for o in cover}
        entries = {o: e for o, e in looked_up.items() if e is not None}
        if len(entries) < len(looked_up):
            return {}
        cand = set(entries[0].docs)
        for e in entries.values():
            cand &= set(e.docs)
        if not cand:
            return {}
        found = {o: self.positions(entries[o], cand) for o in cover}
        out = {}
        for doc in sorted(cand):
            starts = set(found[cover[0]][doc])
            for o in cover[1:]:
                starts &= {p - o for p in found[o][doc]}
            if starts:
                out[doc] = Hit(min(starts) < self.manifest["head"], min(len(starts), COUNT_CAP))
        return out

    def adjacent(self, terms: list[str]) -> frozenset:
        """The docs holding the terms side by side (see `rank`); empty for one term or a joined
        phrase longer than GRAM (its positions would cost far more than the ranking gains)."""
        phrase = "".join(terms)
        if len(terms) < 2 or len(phrase) > self.manifest["gram"]:
            return frozenset()
        e = self.entry(phrase)
        return frozenset(e.docs) if e else frozenset()

    def rank(self, per_term: list[dict[int, Hit]], terms: list[str]) -> list[int]:
        """The docs every term was found in (`per_term`, one dict per term), ranked (`rank`)."""
        if not per_term:
            return []
        docs = set(per_term[0])
        for got in per_term[1:]:
            docs &= got.keys()
        found = {d: [got[d] for got in per_term] for d in docs}
        return rank(found, terms, self.title, self.adjacent(terms))

    def search(self, query: str) -> list[int]:
        """Matching docs, ranked as `rank` says."""
        terms = query_terms(query)
        return self.rank([self.term(t) for t in terms], terms)


def _cover(length: int, gram: int) -> list[int]:
    """Offsets of the fewest GRAM-grams covering a term: 0, GRAM, 2·GRAM, …, and the last."""
    out = list(range(0, length - gram + 1, gram))
    if out[-1] != length - gram:
        out.append(length - gram)
    return out


def search(site_dir: Path, query: str) -> list[str]:
    idx = Index(site_dir)
    return [idx.doc(d)["u"] for d in idx.search(query)]


def indexed_urls(site_dir: Path) -> set[str]:
    """The case URLs (e.g. "cases/2019-swpu-sili/") in a built index."""
    idx = Index(site_dir)
    return {idx.doc(n)["u"] for n in range(idx.manifest["docs"])}

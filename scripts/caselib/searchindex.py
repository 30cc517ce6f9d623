"""The search index: exact substring search over case text, fetched in small pieces.

Every case becomes one record of fields, each normalised with `searchnorm.normalize`:
  head  = title, models, institution     (matches here rank first)
  rest  = other metadata, then the body as plain text
Fields are joined with NUL, which no query contains and no indexed n-gram spans, so a match
never crosses two fields. Head positions start at 0, rest positions at `head` (a constant in
the manifest), so a position tells which part matched.

Files written under <site>/search/data/ (all gzip, decompressed in the browser):
  manifest.json      format, number of docs and shards, `head`
  t2s.gz             the traditional→simplified map used by the query normaliser
  s/<k>.gz           bigram shard k: {bigram: postings}, k = `shard_of(bigram, shards)`;
                     postings: [[doc, first position, position deltas…], …]
  u/<k>.gz           unigram shard k, k = `shard_of(char, unigram_shards)`;
                     postings: [doc * 2 + (1 if the char occurs in the head else 0), …]
  d/<doc>.gz         one case for showing a result: url, title, institution, date, text

A term of length L ≥ 2 occurs at p iff its bigrams at offsets 0, 2, 4, …, L-2 occur at p+offset,
so matches and counts are exact; a one-character term uses the unigram postings.
Docs are numbered newest first, so ties in ranking show the newest case first.
`search()` is the same algorithm as search.js, used by tests and the benchmark.
"""

from __future__ import annotations

import gzip
import json
import re
from itertools import groupby
from dataclasses import dataclass
from pathlib import Path

from .pages import case_path, page_url
from .searchnorm import normalize, query_terms, t2s_map

INDEX_DIR = "search/data"
FORMAT = 1
HEAD_KEYS = ("title", "models", "institution")
META_KEYS = ("unit", "org_type", "province", "standards", "themes", "published", "source",
             "honours", "summary", "authors")
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
    head: list[str]   # original text of the head fields
    rest: list[str]   # original text of the other metadata fields and the body


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


def shard_of(gram: str, shards: int) -> int:
    """Hash over UTF-16 code units (the same in search.js)."""
    h = 0
    data = gram.encode("utf-16-le")
    for i in range(0, len(data), 2):
        h = (h * 31 + (data[i] | data[i + 1] << 8)) & 0xFFFFFFFF
    return h % shards


def _gzip(data: str) -> bytes:
    return gzip.compress(data.encode("utf-8"), compresslevel=6, mtime=0)


def _order(cases) -> list:
    return sorted(cases, key=lambda c: (c.published, c.id), reverse=True)


def build(cases, site_dir: Path) -> dict:
    """Write the index for `cases` under site_dir/INDEX_DIR; return the manifest."""
    cases = _order(cases)
    records = [record(c) for c in cases]
    heads = [SEP.join(normalize(v) for v in r.head) for r in records]
    rests = [SEP.join(normalize(v) for v in r.rest) for r in records]
    head_len = max((len(h) for h in heads), default=0) + 1
    bigrams: dict[str, list] = {}
    unigrams: dict[str, list[int]] = {}
    for doc, (h, r) in enumerate(zip(heads, rests)):
        text = h + SEP * (head_len - len(h)) + r
        # every bigram of the text, grouped with its positions by a C-level sort (fast)
        grams = list(map(text.__getitem__, map(slice, range(len(text) - 1), range(2, len(text) + 1))))
        order = sorted(range(len(grams)), key=grams.__getitem__)
        for gram, group in groupby(order, key=grams.__getitem__):
            if SEP in gram:
                continue
            pos = list(group)
            entry = [doc, pos[0]]
            entry += [b - a for a, b in zip(pos, pos[1:])]
            got = bigrams.get(gram)
            if got is None:
                bigrams[gram] = [entry]
            else:
                got.append(entry)
        head_chars = set(h)
        for ch in head_chars | set(r):
            if ch != SEP:
                unigrams.setdefault(ch, []).append(doc * 2 + (ch in head_chars))
    out_dir = Path(site_dir) / INDEX_DIR
    for sub in ("s", "u", "d"):
        (out_dir / sub).mkdir(parents=True, exist_ok=True)
    shard_counts = {}
    for sub, grams in (("s", bigrams), ("u", unigrams)):
        total = sum(len(e) for v in grams.values() for e in v) if sub == "s" else sum(map(len, grams.values()))
        shards = 16
        while shards < 65536 and total / shards > 6000:
            shards *= 2
        shard_counts[sub] = shards
        buckets: list[dict] = [{} for _ in range(shards)]
        for gram, post in grams.items():
            buckets[shard_of(gram, shards)][gram] = post
        for k, bucket in enumerate(buckets):
            (out_dir / sub / f"{k}.gz").write_bytes(
                _gzip(json.dumps(bucket, ensure_ascii=False, separators=(",", ":"), sort_keys=True)))
    for doc, rec in enumerate(records):
        data = {"u": rec.url, "t": rec.title, "i": rec.institution, "d": rec.date,
                "h": SEP.join(rec.head), "r": SEP.join(rec.rest)}
        (out_dir / "d" / f"{doc}.gz").write_bytes(_gzip(json.dumps(data, ensure_ascii=False)))
    (out_dir / "t2s.gz").write_bytes(_gzip(json.dumps(t2s_map(), ensure_ascii=False, sort_keys=True)))
    manifest = {"format": FORMAT, "docs": len(records), "shards": shard_counts["s"],
                "unigram_shards": shard_counts["u"], "head": head_len}
    (out_dir / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    return manifest


# --- reading the index back (tests, benchmark, completeness checks) ---------------------------

class Index:
    def __init__(self, site_dir: Path):
        self.dir = Path(site_dir) / INDEX_DIR
        self.manifest = json.loads((self.dir / "manifest.json").read_text(encoding="utf-8"))
        self._shards: dict[int, dict] = {}

    def _load(self, path: Path):
        return json.loads(gzip.decompress(path.read_bytes()).decode("utf-8"))

    def postings(self, gram: str) -> list[int]:
        sub, key = ("u", "unigram_shards") if len(gram) == 1 else ("s", "shards")
        k = (sub, shard_of(gram, self.manifest[key]))
        if k not in self._shards:
            self._shards[k] = self._load(self.dir / sub / f"{k[1]}.gz")
        return self._shards[k].get(gram, [])

    def doc(self, n: int) -> dict:
        return self._load(self.dir / "d" / f"{n}.gz")

    def _bigram(self, gram: str) -> dict[int, list[int]]:
        out = {}
        for entry in self.postings(gram):
            p, pos = 0, []
            for d in entry[1:]:
                p += d
                pos.append(p)
            out[entry[0]] = pos
        return out

    def term(self, term: str) -> dict[int, bool]:
        """Docs containing the normalised term → whether it occurs in the head."""
        if len(term) == 1:
            return {v >> 1: bool(v & 1) for v in self.postings(term)}
        offsets = list(range(0, len(term) - 1, 2))
        if offsets[-1] != len(term) - 2:
            offsets.append(len(term) - 2)
        lists = [(o, self._bigram(term[o:o + 2])) for o in offsets]
        docs = set(lists[0][1])
        for _, lst in lists[1:]:
            docs &= lst.keys()
        out = {}
        for doc in docs:
            starts = set(lists[0][1][doc])
            for o, lst in lists[1:]:
                starts &= {p - o for p in lst[doc]}
            if starts:
                out[doc] = min(starts) < self.manifest["head"]
        return out

    def search(self, query: str) -> list[int]:
        """Matching docs, ranked: a term in the head first, then newest first."""
        terms = query_terms(query)
        if not terms:
            return []
        found = None
        for t in terms:
            got = self.term(t)
            found = got if found is None else {d: found[d] or got[d] for d in found.keys() & got.keys()}
        return sorted(found, key=lambda d: (not found[d], d))


def search(site_dir: Path, query: str) -> list[str]:
    idx = Index(site_dir)
    return [idx.doc(d)["u"] for d in idx.search(query)]


def indexed_urls(site_dir: Path) -> set[str]:
    """The case URLs (e.g. "cases/2019-swpu-sili/") in a built site's search index."""
    idx = Index(site_dir)
    return {idx.doc(n)["u"] for n in range(idx.manifest["docs"])}

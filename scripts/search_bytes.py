"""Worst-case bytes of a first search, computed from the index layout (no browser).

A first query on a cold cache fetches: the entry file, the t2s map, the doc-list shard of every
key it looks up, the position files holding its candidates, and the docs of the first page of
results (for their snippets). `searchindex.Index` reads exactly the files search.js fetches, so the
bytes of a query are the sizes of the files it touches. Every query of up to two terms drawn from
the frequent terms of the corpus is measured, not a sample:

  frequent terms = every tag value used by ≥ 0.5 % of the cases (models, themes, standards,
                   honours, org types, provinces, units), every term of tests/search_queries.yml,
                   and for each length 2 … 8 the 25 substrings found in the most cases (counted on
                   1,000 of them; letters, digits and CJK only)
  queries        = each term alone and every pair of two different terms

python scripts/search_bytes.py [N] [--cases DIR] [--keep DIR]: N synthetic cases (default 10,000;
`python -m caselib corpus`), the index built in a temporary directory (or the given --cases,
and --keep to leave the built index there); prints the worst queries and the percentiles.
"""

from __future__ import annotations

import argparse
import collections
import itertools
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import yaml

from caselib.bench import corpus
from caselib.model.cases import load_cases
from caselib.model.schema import dimensions
from caselib.model.tags import tag_values
from caselib.search import searchindex
from caselib.search.searchnorm import normalize, query_terms

ROOT = Path(__file__).resolve().parent.parent

WORD = re.compile(r"[0-9a-z\u3400-\u9fff]+")
BUDGET = 300 * 1024


def frequent_terms(cases, sample: int = 1000, per_length: int = 25) -> list[str]:
    terms: dict[str, None] = {}
    floor = max(1, len(cases) // 200)
    for dim in dimensions():
        if dim.key == "year":
            continue
        counts = collections.Counter(v for c in cases for v in set(tag_values(c, dim)))
        for value in sorted(counts):
            if counts[value] >= floor:
                terms.setdefault(normalize(value))
    for q in yaml.safe_load((ROOT / "tests/search_queries.yml").read_text(encoding="utf-8")):
        for t in query_terms(q["query"]):
            terms.setdefault(t)
    step = max(1, len(cases) // sample)
    texts = [" ".join(searchindex.searchable_fields(c)) for c in cases[::step]]
    for n in range(2, 9):
        df: collections.Counter = collections.Counter()
        for text in texts:
            grams = set()
            for run in WORD.findall(text):
                grams.update(run[i : i + n] for i in range(len(run) - n + 1))
            df.update(grams)
        for gram, _ in sorted(df.items(), key=lambda kv: (-kv[1], kv[0]))[:per_length]:  # ties: by text
            terms.setdefault(gram)
    return [t for t in terms if " " not in t and t]


class Meter(searchindex.Index):
    """An Index that records which files each term touches (cached or not)."""

    def __init__(self, site_dir: Path):
        super().__init__(site_dir)
        self.touched: set[str] = set()

    def _file(self, name: str) -> bytes:
        self.touched.add(name)
        return super()._file(name)

    def _shard(self, s: int):
        self.touched.add(f"k/{s}.gz")  # a shard parsed for an earlier term is fetched for this one too
        return super()._shard(s)

    def size(self, name: str) -> int:
        return (self.dir / name).stat().st_size


def measure(site: Path, terms: list[str]) -> list[tuple[int, str, int]]:
    """Bytes of each query: each term alone and every pair. The docs of the first page are
    counted as the PAGE_SIZE largest doc files among the results: an upper bound of the docs
    any ranking shows first (ranking every pair exactly is slower and changes no worst case
    by more than a few KB)."""
    idx = Meter(site)
    sizes: dict[str, int] = {}

    def size(name: str) -> int:
        if name not in sizes:
            sizes[name] = idx.size(name)
        return sizes[name]

    # every query fetches the entry file and the t2s map (the query's normaliser)
    base = (idx.root / searchindex.ENTRY).stat().st_size + size("t2s.gz")
    doc_bytes = np.array([size(f"d/{d}.gz") for d in range(idx.manifest["docs"])], dtype=np.int64)
    files_of: dict[str, set[str]] = {}
    docs_of: dict[str, np.ndarray] = {}
    for t in terms:
        idx.touched = set()
        found = idx.term(t)
        files_of[t] = set(idx.touched)
        docs_of[t] = np.zeros(len(doc_bytes), dtype=bool)
        docs_of[t][list(found)] = True

    def first_page(mask: np.ndarray) -> tuple[int, int]:
        got = doc_bytes[mask]
        k = min(searchindex.PAGE_SIZE, len(got))
        return (int(np.partition(got, len(got) - k)[len(got) - k :].sum()) if k else 0), len(got)

    out = []
    for t in terms:
        page, n = first_page(docs_of[t])
        out.append((base + sum(size(f) for f in files_of[t]) + page, t, n))
    gram, shards = idx.manifest["gram"], idx.manifest["shards"]
    for a, b in itertools.combinations(terms, 2):
        page, n = first_page(docs_of[a] & docs_of[b])
        files = files_of[a] | files_of[b]
        if len(a + b) <= gram:  # the ranking looks the joined phrase up (Index.adjacent)
            files = files | {f"k/{searchindex.shard_of(a + b, shards)}.gz"}
        out.append((base + sum(size(f) for f in files) + page, f"{a} {b}", n))
    return out


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("n", type=int, nargs="?", default=10000)
    parser.add_argument("--cases", type=Path, help="a folder of case files (default: a synthetic corpus of N)")
    parser.add_argument("--keep", type=Path, help="build the index here and leave it")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="search-bytes-") as tmp:
        cases_dir = args.cases
        if cases_dir is None:
            cases_dir = Path(tmp) / "cases"
            corpus.generate(args.n, ROOT / "cases", cases_dir)
        cases, problems = load_cases(cases_dir, cases_dir.parent)
        assert not problems, problems[:3]
        site = args.keep or Path(tmp) / "site"
        t = time.perf_counter()
        searchindex.build(cases, site)
        build_s = time.perf_counter() - t
        terms = frequent_terms(cases)
        t = time.perf_counter()
        rows = measure(site, terms)
        kb = [b / 1024 for b, _, _ in rows]
        print(
            f"{len(cases)} 个案例；索引构建 {build_s:.1f} s；{len(terms)} 个高频词，{len(rows)} 个查询（单词与全部两词组合）"
        )
        print(
            f"首次查询下载：中位数 {statistics.median(kb):.0f} KB，p95 {sorted(kb)[int(0.95 * len(kb))]:.0f} KB，"
            f"最大 {max(kb):.0f} KB（上限 {BUDGET // 1024} KB；计算 {time.perf_counter() - t:.0f} s）"
        )
        print("| 查询 | 结果数 | 下载 KB |\n|---|---|---|")
        for b, q, n in sorted(rows, reverse=True)[:10]:
            print(f"| {q} | {n} | {b / 1024:.0f} |")
        over = sum(b > BUDGET for b, _, _ in rows)
        print(f"超过上限的查询：{over} 个")
        return 1 if over else 0


if __name__ == "__main__":
    sys.exit(main())

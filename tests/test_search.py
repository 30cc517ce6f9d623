"""Search without a browser: the normaliser, the query set's truth, the index against plain
substring search on the real cases and on a synthetic corpus (exact recall and precision)."""

from __future__ import annotations

import collections
import hashlib
import os
import random
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from caselib.bench import corpus
from caselib.model.cases import load_cases
from caselib.search import searchindex
from caselib.search.searchnorm import normalize, query_terms, t2s_map

ROOT = Path(__file__).resolve().parent.parent
QUERIES = yaml.safe_load((Path(__file__).parent / "search_queries.yml").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def index_dir(cases, tmp_path_factory):
    site = tmp_path_factory.mktemp("search-site")
    searchindex.build(cases, site)
    return site


def test_normalize_width_case_and_traditional():
    assert normalize("ＳＹＢ") == normalize("SYB") == "syb"
    assert normalize("１＋８＋Ｎ") == "1+8+n"
    assert normalize("黨建合作社") == "党建合作社"
    assert normalize("雙帶頭人") == "双带头人"
    assert normalize("兩張皮\u3000四力") == "两张皮 四力"
    assert query_terms("  兩張皮　 SYB  syb ") == ["两张皮", "syb"]
    assert query_terms("   ") == []


def test_normalize_is_per_character_and_idempotent():
    sample = "".join(list(t2s_map())[::7]) + "".join(chr(c) for c in range(0xFF01, 0xFF5F)) + "Ⅻ㈱ﬁ"
    assert normalize(sample) == "".join(normalize(ch) for ch in sample)
    assert normalize(normalize(sample)) == normalize(sample)


def test_query_set_is_large_and_matches_plain_substring_truth(cases):
    assert len(QUERIES) >= 40
    assert len({q["query"] for q in QUERIES}) == len(QUERIES)
    fields = {c.id: searchindex.searchable_fields(c) for c in cases}
    for q in QUERIES:
        truth = {cid for cid, f in fields.items() if searchindex.matches(f, q["query"])}
        assert set(q["expect"]) == truth, q["query"]
    assert any(q["expect"] == [] for q in QUERIES)
    assert any(" " in q["query"].strip() for q in QUERIES)


def test_truth_agrees_with_the_raw_case_files(cases):
    """Independent of the record code: a case found must contain every term in its file."""
    raw = {c.id: normalize(Path(ROOT / c.path).read_text(encoding="utf-8")) for c in cases}
    for q in QUERIES:
        for cid in q["expect"]:
            assert all(t in raw[cid] for t in query_terms(q["query"])), (q["query"], cid)


def test_index_finds_exactly_the_query_set(index_dir):
    idx = searchindex.Index(index_dir)
    for q in QUERIES:
        urls = [idx.doc(d)["u"] for d in idx.search(q["query"])]
        assert sorted(u.split("/")[1] for u in urls) == sorted(q["expect"]), q["query"]


def test_ranking_phrase_in_title_first(index_dir):
    urls = searchindex.search(index_dir, "两张皮")
    # the only case with 两张皮 in its title is the oldest one, yet it comes first
    assert urls[0] == "cases/2019-swpu-sili/"
    # issue 19: the case titled "…党建业务…" first (it came 5th of 5 when only head hits counted)
    assert searchindex.search(index_dir, "党建 业务")[0] == "cases/2019-swpu-sili/"
    for q in QUERIES:
        if "first" in q:
            assert searchindex.search(index_dir, q["query"])[0] == f"cases/{q['first']}/", q["query"]


def test_rank_order_of_the_rules():
    hit = searchindex.Hit
    titles = {0: "甲", 1: "党建业务融合", 2: "乙", 3: "丙", 4: "丁"}.__getitem__
    found = {
        0: [hit(True, 1), hit(True, 1)],  # both terms in the head
        1: [hit(True, 1), hit(True, 1)],  # the phrase in the title
        2: [hit(False, 30), hit(False, 30)],  # body only, often (counted up to SCORE_CAP)
        3: [hit(True, 1), hit(False, 1)],  # one term in the head
        4: [hit(False, 25), hit(False, 40)],  # body only, as often as 2 once capped: newer first
    }
    assert searchindex.rank(found, ["党建", "业务"], titles) == [1, 0, 3, 2, 4]
    # the terms side by side (党建业务) count before how often they occur
    assert searchindex.rank(found, ["党建", "业务"], titles, frozenset({4})) == [1, 0, 3, 4, 2]


def _overlapping(text: str, term: str) -> int:
    return sum(text.startswith(term, i) for i in range(len(text)))


def test_counts_are_the_occurrences_of_each_term(cases, index_dir):
    idx = searchindex.Index(index_dir)
    by_url = {f"cases/{c.id}/": c for c in cases}
    for q in QUERIES:
        for t in query_terms(q["query"]):
            for doc, hit in idx.term(t).items():
                fields = searchindex.searchable_fields(by_url[idx.doc(doc)["u"]])
                assert hit.count == min(sum(_overlapping(f, t) for f in fields), searchindex.COUNT_CAP), t


def test_index_folder_is_named_by_its_content_and_replaced(cases, tmp_path):
    first = searchindex.build(cases, tmp_path)
    root = tmp_path / searchindex.INDEX_DIR
    assert sorted(p.name for p in root.iterdir()) == sorted([first["dir"], searchindex.ENTRY])
    assert searchindex.build(cases, tmp_path)["dir"] == first["dir"]  # same cases, same name
    second = searchindex.build(cases[1:], tmp_path)
    assert second["dir"] != first["dir"]
    # the old folder is gone: nothing of two builds side by side
    assert sorted(p.name for p in root.iterdir()) == sorted([second["dir"], searchindex.ENTRY])
    assert len((root / searchindex.ENTRY).read_bytes()) < 200


def test_indexed_urls_are_every_case(cases, index_dir):
    assert searchindex.indexed_urls(index_dir) == {f"cases/{c.id}/" for c in cases}


def test_matches_never_cross_fields(tmp_path, cases):
    case = cases[0]
    title, institution = case.title, str(case.meta["institution"])
    idx_dir = tmp_path / "site"
    searchindex.build([case], idx_dir)
    straddle = normalize(title)[-1] + normalize(case.meta["models"][0])[0]
    fields = searchindex.searchable_fields(case)
    expected = 1 if any(straddle in f for f in fields) else 0
    assert len(searchindex.search(idx_dir, straddle)) == expected
    assert searchindex.search(idx_dir, institution) == [f"cases/{case.id}/"]


def _queries_for(corpus_cases, rng, n):
    """Unique phrases, random substrings (1–10 chars) of random fields, and two-term queries."""
    queries = [corpus.unique_phrase(i) for i in range(len(corpus_cases))]
    for _ in range(n):
        f = rng.choice(searchindex.searchable_fields(rng.choice(corpus_cases)))
        f = f.replace(" ", "")
        if not f:
            continue
        size = rng.randint(1, min(10, len(f)))
        start = rng.randrange(0, len(f) - size + 1)
        queries.append(f[start : start + size])
    singles = list(queries[len(corpus_cases) :])
    for _ in range(n // 4):
        queries.append(rng.choice(singles) + " " + rng.choice(singles))
    return queries


def test_synthetic_corpus_exact_recall_and_precision(tmp_path):
    corpus.generate(60, ROOT / "cases", tmp_path / "cases", seed=3)
    corpus_cases, problems = load_cases(tmp_path / "cases", tmp_path)
    assert problems == [] and len(corpus_cases) == 60
    searchindex.build(corpus_cases, tmp_path / "site")
    idx = searchindex.Index(tmp_path / "site")
    fields = {f"cases/{c.id}/": searchindex.searchable_fields(c) for c in corpus_cases}
    rng = random.Random(6)
    queries = _queries_for(corpus_cases, rng, 400)
    relevant = returned = correct = 0
    for q in queries:
        truth = {u for u, f in fields.items() if searchindex.matches(f, q)}
        got = [idx.doc(d)["u"] for d in idx.search(q)]
        assert len(got) == len(set(got))
        relevant += len(truth)
        returned += len(got)
        correct += len(truth & set(got))
        assert set(got) == truth, q
    assert correct == relevant == returned
    for i in range(60):
        assert [idx.doc(d)["u"] for d in idx.search(corpus.unique_phrase(i))] == [f"cases/synthetic-{i:05d}/"]


def test_full_width_and_traditional_variants_find_the_same(index_dir):
    import opencc

    s2t = opencc.OpenCC("s2t")
    for q in QUERIES:
        same = sorted(searchindex.search(index_dir, q["query"]))
        wide = "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in q["query"])
        assert sorted(searchindex.search(index_dir, wide)) == same, wide
        traditional = s2t.convert(q["query"])
        assert sorted(searchindex.search(index_dir, traditional)) == same, traditional


@pytest.fixture(scope="module")
def small_files_index(tmp_path_factory):
    """A synthetic corpus indexed into tiny files, so keys span many position files."""
    tmp = tmp_path_factory.mktemp("small-files")
    corpus.generate(60, ROOT / "cases", tmp / "cases", seed=5)
    corpus_cases, problems = load_cases(tmp / "cases", tmp)
    assert problems == []
    patch = pytest.MonkeyPatch()
    patch.setattr(searchindex, "POS_BYTES", 300)
    patch.setattr(searchindex, "SHARD_BYTES", 2000)
    try:
        searchindex.build(corpus_cases, tmp / "site")
    finally:
        patch.undo()
    return corpus_cases, tmp / "site"


def test_small_files_exact_and_keys_span_files(small_files_index):
    corpus_cases, site = small_files_index
    idx = searchindex.Index(site)
    assert idx.manifest["shards"] > 16
    gram = idx.manifest["gram"]
    occurrences = collections.Counter(
        f[i : i + gram]
        for c in corpus_cases
        for f in searchindex.searchable_fields(c)
        for i in range(len(f) - gram + 1)
    )
    key = min(occurrences, key=lambda g: (-occurrences[g], g))  # the GRAM-gram with the most positions
    frequent = idx.entry(key)
    assert len(frequent.docs) >= 50 and len(frequent.breaks) >= 3
    fields = {f"cases/{c.id}/": searchindex.searchable_fields(c) for c in corpus_cases}
    for q in _queries_for(corpus_cases, random.Random(8), 200):
        truth = {u for u, f in fields.items() if searchindex.matches(f, q)}
        assert {idx.doc(d)["u"] for d in idx.search(q)} == truth, q


def test_reads_positions_only_where_needed(small_files_index):
    _, site = small_files_index
    idx = searchindex.Index(site)
    idx.search("党支部")  # up to GRAM characters: the doc list answers, no positions
    assert not [name for name in idx._files if name.startswith("p/")]
    idx = searchindex.Index(site)
    assert len(idx.search(corpus.unique_phrase(7))) == 1
    read = [name for name in idx._files if name.startswith("p/")]
    # one candidate doc: one file per 3-gram of the cover at most, of the hundreds written
    assert 0 < len(read) <= 4 < len(list((idx.dir / "p").iterdir()))


def test_frequent_long_terms_have_their_own_doc_list(small_files_index):
    """A term of GRAM+1 … LONG characters in at least LONG_SHARE of the docs is a key: exact, and
    answered without any position file; a rarer one is checked by positions, as exactly."""
    corpus_cases, site = small_files_index
    fields = [searchindex.searchable_fields(c) for c in corpus_cases]
    n = searchindex.GRAM + 2
    df = collections.Counter(g for f in fields for g in {x[i : i + n] for x in f for i in range(len(x) - n + 1)})
    least = max(searchindex.LONG_MIN_DOCS, -(-len(corpus_cases) * searchindex.LONG_SHARE // 1))
    frequent = min((g for g in df if df[g] >= least), key=lambda g: (-df[g], g))
    rare = min((g for g in df if df[g] < least and " " not in g), key=lambda g: (-df[g], g))
    for term, positions_read in ((frequent, False), (rare, True)):
        idx = searchindex.Index(site)
        assert len(idx.search(term)) == df[term]
        assert any(name.startswith("p/") for name in idx._files) is positions_read, term
        assert (idx.entry(term) is not None) is not positions_read


def test_build_is_deterministic(small_files_index, tmp_path):
    corpus_cases, site = small_files_index
    patch = pytest.MonkeyPatch()
    patch.setattr(searchindex, "POS_BYTES", 300)
    patch.setattr(searchindex, "SHARD_BYTES", 2000)
    try:
        searchindex.build(list(reversed(corpus_cases)), tmp_path)
    finally:
        patch.undo()
    first, second = site / searchindex.INDEX_DIR, tmp_path / searchindex.INDEX_DIR
    names = sorted(p.relative_to(first).as_posix() for p in first.rglob("*") if p.is_file())
    assert names == sorted(p.relative_to(second).as_posix() for p in second.rglob("*") if p.is_file())
    assert all((first / n).read_bytes() == (second / n).read_bytes() for n in names)


BUILD = """
import sys
from pathlib import Path
from caselib.search import searchindex
from caselib.model.cases import load_cases
found, _ = load_cases(Path(sys.argv[1]), Path(sys.argv[1]).parent)
searchindex.build(found, Path(sys.argv[2]))
"""


def test_index_does_not_depend_on_the_string_hash_seed(tmp_path):
    cases_dir = tmp_path / "cases"
    corpus.generate(60, ROOT / "cases", cases_dir, seed=5)
    digests = set()
    for seed in ("1", "2"):
        out = tmp_path / f"site-{seed}"
        env = {**os.environ, "PYTHONHASHSEED": seed, "PYTHONPATH": str(ROOT / "scripts")}
        subprocess.run([sys.executable, "-c", BUILD, str(cases_dir), str(out)], check=True, env=env)
        files = sorted(p for p in (out / searchindex.INDEX_DIR).rglob("*") if p.is_file())
        digests.add(
            hashlib.sha256(b"".join(p.relative_to(out).as_posix().encode() + p.read_bytes() for p in files)).hexdigest()
        )
    assert len(digests) == 1


def test_varints_round_trip_at_every_byte_length():
    from caselib.search import searchcodec

    values = [0, 1, 127, 128, 255, 16383, 16384, 2**21 - 1, 2**21, 2**28 - 1, 2**28, 2**32 - 1]
    data, sizes = searchcodec.encode(values)
    assert list(sizes) == [1, 1, 1, 2, 2, 2, 3, 3, 4, 4, 5, 5]
    assert searchcodec.decode(data.tobytes(), 0, len(values)) == (values, len(data))
    with pytest.raises(ValueError):
        searchcodec.encode([-1])

"""Related cases: shared tags and text, deterministic, never the case itself, scales by index."""

from __future__ import annotations

import math
import os
import random
import subprocess
import sys
from collections import Counter, defaultdict
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from caselib.model.cases import Case, load_cases
from caselib.model.schema import dimensions
from caselib.model.tags import tag_values
from caselib.site import related

ROOT = Path(__file__).resolve().parent.parent


def case(i: str, body: str = "", **meta) -> Case:
    return Case(path=f"cases/{i}.md", meta={"id": i, "title": i, "published": "2020-01-01", **meta}, body=body)


def test_real_cases_are_related_to_others_only():
    cases, _ = load_cases(ROOT / "cases")
    result = related.related(cases)
    assert set(result) == {c.id for c in cases}
    for case_id, others in result.items():
        ids = [o.id for o in others]
        assert case_id not in ids
        assert len(ids) == len(set(ids))
        assert 3 <= len(ids) <= 5


def test_result_does_not_depend_on_input_order():
    cases, _ = load_cases(ROOT / "cases")
    forward = {k: [c.id for c in v] for k, v in related.related(cases).items()}
    backward = {k: [c.id for c in v] for k, v in related.related(list(reversed(cases))).items()}
    assert forward == backward


def test_shared_model_outranks_shared_theme():
    a = case("a", models=["四力"], themes=["创新创业"])
    b = case("b", themes=["创新创业"])
    c = case("c", models=["四力"])
    d = case("d", themes=["乡村振兴"])
    result = related.related([a, b, c, d])
    assert [o.id for o in result["a"]] == ["c", "b"]
    assert result["d"] == []  # nothing in common: no related case rather than a random one


def test_ties_are_broken_by_id():
    cases = [case(x, themes=["创新创业"]) for x in ("e", "b", "d", "a", "c", "f", "g")]
    result = related.related(cases)
    assert [o.id for o in result["a"]] == ["b", "c", "d", "e", "f"]


def test_text_similarity_counts():
    shared = "党支部坚持把支部建在科研团队上推动党建与科研深度融合形成示范"
    a = case("a", body=shared + "甲乙丙")
    b = case("b", body=shared + "丁戊己")
    c = case("c", body="学院组织志愿服务走进社区开展垃圾分类宣传活动")
    d = case("d", body="学院组织志愿服务走进乡村开展义务支教活动")
    result = related.related([a, b, c, d])
    assert [o.id for o in result["a"]][:1] == ["b"]
    assert [o.id for o in result["c"]][:1] == ["d"]


def test_unknown_org_type_is_not_shared():
    a, b = case("a", org_type="未知"), case("b", org_type="未知")
    assert related.related([a, b]) == {"a": [], "b": []}


def test_common_features_do_not_make_it_quadratic(monkeypatch):
    """Features shared by more than CAP cases do not propose candidates; scoring is bounded."""
    monkeypatch.setattr(related, "CAP", 10)
    monkeypatch.setattr(related, "CANDIDATES", 5)
    scored = []
    real_scores = related._scores
    monkeypatch.setattr(
        related, "_scores", lambda f, a, b, rows, others: scored.append(len(rows)) or real_scores(f, a, b, rows, others)
    )
    cases = [case(f"c{i:03d}", themes=["创新创业"], models=[f"模式{i // 3}"]) for i in range(300)]
    result = related.related(cases)
    assert 0 < sum(scored) <= 300 * 5
    assert [o.id for o in result["c000"]][:2] == ["c001", "c002"]
    assert all(len(v) == 5 for v in result.values())


RELATED_DIGEST = """
import hashlib, json, sys
import os
import subprocess
import sys
from pathlib import Path
from caselib.model.cases import load_cases
from caselib.site.related import related
cases, _ = load_cases(Path(sys.argv[1]), Path(sys.argv[1]).parent)
result = {k: [c.id for c in v] for k, v in related(cases).items()}
print(hashlib.sha256(json.dumps(result, sort_keys=True).encode()).hexdigest())
"""


def test_related_cases_do_not_depend_on_the_string_hash_seed(tmp_path):
    """Two builds of one commit run with different hash seeds: related cases must not change."""
    corpus_dir = tmp_path / "cases"
    run = [sys.executable, "-m", "caselib", "corpus", "300", str(corpus_dir)]
    subprocess.run(
        run, check=True, capture_output=True, cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT / "scripts")}
    )
    digests = set()
    for seed in ("1", "2", "3"):
        env = {**os.environ, "PYTHONHASHSEED": seed, "PYTHONPATH": str(ROOT / "scripts")}
        out = subprocess.run(
            [sys.executable, "-c", RELATED_DIGEST, str(corpus_dir)], check=True, capture_output=True, text=True, env=env
        )
        digests.add(out.stdout.strip())
    assert len(digests) == 1


def reference_vectors(cases: list[Case]) -> list[dict[str, float]]:
    """Each case's TF-IDF vector of character bigrams, the TERMS strongest, in vector order."""
    counts = [
        related.bigrams(
            related.normalise("\n".join([c.title, str(c.meta.get("summary") or ""), c.body[: 2 * related.TEXT_CHARS]]))[
                : related.TEXT_CHARS
            ]
        )
        for c in cases
    ]
    df = Counter(g for c in counts for g in c)
    idf = {g: math.log(len(cases) / d) for g, d in df.items() if d > 1}
    vectors = []
    for c in counts:  # a stable sort: equal weights in text order
        top = sorted(((g, tf * idf[g]) for g, tf in c.items() if g in idf), key=lambda gw: -gw[1])[: related.TERMS]
        norm = math.sqrt(sum(w * w for _, w in top)) or 1.0
        vectors.append({g: w / norm for g, w in top})
    return vectors


def reference(cases: list[Case], limit: int = related.LIMIT) -> dict[str, list[Case]]:
    """The definition in plain Python, pair by pair: what related.related must give."""
    cap, wanted = related.CAP, related.CANDIDATES
    dims = [d for d in dimensions() if d.key in related.WEIGHTS]
    tags = [{(d.key, v) for d in dims for v in tag_values(c, d)} for c in cases]
    vectors = reference_vectors(cases)
    features = [sorted(t) + [("text", g) for g in v] for t, v in zip(tags, vectors)]
    postings = defaultdict(list)
    for i, feats in enumerate(features):
        for f in feats:
            postings[f].append(i)
    result = {}
    for i, c in enumerate(cases):
        proposed = Counter()  # in proposal order: feature order, then case order
        for f in features[i]:
            if len(postings[f]) <= cap:
                proposed.update(postings[f])
        proposed.pop(i, None)
        if len(proposed) < wanted:
            for f in sorted(features[i], key=lambda f: (len(postings[f]), f)):
                if len(postings[f]) > cap:
                    proposed.update(j for j in postings[f][:cap] if j != i)
                if len(proposed) >= wanted:
                    break
        best = sorted(proposed.items(), key=lambda jn: -jn[1])[:wanted]  # stable: ties in proposal order
        scores = [(related.score(tags[i], tags[j], vectors[i], vectors[j]), j) for j, _ in best]
        ranked = sorted((-round(s, 9), cases[j].id, j) for s, j in scores if s > 0)
        result[c.id] = [cases[j] for _, _, j in ranked[:limit]]
    return result


ALPHABET = "党建支部创新服务社区学院志愿科研团队示范引领组织乡村振兴ＡＢabΣσ１2"
PUNCTUATION = "，。、 \n#_-"


def synthetic(seed: int, n: int) -> list[Case]:
    """Cases drawn from small pools, so that bigrams, tags and scores are often shared or equal."""
    rng = random.Random(seed)
    models, themes = [f"模式{k}" for k in range(6)], [f"主题{k}" for k in range(4)]
    standards, org_types = [f"要求{k}" for k in range(5)], ["党支部", "党委", "未知"]
    ids = [f"c{k:04d}" for k in rng.sample(range(10 * n), n)]  # id order is not input order
    cases = []
    for i in range(n):
        if cases and rng.random() < 0.1:
            body = cases[-1].body  # the same text: equal scores
        else:
            body = "".join(rng.choice(ALPHABET + PUNCTUATION) for _ in range(rng.choice([0, 3, 40, 200, 900])))
        cases.append(
            case(
                ids[i],
                body=body,
                summary=rng.choice(["", "党建引领"]),
                models=rng.sample(models, rng.randrange(3)),
                themes=rng.sample(themes, rng.randrange(3)),
                standards=rng.sample(standards, rng.randrange(3)),
                org_type=rng.choice(org_types),
            )
        )
    return cases


def ids(result: dict[str, list[Case]]) -> dict[str, list[str]]:
    return {k: [c.id for c in v] for k, v in result.items()}


@pytest.mark.parametrize(
    "seed, n, settings_",
    [
        (1, 250, {}),
        (2, 400, {"CAP": 12, "CANDIDATES": 6, "TERMS": 5}),  # common features and short vectors
        (3, 300, {"CAP": 3, "CANDIDATES": 40}),  # most cases complete their candidates
        (4, 300, {"BLOCK": 1 << 9, "_DENSE_CODES": 0}),  # many small blocks; df by sorting
        (5, 2, {}),
        (6, 1, {}),
    ],
)
def test_equals_the_plain_definition(monkeypatch, seed, n, settings_):
    for name, value in settings_.items():
        monkeypatch.setattr(related, name, value)
    cases = synthetic(seed, n)
    expected = ids(reference(cases))
    assert ids(related.related(cases)) == expected
    assert ids(related.related(cases, limit=2)) == {k: v[:2] for k, v in expected.items()}
    assert [k for k, _ in related.each(cases)] == [c.id for c in cases]


@pytest.mark.parametrize("seed, terms", [(7, 32), (8, 3)])
def test_vectors_are_the_definitions(monkeypatch, seed, terms):
    """Same bigrams, same order (equal weights in text order), the same floats."""
    monkeypatch.setattr(related, "TERMS", terms)
    cases = synthetic(seed, 300)
    v = related._vectors(related._texts(cases))
    found = [
        [(v.bigram(code), w) for code, w in zip(v.codes[i, :k].tolist(), v.weights[i, :k].tolist())]
        for i, k in enumerate(v.lengths.tolist())
    ]
    assert found == [list(vector.items()) for vector in reference_vectors(cases)]


def test_no_cases_and_no_text():
    assert related.related([]) == {}
    cases = [case(f"c{i}", themes=["创新创业"]) for i in range(3)]
    assert ids(related.related(cases)) == ids(reference(cases))


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(max_size=60), min_size=1, max_size=8))
def test_texts_are_the_definitions(bodies):
    """The texts normalised in bulk are normalise()'s, whatever the characters."""
    cases = [case(f"c{i}", body=body) for i, body in enumerate(bodies)]
    assert related._texts(cases) == [related._text(c) for c in cases]


def test_texts_of_awkward_characters(monkeypatch):
    monkeypatch.setattr(related, "BLOCK", 4)  # a block of a few cases each
    bodies = ["ＡＢＣ１２３", "ΟΔΟΣ ΟΔΟΣ.", "e\u0301", "\ud800x\udfff", "ﬁ_ﬂ", "½", "한\u1100\u1161", "", "İstanbul"]
    cases = [case(f"c{i}", body=body) for i, body in enumerate(bodies)]
    assert related._texts(cases) == [related._text(c) for c in cases]


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.one_of(
            st.floats(0, 50),
            st.integers(0, 50_000_000_000).map(lambda k: k / 1e9),
            st.integers(0, 50_000_000_000).map(lambda k: (k + 0.5) / 1e9),
        ),
        min_size=1,
    )
)
def test_scores_are_rounded_as_round_does(values):
    import numpy as np

    assert related._round9(np.array(values)).tolist() == [round(v, 9) for v in values]

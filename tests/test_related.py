"""Related cases: shared tags and text, deterministic, never the case itself, scales by index."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from caselib import related
from caselib.cases import Case, load_cases

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
    calls = []
    real_score = related.score
    monkeypatch.setattr(related, "score", lambda *a: calls.append(1) or real_score(*a))
    cases = [case(f"c{i:03d}", themes=["创新创业"], models=[f"模式{i // 3}"]) for i in range(300)]
    result = related.related(cases)
    assert len(calls) <= 300 * 5
    assert [o.id for o in result["c000"]][:2] == ["c001", "c002"]
    assert all(len(v) == 5 for v in result.values())


RELATED_DIGEST = """
import hashlib, json, sys
import os
import subprocess
import sys
from pathlib import Path
from caselib.cases import load_cases
from caselib.related import related
cases, _ = load_cases(Path(sys.argv[1]), Path(sys.argv[1]).parent)
result = {k: [c.id for c in v] for k, v in related(cases).items()}
print(hashlib.sha256(json.dumps(result, sort_keys=True).encode()).hexdigest())
"""


def test_related_cases_do_not_depend_on_the_string_hash_seed(tmp_path):
    """Two builds of one commit run with different hash seeds: related cases must not change."""
    corpus_dir = tmp_path / "cases"
    run = [sys.executable, "-m", "caselib", "corpus", "300", str(corpus_dir)]
    subprocess.run(run, check=True, capture_output=True, cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT / "scripts")})
    digests = set()
    for seed in ("1", "2", "3"):
        env = {**os.environ, "PYTHONHASHSEED": seed, "PYTHONPATH": str(ROOT / "scripts")}
        out = subprocess.run([sys.executable, "-c", RELATED_DIGEST, str(corpus_dir)], check=True,
                             capture_output=True, text=True, env=env)
        digests.add(out.stdout.strip())
    assert len(digests) == 1

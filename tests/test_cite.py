"""GB/T 7714-2015 references to a case's source: exact strings."""

from __future__ import annotations

from pathlib import Path

from caselib.model.cases import Case, load_cases
from caselib.site import cite

ROOT = Path(__file__).resolve().parent.parent


def case(**meta) -> Case:
    base = {
        "id": "2024-x",
        "title": "“四力”并提促党建",
        "institution": "西南石油大学",
        "unit": "创新创业中心党支部",
        "source": "人民网-中国共产党新闻网",
        "published": "2019-10-16",
    }
    return Case(path="cases/2024-x.md", meta={**base, **meta}, body="")


def test_reference_with_url_has_access_date_and_path():
    c = case(source_url="http://dangjian.people.com.cn/n1/2019/1016/c429005-31403569.html")
    assert cite.reference(c, "2026-11-23") == (
        "西南石油大学创新创业中心党支部. “四力”并提促党建[EB/OL]. 人民网-中国共产党新闻网, 2019-10-16[2026-11-23]. "
        "http://dangjian.people.com.cn/n1/2019/1016/c429005-31403569.html."
    )


def test_reference_without_url_has_no_access_date():
    assert cite.reference(case(), "2026-11-23") == (
        "西南石油大学创新创业中心党支部. “四力”并提促党建[EB/OL]. 人民网-中国共产党新闻网, 2019-10-16."
    )


def test_authors_come_first_and_more_than_three_end_with_deng():
    assert cite.reference(case(authors=["谢骏", "刘新朝"]), "2026-01-01").startswith("谢骏, 刘新朝. “四力”")
    four = case(authors=["甲", "乙", "丙", "丁"])
    assert cite.reference(four, "2026-01-01").startswith("甲, 乙, 丙, 等. “四力”")


def test_unknown_values_are_left_out():
    c = case(institution="未知", unit="未知", source="未知")
    assert cite.reference(c, "2026-01-01") == "“四力”并提促党建[EB/OL]. 2019-10-16."
    assert cite.responsible(case(unit="西南石油大学机关党委")) == "西南石油大学机关党委"


def test_section_escapes_text_and_marks_the_access_date():
    c = case(title="<script>alert(1)</script>", source_url="https://example.org/a?b=1&c=2")
    section = cite.section(c, "2026-11-23")
    assert "<script>" not in section and "&lt;script&gt;" in section
    assert '[<span class="cite-accessed">2026-11-23</span>]' in section
    assert "https://example.org/a?b=1&amp;c=2." in section
    assert section.startswith("\n## 引用本案例\n")


def test_real_cases_have_a_reference():
    cases, _ = load_cases(ROOT / "cases")
    by_id = {c.id: c for c in cases}
    assert cite.reference(by_id["2022-zjbti-sanhua-siling"], "2026-11-23") == (
        "谢骏, 刘新朝. 浙江工商职业技术学院“三化四领”党建统领整体“智治”[EB/OL]. 中国教育报, 2022-10-27."
    )

"""Page generation, tested without MkDocs: golden files and the shape of generated pages."""

from __future__ import annotations

import os
from pathlib import Path

from caselib.model.cases import load_cases, parse_case
from caselib.model.schema import dimensions
from caselib.model.tags import group_by_tag
from caselib.model.text import slug
from caselib.site import pages
from caselib.site.mdtext import FILL

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = Path(__file__).parent / "golden"


def real_cases():
    cases, problems = load_cases(ROOT / "cases")
    assert problems == []
    return cases


def dim(key):
    return next(d for d in dimensions() if d.key == key)


def test_model_index_page_matches_golden_file():
    model = dim("model")
    page = pages.tag_page(model, "四力", group_by_tag(real_cases(), model)["四力"])
    golden = GOLDEN / "models-四力.md"
    text = page.content.replace(FILL, page.html)  # the list of cases is put in after rendering
    if os.environ.get("CASELIB_REGEN"):
        golden.write_text(text, encoding="utf-8")
    assert page.path == "models/四力.md"
    assert page.content.count(FILL) == 1
    assert text == golden.read_text(encoding="utf-8")


def test_tag_pages_list_newest_first():
    theme = dim("theme")
    group = group_by_tag(real_cases(), theme)["党建与业务融合"]
    dates = [c.published for c in group]
    assert dates == sorted(dates, reverse=True) and len(group) == 5


def test_every_case_and_tag_gets_a_page():
    cases = real_cases()
    paths = {p.path for p in pages.site_pages(cases)}
    for case in cases:
        assert f"cases/{case.id}.md" in paths
    for d in dimensions():
        assert f"{d.path}/index.md" in paths
        for value in group_by_tag(cases, d):
            assert f"{d.path}/{slug(value)}.md" in paths


def test_unknown_values_are_not_tags():
    cases = real_cases()
    assert "未知" not in group_by_tag(cases, dim("institution"))
    overview = pages.dimension_page(dim("institution"), group_by_tag(cases, dim("institution")), len(cases))
    assert "另有 1 个案例未标明院校" in overview.content


def test_contributor_text_is_shown_as_text():
    text = open(ROOT / "tests/fixtures/valid/minimal.md", encoding="utf-8").read()
    text = text.replace("summary: 一个只有必填字段的案例。", 'summary: "[点我](javascript:alert(1)) <b>粗</b> *斜*"')
    case, problems = parse_case(text, "x.md")
    item = pages.case_list([case], "models/x.md")
    assert "<b>" not in item and 'href="javascript' not in item
    assert "[点我](javascript:alert(1)) &lt;b&gt;粗&lt;/b&gt; *斜*" in item


def test_gap_marks_are_highlighted_and_explained():
    case = next(c for c in real_cases() if c.id == "2019-swpu-sili")
    content = pages.case_page(case).content
    assert content.count('<span class="case-gap"') == 2
    assert "原文有 2 处缺失" in content


def test_field_guide_lists_every_field_and_allowed_value():
    content = pages.field_guide_page().content
    from caselib.model.schema import fields

    for spec in fields():
        assert f"`{spec.key}`" in content
    assert "师生混编党支部" in content and "黑龙江" in content


def test_synthetic_corpus_is_valid_and_deterministic(tmp_path):
    from caselib.bench.corpus import generate, unique_phrase
    from caselib.check.validate import check_library

    first = generate(30, ROOT / "cases", tmp_path / "a")
    second = generate(30, ROOT / "cases", tmp_path / "b")
    assert [p.read_bytes() for p in first] == [p.read_bytes() for p in second]
    cases, problems = load_cases(tmp_path / "a")
    assert problems == [] and check_library(cases) == []
    holders = [c.id for c in cases if unique_phrase(7) in c.body]
    assert holders == ["synthetic-00007"]


def test_a_glossary_entry_is_the_html_the_sites_markdown_makes_of_it():
    """definition() writes the note and the paragraph as HTML, put in after rendering: exactly
    what the site's Markdown makes of the same note written in Markdown (links written as HTML)."""
    from caselib.model import glossary
    from caselib.site import mdsettings
    from caselib.site.mdtext import md_text
    from caselib.site.urls import case_path, html_link, tag_path

    model = dim("model")
    cases = real_cases()
    entry = glossary.by_term()["四力"]
    group = group_by_tag(cases, model)["四力"]
    source = next(c for c in group if c.id == entry.case)
    path = tag_path(model, "四力")
    together = glossary.co_occurring("四力", group)
    assert together
    markdown = "\n".join(
        [
            '!!! abstract "“四力”指什么"',
            "",
            f"    **{md_text(entry.expansion)}**",
            "",
            f"    > {md_text(entry.quote)}",
            "",
            f"    —— 引自{html_link(source.title, path, case_path(source))}",
            "",
            "相关模式（同一案例中一起出现）："
            + "、".join(f"{html_link(m, path, tag_path(model, m))}（{n}）" for m, n in together)
            + "。",
        ]
    )
    made = mdsettings.renderer().convert(markdown)
    assert pages.definition(model, "四力", group, path) == made + "\n"

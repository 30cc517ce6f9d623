"""The all-cases page as text: every case listed once, facet data consistent and escaped."""

from __future__ import annotations

import json
import re
from pathlib import Path

from caselib.model.cases import Case, load_cases, newest_first
from caselib.search import searchindex
from caselib.site import browse

ROOT = Path(__file__).resolve().parent.parent


def facet_json(content: str) -> dict:
    match = re.search(r'<script type="application/json" id="case-facets">(.*?)</script>', content, re.S)
    return json.loads(match.group(1))


def test_every_case_is_listed_newest_first_with_matching_facet_rows():
    cases, _ = load_cases(ROOT / "cases")
    page = browse.all_cases_page(cases)
    assert page.path == "cases/index.md"
    hrefs = re.findall(r'<a class="case-item-title" href="([^"]+)/">', page.content)
    assert hrefs == [c.id for c in newest_first(cases)]
    data = facet_json(page.content)
    assert [row["id"] for row in data["cases"]] == hrefs
    keys = [f["key"] for f in data["facets"]]
    assert keys[:7] == ["province", "institution", "org_type", "model", "theme", "honour", "year"]
    model = keys.index("model")
    values = data["facets"][model]["values"]
    sili = data["cases"][hrefs.index("2019-swpu-sili")]
    assert sorted(values[i] for i in sili["f"][model]) == ["四力", "百校百企"]
    year = data["facets"][keys.index("year")]["values"]
    assert year == sorted(year, reverse=True)


def test_the_all_cases_list_is_not_a_search_result(cases, tmp_path):
    """Search finds cases on their own pages, never the list of all of them."""
    searchindex.build(cases, tmp_path)
    urls = searchindex.indexed_urls(tmp_path)
    assert "cases/" not in urls and len(urls) == len(cases)


def test_contributor_text_cannot_close_the_script_or_inject_html():
    evil = "</script><script>alert(1)</script>&<b>"
    c = Case(
        path="x",
        meta={
            "id": "x",
            "title": evil,
            "institution": evil,
            "models": [evil],
            "published": "2020-01-01",
            "summary": evil,
        },
        body="",
    )
    content = browse.all_cases_page([c]).content
    assert "<script>alert" not in content
    assert content.count("</script>") == 1
    data = facet_json(content)
    assert evil in data["facets"][[f["key"] for f in data["facets"]].index("model")]["values"]


def test_script_json_escapes():
    assert browse.script_json({"a": "</script>&\u2028"}) == '{"a":"\\u003c/script\\u003e\\u0026\\u2028"}'


def test_tag_pages_link_to_the_filtered_all_cases_list():
    from caselib.model.schema import dimensions
    from caselib.site import pages

    cases, _ = load_cases(ROOT / "cases")
    model = next(d for d in dimensions() if d.key == "model")
    page = pages.tag_page(model, "1+8+N", cases[:1])  # HTML put in after rendering: MkDocs' URL
    assert '<a href="../../cases/?model=1%2B8%2BN">在全部案例中筛选</a>' in page.html

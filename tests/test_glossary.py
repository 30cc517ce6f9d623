"""模式词典: definitions quoted from their cases, checked, shown on index pages and linked."""

from __future__ import annotations

import urllib.parse

from caselib import glossary

BAD = """\
- term: 四力
  expansion: 政治领导力、思想引领力、群众组织力、社会号召力
  quote: 这句话不在正文里。
  case: 2019-swpu-sili
- term: 四力
  expansion: ""
  quote: 通过旗帜鲜明讲政治
  case: 2019-swpu-sili
- term: 四 力
  expansion: 政治领导力
  quote: 通过旗帜鲜明讲政治
  case: 2019-swpu-sili
"""


def test_every_entry_quotes_the_body_of_its_case(cases):
    assert glossary.check(cases) == []
    assert {e.term for e in glossary.shown(cases)} >= {"四力", "三化四领", "七个有力"}


def test_bad_entries_get_exact_messages(cases):
    items = glossary.parse(BAD)
    messages = [str(p) for p in glossary.check(cases, items, "g.yml")]
    assert messages == [
        "g.yml:1: quote: 引文不在案例“2019-swpu-sili”的正文中：请从正文逐字复制一句（含标点）",
        "g.yml:5: expansion: 词条“四力”缺少 expansion（每个词条都要写 term、expansion、quote、case）",
        "g.yml:5: term: 词条“四力”重复，每个模式只写一条",
        "g.yml:9: term: “四 力”不是案例“2019-swpu-sili”的模式（models）或对标要求（standards）之一：词条名要与该案例中的写法完全一致",
    ]


def test_co_occurring_models_never_include_the_term(cases):
    together = dict(glossary.co_occurring("四力", cases))
    assert "四力" not in together and together == {"百校百企": 1}


def test_model_page_shows_the_definition_with_its_source(page, site_url):
    page.goto(site_url + "/models/" + urllib.parse.quote("四力") + "/")
    box = page.locator(".admonition").first
    assert "政治领导力、思想引领力、群众组织力、社会号召力" in box.inner_text()
    link = box.locator("a")
    assert link.count() == 1
    link.click()
    page.wait_for_url("**/cases/2019-swpu-sili/")
    assert "提升社会号召力" in page.locator("article").inner_text()


def test_standard_page_shows_its_definition(page, site_url):
    page.goto(site_url + "/standards/" + urllib.parse.quote("七个有力") + "/")
    assert "教育党员、管理党员、监督党员" in page.locator(".admonition").first.inner_text()


def test_glossary_page_links_every_term_to_a_page_that_exists(cases, page, site_url):
    page.goto(site_url + "/glossary/")
    links = page.locator("article li a")
    assert links.count() == len(glossary.shown(cases))
    headings = page.locator("article h2").all_inner_texts()
    assert [h.strip("¶ ") for h in headings] == ["模式", "对标要求"]
    assert "四力（1 个案例）" in page.locator("article").inner_text()
    for href in links.evaluate_all("els => els.map(e => e.href)"):
        response = page.request.get(href)
        assert response.status == 200, href

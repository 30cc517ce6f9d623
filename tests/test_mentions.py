"""Mentions of 模式词典 terms in case text link to the term's page, with a tooltip."""

from __future__ import annotations

import html
import re
import urllib.parse

from caselib.model import glossary
from caselib.site import mentions
from caselib.site.mentions import Target, link_mentions

SILI = Target("四力", "models/四力.md", "四力：政治领导力、思想引领力、群众组织力、社会号召力")
SANHUA = Target("三化四领", "models/三化四领.md", "三化四领：三化……")
PLUS = Target("1+8+N", "models/1+8+N.md", '1+8+N：一个 "党委" <统筹>')
PIPI = Target("两张皮", "glossary/index.md", "两张皮：党建与业务相互脱节", "两张皮")
ALL = [SILI, SANHUA, PLUS]
FROM = "cases/x.md"


def links(html: str) -> list[tuple[str, str, str]]:
    return re.findall(r'<a class="caselib-term" href="([^"]*)" title="([^"]*)">([^<]*)</a>', html)


def test_first_mention_in_prose_becomes_a_link_with_a_tooltip():
    out = link_mentions("<p>提升四力，再谈四力。</p>", FROM, ALL)
    assert out == (
        '<p>提升<a class="caselib-term" href="../../models/%E5%9B%9B%E5%8A%9B/" '
        'title="四力：政治领导力、思想引领力、群众组织力、社会号召力">四力</a>，再谈四力。</p>'
    )


def test_each_term_is_linked_once_per_page_across_paragraphs():
    out = link_mentions("<p>四力</p><ul><li>三化四领与四力</li></ul><p>三化四领</p>", FROM, ALL)
    assert [text for _, _, text in links(out)] == ["四力", "三化四领"]


def test_no_mention_leaves_the_page_unchanged():
    page = '<p>没有术语。</p><p class="x">1+8</p>'
    assert link_mentions(page, FROM, ALL) is page


def test_text_in_links_code_headings_card_admonitions_and_footer_is_left_alone():
    skipped = (
        '<h2 id="四力">四力</h2><p><a href="../y/">四力案例</a> <code>四力</code></p>'
        '<div class="case-card"><p class="case-summary">四力</p></div>'
        '<div class="admonition warning"><p>四力</p></div>'
        '<p class="case-cite">四力</p><div class="case-related"><ul><li>四力</li></ul></div>'
        "<pre><code>四力</code></pre>"
    )
    assert links(link_mentions(skipped, FROM, ALL)) == []
    out = link_mentions(skipped + "<p>正文里的四力</p>", FROM, ALL)
    assert [text for _, _, text in links(out)] == ["四力"]
    assert out.startswith(skipped)


def test_skipping_ends_with_the_element_and_void_tags_do_not_unbalance_it():
    out = link_mentions(
        '<div class="case-card"><p>四力<br>x</p><img src="a.png" alt="四力"></div><p>四力</p>', FROM, ALL
    )
    assert out.endswith(
        '<p><a class="caselib-term" href="../../models/%E5%9B%9B%E5%8A%9B/" '
        'title="四力：政治领导力、思想引领力、群众组织力、社会号召力">四力</a></p>'
    )
    assert 'alt="四力"' in out


def test_longer_term_wins_and_text_is_escaped_in_href_and_title():
    out = link_mentions("<p>“1+8+N”一体化，构建“三化四领”</p>", FROM, ALL)
    assert links(out) == [
        ("../../models/1%2B8%2BN/", "1+8+N：一个 &quot;党委&quot; &lt;统筹&gt;", "1+8+N"),
        ("../../models/%E4%B8%89%E5%8C%96%E5%9B%9B%E9%A2%86/", "三化四领：三化……", "三化四领"),
    ]


def test_attribute_values_are_never_rewritten():
    page = '<p title="四力">x</p><p>四力</p>'
    out = link_mentions(page, FROM, ALL)
    assert out.startswith('<p title="四力">x</p><p><a class="caselib-term"')


def test_targets_are_the_shown_glossary_terms_with_their_index_pages(cases):
    found = {t.term: t for t in mentions.targets(cases)}
    assert set(found) == {e.term for e in glossary.shown(cases)}
    assert found["四力"].path == "models/四力.md"
    assert found["七个有力"].path == "standards/七个有力.md"
    assert found["四力"].tooltip == "四力：政治领导力、思想引领力、群众组织力、社会号召力"
    assert found["四力"].anchor == ""
    assert (found["两张皮"].path, found["两张皮"].anchor) == ("glossary/index.md", "两张皮")
    assert found["党建+"].anchor == "党建+"


def test_a_saying_links_to_its_heading_on_the_glossary_page_and_keeps_the_rules():
    """A saying (`kind: 说法`) links like the other terms: first mention only, longest term first."""
    page = "<p>化解党建业务“两张皮”问题，“四力”并提；再说两张皮。</p>"
    out = link_mentions(page, FROM, [*ALL, PIPI, Target("两张", "glossary/index.md", "两张：x", "两张")])
    assert links(out) == [
        ("../../glossary/#%E4%B8%A4%E5%BC%A0%E7%9A%AE", "两张皮：党建与业务相互脱节", "两张皮"),
        ("../../models/%E5%9B%9B%E5%8A%9B/", "四力：政治领导力、思想引领力、群众组织力、社会号召力", "四力"),
    ]
    assert out.endswith("；再说两张皮。</p>")


def _hover_and_follow(page, url, term, tooltip_text, target_glob):
    """On the case page at `url`: the one mention of `term` shows `tooltip_text` on hover, and a
    click leads to `target_glob`."""
    page.goto(url)
    mention = page.locator("article a.caselib-term", has_text=term)
    assert mention.count() == 1
    mention.hover()
    tooltip = page.locator(".md-tooltip2, .md-tooltip").filter(has_text=tooltip_text)
    tooltip.first.wait_for(state="visible", timeout=5000)
    mention.click()
    page.wait_for_url(target_glob)


def test_case_page_mention_opens_the_definition_and_shows_a_tooltip(page, site_url):
    _hover_and_follow(
        page,
        site_url + "/cases/2023-hnde-qigeyouli/",
        "三亮三比",
        "亮身份、亮职责、亮承诺",
        "**/models/" + urllib.parse.quote("三亮三比") + "/",
    )
    assert "亮身份、亮职责、亮承诺" in page.locator(".admonition").first.inner_text()


def test_every_mention_link_in_the_built_site_resolves_to_a_definition(built_site):
    found, sayings = 0, 0
    for html_file in sorted((built_site / "cases").glob("*/index.html")):
        for href, title, text in links(html_file.read_text(encoding="utf-8")):
            path, _, anchor = urllib.parse.unquote(href).partition("#")
            target = (html_file.parent / path / "index.html").resolve()
            assert target.is_file(), (html_file, href)
            if anchor:  # a saying: its heading in the 常用说法 section of the glossary page
                defined = target.read_text(encoding="utf-8")
                assert target.parent.name == "glossary"
                heading = re.search(f'<h3 id="{re.escape(html.escape(anchor))}"[^>]*>(.*?)</h3>', defined)
                assert heading and heading.group(1).startswith(text), (html_file, href)
                assert defined.index('<h2 id="常用说法"') < heading.start()
                sayings += 1
            else:
                assert "“" + text + "”指什么" in target.read_text(encoding="utf-8")
            assert title.startswith(text + "：")
            found += 1
    assert found >= 15 and sayings >= 8


def test_case_page_saying_opens_its_glossary_section(page, site_url):
    """两张皮 in a case's text: a tooltip, and a click lands on its entry under 常用说法."""
    _hover_and_follow(
        page,
        site_url + "/cases/2022-zjbti-sanhua-siling/",
        "两张皮",
        "党建工作与业务工作相互脱节",
        "**/glossary/#" + urllib.parse.quote("两张皮"),
    )
    heading = page.locator("article h3", has_text="两张皮")
    assert heading.get_attribute("id") == "两张皮"
    assert heading.is_visible()
    assert "着力解决党建与业务工作“两张皮”的问题" in page.locator("article").inner_text()

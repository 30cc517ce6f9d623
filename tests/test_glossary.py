"""模式词典: definitions quoted from their cases, checked, shown on index pages and linked."""

from __future__ import annotations

import html
import urllib.parse

from caselib.model import glossary

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


def test_every_model_and_standard_of_the_library_is_defined(cases):
    used = {v for c in cases for key in ("models", "standards") for v in c.values(key)}
    defined = {e.term for e in glossary.shown(cases) if not e.saying}
    assert sorted(used - defined) == []


def test_sayings_are_terms_several_cases_use(cases):
    """常用说法 (`kind: 说法`): each is named in the body of at least two cases and in its quote."""
    sayings = {e.term: e for e in glossary.sayings(cases)}
    assert {"两张皮", "立德树人", "双创"} <= set(sayings)
    for term, entry in sayings.items():
        assert term in entry.quote
        assert len(glossary.mentioned_in(term, cases)) >= 2, term


SAYINGS = """- term: 两张皮
  kind: 说法
  expansion: 党建与业务相互脱节
  quote: 这句话不在正文里，虽然提到两张皮。
  case: 2019-swpu-sili
- term: 一盘棋
  kind: 说法
  expansion: 统一部署
  quote: 通过旗帜鲜明讲政治,提升政治领导力
  case: 2019-swpu-sili
- term: 四力
  kind: 说法
  expansion: 四种能力
  quote: 社会号召力“四力”系统提升
  case: 2019-swpu-sili
- term: 两学一做
  kind: 术语
  expansion: 学党章党规、学系列讲话，做合格党员
  quote: 以“三会一课”、“两学一做”为载体
  case: 2019-swpu-sili
"""


def test_a_saying_whose_quote_is_not_in_the_case_fails(cases):
    items = glossary.parse(SAYINGS)
    assert [e.saying for e in items] == [True, True, True, False]
    messages = [str(p) for p in glossary.check(cases, items[:1], "g.yml")]
    assert messages == ["g.yml:1: quote: 引文不在案例“2019-swpu-sili”的正文中：请从正文逐字复制一句（含标点） [CL096]"]


def test_a_saying_must_be_in_its_quote_and_be_no_model_or_standard(cases):
    messages = [str(p) for p in glossary.check(cases, glossary.parse(SAYINGS)[1:], "g.yml")]
    assert messages == [
        "g.yml:6: quote: 引文中没有“一盘棋”：常用说法的引文要包含这个词，写法完全一致 [CL100]",
        "g.yml:11: kind: “四力”是案例的模式（models）或对标要求（standards）：请删去 kind: 说法，释义会显示在它的索引页上 [CL101]",
        "g.yml:16: kind: “术语”不是可用的类别：常用说法写 kind: 说法；案例的模式或对标要求不写 kind [CL099]",
    ]


def test_bad_entries_get_exact_messages(cases):
    items = glossary.parse(BAD)
    messages = [str(p) for p in glossary.check(cases, items, "g.yml")]
    assert messages == [
        "g.yml:1: quote: 引文不在案例“2019-swpu-sili”的正文中：请从正文逐字复制一句（含标点） [CL096]",
        "g.yml:5: expansion: 词条“四力”缺少 expansion（每个词条都要写 term、expansion、quote、case） [CL091]",
        "g.yml:5: term: 词条“四力”重复，每个模式只写一条 [CL095]",
        "g.yml:9: term: “四 力”不是案例“2019-swpu-sili”的模式（models）或对标要求（standards）之一："
        "词条名要与该案例中的写法完全一致；若是正文中的常用说法，请加一行 kind: 说法 [CL097]",
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
    assert links.count() == len(glossary.shown(cases)) - len(glossary.sayings(cases))
    headings = page.locator("article h2").all_inner_texts()
    assert [h.strip("¶ ") for h in headings] == ["模式", "对标要求", "常用说法"]
    assert "四力（1 个案例）" in page.locator("article").inner_text()
    for href in links.evaluate_all("els => els.map(e => e.href)"):
        response = page.request.get(href)
        assert response.status == 200, href


def test_a_malformed_glossary_is_a_message_with_its_line(cases, tmp_path):
    """The build and `check` read glossary.yml: a broken one is `path:line` in Chinese, never a traceback."""
    broken = {
        "- term: 四力\n  expansion: [未闭合\n": "g.yml:2: 词典: YAML 格式错误：方括号列表没有写完整",
        "term: 四力\n": "g.yml:1: 词典: 词典应是词条的列表，每条以“- term:”开头",
        "- 四力\n": "g.yml:1: 词典: 每个词条应写成 term、expansion、quote、case 四项（常用说法另加 kind: 说法，见文件开头的说明）",
        "- term: 四力\n  expansion: [a, b]\n": "g.yml:2: 词典: 每一项只能是一段文字（不能是列表、嵌套或 & * 别名）",
        "- term: &t 四力\n  expansion: *t\n": "g.yml:2: 词典: 每一项只能是一段文字（不能是列表、嵌套或 & * 别名）",
        "- term: 四力\n  note: x\n": "g.yml:2: 词典: 不认识“note”（允许：term、expansion、quote、case、kind）",
    }
    for text, expected in broken.items():
        path = tmp_path / "g.yml"
        path.write_text(text, encoding="utf-8")
        items, problems = glossary.load(path, "g.yml")
        assert items == [] and len(problems) == 1 and str(problems[0]).startswith(expected), (text, problems)
        assert str(problems[0]).endswith(" [CL090]")


def test_an_expansion_is_plain_text(cases):
    """The expansion becomes the tooltip of every linked mention: no markup, nothing invisible."""
    items = glossary.parse(
        "- term: 四力\n  expansion: <img src=x onerror=alert(1)>\n"
        "  quote: 通过旗帜鲜明讲政治\n  case: 2019-swpu-sili\n"
        '- term: 三化四领\n  expansion: "政治\\u202e统领"\n'
        "  quote: 党建的政治统领\n  case: 2022-zjbti-sanhua-siling\n"
    )
    assert [str(p) for p in glossary.check(cases, items, "g.yml")] == [
        "g.yml:1: expansion: 不能包含 < 或 >：释义显示为鼠标停留时的提示，只能是纯文字（要写书名号请用《》） [CL094]",
        "g.yml:5: expansion: 含有看不见的字符 U+202E（RIGHT-TO-LEFT OVERRIDE）：请删掉 [CL093]",
    ]


def test_glossary_limits_have_codes(cases):
    items = glossary.parse(
        "- term: 四力\n  expansion: " + "长" * 201 + "\n  quote: 通过旗帜鲜明讲政治\n  case: 2019-swpu-sili\n"
    )
    assert [str(p) for p in glossary.check(cases, items, "g.yml")] == [
        "g.yml:1: expansion: 太长：201 字，最多 200 字 [CL092]"
    ]


def test_every_saying_is_shown_in_its_section_with_quote_and_source(cases, built_site):
    """The 常用说法 section of the built glossary page: one heading per saying, in the section,
    with its expansion, its quote and a link to the case it is quoted from."""
    from caselib.site.pages import saying_anchor

    page_html = (built_site / "glossary" / "index.html").read_text(encoding="utf-8")
    section = page_html[page_html.index('<h2 id="常用说法"') :]
    section = section[: section.index("</article>")] if "</article>" in section else section
    sayings = glossary.sayings(cases)
    assert len(sayings) >= 5
    for entry in sayings:
        anchor = html.escape(saying_anchor(entry.term))
        start = section.index(f'<h3 id="{anchor}"')
        block = section[start:]
        block = block[: block.index("<h3", 1)] if "<h3" in block[1:] else block
        assert html.escape(entry.term, quote=False) in block
        assert html.escape(entry.expansion, quote=False) in block
        assert html.escape(entry.quote, quote=False) in block
        assert f'href="../cases/{entry.case}/"' in block, entry.term
    assert section.count("<h3 ") == len(sayings)

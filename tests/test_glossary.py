"""模式词典: definitions quoted from their cases, checked, shown on index pages and linked."""

from __future__ import annotations

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
    defined = {e.term for e in glossary.shown(cases)}
    assert sorted(used - defined) == []


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


def test_a_malformed_glossary_is_a_message_with_its_line(cases, tmp_path):
    """The build and `check` read glossary.yml: a broken one is `path:line` in Chinese, never a traceback."""
    broken = {
        "- term: 四力\n  expansion: [未闭合\n": "g.yml:2: 词典: YAML 格式错误：方括号列表没有写完整",
        "term: 四力\n": "g.yml:1: 词典: 词典应是词条的列表，每条以“- term:”开头",
        "- 四力\n": "g.yml:1: 词典: 每个词条应写成 term、expansion、quote、case 四项（见文件开头的说明）",
        "- term: 四力\n  expansion: [a, b]\n": "g.yml:2: 词典: 每一项只能是一段文字（不能是列表、嵌套或 & * 别名）",
        "- term: &t 四力\n  expansion: *t\n": "g.yml:2: 词典: 每一项只能是一段文字（不能是列表、嵌套或 & * 别名）",
        "- term: 四力\n  note: x\n": "g.yml:2: 词典: 不认识“note”（允许：term、expansion、quote、case）",
    }
    for text, expected in broken.items():
        path = tmp_path / "g.yml"
        path.write_text(text, encoding="utf-8")
        items, problems = glossary.load(path, "g.yml")
        assert items == [] and len(problems) == 1 and str(problems[0]).startswith(expected), (text, problems)


def test_an_expansion_is_plain_text(cases):
    """The expansion becomes the tooltip of every linked mention: no markup, nothing invisible."""
    items = glossary.parse(
        "- term: 四力\n  expansion: <img src=x onerror=alert(1)>\n"
        "  quote: 通过旗帜鲜明讲政治\n  case: 2019-swpu-sili\n"
        '- term: 三化四领\n  expansion: "政治\\u202e统领"\n'
        "  quote: 党建的政治统领\n  case: 2022-zjbti-sanhua-siling\n"
    )
    assert [str(p) for p in glossary.check(cases, items, "g.yml")] == [
        "g.yml:1: expansion: 不能包含 < 或 >：释义显示为鼠标停留时的提示，只能是纯文字（要写书名号请用《》）",
        "g.yml:5: expansion: 含有看不见的字符 U+202E（RIGHT-TO-LEFT OVERRIDE）：请删掉",
    ]

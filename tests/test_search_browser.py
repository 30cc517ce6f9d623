"""Search in Debian's Chromium, on /cases/ (the one place to search and filter): the whole query
set in one page (each query through the header box and the page's keyword box), a few queries
through real /cases/?q= loads, the old /search/?q= forwarding there, header-box submissions;
exact result sets and counts, ranking as the Python engine, highlights and passages; typing
through an input method; the same results without DecompressionStream; the JS normaliser
agreeing with the Python one."""

from __future__ import annotations

import random
import re
import shutil
import urllib.parse
from pathlib import Path

import pytest
import yaml

from caselib.search import searchindex
from caselib.search.searchnorm import normalize, t2s_map

QUERIES = yaml.safe_load((Path(__file__).parent / "search_queries.yml").read_text(encoding="utf-8"))
BROWSER = "#case-browser"


def _done(page, query):
    page.wait_for_function(
        "q => { const b = document.getElementById('case-browser');"
        " return b.dataset.state === 'done' && b.dataset.query === q; }",
        arg=query,
        timeout=15000,
    )


def _results(page, query):
    _done(page, query)
    hrefs = page.eval_on_selector_all("#case-list .case-item-title", "els => els.map(e => e.href)")
    return [re.search(r"/cases/([^/]+)/$", h).group(1) for h in hrefs], page.inner_text("#case-status")


def _check(found, status, q, built_site):
    assert sorted(found) == sorted(q["expect"])
    assert len(found) == len(set(found))
    ranked = [u.split("/")[1] for u in searchindex.search(built_site, q["query"])]
    assert found == ranked  # same order as the Python engine (searchindex.rank)
    if q["expect"]:
        assert status == f"共找到 {len(q['expect'])} 个案例"
    else:
        assert status == "没有找到符合条件的案例"


def _url_q(url):
    return urllib.parse.parse_qs(urllib.parse.urlparse(url).query).get("q")


# Typed into the /cases/ keyword box the way a reader's committed typing reaches the script: the
# value set, then the "input" event. The search marks the page "loading" synchronously inside that
# event, so the "done" with this query that _results then waits for belongs to this query.
_TYPE_QUERY = """q => {
  const input = document.getElementById("case-q");
  input.value = q;
  input.dispatchEvent(new Event("input", {bubbles: true}));
  return document.getElementById("case-browser").dataset.state;
}"""

# The header form's submission recorded instead of followed: the URL the browser would load.
_HOLD_HEADER_FORM = """() => {
  window.headerSubmits = [];
  const form = document.querySelector("form.caselib-header-search");
  form.addEventListener("submit", e => {
    e.preventDefault();
    const url = new URL(form.action);
    url.search = new URLSearchParams(new FormData(form)).toString();
    window.headerSubmits.push(url.href);
  });
}"""


def _every_query(page, site_url, built_site):
    page.goto(site_url + "/cases/")
    page.wait_for_selector("#case-browser[data-state=done]")
    page.evaluate(_HOLD_HEADER_FORM)
    header = page.locator("input.caselib-header-search__input")
    failures = []
    for n, q in enumerate(QUERIES):
        try:
            header.fill("")
            header.type(q["query"])
            header.press("Enter")
            submitted = page.evaluate("() => window.headerSubmits")
            assert len(submitted) == n + 1, "the header box did not submit"
            assert urllib.parse.urlparse(submitted[-1]).path == "/cases/"
            assert _url_q(submitted[-1]) == [q["query"]]
            assert page.evaluate(_TYPE_QUERY, q["query"]) == "loading"
            found, status = _results(page, q["query"])
            _check(found, status, q, built_site)
            assert _url_q(page.url) == [q["query"]]
        except AssertionError as e:
            failures.append(f"{q['query']!r}: {e}")
    assert urllib.parse.urlparse(page.url).path == "/cases/"  # never left the page
    assert not failures, "\n".join(failures)


def test_every_query_in_one_cases_page(page, site_url, built_site):
    """The whole query set in one /cases/ page (issue 17: one navigation, not one per query).
    For each query: the header box submits the query to /cases/?q=, and the query typed into the
    page's box gives the exact result set, ranking and status, and is written to the URL."""
    _every_query(page, site_url, built_site)


def test_every_query_without_decompression_stream(browser, site_url, built_site):
    """Issue 19: Safari before 16.4 and older WebViews have no DecompressionStream: the vendored
    fflate is loaded instead and every query gives the same results, in the same order."""
    context = browser.new_context(locale="zh-CN")
    context.add_init_script("delete window.DecompressionStream")
    page = context.new_page()
    requested = []
    page.on("request", lambda r: requested.append(r.url))
    try:
        assert page.evaluate("typeof DecompressionStream") == "undefined"
        _every_query(page, site_url, built_site)
        assert page.evaluate("typeof DecompressionStream") == "undefined"
        assert [u for u in requested if "fflate" in u] == [site_url + "/assets/javascripts/vendor/fflate-0.8.2.min.js"]
    finally:
        context.close()


def test_modern_browser_does_not_load_fflate(page, site_url):
    requested = []
    page.on("request", lambda r: requested.append(r.url))
    page.goto(site_url + "/cases/?q=" + urllib.parse.quote("两张皮"))
    _results(page, "两张皮")
    assert not [u for u in requested if "fflate" in u]


# The URL entry paths, each a page load: queries whose URL encoding could go wrong (+, a space,
# full-width, traditional, quotation marks) and one that finds nothing.
ENTRY = ["1+8+N", "１＋８＋Ｎ", "党建 双创", "黨建合作社", "融为“一盘棋”", "学生党支部"]
ENTRY_QUERIES = [next(q for q in QUERIES if q["query"] == e) for e in ENTRY]  # expectations from the YAML


@pytest.mark.parametrize("q", ENTRY_QUERIES, ids=ENTRY)
def test_cases_page_url(page, site_url, built_site, q):
    page.goto(site_url + "/cases/?q=" + urllib.parse.quote(q["query"]))
    found, status = _results(page, q["query"])
    _check(found, status, q, built_site)
    assert page.input_value("#case-q") == q["query"]


@pytest.mark.parametrize("q", ENTRY_QUERIES[:3], ids=ENTRY[:3])
def test_old_search_url_leads_to_the_same_results(page, site_url, built_site, q):
    page.goto(site_url + "/search/?q=" + urllib.parse.quote(q["query"]))
    page.wait_for_url(lambda url: urllib.parse.urlparse(url).path == "/cases/", timeout=15000)
    assert _url_q(page.url) == [q["query"]]
    found, status = _results(page, q["query"])
    _check(found, status, q, built_site)


def test_header_search_box(page, site_url, built_site):
    """The header box really submitted (+, full-width, a space), from a case page and then from the
    results page it leads to."""
    page.goto(site_url + "/cases/2019-swpu-sili/")
    for q in ENTRY_QUERIES[:3]:
        box = page.locator("input.caselib-header-search__input")
        box.fill("")
        box.click()
        box.type(q["query"])
        box.press("Enter")
        page.wait_for_url(lambda url, wanted=q["query"]: _url_q(url) == [wanted], timeout=15000)
        found, status = _results(page, q["query"])
        _check(found, status, q, built_site)
        assert urllib.parse.urlparse(page.url).path == "/cases/"
        assert page.locator("#case-q").input_value() == q["query"]  # the page's own box shows it


def test_typing_on_cases_page_updates_results_and_url(page, site_url):
    page.goto(site_url + "/cases/")
    page.wait_for_selector("#case-browser[data-state=done]")
    box = page.locator("#case-q")
    box.type("双带")
    box.type("头人")
    found, status = _results(page, "双带头人")
    assert sorted(found) == ["2021-swpu-shisheng-hunbian", "2022-zjbti-sanhua-siling", "2023-hnde-qigeyouli"]
    assert "q=" + urllib.parse.quote("双带头人") in page.url
    box.fill("两张皮 合作社")
    found, _ = _results(page, "两张皮 合作社")
    assert found == ["2021-hlj-dangjian-hezuoshe"]
    box.fill("")
    _done(page, "")
    assert len(page.locator("#case-list > li").all()) == 5  # no keywords: every case again
    assert _url_q(page.url) is None
    box.fill("两张皮 合作社")
    _results(page, "两张皮 合作社")
    page.locator("#case-list .case-item-title").first.click()
    page.wait_for_url(re.compile(r"/cases/2021-hlj-dangjian-hezuoshe/$"))


# A pinyin input method as Chromium reports it: compositionstart, input events whose isComposing
# is true while the letters are shown in the box, then the characters chosen and compositionend.
_COMPOSE = """async ([letters, chosen]) => {
  const input = document.getElementById("case-q");
  const browser = document.getElementById("case-browser");
  input.focus();
  input.dispatchEvent(new CompositionEvent("compositionstart", {data: ""}));
  for (let i = 1; i <= letters.length; i++) {
    input.value = letters.slice(0, i);
    input.dispatchEvent(new CompositionEvent("compositionupdate", {data: input.value}));
    input.dispatchEvent(new InputEvent("input", {bubbles: true, isComposing: true, data: input.value,
                                                 inputType: "insertCompositionText"}));
  }
  await new Promise(r => setTimeout(r, 300));
  const during = {runs: browser.dataset.runs || "0", url: location.href, state: browser.dataset.state};
  input.value = chosen;
  input.dispatchEvent(new InputEvent("input", {bubbles: true, isComposing: true, data: chosen,
                                               inputType: "insertCompositionText"}));
  input.dispatchEvent(new CompositionEvent("compositionend", {data: chosen}));
  /* Chromium sends no input event after compositionend, Safari sends one: both must search once */
  input.dispatchEvent(new InputEvent("input", {bubbles: true, isComposing: false, data: chosen,
                                               inputType: "insertText"}));
  return during;
}"""


def test_no_search_while_an_input_method_composes(page, site_url):
    """Issue 19: typing "liangzhang" through a pinyin input method runs no search and leaves the
    URL alone; committing 两张 runs exactly one search."""
    page.goto(site_url + "/cases/")
    page.wait_for_selector("#case-browser[data-state=done]")
    before = page.url
    during = page.evaluate(_COMPOSE, ["liangzhang", "两张"])
    assert during == {"runs": "0", "url": before, "state": "done"}
    found, _ = _results(page, "两张")
    assert page.get_attribute(BROWSER, "data-runs") == "1"
    assert _url_q(page.url) == ["两张"]
    assert sorted(found) == sorted(next(q for q in QUERIES if q["query"] == "两张皮")["expect"])
    # a second word composed after a space: still no search until it is committed
    page.evaluate(
        """() => { const i = document.getElementById("case-q"); i.value = "两张 "; i.dispatchEvent(new Event("input", {bubbles: true})); }"""
    )
    _done(page, "两张 ")
    runs = page.get_attribute(BROWSER, "data-runs")
    page.evaluate(
        """async () => {
          const i = document.getElementById("case-q");
          i.dispatchEvent(new CompositionEvent("compositionstart", {data: ""}));
          for (const v of ["两张 h", "两张 he", "两张 hez", "两张 hezuo"]) {
            i.value = v;
            i.dispatchEvent(new InputEvent("input", {bubbles: true, isComposing: true}));
          }
          await new Promise(r => setTimeout(r, 300));
        }"""
    )
    assert page.get_attribute(BROWSER, "data-runs") == runs
    assert _url_q(page.url) == ["两张 "]


def test_keywords_and_facets_together(page, site_url, built_site):
    """/cases/?q=…&province=… shows exactly the cases matching both; ticking a facet keeps the
    keywords; facet counts are counted among the cases with the keywords."""
    page.goto(site_url + "/cases/?" + urllib.parse.urlencode([("q", "两张皮"), ("province", "四川")]))
    found, status = _results(page, "两张皮")
    assert found == ["2019-swpu-sili", "2021-swpu-shisheng-hunbian"]
    assert status == "共找到 2 个案例"
    counts = page.eval_on_selector_all(
        "details[data-facet=province] label.case-facet-value", "els => els.map(e => e.textContent.trim())"
    )
    assert counts == ["四川 (2)", "浙江 (1)", "湖南 (0)", "黑龙江 (1)"]
    page.locator("details[data-facet=province] label.case-facet-value", has_text="浙江").locator("input").check()
    found, _ = _results(page, "两张皮")
    assert found == ["2019-swpu-sili", "2022-zjbti-sanhua-siling", "2021-swpu-shisheng-hunbian"]
    assert urllib.parse.parse_qs(urllib.parse.urlparse(page.url).query) == {
        "q": ["两张皮"],
        "province": ["四川", "浙江"],
    }
    assert (
        page.locator("details[data-facet=province] label.case-facet-value", has_text="湖南")
        .locator("input")
        .is_disabled()
    )


def test_result_shows_highlighted_passage_of_the_body(page, site_url, cases):
    page.goto(site_url + "/cases/?q=" + urllib.parse.quote("雙帶頭人"))
    _results(page, "雙帶頭人")
    items = page.locator("#case-list > li")
    assert items.count() == 3
    for i in range(3):
        item = items.nth(i)
        assert re.search(r"· \d{4}-\d{2}-\d{2}$", item.locator(".case-meta").inner_text())
        item.locator(".case-item-snippet").wait_for()
        marks = item.locator(".case-item-snippet mark").all_inner_texts()
        assert marks and all(normalize(m) == "双带头人" for m in marks)
    page.goto(site_url + "/cases/?q=" + urllib.parse.quote("两张皮"))
    _results(page, "两张皮")
    first = page.locator("#case-list > li").first
    assert first.locator(".case-item-title mark").all_inner_texts() == ["两张皮"]
    assert not page.locator("button.case-list-more").is_visible()  # all 4 results shown: no "more"
    # a hit in the metadata only: the passage is the body's start, never a list of metadata
    bodies = {c.id: normalize(searchindex.plain_body(c.body)) for c in cases}
    meta_only = next(
        q
        for q in QUERIES
        if q["expect"] and " " not in q["query"] and all(normalize(q["query"]) not in bodies[e] for e in q["expect"])
    )
    page.goto(site_url + "/cases/?q=" + urllib.parse.quote(meta_only["query"]))
    _results(page, meta_only["query"])
    for item in page.locator("#case-list > li").all():
        item.locator(".case-item-snippet").wait_for()
        text = item.locator(".case-item-snippet").inner_text()
        case_id = item.locator(".case-item-title").get_attribute("href").strip("/")
        assert " · " not in text
        assert not text.startswith("…")  # the body's start
        assert normalize(text.rstrip("…")).replace(" ", "") in bodies[case_id].replace("\n", "").replace(" ", "")


def test_passage_holds_the_most_query_terms(page, site_url):
    page.goto(site_url + "/cases/?q=" + urllib.parse.quote("两张皮 合作社"))
    _results(page, "两张皮 合作社")
    snippet = page.locator("#case-list .case-item-snippet").first
    snippet.wait_for()
    assert {normalize(m) for m in snippet.locator("mark").all_inner_texts()} == {"两张皮", "合作社"}


def test_cases_page_loads_nothing_from_other_hosts(page, site_url):
    requested = []
    page.on("request", lambda request: requested.append(request.url))
    page.goto(site_url + "/cases/?q=" + urllib.parse.quote("党建"), wait_until="networkidle")
    _results(page, "党建")
    assert any("/search/data/" in u for u in requested)
    assert [u for u in requested if not u.startswith(site_url) and not u.startswith("data:")] == []


def _samples():
    rng = random.Random(1)
    keys = sorted(t2s_map())
    samples = ["".join(keys[i : i + 400]) for i in range(0, len(keys), 400)]
    samples.append("".join(chr(c) for c in range(0x20, 0x7F)))
    samples.append("".join(chr(c) for c in range(0xFF01, 0xFF5F)))
    samples.append("".join(chr(c) for c in range(0x3000, 0x3040)))
    samples.append("".join(chr(c) for c in range(0xF900, 0xFADA)))
    samples.append("".join(chr(c) for c in range(0x2F00, 0x2FD6)))
    samples.append("".join(chr(c) for c in range(0x3200, 0x3400)))
    samples.append("\t党 建\n\r\u3000合作社\u00a0ＳＹＢ１＋８＋Ｎ Ⅻ ﬁ ㈱ 𠀀𠮷 é")
    pool = keys + [chr(c) for c in range(0x4E00, 0x9FA5)] + list("ＡＢＣａｂｃ０１２ 　\t\n+-“”")
    samples += ["".join(rng.choice(pool) for _ in range(200)) for _ in range(20)]
    return samples


def test_js_normaliser_agrees_with_python(page, site_url):
    page.goto(site_url + "/cases/")
    samples = _samples()
    got = page.evaluate("texts => Promise.all(texts.map(t => window.caselibSearch.normalize(t)))", samples)
    for text, js in zip(samples, got):
        assert js == normalize(text), text[:40]


def test_js_engine_agrees_with_python_on_files_split_small(browser, built_site, tmp_path):
    """A synthetic corpus indexed into tiny files (keys spread over many position files):
    search.js finds, for every query, the same docs in the same order as the Python engine,
    and exactly the docs plain substring search finds."""
    from caselib.bench import corpus
    from caselib.model.cases import load_cases

    from conftest import ROOT, serve

    corpus.generate(40, ROOT / "cases", tmp_path / "cases", seed=9)
    found, problems = load_cases(tmp_path / "cases", tmp_path)
    assert problems == []
    site = tmp_path / "site"
    shutil.copytree(built_site, site)
    shutil.rmtree(site / searchindex.INDEX_DIR)
    patch = pytest.MonkeyPatch()
    patch.setattr(searchindex, "POS_BYTES", 300)
    patch.setattr(searchindex, "SHARD_BYTES", 2000)
    try:
        searchindex.build(found, site)
    finally:
        patch.undo()
    idx = searchindex.Index(site)
    fields = {n: searchindex.searchable_fields(c) for n, c in enumerate(searchindex._order(found))}
    rng = random.Random(4)
    queries = [corpus.unique_phrase(i) for i in range(0, 40, 7)]
    for _ in range(60):
        f = rng.choice(rng.choice(list(fields.values()))).replace(" ", "")
        size = rng.randint(1, min(9, len(f)))
        start = rng.randrange(0, len(f) - size + 1)
        queries.append(f[start : start + size])
    queries += [queries[i] + " " + queries[-i - 1] for i in range(10)]
    server = serve(site)
    context = browser.new_context(locale="zh-CN")
    try:
        page = context.new_page()
        page.goto(f"http://127.0.0.1:{server.server_address[1]}/cases/")
        titles = [idx.title(n) for n in range(idx.manifest["docs"])]
        got = page.evaluate(
            "([qs, titles]) => Promise.all(qs.map(q => window.caselibSearch.search(q, titles).then(r => r.docs)))",
            [queries, titles],
        )
    finally:
        context.close()
        server.shutdown()
    for q, js in zip(queries, got):
        assert js == idx.search(q), q
        assert set(js) == {n for n, f in fields.items() if searchindex.matches(f, q)}, q


def test_a_page_of_another_build_does_not_read_the_index(browser, built_site, cases, tmp_path):
    """A /cases/ page cached from an older build numbers its cases differently from a newer index:
    it says to reload instead of showing wrong cases."""
    from conftest import serve

    site = tmp_path / "site"
    shutil.copytree(built_site, site)
    searchindex.build(cases[1:], site)  # one case fewer: every doc number moves
    server = serve(site)
    context = browser.new_context(locale="zh-CN")
    try:
        page = context.new_page()
        page.goto(f"http://127.0.0.1:{server.server_address[1]}/cases/?q=" + urllib.parse.quote("党"))
        page.wait_for_selector("#case-browser[data-state=error]", timeout=15000)
        assert page.inner_text("#case-status") == "网站刚刚更新，请刷新页面后再搜索。"
    finally:
        context.close()
        server.shutdown()

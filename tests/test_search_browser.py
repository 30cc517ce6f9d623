"""Search in Debian's Chromium: the whole query set in one /search/ page (each query through the
header box and the page's own box), a few queries through real /search/?q= loads and header-box
submissions; exact result sets and counts, ranking as the Python engine, highlights, and the JS
normaliser agreeing with the Python one."""

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


def _results(page, query):
    page.wait_for_selector("#caselib-search[data-state=done]", timeout=15000)
    assert page.get_attribute("#caselib-search", "data-query") == query
    hrefs = page.eval_on_selector_all(".caselib-result__title", "els => els.map(e => e.href)")
    return [re.search(r"/cases/([^/]+)/$", h).group(1) for h in hrefs], page.inner_text(".caselib-search__status")


def _check(found, status, q, built_site):
    assert sorted(found) == sorted(q["expect"])
    assert len(found) == len(set(found))
    ranked = [u.split("/")[1] for u in searchindex.search(built_site, q["query"])]
    assert found == ranked  # same order as the Python engine: head matches first, then newest
    if q["expect"]:
        assert status == f"共找到 {len(q['expect'])} 个案例"
    else:
        assert status.startswith("没有找到包含")


def _url_q(url):
    return urllib.parse.parse_qs(urllib.parse.urlparse(url).query).get("q")


# Typed into the /search/ box the way a reader's typing reaches search.js: the value set, then the
# "input" event it listens to. show() marks the box "loading" synchronously inside that event, so
# the "done" with this query that _results then waits for belongs to this query, not the last one.
_TYPE_QUERY = """q => {
  const box = document.getElementById("caselib-search");
  const input = box.querySelector(".caselib-search__input");
  input.value = q;
  input.dispatchEvent(new Event("input", {bubbles: true}));
  return box.dataset.state;
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


def test_every_query_in_one_search_page(page, site_url, built_site):
    """The whole query set in one /search/ page (issue 17: one navigation, not one per query).
    For each query: the header box submits the query to /search/?q=, and the query typed into the
    page's box gives the exact result set, ranking and status, and is written to the URL."""
    page.goto(site_url + "/search/")
    page.wait_for_selector("#caselib-search[data-state=empty]")
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
            assert urllib.parse.urlparse(submitted[-1]).path == "/search/"
            assert _url_q(submitted[-1]) == [q["query"]]
            assert page.evaluate(_TYPE_QUERY, q["query"]) == "loading"
            found, status = _results(page, q["query"])
            _check(found, status, q, built_site)
            assert page.input_value(".caselib-search__input") == q["query"]
            assert _url_q(page.url) == [q["query"]]
        except AssertionError as e:
            failures.append(f"{q['query']!r}: {e}")
    assert urllib.parse.urlparse(page.url).path == "/search/"  # never left the page
    assert not failures, "\n".join(failures)


# The URL entry paths, each a page load: queries whose URL encoding could go wrong (+, a space,
# full-width, traditional, quotation marks) and one that finds nothing.
ENTRY = ["1+8+N", "１＋８＋Ｎ", "党建 双创", "黨建合作社", "融为“一盘棋”", "学生党支部"]
ENTRY_QUERIES = [next(q for q in QUERIES if q["query"] == e) for e in ENTRY]  # expectations from the YAML


@pytest.mark.parametrize("q", ENTRY_QUERIES, ids=ENTRY)
def test_search_page_url(page, site_url, built_site, q):
    page.goto(site_url + "/search/?q=" + urllib.parse.quote(q["query"]))
    found, status = _results(page, q["query"])
    _check(found, status, q, built_site)
    assert page.input_value(".caselib-search__input") == q["query"]


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
        assert urllib.parse.urlparse(page.url).path == "/search/"


def test_typing_on_search_page_updates_results_and_url(page, site_url):
    page.goto(site_url + "/search/")
    page.wait_for_selector("#caselib-search[data-state=empty]")
    box = page.locator(".caselib-search__input")
    box.type("双带")
    box.type("头人")
    found, status = _results(page, "双带头人")
    assert sorted(found) == ["2021-swpu-shisheng-hunbian", "2022-zjbti-sanhua-siling", "2023-hnde-qigeyouli"]
    assert "q=" + urllib.parse.quote("双带头人") in page.url
    box.fill("两张皮 合作社")
    found, _ = _results(page, "两张皮 合作社")
    assert found == ["2021-hlj-dangjian-hezuoshe"]
    link = page.locator(".caselib-result__title").first
    link.click()
    page.wait_for_url(re.compile(r"/cases/2021-hlj-dangjian-hezuoshe/$"))


def test_result_shows_institution_date_and_highlighted_snippet(page, site_url):
    page.goto(site_url + "/search/?q=" + urllib.parse.quote("雙帶頭人"))
    _results(page, "雙帶頭人")
    items = page.locator(".caselib-result")
    assert items.count() == 3
    for i in range(3):
        item = items.nth(i)
        assert re.search(r"· \d{4}-\d{2}-\d{2}$", item.locator(".caselib-result__meta").inner_text())
        marks = item.locator(".caselib-result__snippet mark").all_inner_texts()
        assert marks and all(normalize(m) == "双带头人" for m in marks)
    page.goto(site_url + "/search/?q=" + urllib.parse.quote("两张皮"))
    _results(page, "两张皮")
    first = page.locator(".caselib-result").first
    assert first.locator(".caselib-result__title mark").all_inner_texts() == ["两张皮"]
    assert not page.locator(".caselib-search__more").is_visible()  # all 4 results shown: no "more"


def test_search_page_loads_nothing_from_other_hosts(page, site_url):
    requested = []
    page.on("request", lambda request: requested.append(request.url))
    page.goto(site_url + "/search/?q=" + urllib.parse.quote("党建"), wait_until="networkidle")
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
    page.goto(site_url + "/search/")
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
        page.goto(f"http://127.0.0.1:{server.server_address[1]}/search/")
        got = page.evaluate("qs => Promise.all(qs.map(q => window.caselibSearch.search(q).then(r => r.docs)))", queries)
    finally:
        context.close()
        server.shutdown()
    for q, js in zip(queries, got):
        assert js == idx.search(q), q
        assert set(js) == {n for n, f in fields.items() if searchindex.matches(f, q)}, q

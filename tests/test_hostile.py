"""Hostile input never puts script in a reader's browser.

tests/fixtures/hostile/ holds two kinds of case files:
  safe--*.md  pass the checker: contributor text that looks like Markdown, HTML or links is
              shown as text (escaping), never interpreted;
  net--*.md   are rejected by the checker; they
              are built with the checker bypassed to prove the safety net (safety.sanitize_html,
              and tooltips.js for the theme's tooltips) removes what a missed rule would let through.
Each is built into a site with Chromium loading every page: no dialog, no global set by a
payload, no javascript:/vbscript:/data: link, no event handler attribute, no frame. Then every
link, image, term and truncated label of every page is focused and hovered, so the theme's
tooltips (content.tooltips) show: still nothing runs and nothing is fetched from another host.
net--glossary.yml is the 模式词典 of the net site (expansions and a term written as markup).
"""

from __future__ import annotations

import html
import html.parser
import re
import shutil
import urllib.parse
from pathlib import Path

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from caselib.check.validate import check_library
from caselib.model.cases import load_cases
from caselib.site.safety import plain_text, sanitize_html

from conftest import build_site, copy_project, serve

HOSTILE = Path(__file__).parent / "fixtures" / "hostile"
SAFE = sorted(HOSTILE.glob("safe--*.md"))
NET = sorted(HOSTILE.glob("net--*.md"))
NET_GLOSSARY = HOSTILE / "net--glossary.yml"


def id_file_name(path: Path) -> str:
    """cases/<id>.md: a case file is named by its id (rule CL048)."""
    case_id = next(line for line in path.read_text(encoding="utf-8").splitlines() if line.startswith("id:"))
    return case_id.split(":", 1)[1].strip() + ".md"


BYPASS = (
    "    problems = sorted(set(problems + check_library(cases) + glossary.check(cases)))\n    return cases, problems\n",
    "    return cases, []  # test only: checker bypassed\n",
)

PROBE = """() => {
  const bad = /^\\s*(javascript|vbscript|data):/i;
  const attrs = ['href', 'src', 'action', 'formaction', 'data', 'srcdoc', 'xlink:href'];
  const links = [];
  const handlers = [];
  for (const el of document.querySelectorAll('*')) {
    for (const a of el.attributes) {
      if (a.name.startsWith('on')) handlers.push(el.tagName + ' ' + a.name);
      if (attrs.includes(a.name) && bad.test(a.value) && el.closest('article')) links.push(el.tagName + ' ' + a.value);
      if (attrs.includes(a.name) && /^\\s*(javascript|vbscript):/i.test(a.value)) links.push(el.tagName + ' ' + a.value);
    }
  }
  return {
    pwned: window.__pwned === undefined ? null : String(window.__pwned),
    links, handlers,
    frames: document.querySelectorAll('iframe, frame, object, embed, base, meta[http-equiv]').length,
    // a JSON data block (type=application/json, never executed) may quote the text
    scripts: [...document.scripts].filter(s => s.type !== 'application/json' && s.textContent.includes('__pwned')).length,
  };
}"""


def _project(tmp_path: Path, files: dict[str, Path], bypass: bool, glossary: Path | None = None) -> Path:
    project = copy_project(tmp_path / "project")
    shutil.rmtree(project / "cases")
    (project / "cases").mkdir()
    for name, source in files.items():
        shutil.copy(source, project / "cases" / name)
    if glossary is not None:
        shutil.copy(glossary, project / "scripts" / "caselib" / "data" / "glossary.yml")
    if bypass:
        library = project / "scripts" / "caselib" / "library.py"
        text = library.read_text(encoding="utf-8")
        assert BYPASS[0] in text, "library.load_checked changed: update BYPASS in this test"
        library.write_text(text.replace(BYPASS[0], BYPASS[1]), encoding="utf-8")
    return project


@pytest.fixture(scope="module")
def safe_site(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("hostile-safe")
    project = _project(tmp, {id_file_name(p): p for p in SAFE}, bypass=False)
    result = build_site(project, tmp / "site")
    assert result.returncode == 0, result.stdout + result.stderr
    return tmp / "site"


@pytest.fixture(scope="module")
def net_site(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("hostile-net")
    project = _project(tmp, {p.name: p for p in NET}, bypass=True, glossary=NET_GLOSSARY)
    result = build_site(project, tmp / "site")
    assert result.returncode == 0, result.stdout + result.stderr
    return tmp / "site"


def test_safe_fixtures_pass_the_checker():
    cases, problems = load_cases(HOSTILE, root=HOSTILE)
    safe = [c for c in cases if c.path.startswith("safe--")]
    assert len(safe) == len(SAFE) >= 1
    assert [str(p) for p in problems + check_library(safe) if p.path.startswith("safe--")] == []


@pytest.mark.parametrize("path", NET, ids=lambda p: p.name)
def test_net_fixtures_are_rejected_by_the_checker(path):
    cases, problems = load_cases(HOSTILE, root=HOSTILE)
    found = [p for p in problems + check_library(cases) if p.path == path.name]
    assert found
    assert all(p.line > 1 for p in found)  # each names the line of the construct


def _visit_every_page(browser, site: Path) -> dict[str, object]:
    server = serve(site)
    base = f"http://127.0.0.1:{server.server_address[1]}"
    context = browser.new_context(locale="zh-CN")
    page = context.new_page()
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    findings: dict[str, object] = {}
    try:
        html_files = sorted(site.rglob("*.html"))
        assert len(html_files) > 10
        for html_file in html_files:
            rel = html_file.relative_to(site).as_posix()
            page.goto(base + "/" + urllib.parse.quote(rel), wait_until="load")
            probe = page.evaluate(PROBE)
            bad = {k: v for k, v in probe.items() if v}
            if bad or dialogs:
                findings[rel] = {**bad, "dialogs": list(dialogs)}
                dialogs.clear()
    finally:
        context.close()
        server.shutdown()
    return findings


def test_no_script_runs_from_text_that_passes_the_checker(browser, safe_site):
    assert _visit_every_page(browser, safe_site) == {}


def test_no_script_runs_when_the_checker_is_bypassed(browser, net_site):
    assert _visit_every_page(browser, net_site) == {}


# Installed before any page script: every element carrying an event handler attribute that is ever
# added to the document, kept even after it is gone again (a tooltip lives only while hovered).
WATCH_HANDLERS = """(() => {
  const seen = window.__caselibHandlers = [];
  const check = el => {
    for (const a of el.attributes) if (a.name.toLowerCase().startsWith('on')) seen.push(el.tagName + ' ' + a.name + '=' + a.value);
  };
  new MutationObserver(records => {
    for (const r of records) for (const n of r.addedNodes) {
      if (n.nodeType === 1) { check(n); n.querySelectorAll('*').forEach(check); }
    }
  }).observe(document, {childList: true, subtree: true});
})();"""

# Everything a reader can hover or focus that may carry a tooltip: titled elements, links,
# images, abbreviations, and the theme's truncated labels (it titles those with their text).
HOVER_TARGETS = "[title], a, img, abbr, .md-ellipsis"

# The targets of the page, kept in the page for AIM; the markup of each (null when it is not
# rendered at all). An element behaves by its own markup: one already hovered on another page (the
# navigation of every page, a case's link on each of its index pages) is not hovered again.
TARGETS = """selector => (window.__caselibTargets = [...document.querySelectorAll(selector)])
  .map(el => el.getClientRects().length ? el.outerHTML : null)"""

# Focus the element, bring it into view and find the point where the pointer reaches it (null
# when nothing of it can be hovered: a folded menu, a hidden drawer). Notes whether the theme must
# show a tooltip for it: a titled element in the content, or a label the theme truncated.
AIM = """index => {
  const el = window.__caselibTargets[index];
  if (!el.isConnected || !el.getClientRects().length) return null;
  el.focus({preventScroll: true});
  el.scrollIntoView({block: 'center', inline: 'nearest'});
  const r = el.getBoundingClientRect();
  const x = r.left + Math.min(r.width / 2, 8), y = r.top + r.height / 2;
  const hit = document.elementFromPoint(x, y);
  if (!r.width || !r.height || !hit || !(el === hit || el.contains(hit) || hit.contains(el) && hit.closest('a') === el.closest('a'))) return null;
  const label = el.matches('.md-ellipsis') ? el : el.querySelector(':scope > .md-ellipsis');
  const truncated = !!label && label.offsetWidth < label.scrollWidth;
  const host = truncated ? (label.closest('a') || label) : el;
  const titled = el.hasAttribute('title') && !!el.closest('[data-md-component=content]');
  window.__caselibHost = (titled || truncated) ? host : null;
  return {x, y, expect: titled || truncated};
}"""

TOOLTIP_SHOWN = """() => {
  const id = window.__caselibHost.getAttribute('aria-describedby');
  return !!id && !!document.getElementById(id);
}"""

FRAMES = "() => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)))"


# The page title in the header: shown (and so hoverable) once the page is scrolled down.
HEADER_TITLE = ".md-header__topic + .md-header__topic .md-ellipsis"


def _hover(page, index: int) -> bool | None:
    """Focus and hover target `index` (TARGETS); None when it cannot be hovered, else whether the
    theme's tooltip showed where one is due (True where none is due)."""
    aim = page.evaluate(AIM, index)
    if aim is None:
        return None
    page.mouse.move(aim["x"], aim["y"])
    if not aim["expect"]:
        return True
    try:
        page.wait_for_function(TOOLTIP_SHOWN, timeout=3000)
    except PlaywrightTimeout:
        return False
    return True


def _hover_every_page(browser, site: Path) -> tuple[dict[str, object], int]:
    """Focus and hover everything on every page: what went wrong on each, and how many elements
    were hovered."""
    server = serve(site)
    local = f"http://127.0.0.1:{server.server_address[1]}/"
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 800})
    context.add_init_script(WATCH_HANDLERS)
    # nothing leaves this machine: a request to another host is logged (below), then refused
    context.route(re.compile("^(?!" + re.escape(local) + ")"), lambda route: route.abort())
    page = context.new_page()
    dialogs: list[str] = []
    requests: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.on("request", lambda r: requests.append(r.url))
    findings: dict[str, object] = {}
    hovered: set[str] = set()
    try:
        for html_file in sorted(site.rglob("*.html")):
            rel = html_file.relative_to(site).as_posix()
            dialogs.clear()
            requests.clear()
            page.goto(local + urllib.parse.quote(rel), wait_until="load")
            # images written in a case may come from other sites (the policy allows http(s) images)
            images = set(page.evaluate("() => [...document.querySelectorAll('article img')].map(i => i.src)"))
            loaded, requests[:] = [u for u in requests if u not in images], []
            no_tooltip = []
            for index, key in enumerate(page.evaluate(TARGETS, HOVER_TARGETS)):
                if key is not None and key not in hovered:
                    shown = _hover(page, index)
                    if shown is not None:
                        hovered.add(key)
                    if shown is False:
                        no_tooltip.append(key[:160])
            page.evaluate("() => window.scrollTo(0, document.body.scrollHeight)")
            page.evaluate(FRAMES)
            for index, key in enumerate(page.evaluate(TARGETS, HEADER_TITLE)):
                if key is not None and _hover(page, index) is False:
                    no_tooltip.append(key[:160])
            page.mouse.move(0, 0)
            page.wait_for_timeout(100)  # an image a tooltip asked for fails (or loads) meanwhile
            bad = {k: v for k, v in page.evaluate(PROBE).items() if v}
            for name, value in (
                ("handlers_seen", page.evaluate("() => window.__caselibHandlers")),
                ("requests_elsewhere", [u for u in loaded + requests if not u.startswith(local)]),
                ("dialogs", list(dialogs)),
                ("no_tooltip", no_tooltip),
            ):
                if value:
                    bad[name] = value
            if bad:
                findings[rel] = bad
    finally:
        context.close()
        server.shutdown()
    return findings, len(hovered)


def test_hovering_runs_no_script_from_text_that_passes_the_checker(browser, safe_site):
    findings, hovered = _hover_every_page(browser, safe_site)
    assert findings == {}
    assert hovered > 50


def test_hovering_runs_no_script_when_the_checker_is_bypassed(browser, net_site):
    findings, hovered = _hover_every_page(browser, net_site)
    assert findings == {}
    assert hovered > 50


def test_contributor_text_is_shown_exactly(browser, safe_site):
    server = serve(safe_site)
    context = browser.new_context(locale="zh-CN")
    page = context.new_page()
    try:
        page.goto(f"http://127.0.0.1:{server.server_address[1]}/cases/2024-hostile-breakout/")
        assert page.locator("h1").first.inner_text().removesuffix("¶") == (
            '伪造标题](javascript:window.__pwned=1) **粗体** {: onclick="window.__pwned=1" } ---'
        )
        summary = page.locator(".case-summary").inner_text()
        assert "&lt;img src=x onerror=window.__pwned=1&gt;" in summary
        assert "<script>window.__pwned=1</script>" in page.locator("article code").first.inner_text()
    finally:
        context.close()
        server.shutdown()


def test_a_case_page_is_at_its_id(safe_site):
    assert (safe_site / "cases" / "2024-hostile-breakout" / "index.html").is_file()


def test_dangerous_markup_is_gone_from_the_net_site_html(net_site):
    html = (net_site / "cases" / "2024-hostile-raw-html" / "index.html").read_text(encoding="utf-8")
    article = "<article" + html.split("<article", 1)[1].split("</article>", 1)[0] + "</article>"
    parser = _Elements()
    parser.feed(article)
    # payloads may remain as escaped text (shown, never run); no element or attribute may carry them
    assert parser.tags.isdisjoint(
        {"script", "iframe", "object", "embed", "svg", "style", "form", "meta", "base", "frame", "link"}
    ), parser.tags
    assert [a for a in parser.attrs if a[0].startswith("on")] == []
    assert [a for a in parser.attrs if re.match(r"\s*(javascript|vbscript|data):", a[1] or "", re.I)] == []


@pytest.mark.parametrize("site_fixture", ["safe_site", "net_site"])
def test_titles_and_alt_texts_in_the_built_site_are_plain_text(site_fixture, request):
    """The theme shows a title as HTML (its tooltip); no title or alt, however many times its
    character references are decoded, has a < or > left to make a tag of."""
    site = request.getfixturevalue(site_fixture)
    found = []
    for html_file in sorted(site.rglob("*.html")):
        parser = _Elements()
        parser.feed(html_file.read_text(encoding="utf-8"))
        for name, value in parser.attrs:
            if name in ("title", "alt") and re.search("[<>]", _decoded(value or "")):
                found.append((html_file.relative_to(site).as_posix(), name, value))
    assert found == []


@pytest.mark.parametrize(
    "written",
    [
        "&lt;img src=x onerror=alert(1)&gt;",
        "&#60;img src=x onerror=alert(1)&#62;",
        "&#x3C;img src=x onerror=alert(1)&#x3e;",
        "&LT;img src=x onerror=alert(1)&GT;",
        "&amp;lt;img src=x onerror=alert(1)&amp;gt;",
        "&amp;amp;#60;img src=x onerror=alert(1)&amp;amp;#62;",
    ],
)
def test_a_title_written_as_markup_is_kept_as_text_with_full_width_brackets(written):
    cleaned = sanitize_html(
        f'<p><a href="https://example.com" title="{written}">链接</a>'
        f'<img src="https://example.com/a.png" alt="{written}" title="{written}"></p>'
    )
    parser = _Elements()
    parser.feed(cleaned)
    shown = [value for name, value in parser.attrs if name in ("title", "alt")]
    assert shown == ["＜img src=x onerror=alert(1)＞"] * 3


def test_an_ordinary_title_is_left_as_it_is():
    for title in ["四力：政治领导力、思想引领力", "A&B “引号” 1 < 2 是小于号", "＜全角＞ &amp;"]:
        assert plain_text(title) == (title if "<" not in title else title.replace("<", "＜"))
    cleaned = sanitize_html('<a href="https://example.com" title="A &amp; B &quot;引&quot;">x</a>')
    assert cleaned == '<a href="https://example.com" title="A &amp; B &quot;引&quot;">x</a>'


def _decoded(value: str) -> str:
    while (decoded := html.unescape(value)) != value:
        value = decoded
    return value


class _Elements(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags: set[str] = set()
        self.attrs: list[tuple[str, str | None]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.add(tag)
        self.attrs += attrs


class _Markup(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag not in SNIPPET_TAGS:
            self.found.append(f"<{tag}>")
        for name, value in attrs:
            if name.startswith("on") or re.match(r"\s*(javascript|vbscript|data):", value or "", re.I):
                self.found.append(f"<{tag} {name}={value}>")


SNIPPET_TAGS = {
    "p",
    "ul",
    "ol",
    "li",
    "code",
    "pre",
    "strong",
    "em",
    "a",
    "span",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "blockquote",
    "hr",
    "br",
    "div",
    "h1",
    "h2",
    "h3",
    "h4",
}


@pytest.mark.parametrize("site_fixture", ["safe_site", "net_site"])
@pytest.mark.parametrize("query", ["两张皮", "pwned", "script"])
def test_search_results_of_hostile_text_run_no_script(site_fixture, query, request, browser):
    """Search results show titles and snippets of contributor text: as text, never as markup."""
    site = request.getfixturevalue(site_fixture)
    server = serve(site)
    context = browser.new_context(locale="zh-CN")
    page = context.new_page()
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    try:
        page.goto(f"http://127.0.0.1:{server.server_address[1]}/cases/?q={urllib.parse.quote(query)}")
        page.wait_for_selector("#case-browser[data-state=done]", timeout=15000)
        assert page.locator("#case-list > li").count() >= 1
        page.locator("#case-list .case-item-snippet").first.wait_for()
        probe = page.evaluate(PROBE)
        assert {k: v for k, v in probe.items() if v} == {}
        assert dialogs == []
        assert page.locator("#case-list img, #case-list iframe, #case-list script").count() == 0
    finally:
        context.close()
        server.shutdown()

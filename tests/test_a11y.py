"""Accessibility of the built site in Chromium (issue 19): axe-core over every page type in light
and dark at 1366 px and 390 px, every nav page reachable on desktop and phone, skip link, focus,
page language, the phone TOC of case pages, the 404 page, the page head (description, Open Graph,
feed) and the palette's contrast ratios.

axe-core is installed from npm by `make test` (pinned in the Makefile) into the venv's folder.
"""

from __future__ import annotations

import re
import sys
import urllib.parse
from pathlib import Path

import pytest
import yaml

from conftest import build_site, copy_project, serve

ROOT = Path(__file__).resolve().parent.parent
AXE = Path(sys.prefix) / "axe-core" / "node_modules" / "axe-core" / "axe.min.js"
CSS = ROOT / "docs" / "assets" / "stylesheets" / "caselib.css"
SITE_NAME = "党建创新案例库"

q = urllib.parse.quote
# One address per page type; generic (a page type found by its URL), so they hold when pages change.
PAGES = {
    "home": "/",
    "all cases": "/cases/",
    "case": "/cases/2019-swpu-sili/",
    "tag": "/models/" + q("四力") + "/",
    "search results": "/cases/?q=" + q("两张皮") + "&province=" + q("四川"),  # keyword and a picked facet
    "empty result": "/cases/?province=" + q("湖南") + "&org_type=" + q("党委"),
    "glossary": "/glossary/",
    "stats": "/stats/",
    "about": "/about/",
    "404": "/no-such-page/",
}
MODES = {
    "light desktop": ("light", 1366),
    "dark desktop": ("dark", 1366),
    "light phone": ("light", 390),
    "dark phone": ("dark", 390),
}


# --- the site, served as a static host does (a missing page answers with 404.html) -------------


@pytest.fixture(scope="module")
def a11y_url(built_site):
    server = serve(built_site, not_found_page=True)
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def new_context(browser, scheme: str, width: int):
    phone = width < 600
    return browser.new_context(
        viewport={"width": width, "height": 844 if phone else 900},
        color_scheme=scheme,
        is_mobile=phone,
        has_touch=phone,
        locale="zh-CN",
    )


@pytest.fixture(scope="module")
def contexts(browser):
    made: dict = {}

    def get(mode: str):
        if mode not in made:
            context = new_context(browser, *MODES[mode])
            made[mode] = (context, context.new_page())
        return made[mode][1]

    yield get
    for context, _ in made.values():
        context.close()


# --- axe-core -------------------------------------------------------------------------------


def axe_serious(page) -> list[str]:
    """The serious and critical axe-core violations of the page as loaded, one line per node."""
    if not AXE.exists():
        pytest.skip(f"axe-core 未安装（{AXE}）：请运行 make test（会用 npm 安装）")
    page.add_script_tag(path=str(AXE))
    found = page.evaluate(
        """async () => (await axe.run(document, {resultTypes: ['violations']})).violations
            .filter(v => v.impact === 'serious' || v.impact === 'critical')
            .flatMap(v => v.nodes.map(n => v.id + ': ' + n.target.join(' ') + ': '
                + (n.failureSummary || '').split('\\n').slice(1, 2).join('').trim()))"""
    )
    return found


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("name", PAGES)
def test_no_serious_axe_violations(contexts, a11y_url, name, mode):
    page = contexts(mode)
    page.goto(a11y_url + PAGES[name], wait_until="networkidle")
    page.wait_for_timeout(300)  # results drawn by a script after the data arrived
    assert axe_serious(page) == []


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_phone_filter_drawer_is_an_accessible_dialog(contexts, a11y_url, scheme):
    """Opened, the drawer is a modal dialog: no serious axe finding, Tab stays inside it, Escape
    closes it and gives the focus back to the button that opened it."""
    page = contexts(f"{scheme} phone")
    page.goto(a11y_url + PAGES["search results"], wait_until="networkidle")
    opener = page.locator(".case-drawer-open")
    opener.click()
    drawer = page.locator("#case-drawer")
    assert drawer.get_attribute("role") == "dialog" and drawer.get_attribute("aria-modal") == "true"
    assert axe_serious(page) == []
    for _ in range(40):
        page.keyboard.press("Tab")
        assert page.evaluate("() => document.getElementById('case-drawer').contains(document.activeElement)")
    page.keyboard.press("Shift+Tab")
    assert page.evaluate("() => document.getElementById('case-drawer').contains(document.activeElement)")
    page.keyboard.press("Escape")
    assert drawer.get_attribute("role") is None
    assert page.evaluate("() => document.activeElement.classList.contains('case-drawer-open')")


# --- every page of the nav reachable on a desktop and a phone ---------------------------------


class _AnyTagLoader(yaml.SafeLoader):
    """mkdocs.yml with its !ENV and !!python tags read as plain values (only `nav` is used)."""


_AnyTagLoader.add_multi_constructor("", lambda loader, suffix, node: None)
_AnyTagLoader.add_multi_constructor("tag:yaml.org,2002:python/", lambda loader, suffix, node: None)


def nav_urls() -> dict[str, str]:
    """Every page of mkdocs.yml's nav: its folder URL → its title."""
    config = yaml.load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"), Loader=_AnyTagLoader)
    found: dict[str, str] = {}

    def walk(items):
        for item in items:
            ((title, value),) = item.items()
            if isinstance(value, list):
                walk(value)
            else:
                path = re.sub(r"(^|/)index\.md$", r"\1", value)
                path = re.sub(r"\.md$", "/", path)
                found["/" + path] = title

    walk(config["nav"])
    return found


# the links a reader can tap: on screen and not covered by something else
_TAPPABLE_NAV_LINKS = """sel => [...document.querySelectorAll(sel)].filter(a => {
    a.scrollIntoView({block: 'nearest'});
    const r = a.getBoundingClientRect();
    if (r.width < 1 || r.height < 1) return false;
    const x = r.left + Math.min(r.width / 2, 20), y = r.top + r.height / 2;
    if (x < 0 || y < 0 || x > innerWidth || y > innerHeight) return false;
    const hit = document.elementFromPoint(x, y);
    return hit && (hit === a || a.contains(hit));
}).map(a => new URL(a.href).pathname)"""

NAV_LINKS = ".md-sidebar--primary a.md-nav__link, .md-tabs a"
SECTION_LABELS = ".md-sidebar--primary .md-nav__item--nested > label.md-nav__link"


def _tappable_sections(page) -> int:
    return page.locator(SECTION_LABELS).evaluate_all(
        "ls => ls.filter(l => { const r = l.getBoundingClientRect(); return r.width > 0 && r.height > 0 }).length"
    )


@pytest.mark.parametrize("path", ["/", PAGES["case"]])
def test_every_nav_page_is_reachable_on_a_desktop(browser, a11y_url, path):
    context = new_context(browser, "light", 1366)
    page = context.new_page()
    page.goto(a11y_url + path)
    reached = set(page.evaluate(_TAPPABLE_NAV_LINKS, NAV_LINKS))
    # open each section of the sidebar (a click on its name), as a reader would
    for i in range(page.locator(SECTION_LABELS).count()):
        label = page.locator(SECTION_LABELS).nth(i)
        if label.is_visible():
            label.click()
            page.wait_for_timeout(400)  # the section unfolds
            reached |= set(page.evaluate(_TAPPABLE_NAV_LINKS, NAV_LINKS))
    context.close()
    missing = {url: title for url, title in nav_urls().items() if url not in reached}
    assert missing == {}


@pytest.mark.parametrize("path", ["/", PAGES["case"]])
def test_every_nav_page_is_reachable_in_the_phone_drawer(browser, a11y_url, path):
    context = new_context(browser, "light", 390)
    page = context.new_page()

    def open_drawer():
        page.goto(a11y_url + path)
        page.locator("label.md-header__button[for='__drawer']").click()
        page.wait_for_timeout(300)

    open_drawer()
    reached = set(page.evaluate(_TAPPABLE_NAV_LINKS, NAV_LINKS))
    sections = page.locator(SECTION_LABELS)
    names = [sections.nth(i).inner_text().strip() for i in range(sections.count())]
    for i in range(len(names)):
        open_drawer()
        label = page.locator(SECTION_LABELS).nth(i)
        if not label.is_visible():
            continue  # a section inside another one: opened from there
        label.click()
        page.wait_for_timeout(300)
        reached |= set(page.evaluate(_TAPPABLE_NAV_LINKS, NAV_LINKS))
    context.close()
    reached.add(urllib.parse.unquote(path))  # the page itself: its entry opens its TOC instead
    missing = {url: title for url, title in nav_urls().items() if url not in reached}
    assert missing == {}, names


def test_nav_keeps_developer_pages_apart():
    config = yaml.load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"), Loader=_AnyTagLoader)
    top = {title: value for item in config["nav"] for title, value in item.items()}
    developer = {p for item in top.get("开发者", []) for p in item.values()}
    assert "performance.md" in developer
    reader = [v for t, v in top.items() if t != "开发者"]
    assert "performance.md" not in str(reader)


# --- keyboard and screen readers --------------------------------------------------------------


@pytest.mark.parametrize("name", ["home", "glossary", "case", "404"])
def test_first_tab_is_a_skip_link_to_the_content(contexts, a11y_url, name):
    page = contexts("light desktop")
    page.goto(a11y_url + PAGES[name])
    page.keyboard.press("Tab")
    focused = page.evaluate(
        "() => { const a = document.activeElement; const r = a.getBoundingClientRect();"
        " return [a.tagName, a.textContent.trim(), a.getAttribute('href'), r.width > 0 && r.height > 0] }"
    )
    assert focused[:2] == ["A", "跳到正文"] and focused[3], focused
    assert page.locator(focused[2]).count() == 1
    page.keyboard.press("Enter")
    assert page.url.endswith(focused[2])


@pytest.mark.parametrize("mode", ["light desktop", "dark phone"])
def test_page_language_and_logo_alt(contexts, a11y_url, mode):
    page = contexts(mode)
    page.goto(a11y_url + "/")
    assert page.evaluate("document.documentElement.lang") == "zh-CN"
    alts = page.locator(".md-logo img").evaluate_all("imgs => imgs.map(i => i.alt)")
    assert alts and set(alts) == {SITE_NAME}


@pytest.mark.parametrize("mode", ["light desktop", "dark desktop"])
def test_focus_is_visible_on_the_header_search_box_and_links(contexts, a11y_url, mode):
    page = contexts(mode)
    page.goto(a11y_url + PAGES["tag"])
    box = page.locator("#caselib-header-q")
    box.focus()
    ring = box.evaluate("e => { const s = getComputedStyle(e); return [s.outlineStyle, parseFloat(s.outlineWidth)] }")
    assert ring[0] != "none" and ring[1] >= 2, ring
    # keyboard focus on a link of the content
    page.locator("article a").first.focus()
    page.keyboard.press("Tab")
    ring = page.evaluate(
        "() => { const s = getComputedStyle(document.activeElement); return [s.outlineStyle, parseFloat(s.outlineWidth)] }"
    )
    assert ring[0] != "none" and ring[1] >= 2, ring


def test_links_in_running_text_are_underlined(contexts, a11y_url):
    page = contexts("light desktop")
    page.goto(a11y_url + PAGES["about"])
    lines = page.locator("article p a").evaluate_all("as => as.map(a => getComputedStyle(a).textDecorationLine)")
    assert lines and set(lines) == {"underline"}


# --- case pages on phones: the table of contents one tap away ---------------------------------


def test_case_page_on_a_phone_has_a_toc_one_tap_away(contexts, a11y_url):
    page = contexts("light phone")
    page.goto(a11y_url + PAGES["case"])
    summary = page.locator("details.caselib-toc > summary")
    assert summary.is_visible() and summary.inner_text().strip() == "目录"
    assert summary.bounding_box()["y"] < 844, "目录 not on the first screen"
    summary.tap()
    entry = page.locator("details.caselib-toc a", has_text="三、成效").first
    assert entry.is_visible()
    entry.tap()
    assert urllib.parse.unquote(page.url).endswith("#三成效")


@pytest.mark.parametrize("width", [960, 1366])
def test_where_the_theme_has_a_toc_column_there_is_no_second_toc(browser, a11y_url, width):
    context = new_context(browser, "light", width)
    page = context.new_page()
    page.goto(a11y_url + PAGES["case"])
    assert not page.locator("details.caselib-toc").is_visible()
    assert page.locator(".md-sidebar--secondary nav.md-nav--secondary a.md-nav__link").first.is_visible()
    context.close()


# --- the 404 page ------------------------------------------------------------------------------


@pytest.mark.parametrize("mode", ["light desktop", "light phone"])
def test_404_page_is_chinese_with_a_way_on(contexts, a11y_url, mode):
    page = contexts(mode)
    response = page.goto(a11y_url + "/cases/no-such-case/")
    assert response.status == 404
    assert page.locator("h1").inner_text() == "页面不存在"
    assert page.title() == f"页面不存在 - {SITE_NAME}"
    page.locator("article input[type=search]").fill("两张皮")
    page.locator("article input[type=search]").press("Enter")
    page.wait_for_url(re.compile(r"[?&]q="))  # wherever the site's search lives
    assert "两张皮" in urllib.parse.unquote(page.url)
    page.go_back()
    page.locator("article a", has_text="返回首页").click()
    assert page.url == a11y_url + "/"


# --- the page head: description, share card, feed, favicon -------------------------------------


def _head(page) -> dict:
    return page.evaluate(
        """() => {
        const out = {};
        for (const m of document.querySelectorAll('meta[property^="og:"], meta[name="description"]'))
            out[m.getAttribute('property') || m.getAttribute('name')] = m.content;
        const feed = document.querySelector('link[rel=alternate][type="application/atom+xml"]');
        out.feed = feed && feed.href;
        out.icon = document.querySelector('link[rel=icon]').href;
        return out;
    }"""
    )


def test_case_page_head_has_its_summary_and_a_share_card(contexts, a11y_url, cases):
    page = contexts("light desktop")
    page.goto(a11y_url + PAGES["case"])
    head = _head(page)
    case = next(c for c in cases if c.id == "2019-swpu-sili")
    summary = " ".join(str(case.meta["summary"]).split())
    assert head["description"] == summary == head["og:description"]
    assert head["og:title"] == case.title and head["og:type"] == "article"
    assert "og:url" not in head  # site_url is empty in mkdocs.yml: no absolute address to give
    page.goto(a11y_url + PAGES["tag"])
    other = _head(page)
    assert other["og:type"] == "website" and other["description"] != summary


def test_feed_and_favicon_are_linked_and_exist(contexts, a11y_url):
    page = contexts("light desktop")
    page.goto(a11y_url + PAGES["case"])
    head = _head(page)
    feed = page.request.get(head["feed"])
    assert feed.ok and b"<feed" in feed.body()
    icon = page.request.get(head["icon"])
    assert icon.ok


def test_favicon_has_its_own_background():
    """A white sign alone disappears on a light tab bar: the favicon is drawn on a filled tile."""
    svg = (ROOT / "docs" / "assets" / "favicon.svg").read_text(encoding="utf-8")
    first = re.search(r"<(rect|path|circle)\b[^>]*>", svg)
    assert first and first.group(1) == "rect"
    fill = re.search(r'fill="(#[0-9a-fA-F]{6})"', first.group(0)).group(1)
    assert _contrast(fill, "#ffffff") >= 3 and _contrast(fill, "#000000") >= 3


# --- the palette: contrast ratios of the colours caselib.css sets --------------------------------


def _luminance(color: str) -> float:
    channels = [int(color.lstrip("#")[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    r, g, b = (c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def _contrast(a: str, b: str) -> float:
    high, low = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def _variables(selector: str) -> dict[str, str]:
    """The colour variables every `selector { … }` rule of caselib.css sets (later ones win)."""
    css = re.sub(r"/\*.*?\*/", "", CSS.read_text(encoding="utf-8"), flags=re.S)
    blocks = re.findall(r"(?:^|\})\s*" + re.escape(selector) + r"\s*\{([^}]*)\}", css)
    assert blocks, selector
    return dict(re.findall(r"(--[\w-]+):\s*(#[0-9a-fA-F]{6})\b", "".join(blocks)))


LIGHT_BG, LIGHT_CARD = "#ffffff", "#f5f5f5"  # Material's default background and code/card background
SLATE_BG, SLATE_CARD = "#1e2029", "#272935"  # hsla(232, 15%, 14%) and 18%: the slate scheme's


def test_palette_meets_wcag_aa():
    light = _variables(":root")
    dark = {**light, **_variables('[data-md-color-scheme="slate"]')}
    red = light["--md-primary-fg-color"]
    assert _contrast(red, "#ffffff") >= 4.5  # header text and primary buttons
    for background in (LIGHT_BG, LIGHT_CARD):
        assert _contrast(red, background) >= 4.5  # links
        assert _contrast(light["--md-accent-fg-color"], background) >= 4.5  # hovered and focused links
        assert _contrast(light["--md-typeset-mark-color"], "#000000") >= 7  # highlighted search terms
    for background in (SLATE_BG, SLATE_CARD):
        assert _contrast(dark["--md-typeset-a-color"], background) >= 4.5
        assert _contrast(dark["--md-accent-fg-color"], background) >= 4.5
        assert _contrast(dark["--caselib-focus-color"], background) >= 3
    assert _contrast(dark["--md-typeset-mark-color"], "#ffffff") >= 4.5
    assert _contrast(light["--caselib-focus-color"], LIGHT_BG) >= 3


def test_with_a_site_url_the_share_card_has_the_page_address(tmp_path):
    project = copy_project(tmp_path / "project")
    result = build_site(project, tmp_path / "site", env={"CASELIB_SITE_URL": "https://example.org/dj/"})
    assert result.returncode == 0, result.stdout + result.stderr
    page = (tmp_path / "site" / "cases" / "2019-swpu-sili" / "index.html").read_text(encoding="utf-8")
    assert '<meta property="og:url" content="https://example.org/dj/cases/2019-swpu-sili/">' in page
    assert '<link rel="canonical" href="https://example.org/dj/cases/2019-swpu-sili/">' in page

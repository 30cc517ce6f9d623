"""The built site in Debian's Chromium: no request leaves the site, cards, TOC, phone, dark mode."""

from __future__ import annotations

import urllib.parse
from pathlib import Path

import pytest

OUTPUT = Path(__file__).parent / "output"
PAGES = {
    "home": "/",
    "case": "/cases/2019-swpu-sili/",
    "model index": "/models/" + urllib.parse.quote("四力") + "/",
    "province overview": "/provinces/",
}


@pytest.mark.parametrize("name", PAGES)
def test_page_loads_nothing_from_other_hosts(page, site_url, name):
    requested = []
    page.on("request", lambda request: requested.append(request.url))
    page.goto(site_url + PAGES[name], wait_until="networkidle")
    assert requested, "页面没有发出任何请求"
    foreign = [u for u in requested if not u.startswith(site_url) and not u.startswith("data:")]
    assert foreign == []
    assert page.title().endswith("党建创新案例库")


def test_case_page_shows_card_and_toc(page, site_url):
    page.goto(site_url + PAGES["case"])
    card = page.locator(".case-card")
    assert "西南石油大学" in card.inner_text() and "创新创业中心党支部" in card.inner_text()
    page.locator(".case-card a", has_text="四力").first.click()
    page.wait_for_load_state()
    assert urllib.parse.unquote(page.url).endswith("/models/四力/")
    assert page.locator("h1").inner_text().startswith("模式：四力")


def test_case_page_has_working_toc(page, site_url):
    page.set_viewport_size({"width": 1400, "height": 900})
    page.goto(site_url + PAGES["case"])
    toc = page.locator("nav.md-nav--secondary a.md-nav__link")
    assert toc.count() >= 10
    toc.filter(has_text="三、成效").first.click()
    assert urllib.parse.unquote(page.url).endswith("#三成效")


def test_phone_width_has_no_horizontal_scroll(browser, site_url):
    context = browser.new_context(
        viewport={"width": 375, "height": 740}, device_scale_factor=2, is_mobile=True, has_touch=True, locale="zh-CN"
    )
    page = context.new_page()
    for path in PAGES.values():
        page.goto(site_url + path)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 375, (path, width)
    context.close()


def test_phone_header_keeps_the_title_whole_and_the_search_icon_opens_the_box(browser, site_url):
    context = browser.new_context(
        viewport={"width": 375, "height": 740}, device_scale_factor=2, is_mobile=True, has_touch=True, locale="zh-CN"
    )
    page = context.new_page()
    page.goto(site_url + "/")
    title = page.locator(".md-header__topic").first
    assert title.evaluate("e => e.scrollWidth <= e.clientWidth"), "site title truncated on a phone"
    box = page.locator("input.caselib-header-search__input")
    assert not box.is_visible()
    page.locator(".caselib-header-search__open").tap()
    assert box.is_visible() and box.evaluate("e => e === document.activeElement")
    page.keyboard.type("两张皮")
    page.keyboard.press("Enter")
    page.wait_for_url("**/cases/?q=*")
    # on /cases/ the query is in the page's own box; the header box stays closed, the title whole
    assert page.locator("#case-q").input_value() == "两张皮"
    assert page.locator(".caselib-header-search__input").input_value() == ""
    assert title.evaluate("e => e.scrollWidth <= e.clientWidth"), "site title truncated on /cases/"
    context.close()


def test_dark_mode_toggle(page, site_url):
    page.goto(site_url + "/")
    before = page.evaluate("document.body.getAttribute('data-md-color-scheme')")
    page.locator("label.md-header__button[for^='__palette']:visible").first.click()
    after = page.evaluate("document.body.getAttribute('data-md-color-scheme')")
    assert {before, after} == {"default", "slate"}


# Search: tests/test_search_browser.py (the query set through the header box and /cases/?q=).

"""Browse and reuse in Debian's Chromium: /cases/ filters, sorting, URL state, no-JS list,
related cases and citations on case pages; the open-data files of the built site."""

from __future__ import annotations

import csv
import io
import json
import re
import urllib.parse
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from caselib.model.cases import load_cases, newest_first
from caselib.site import cite

ROOT = Path(__file__).resolve().parent.parent
CASES, _ = load_cases(ROOT / "cases")
BY_ID = {c.id: c for c in CASES}
NEWEST = [c.id for c in newest_first(CASES)]


def visible_ids(page) -> list[str]:
    hrefs = page.eval_on_selector_all(
        "#case-list > li:not([hidden]) a.case-item-title", "els => els.map(a => a.getAttribute('href'))"
    )
    return [h.rstrip("/") for h in hrefs]


def facet(page, key):
    return page.locator(f"details.case-facet[data-facet='{key}']")


def value_label(page, key, value):
    return facet(page, key).locator("label.case-facet-value", has_text=re.compile(rf"^\s*{re.escape(value)} \("))


def open_facet(page, key):
    group = facet(page, key)
    if not group.evaluate("d => d.open"):
        group.locator("summary").click()


def tick(page, key, value):
    open_facet(page, key)
    value_label(page, key, value).locator("input").check()


def shown_count(page, key, value) -> int:
    open_facet(page, key)  # values are built when a facet is first opened
    text = value_label(page, key, value).locator(".case-facet-count").text_content()
    return int(text.strip("()"))


def query(page) -> dict:
    return urllib.parse.parse_qs(urllib.parse.urlparse(page.url).query)


def ids_where(pred) -> list[str]:
    return [i for i in NEWEST if pred(BY_ID[i])]


def test_all_cases_listed_newest_first_with_js(page, site_url):
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(site_url + "/cases/")
    assert visible_ids(page) == NEWEST
    assert page.locator("#case-status").inner_text() == f"共 {len(CASES)} 个案例"
    # on a wide screen the facets are on the page: no drawer buttons
    assert page.locator("details.case-facet").first.is_visible()
    assert not page.locator("button.case-drawer-open").is_visible()
    assert not page.locator("button.case-drawer-close").is_visible()
    assert errors == []


def test_clicking_a_filter_changes_the_list_and_the_url(page, site_url):
    page.goto(site_url + "/cases/")
    tick(page, "province", "四川")
    expected = ids_where(lambda c: c.meta.get("province") == "四川")
    assert len(expected) == 2
    assert visible_ids(page) == expected
    assert query(page) == {"province": ["四川"]}
    assert page.locator("#case-status").inner_text() == f"显示 2 个案例（共 {len(CASES)} 个）"
    # OR within a facet
    tick(page, "province", "浙江")
    assert visible_ids(page) == ids_where(lambda c: c.meta.get("province") in ("四川", "浙江"))
    assert query(page) == {"province": ["四川", "浙江"]}
    # AND across facets
    tick(page, "model", "四力")
    assert visible_ids(page) == ["2019-swpu-sili"]
    # Back undoes the last change
    page.go_back()
    assert visible_ids(page) == ids_where(lambda c: c.meta.get("province") in ("四川", "浙江"))
    assert not value_label(page, "model", "四力").locator("input").is_checked()


def test_counts_are_correct_for_the_current_selection(page, site_url):
    page.goto(site_url + "/cases/")
    for value in ("四川", "浙江", "湖南", "黑龙江"):
        assert shown_count(page, "province", value) == len(ids_where(lambda c, v=value: c.meta.get("province") == v))
    tick(page, "province", "四川")
    in_sichuan = [BY_ID[i] for i in ids_where(lambda c: c.meta.get("province") == "四川")]
    themes = {t for c in CASES for t in c.values("themes")}
    for theme in themes:
        assert shown_count(page, "theme", theme) == sum(theme in c.values("themes") for c in in_sichuan), theme
    # counts in the province facet ignore the province selection (what ticking another would add)
    assert shown_count(page, "province", "浙江") == 1
    # a year: every case of that year
    year = BY_ID[NEWEST[0]].year
    assert shown_count(page, "year", year) == sum(c.year == year and c.meta.get("province") == "四川" for c in CASES)


def test_loading_a_filtered_url_restores_the_view(page, site_url):
    url = site_url + "/cases/?" + urllib.parse.urlencode([("theme", "党建与业务融合"), ("sort", "oldest")])
    page.goto(url)
    expected = ids_where(lambda c: "党建与业务融合" in c.values("themes"))
    assert visible_ids(page) == list(reversed(expected))
    assert value_label(page, "theme", "党建与业务融合").locator("input").is_checked()
    assert facet(page, "theme").evaluate("d => d.open")
    assert page.locator("#case-sort").input_value() == "oldest"
    page.reload()
    assert visible_ids(page) == list(reversed(expected))


def test_unknown_values_in_the_url_are_ignored(page, site_url):
    page.goto(site_url + "/cases/?province=%3Cscript%3E&year=1900")
    assert visible_ids(page) == NEWEST


def test_sorting_by_date(page, site_url):
    page.goto(site_url + "/cases/")
    page.locator("#case-sort").select_option("oldest")
    assert visible_ids(page) == list(reversed(NEWEST))
    assert query(page) == {"sort": ["oldest"]}
    page.locator("#case-sort").select_option("newest")
    assert visible_ids(page) == NEWEST
    assert query(page) == {}
    page.go_back()
    assert visible_ids(page) == list(reversed(NEWEST))


def test_clear_button_shows_everything(page, site_url):
    page.goto(site_url + "/cases/?province=%E5%9B%9B%E5%B7%9D")
    assert len(visible_ids(page)) == 2
    page.locator("button.case-filter-clear").click()
    assert visible_ids(page) == NEWEST
    assert query(page) == {}


def test_without_javascript_every_case_is_listed(browser, site_url):
    context = browser.new_context(java_script_enabled=False, locale="zh-CN")
    page = context.new_page()
    page.goto(site_url + "/cases/?province=%E5%9B%9B%E5%B7%9D")
    titles = page.locator("#case-list a.case-item-title")
    assert titles.count() == len(CASES)
    assert all(titles.nth(i).is_visible() for i in range(titles.count()))
    assert [t.rstrip("/") for t in titles.evaluate_all("els => els.map(a => a.getAttribute('href'))")] == NEWEST
    assert not page.locator("#case-filters").is_visible()
    assert page.locator("#case-list").inner_text().count("西南石油大学") >= 2
    context.close()


@pytest.mark.parametrize("case_id", sorted(BY_ID))
def test_case_page_has_related_cases_never_itself(page, site_url, case_id):
    page.goto(f"{site_url}/cases/{case_id}/")
    links = page.locator(".case-related a")
    hrefs = links.evaluate_all("els => els.map(a => a.getAttribute('href'))")
    assert 3 <= len(hrefs) <= 5
    targets = [h.strip("./").rstrip("/") for h in hrefs]
    assert case_id not in targets
    assert set(targets) <= set(BY_ID)
    links.first.click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text().rstrip("¶") == BY_ID[targets[0]].title


@pytest.mark.parametrize("case_id", sorted(BY_ID))
def test_citation_text_is_exact(page, site_url, case_id):
    page.goto(f"{site_url}/cases/{case_id}/")
    text = page.locator("p.case-cite").inner_text()
    accessed = page.evaluate(
        "(() => { const d = new Date(); const t = n => String(n).padStart(2, '0');"
        " return d.getFullYear() + '-' + t(d.getMonth() + 1) + '-' + t(d.getDate()); })()"
    )
    assert text == cite.reference(BY_ID[case_id], accessed)


def test_copy_button_copies_the_citation(browser, site_url):
    context = browser.new_context(locale="zh-CN", permissions=["clipboard-read", "clipboard-write"])
    page = context.new_page()
    page.goto(f"{site_url}/cases/2022-zjbti-sanhua-siling/")
    page.locator("button.case-cite-copy").click()
    page.locator("button.case-cite-copy", has_text="已复制").wait_for()
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied == cite.reference(BY_ID["2022-zjbti-sanhua-siling"], "unused")
    context.close()


def test_citation_without_javascript_is_plain_text(browser, site_url):
    context = browser.new_context(java_script_enabled=False, locale="zh-CN")
    page = context.new_page()
    page.goto(f"{site_url}/cases/2019-swpu-sili/")
    assert page.locator("p.case-cite").inner_text() == cite.reference(BY_ID["2019-swpu-sili"], "unused")
    assert page.locator("button.case-cite-copy").count() == 0
    context.close()


def test_open_data_files_in_the_built_site(page, site_url, built_site):
    rows = list(csv.DictReader(io.StringIO((built_site / "cases.csv").read_bytes().decode("utf-8-sig"))))
    assert [r["id"] for r in rows] == NEWEST
    assert (built_site / "cases.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    data = json.loads((built_site / "cases.json").read_text(encoding="utf-8"))
    assert [c["id"] for c in data["cases"]] == NEWEST
    feed = ET.parse(built_site / "feed.xml").getroot()
    assert len(feed.findall("{http://www.w3.org/2005/Atom}entry")) == len(CASES)
    # the links on /cases/ lead to them
    page.goto(site_url + "/cases/")
    for name in ("cases.json", "cases.csv", "feed.xml"):
        href = page.locator(".case-browse-data a", has_text=name).get_attribute("href")
        response = page.request.get(urllib.parse.urljoin(page.url, href))
        assert response.ok, name
    entry_link = feed.find("{http://www.w3.org/2005/Atom}entry/{http://www.w3.org/2005/Atom}link").get("href")
    assert page.request.get(urllib.parse.urljoin(site_url + "/feed.xml", entry_link)).ok


def test_long_lists_are_listed_200_at_a_time(browser, tmp_path):
    """450 cases on a bare page with the real script: 200 listed, 再列出 adds more, filters reset it."""
    from caselib.model.cases import Case
    from caselib.site import browse

    from conftest import serve

    many = [
        Case(
            path="x",
            meta={
                "id": f"c{i:03d}",
                "title": f"案例{i:03d}",
                "published": f"2020-01-{1 + i % 28:02d}",
                "province": "四川" if i % 3 else "浙江",
                "themes": ["创新创业"],
            },
            body="",
        )
        for i in range(450)
    ]
    content = browse.all_cases_page(many).content
    html_part = content[content.index('<div class="case-browser"') :]
    script = (ROOT / "docs/assets/javascripts/cases-browse.js").read_text(encoding="utf-8")
    (tmp_path / "index.html").write_text(
        f'<!doctype html><meta charset="utf-8"><body>{html_part}<script>{script}</script></body>', encoding="utf-8"
    )
    server = serve(tmp_path)
    try:
        page = browser.new_page()
        page.goto(f"http://127.0.0.1:{server.server_address[1]}/")
        newest = [c.id for c in newest_first(many)]
        assert visible_ids(page) == newest[:200]
        assert page.locator("#case-status").inner_text() == "共 450 个案例，列出前 200 个"
        more = page.locator("button.case-list-more")
        assert more.inner_text() == "再列出 200 个（还有 250 个）"
        more.click()
        assert visible_ids(page) == newest[:400]
        more.click()
        assert visible_ids(page) == newest
        assert not more.is_visible()
        tick(page, "province", "四川")
        sichuan = [i for i in newest if int(i[1:]) % 3]
        assert visible_ids(page) == sichuan[:200]
        assert page.locator("#case-status").inner_text() == "显示 300 个案例（共 450 个），列出前 200 个"
        page.locator("#case-sort").select_option("oldest")
        assert visible_ids(page) == list(reversed(sichuan))[:200]
        page.close()
    finally:
        server.shutdown()


# --- phones (issue 19): filters in a drawer, the first result in view, 44 px targets ----------------
PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2, "is_mobile": True, "has_touch": True}


@pytest.fixture
def phone(browser):
    context = browser.new_context(locale="zh-CN", **PHONE)
    page = context.new_page()
    yield page
    context.close()


def test_phone_first_result_in_view_and_filters_in_a_drawer(phone, site_url):
    """A shared three-filter link on a 390 px phone: the first result is on the first screen; the
    facets are behind 筛选, their values are 44 px tall, "显示 N 个案例" closes the drawer."""
    url = (
        site_url
        + "/cases/?"
        + urllib.parse.urlencode(
            [("province", "四川"), ("province", "浙江"), ("theme", "党建与业务融合"), ("year", "2019")]
        )
    )
    phone.goto(url)
    first = phone.locator("#case-list > li").first
    box = first.bounding_box()
    assert box["y"] + box["height"] <= 844, f"first result at {box['y']} px"
    assert visible_ids(phone) == ["2019-swpu-sili"]
    assert not phone.locator("details.case-facet").first.is_visible()
    opener = phone.locator("button.case-drawer-open")
    assert opener.inner_text() == "筛选（4）"
    opener.tap()
    assert phone.locator("details[data-facet=province]").is_visible()
    for label in phone.locator("details[data-facet=province] label.case-facet-value").all():
        assert label.bounding_box()["height"] >= 44
    assert phone.locator("details[data-facet=province] summary").bounding_box()["height"] >= 44
    value_label(phone, "province", "浙江").locator("input").uncheck()
    close = phone.locator("button.case-drawer-close")
    assert close.inner_text() == "显示 1 个案例"
    assert close.bounding_box()["height"] >= 44
    close.tap()
    assert not phone.locator("details.case-facet").first.is_visible()
    assert query(phone) == {"province": ["四川"], "theme": ["党建与业务融合"], "year": ["2019"]}
    # with keywords too: the keyword box, then the first result, still on the first screen
    phone.goto(url + "&q=" + urllib.parse.quote("两张皮"))
    phone.wait_for_selector("#case-browser[data-state=done]")
    assert visible_ids(phone) == ["2019-swpu-sili"]
    phone.locator("#case-list .case-item-snippet").first.wait_for()
    box = phone.locator("#case-list > li").first.bounding_box()
    assert box["y"] + box["height"] <= 844, f"first result at {box['y']} px"


def test_phone_dates_never_wrap(phone, site_url):
    phone.goto(site_url + "/cases/")
    for date in phone.locator("#case-list .case-date").all():
        assert date.evaluate("e => e.getClientRects().length") == 1, date.inner_text()
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", date.inner_text())


def test_zero_count_values_are_disabled_but_readable(page, site_url):
    page.goto(site_url + "/cases/?province=%E5%9B%9B%E5%B7%9D")
    open_facet(page, "theme")
    facet(page, "theme").locator("label.case-facet-value").first.wait_for()  # built on the toggle event
    empty = [
        label
        for label in facet(page, "theme").locator("label.case-facet-value").all()
        if label.locator(".case-facet-count").text_content() == "(0)"
    ]
    assert empty
    for label in empty:
        assert label.locator("input").is_disabled()
        assert label.evaluate("e => getComputedStyle(e).opacity") == "1"
        assert label.is_visible()


def test_empty_result_offers_each_condition_for_removal(page, site_url):
    page.goto(site_url + "/cases/?" + urllib.parse.urlencode([("province", "四川"), ("standard", "七个有力")]))
    assert visible_ids(page) == []
    empty = page.locator("#case-empty")
    assert empty.is_visible()
    label = facet(page, "standard").locator("summary").evaluate("s => s.firstChild.textContent")
    assert "省份“四川”" in empty.inner_text() and f"{label}“七个有力”" in empty.inner_text()
    offers = empty.locator("button.case-empty-remove")
    assert offers.all_inner_texts() == ["去掉省份“四川”（2 个案例）", f"去掉{label}“七个有力”（2 个案例）"]
    offers.first.click()
    assert visible_ids(page) == ids_where(lambda c: "七个有力" in c.values("standards"))
    assert query(page) == {"standard": ["七个有力"]}
    assert not empty.is_visible()


@pytest.mark.parametrize(
    ("tag_url", "key", "value"), [("/models/1+8+N/", "model", "1+8+N"), ("/provinces/四川/", "province", "四川")]
)
def test_tag_page_links_to_its_filtered_view(page, site_url, tag_url, key, value):
    page.goto(site_url + urllib.parse.quote(tag_url))
    page.locator("a", has_text="在全部案例中筛选").click()
    page.wait_for_url(re.compile(r"/cases/\?"))
    assert query(page) == {key: [value]}
    expected = ids_where(lambda c: value in c.values({"model": "models", "province": "province"}[key]))
    assert visible_ids(page) == expected
    assert value_label(page, key, value).locator("input").is_checked()

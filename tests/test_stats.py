"""The statistics page: exact counts, escaped labels, SVG charts with tables, print stylesheet."""

from __future__ import annotations

from collections import Counter

from caselib.site.stats import CHARTS, bar_chart, chart_rows, counts, stats_page


def test_counts_by_year_and_province_match_the_front_matter(cases):
    assert dict(counts(cases, "year")) == Counter(c.meta["published"][:4] for c in cases)
    assert dict(counts(cases, "province")) == Counter(c.meta["province"] for c in cases if c.meta["province"] != "未知")


def test_model_counts_count_each_case_once_and_sort_by_count(cases):
    expected = Counter(m for c in cases for m in dict.fromkeys(c.meta["models"]))
    rows = counts(cases, "model")
    assert dict(rows) == expected
    assert [n for _, n in rows] == sorted((n for _, n in rows), reverse=True)


def test_years_are_charted_in_order(cases):
    year = next(c for c in CHARTS if c.key == "year")
    rows = chart_rows(cases, year)
    assert [y for y, _ in rows] == sorted(y for y, _ in rows)


def test_years_without_a_case_are_shown_as_zero(cases):
    year = next(c for c in CHARTS if c.key == "year")
    rows = dict(chart_rows(cases, year))
    first, last = int(min(rows)), int(max(rows))
    assert list(rows) == [str(y) for y in range(first, last + 1)]
    assert {y: n for y, n in rows.items() if n} == dict(counts(cases, "year"))
    page = stats_page(cases).content
    for y, n in rows.items():
        assert (f"| {y} | 0 |" in page) == (n == 0)  # no page to link to


def test_every_model_is_charted(cases):
    model = next(c for c in CHARTS if c.key == "model")
    assert chart_rows(cases, model) == counts(cases, "model")


def test_chart_labels_are_escaped():
    svg = bar_chart("a<b", [('<script>alert(1)</script>"', 3), ("四力", 1)])
    assert "<script>" not in svg
    assert "&lt;script&gt;alert(1)&lt;/script&gt;&quot;" in svg
    assert svg.count("<rect ") == 2


def test_stats_page_has_a_chart_and_a_table_per_dimension(cases):
    page = stats_page(cases)
    assert page.path == "stats/index.md"
    assert page.content.count("<svg ") == len(CHARTS)
    assert page.content.count("| 案例数 |") == len(CHARTS)


def test_stats_page_in_chromium(page, site_url):
    page.goto(site_url + "/stats/")
    boxes = page.locator(".caselib-chart-box")
    assert boxes.count() == 4
    for i in range(4):
        box = boxes.nth(i)
        values = [int(v) for v in box.locator(".caselib-chart__value").all_text_contents()]
        labels = box.locator(".caselib-chart__label").all_text_contents()
        table = box.locator("xpath=following-sibling::*[1]//table")
        rows = [r.split("\t") for r in table.locator("tbody tr").all_inner_texts()]
        assert [(label, n) for label, n in zip(labels, values)] == [(r[0].strip(), int(r[1])) for r in rows]
        assert box.locator("svg").bounding_box()["height"] > 20
    assert "2021" in page.locator(".caselib-chart-box[data-chart=year]").inner_text()


def test_stats_page_fits_a_phone(browser, site_url):
    context = browser.new_context(viewport={"width": 375, "height": 800}, is_mobile=True)
    page = context.new_page()
    page.goto(site_url + "/stats/")
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    size = page.eval_on_selector(
        ".caselib-chart__label", "e => parseFloat(getComputedStyle(e).fontSize) * e.ownerSVGElement.getScreenCTM().a"
    )
    assert size >= 11  # chart labels stay readable on a phone
    context.close()


def test_printing_a_case_keeps_the_card_and_drops_navigation(page, site_url):
    page.goto(site_url + "/cases/2019-swpu-sili/")
    page.emulate_media(media="print")
    assert not page.locator(".md-header").is_visible()
    assert not page.locator(".md-sidebar--primary").is_visible()
    assert page.locator(".case-card").is_visible()
    assert page.locator("article h1").is_visible()
    assert page.eval_on_selector(".case-card", "e => getComputedStyle(e).breakInside") == "avoid"
    # a source link in the card prints its address (no case links out yet: add one in the page)
    after = page.eval_on_selector(
        ".case-card",
        """card => {
        const a = document.createElement('a'); a.href = 'https://example.org/x'; a.textContent = '原文';
        card.appendChild(a); return getComputedStyle(a, '::after').content; }""",
    )
    assert "https://example.org/x" in after

"""The statistics page: cases by year (every year from the first to the last, none left out even
with no case), province, organisation type and model (all of them: with few cases many models tie,
and a cut would keep an arbitrary few).

Charts are inline SVG drawn here at build time (no chart library, nothing fetched), one bar per
value with its label above the bar, so they read on a phone; colours come from CSS
(`.caselib-chart` in caselib.css), so dark mode works. Every chart has the same numbers as a
table under it, each value linking to its index page.
"""

from __future__ import annotations

import html
from dataclasses import dataclass

from ..model.cases import Case
from ..model.schema import dimensions
from ..model.tags import group_by_tag
from .mdtext import Page, front_matter
from .urls import link, tag_path

STATS_PATH = "stats/index.md"
WIDTH = 360
ROW = 38


@dataclass(frozen=True)
class Chart:
    key: str  # dimension key
    title: str
    by_value: bool  # sort by value (years) instead of by count


CHARTS = (
    Chart("year", "按年份", True),
    Chart("province", "按省份", False),
    Chart("org_type", "按组织类型", False),
    Chart("model", "按模式", False),
)


def counts(cases: list[Case], key: str) -> list[tuple[str, int]]:
    """(value, number of cases) of one dimension, most cases first (ties by value)."""
    dim = next(d for d in dimensions() if d.key == key)
    groups = group_by_tag(cases, dim)
    return sorted(((value, len(group)) for value, group in groups.items()), key=lambda r: (-r[1], r[0]))


def chart_rows(cases: list[Case], chart: Chart) -> list[tuple[str, int]]:
    rows = counts(cases, chart.key)
    if chart.key == "year" and rows and all(year.isdigit() for year, _ in rows):
        found = dict(rows)
        first, last = int(min(found)), int(max(found))
        return [(str(y), found.get(str(y), 0)) for y in range(first, last + 1)]
    return sorted(rows) if chart.by_value else rows


def bar_chart(title: str, rows: list[tuple[str, int]]) -> str:
    """One horizontal bar chart as an SVG element (on one line, so Markdown leaves it alone)."""
    top = max((n for _, n in rows), default=1)
    height = ROW * len(rows) + 4
    esc = html.escape
    parts = [
        f'<svg class="caselib-chart" viewBox="0 0 {WIDTH} {height}" width="100%" role="img" '
        f'aria-label="{esc(title)}" preserveAspectRatio="xMinYMin meet">',
        f"<title>{esc(title)}</title>",
    ]
    for i, (label, n) in enumerate(rows):
        y = i * ROW
        bar = max(2, round((WIDTH - 40) * n / top)) if n else 0
        parts.append(f'<text class="caselib-chart__label" x="0" y="{y + 14}">{esc(label)}</text>')
        parts.append(f'<rect class="caselib-chart__bar" x="0" y="{y + 20}" width="{bar}" height="14" rx="2"/>')
        parts.append(f'<text class="caselib-chart__value" x="{bar + 6}" y="{y + 32}">{n}</text>')
    parts.append("</svg>")
    return "".join(parts)


def stats_page(cases: list[Case]) -> Page:
    dims = {d.key: d for d in dimensions()}
    out = [
        front_matter("统计"),
        "# 统计",
        "",
        f"本库共有 {len(cases)} 个案例。下面的图和表在每次建站时根据全部案例重新统计；"
        "一个案例可以有多个模式，所以各模式的案例数相加可能多于案例总数。",
        "",
    ]
    for chart in CHARTS:
        rows = chart_rows(cases, chart)
        dim = dims[chart.key]
        out += [f"## {chart.title}", ""]
        if not rows:
            out += ["暂无数据。", ""]
            continue
        out += [f'<div class="caselib-chart-box" data-chart="{chart.key}">{bar_chart(chart.title, rows)}</div>', ""]
        out += [f"| {dim.label} | 案例数 |", "|---|---:|"]
        # a year with no case has no page to link to
        out += [f"| {link(value, STATS_PATH, tag_path(dim, value)) if n else value} | {n} |" for value, n in rows]
        out.append("")
    return Page(STATS_PATH, "\n".join(out))

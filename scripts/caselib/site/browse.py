"""The all-cases page (/cases/): every case in one list; the one place to search and filter.

Without JavaScript the page is a plain list of every case, newest first. With JavaScript
(docs/assets/javascripts/cases-browse.js with search.js) a keyword box and the facet filters
appear above it, all their state in the URL (/cases/?q=两张皮&province=四川); the header search box
and the old /search/?q= lead here. The list is rendered
once here; the script only re-inserts the matching items (at most 200 at a time), so a
10,000-case page stays fast.

The facet data is one JSON script element: the values of each facet once, and for each list
item (same order) the indexes of its values. JSON is escaped so that no contributor text can
close the script element or run script (`<`, `>`, `&`, U+2028/9 as \\u escapes).
"""

from __future__ import annotations

import html
import json

from ..model.cases import Case, newest_first
from ..model.schema import UNKNOWN, dimensions
from ..model.tags import tag_values
from .mdtext import Page, front_matter
from .urls import CASES_PATH

# Facet order on the page (keys of data/dimensions.yml); any other dimension follows.
FACET_ORDER = ("province", "institution", "org_type", "model", "theme", "honour", "year", "standard")
DATA_ID = "case-facets"


def facet_dimensions():
    dims = {d.key: d for d in dimensions()}
    ordered = [dims[k] for k in FACET_ORDER if k in dims]
    return ordered + [d for d in dimensions() if d.key not in FACET_ORDER]


def script_json(value: object) -> str:
    """JSON that is safe inside <script type="application/json">: nothing in it closes the element."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    for raw, escaped in (
        ("&", "\\u0026"),
        ("<", "\\u003c"),
        (">", "\\u003e"),
        ("\u2028", "\\u2028"),
        ("\u2029", "\\u2029"),
    ):
        text = text.replace(raw, escaped)
    return text


def facet_data(cases: list[Case]) -> dict:
    """Facets (key, label, values most used first; years newest first) and each case's value indexes."""
    facets: list[dict] = []
    picks: list[list[list[int]]] = [[] for _ in cases]  # per case, per facet: its value indexes
    for dim in facet_dimensions():
        per_case = [list(dict.fromkeys(tag_values(c, dim))) for c in cases]
        counts: dict[str, int] = {}
        for values in per_case:
            for v in values:
                counts[v] = counts.get(v, 0) + 1
        if dim.key == "year":
            order = sorted(counts, reverse=True)
        else:
            order = sorted(counts, key=lambda v: (-counts[v], v))
        if not order:
            continue  # no case has a value in this dimension: no facet
        index = {v: i for i, v in enumerate(order)}
        facets.append({"key": dim.key, "label": dim.label, "values": order})
        for pick, values in zip(picks, per_case):
            pick.append([index[v] for v in values])
    rows = [{"id": c.id, "d": c.published, "f": pick} for c, pick in zip(cases, picks)]
    return {"facets": facets, "cases": rows}


def _item(case: Case) -> str:
    e = html.escape
    meta = [
        case.meta.get("institution") or UNKNOWN,
        case.meta.get("province") or UNKNOWN,
        case.meta.get("org_type") or UNKNOWN,
    ]
    return (
        f'<li class="case-item"><a class="case-item-title" href="{e(case.id)}/">{e(case.title)}</a>'
        f'<span class="case-meta">{" · ".join(e(str(m)) for m in meta)} · '
        f'<span class="case-date">{e(case.published)}</span></span>'
        f'<span class="case-item-summary">{e(str(case.meta.get("summary", "")).strip())}</span></li>'
    )


def all_cases_page(cases: list[Case]) -> Page:
    ordered = newest_first(cases)
    labels = "、".join(d.label for d in facet_dimensions())
    intro = f"共 {len(cases)} 个案例，按发布日期从新到旧排列。"
    help_text = (
        f"可按{labels}筛选：同一类中选多个值，显示符合其中任一值的案例；不同类的条件同时满足，"
        "也与搜索词同时满足。值旁的数字是在搜索词和其他类的当前条件下有该值的案例数。"
        "搜索词和筛选条件都写在网址中，复制链接即可分享。"
    )
    # the keyword box and the facets (cases-browse.js, search.js): shown only where scripts run;
    # without them the page is the plain list of every case
    search_form = (
        '<form class="case-search" action="./" method="get" role="search">'
        '<input class="case-search-input" id="case-q" type="search" name="q" '
        'placeholder="搜索标题、院校、正文，例如 两张皮" aria-label="搜索案例" autocomplete="off" enterkeyhint="search">'
        '<button class="md-button md-button--primary case-search-submit" type="submit">搜索</button></form>'
    )
    content = front_matter("全部案例") + "\n".join(
        [
            "",
            "# 全部案例",
            "",
            '<div class="case-browser" id="case-browser">',
            f'<p class="case-browse-intro">{intro}<a href="../search/how/">搜索如何工作</a></p>',
            '<noscript><p class="case-browse-noscript">搜索和筛选需要浏览器启用 JavaScript；下面列出全部案例，'
            "也可以从院校、模式、省份等分类页面查找。</p></noscript>",
            f'<div class="case-filters" id="case-filters" hidden>{search_form}'
            f'<p class="case-filter-help">{help_text}</p></div>',
            f'<ul class="case-browse-list" id="case-list">{"".join(_item(c) for c in ordered)}</ul>',
            '<p class="case-browse-data">下载全部案例的元数据：'
            '<a href="../cases.json">cases.json</a> · <a href="../cases.csv">cases.csv</a>'
            '（可用 Excel 打开）· 新案例订阅：<a href="../feed.xml">feed.xml</a>（Atom）</p>',
            f'<script type="application/json" id="{DATA_ID}">{script_json(facet_data(ordered))}</script>',
            "</div>",
            "",
        ]
    )
    return Page(f"{CASES_PATH}/index.md", content)

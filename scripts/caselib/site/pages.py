"""Render the generated pages as Markdown text: pure functions, cases in, text out.

Where each page goes and how pages link to each other is urls.py (relative Markdown links
between page paths, so the site engine checks them); the Markdown text itself, mdtext.py.
Every value a contributor wrote passes through `md_text` (HTML-escaped, Markdown-escaped)
so it is shown as text and never interpreted.
"""

from __future__ import annotations

import html
import posixpath
import re
import urllib.parse

from ..model import glossary
from ..model.cases import Case, newest_first
from ..model.schema import UNKNOWN, Dimension, dimensions, fields, fields_by_key
from ..model.tags import group_by_tag
from ..model.text import GAP_MARK, slug
from . import related, reuse
from .browse import all_cases_page as filterable  # the filterable list, see browse.py
from .mdtext import FILL, Page, front_matter, html_text, md_text
from .urls import CASES_PATH, case_path, dimension_path, href, html_link, link, page_url, tag_path

# --- pages ------------------------------------------------------------------------------------


def case_list(cases: list[Case], from_path: str, memo: dict | None = None) -> str:
    """A list of cases (title, institution, date, summary) as an HTML block of the page's Markdown.

    Written as the HTML the site's Markdown made of the same list written in Markdown, so the
    renderer has nothing to parse in it (a tag page is mostly this list); contributor text is
    HTML-escaped. `memo` (one dict per build) keeps each item: a case is listed on every index page
    of its tags, and pages of one folder share their links.
    """
    memo = {} if memo is None else memo
    folder = posixpath.dirname(page_url(from_path).rstrip("/"))  # relative links depend on this alone
    items = []
    for case in cases:
        key = (id(case), folder)
        if key not in memo:
            institution = case.meta.get("institution") or UNKNOWN
            summary = str(case.meta.get("summary", "")).strip()
            memo[key] = (
                f"<li><strong>{html_link(case.title, from_path, case_path(case))}</strong><br />\n"
                f'  <span class="case-meta">{html_text(institution)} · {html_text(case.published)}</span><br />\n'
                f"  {html_text(summary)}</li>"
            )
        items.append(memo[key])
    return "<ul>\n" + "\n".join(items) + "\n</ul>\n"


def _card_value(case: Case, key: str, from_path: str) -> str:
    """One value of a case's card, as HTML ("" when the case has none)."""
    spec = fields_by_key()[key]
    dim = next((d for d in dimensions() if spec in d.fields), None)
    if key == "published":
        year_dim = next(d for d in dimensions() if d.key == "year")
        return html_link(case.published, from_path, tag_path(year_dim, case.year))
    if key == "source_url":
        url = str(case.meta.get("source_url", ""))
        return autolink(url) if url else ""
    values = case.values(key)
    if not values:
        return ""
    shown = []
    for value in values:
        if value == UNKNOWN:
            shown.append(html_text(shown_unknown(value)))
        elif dim is not None:
            shown.append(html_link(value, from_path, tag_path(dim, value)))
        else:
            shown.append(html_text(value))
    return "、".join(shown)


_AMP = re.compile(r"&(?!(?:#[0-9]+|#x[0-9a-f]+|[0-9a-z]+);)", re.I)  # an & that starts no entity


def autolink(url: str) -> str:
    """The link the site's Markdown makes of `<url>` (a full address, shown as itself)."""
    text = _AMP.sub("&amp;", url).replace("<", "&lt;").replace(">", "&gt;")
    return f'<a href="{text.replace(chr(34), "&quot;")}">{text}</a>'


CARD_FIELDS = (
    "institution",
    "unit",
    "org_type",
    "province",
    "published",
    "source",
    "source_url",
    "models",
    "standards",
    "themes",
    "honours",
    "authors",
)


def gap_note(case: Case) -> str:
    """The warning above a case body whose source lost words to tampering (Markdown; "" when none)."""
    gaps = case.values("gaps")
    if not gaps:
        return ""
    notes = "\n".join(f"    - {md_text(g)}" for g in gaps)
    return (
        f'\n!!! warning "原文有 {len(gaps)} 处缺失"\n\n'
        f"    原文遭篡改，被替换的词无法确定，本库不作猜测，正文中以 {GAP_MARK} 标出。\n\n{notes}\n"
    )


def case_body(case: Case) -> str:
    """A case body as Markdown, with every gap mark highlighted."""
    return case.body.strip("\n").replace(GAP_MARK, f'<span class="case-gap" title="原文此处缺失">{GAP_MARK}</span>')


def shown_unknown(value: str) -> str:
    """A value as shown to readers: 未知 is explained."""
    return f"{UNKNOWN}（原文未给出）" if value == UNKNOWN else value


# The table of contents at the top of a case page where the theme has no TOC column (phones,
# small tablets; caselib.css shows it below 960 px): one tap opens it. `[TOC]` is the toc
# extension's; `phone_toc` folds what it makes into a <details> once the page is rendered.
PHONE_TOC = "\n[TOC]\n"
_TOC_DIV = '<div class="toc">'


def phone_toc(html: str) -> str:
    """A rendered case page with its table of contents (the first <div class="toc">, which holds
    no other div) in a <details> a reader opens with one tap."""
    start = html.find(_TOC_DIV)
    if start < 0:
        return html
    end = html.index("</div>", start) + len("</div>")
    return (
        html[:start]
        + '<details class="caselib-toc">\n<summary>目录</summary>\n'
        + html[start:end]
        + "\n</details>"
        + html[end:]
    )


def case_page(case: Case, related: list[Case] | None = None) -> Page:
    path = case_path(case)
    rows = []
    for key in CARD_FIELDS:
        value = _card_value(case, key, path)
        if value:
            rows.append(
                f'<li><span class="case-field">{fields_by_key()[key].label}</span> '
                f'<span class="case-value">{value}</span></li>\n'
            )
    summary = str(case.meta.get("summary", "")).strip()
    # the card: HTML as the site's Markdown made it from a Markdown list, put in after rendering
    # (the renderer would spend more on the card than on the body)
    card = (
        '<div class="case-card">\n'
        + f'<p class="case-summary">{html.escape(summary)}</p>\n'
        + "<ul>\n"
        + "".join(rows)
        + "</ul>\n</div>"
    )
    content = (
        # the summary is the page's description (search engines, a shared link's card): HTML text,
        # as the theme writes it into <meta> as it is
        front_matter(case.title, case_id=case.id, description=html.escape(" ".join(summary.split())))
        + f"# {md_text(case.title)}\n"
        + PHONE_TOC
        + "\n"
        + FILL
        + "\n"
        + gap_note(case)
        + "\n"
        + case_body(case)
        + "\n"
        + reuse.case_footer(case, related or [], path)
    )
    return Page(path, content, html=card)


def tag_title(dim: Dimension, value: str) -> str:
    return f"{dim.label}：{value}"


def dimension_title(dim: Dimension) -> str:
    return f"按{dim.label}浏览"


def tag_page(dim: Dimension, value: str, cases: list[Case], memo: dict | None = None) -> Page:
    path = tag_path(dim, value)
    title = tag_title(dim, value)
    content = front_matter(title) + f"# {md_text(title)}\n\n" + FILL + "\n"
    # all but the title is put in after rendering, as the HTML the site's Markdown made of it (the
    # renderer would only copy it): the introduction, the glossary entry, the list of cases
    intro = (
        f"<p>共 {len(cases)} 个案例，按发布日期从新到旧排列。"
        f"返回{html_link('全部' + dim.label, path, dimension_path(dim))}。"
        f"{filtered_link(dim, value, path)}，可再加其他条件或搜索词。</p>\n"
    )
    return Page(
        path, content, html=intro + definition(dim, value, cases, path) + case_list(cases, path, memo).rstrip("\n")
    )


def filtered_link(dim: Dimension, value: str, from_path: str) -> str:
    """A link (HTML) to /cases/ filtered to this tag (cases-browse.js reads ?<facet key>=<value>)."""
    target = href(from_path, f"{CASES_PATH}/index.md") + f"?{dim.key}={urllib.parse.quote(value, safe='')}"
    return f'<a href="{target}">在全部案例中筛选</a>'


GLOSSARY_PAGE = "glossary/index.md"


def definition(dim: Dimension, value: str, cases: list[Case], from_path: str) -> str:
    """The glossary entry of a model or requirement, its source cited, and the models used with it
    (HTML, as the site's Markdown makes it of an `!!! abstract` note and a paragraph)."""
    if dim.key not in ("model", "standard"):
        return ""
    out = ""
    entry = glossary.by_term().get(value)
    source = next((c for c in cases if entry and c.id == entry.case), None)
    if entry is not None and source is not None:
        out += (
            '<div class="admonition abstract">\n'
            f'<p class="admonition-title">“{html_text(value)}”指什么</p>\n'
            f"<p><strong>{html_text(entry.expansion)}</strong></p>\n"
            f"<blockquote>\n<p>{html_text(entry.quote)}</p>\n</blockquote>\n"
            f"<p>—— 引自{html_link(source.title, from_path, case_path(source))}</p>\n"
            "</div>\n"
        )
    together = glossary.co_occurring(value, cases)
    if together:
        model_dim = next(d for d in dimensions() if d.key == "model")
        links = (f"{html_link(m, from_path, tag_path(model_dim, m))}（{n}）" for m, n in together)
        out += "<p>相关模式（同一案例中一起出现）：" + "、".join(links) + "。</p>\n"
    return out


def glossary_targets(cases: list[Case]) -> dict[str, str]:
    """Each glossary model or standard shown in this library → the index page that carries its
    definition (a saying has none: see `saying_anchor`)."""
    dims = {d.key: d for d in dimensions()}
    out = {}
    for key in ("standard", "model"):  # a model wins over a standard
        used = group_by_tag(cases, dims[key])
        out.update(
            {e.term: tag_path(dims[key], e.term) for e in glossary.shown(cases) if e.term in used and not e.saying}
        )
    return out


SAYINGS_SHOWN = 10  # cases listed under a saying; more are counted


def saying_anchor(term: str) -> str:
    """The id of a saying's heading on the glossary page (`/glossary/#两张皮`)."""
    return slug(term)


def _sayings(cases: list[Case]) -> list[str]:
    """The 常用说法 section: each saying, what it means, its quote and source, the cases naming it."""
    found = [(e, newest_first(glossary.mentioned_in(e.term, cases))) for e in glossary.sayings(cases)]
    if not found:
        return []
    out = [
        "## 常用说法",
        "",
        "案例正文里常用、但不是哪个案例的模式或对标要求的说法。",
        "",
    ]
    by_id = {c.id: c for c in cases}
    for entry, naming in sorted(found, key=lambda r: (-len(r[1]), r[0].term)):
        cite = link(by_id[entry.case].title, GLOSSARY_PAGE, case_path(by_id[entry.case]))
        listed = "、".join(link(c.title, GLOSSARY_PAGE, case_path(c)) for c in naming[:SAYINGS_SHOWN])
        more = f"等 {len(naming)} 个案例" if len(naming) > SAYINGS_SHOWN else ""
        out += [
            f"### {md_text(entry.term)} {{ #{saying_anchor(entry.term)} }}",
            "",
            f"**{md_text(entry.expansion)}**",
            "",
            f"> {md_text(entry.quote)}",
            "",
            f"—— 引自{cite}",
            "",
            f"正文提到它的案例（{len(naming)} 个）：{listed}{more}。",
            "",
        ]
    return out


def glossary_page(cases: list[Case]) -> Page:
    """模式词典: every curated term with what it stands for; models, then requirements, each most
    used first and linking to its index page; then the sayings of the cases' text, in full."""
    pages_of = glossary_targets(cases)
    dims = {d.key: d for d in dimensions()}
    out = [
        front_matter("模式词典"),
        "# 模式词典",
        "",
        "各单位提出的党建模式、对标要求，以及案例中常用的说法各指什么。每条释义都摘自一个案例的原文，并注明出处；"
        "点击模式或对标要求的名称，可以看到释义的出处和使用它的全部案例；常用说法的出处列在本页最后。"
        "案例正文中第一次提到这些词时也会链接到这里的释义。"
        f"想补充词条或指出释义的问题，请看{link('参与贡献', GLOSSARY_PAGE, 'contributing/index.md')}。",
        "",
    ]
    for key in ("model", "standard"):
        prefix = dims[key].path + "/"
        groups = group_by_tag(cases, dims[key])
        counts = {
            e.term: len(groups[e.term]) for e in glossary.shown(cases) if pages_of.get(e.term, "").startswith(prefix)
        }
        if not counts:
            continue
        out += [f"## {dims[key].label}", ""]
        for entry in sorted(glossary.shown(cases), key=lambda e: (-counts.get(e.term, 0), e.term)):
            if entry.term in counts:
                name = link(entry.term, GLOSSARY_PAGE, pages_of[entry.term])
                out += [f"- **{name}**（{counts[entry.term]} 个案例）：{md_text(entry.expansion)}"]
        out.append("")
    out += _sayings(cases)
    return Page(GLOSSARY_PAGE, "\n".join(out) + "\n")


def dimension_page(dim: Dimension, groups: dict[str, list[Case]], total: int) -> Page:
    path = dimension_path(dim)
    if dim.key == "year":
        order = sorted(groups, reverse=True)
    else:
        order = sorted(groups, key=lambda v: (-len(groups[v]), v))
    rows = [f"| {link(v, path, tag_path(dim, v))} | {len(groups[v])} |" for v in order]
    tagged = len({c.id for group in groups.values() for c in group})
    untagged = total - tagged
    note = f"\n另有 {untagged} 个案例未标明{dim.label}。\n" if untagged else ""
    content = (
        front_matter(dimension_title(dim))
        + f"# {dimension_title(dim)}\n\n{dim.intro}共 {len(groups)} 个{dim.label}。\n\n"
        + f"| {dim.label} | 案例数 |\n|---|---:|\n"
        + "\n".join(rows)
        + "\n"
        + note
    )
    return Page(path, content)


def all_cases_page(cases: list[Case]) -> Page:
    return filterable(cases)


def field_guide_page() -> Page:
    """The contributor field guide, derived from the schema."""
    type_names = {
        "id": "编号",
        "text": "一行文字",
        "longtext": "一段文字",
        "enum": "从允许值中选一个",
        "text_list": "列表",
        "enum_list": "列表，值从允许值中选",
        "date": "日期 YYYY-MM-DD",
        "url": "网址",
        "todo": "列表（导入工具填写，处理完删除）",
    }
    parts = [
        front_matter("字段说明"),
        "# 字段说明\n\n",
        "每个案例是 `cases/` 目录下的一个 Markdown 文件，文件开头用两行 `---` 包住元数据（front matter），"
        "下面是案例正文。本页由案例库的字段定义自动生成，检查（`make check`）按同一份定义进行，"
        "每条检查规则的编号和例子见“参与贡献 › 检查规则”页。\n\n",
        "| 字段 | 名称 | 必填 | 写法 | 说明 |\n|---|---|---|---|---|\n",
    ]
    for spec in fields():
        required = "必填" + ("（可填 未知）" if spec.unknown else "") if spec.required else "选填"
        written = type_names[spec.type]
        if spec.min_items or spec.max_items:
            written += (
                f"（{spec.min_items or 0} 到 {spec.max_items} 个）"
                if spec.max_items
                else f"（至少 {spec.min_items} 个）"
            )
        parts.append(f"| `{spec.key}` | {spec.label} | {required} | {written} | {md_text(spec.help)} |\n")
    parts.append(limits_section())
    for spec in fields():
        if spec.vocab:
            parts.append(f"\n## {spec.label}（`{spec.key}`）允许的值\n\n")
            parts.append("、".join(md_text(v) for v in spec.allowed) + "\n")
    return Page("contributing/fields.md", "".join(parts))


def rules_page() -> Page:
    """Every rule `check` applies, by its stable code, from the registry (data/rules.yml)."""
    from ..check.codes import rules

    parts = [
        front_matter("检查规则"),
        "# 检查规则\n\n",
        "`make check`（即 `python -m caselib check`）检查案例文件时，每个问题占一行，"
        "末尾方括号里是规则编号，例如：\n\n",
        "```text\ncases/2024-xxdx-sanjin.md:7: province: “甘肃省”应写成“甘肃”"
        "（省份的规范写法；运行 make fix 可自动改正） [CL032]\n```\n\n",
        "- 标有“可自动改正”的规则，运行 `make fix`（即 `python -m caselib check --fix`）会直接改好文件里的这一行，"
        "并列出改了什么，文件的其他部分一字不动；其他问题请按提示手动修改。\n"
        "- 暂时不想检查某条规则时，用 `python -m caselib check --ignore CL031,CL048`（合并前仍要全部通过）。\n"
        "- 编号不会改变，也不会重复使用。本页由案例库的规则表自动生成，字段的写法见[字段说明](fields.md)。\n\n",
        "| 编号 | 规则 | 例如（不合规的写法） | 可自动改正 |\n|---|---|---|---|\n",
    ]
    for rule in rules():
        if rule.retired:
            continue
        written = ": " in rule.example or rule.example.startswith(("<", "[", "!", "#"))
        example = f"`{rule.example}`" if written and "`" not in rule.example else md_text(rule.example)
        parts.append(f"| {rule.code} | {md_text(rule.title)} | {example} | {'可以' if rule.fix else ''} |\n")
    return Page("contributing/rules.md", "".join(parts))


def limits_section() -> str:
    """The limits `check` enforces, from the constants it enforces them with."""
    from ..check import markup, validate
    from ..model import cases

    lengths = "，".join(f"{spec.label} {spec.max_chars} 字" for spec in fields() if spec.max_chars)
    rows = [
        ("案例文件", f"最多 {cases.MAX_FILE_BYTES // 1000} KB（最长的真实案例约 13 KB）"),
        ("正文", f"最多 {markup.MAX_LINES} 行；一段（两个空行之间）最多 {markup.MAX_PARAGRAPH_CHARS} 字"),
        ("正文里的 `[` 和 `<`", f"各最多 {markup.MAX_OPENERS} 个（普通文字请用【】、《》或全角“＜”）"),
        ("嵌套", f"引用、列表、强调一层套一层最多 {markup.MAX_DEPTH} 层"),
        ("各字段的字数", lengths),
        ("列表字段", f"每个字段最多 {validate.MAX_VALUES} 个值；值只能是文字，不能再套列表"),
        ("编号 `id`", f"最多 {validate.MAX_ID_CHARS} 个字符"),
        (
            "保留的名字",
            "、".join(f"`{name}`" for name in sorted(validate.RESERVED))
            + " 是网站自己的页面名，不能用作编号或标签值；只差大小写、标点或空格的标签值算同一个",
        ),
        ("数字", f"最多 {cases.MAX_NUMBER_CHARS} 位（文字请用引号括起来）"),
        ("日期", "不能早于 1921 年，也不能晚于今天"),
        (
            "看不见的字符",
            "元数据里不能有控制字符、零宽字符、改变文字方向的字符和私用区字符；"
            "正文里不能有控制字符和改变文字方向的字符",
        ),
        ("YAML", "不能用标签（`!`）、锚点和别名（`&`、`*`）"),
    ]
    table = "".join(f"| {name} | {rule} |\n" for name, rule in rows)
    return (
        "\n## 长度和数量的限制\n\n超过限制的文件不会被读取或排版，`check` 报告文件、行号和限制；"
        "限制远大于真实案例的需要，只为挡住会让网站构建卡死或出错的内容。\n\n"
        "| 项目 | 限制 |\n|---|---|\n" + table
    )


HOME_PAGE = "index.md"


def home_page(source: str, cases: list[Case], booklet_link: str) -> Page:
    """The home page: docs/index.md (`source`) with its placeholders filled (latest cases, browse
    links, the number of cases, the booklet link)."""
    for mark, text in (
        ("<!-- caselib:latest -->", latest_cases(cases, HOME_PAGE)),
        ("<!-- caselib:browse -->", browse_links(cases, HOME_PAGE)),
        ("<!-- caselib:count -->", str(len(cases))),
        ("<!-- caselib:booklet -->", booklet_link),
    ):
        source = source.replace(mark, text)
    return Page(HOME_PAGE, source)


def latest_cases(cases: list[Case], from_path: str, limit: int = 10) -> str:
    return case_list(newest_first(cases)[:limit], from_path)


def browse_links(cases: list[Case], from_path: str) -> str:
    items = []
    for dim in dimensions():
        count = len(group_by_tag(cases, dim))
        items.append(f"- {link('按' + dim.label, from_path, dimension_path(dim))}（{count} 个{dim.label}）")
    return "\n".join(items) + "\n"


def site_pages(cases: list[Case], related_cases: dict[str, list[Case]] | None = None) -> list[Page]:
    """Every generated page of the site; `related_cases` (by case id) found here when not given."""
    related_cases = related.related(cases) if related_cases is None else related_cases
    pages = [case_page(c, related_cases[c.id]) for c in cases] + [
        all_cases_page(cases),
        field_guide_page(),
        rules_page(),
        glossary_page(cases),
    ]
    memo: dict = {}  # list items, for this build only (the cases are in `cases` throughout)
    for dim in dimensions():
        groups = group_by_tag(cases, dim)
        pages.append(dimension_page(dim, groups, len(cases)))
        pages += [tag_page(dim, value, group, memo) for value, group in groups.items()]
    return pages

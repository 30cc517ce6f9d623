"""Render the generated pages as Markdown text: pure functions, cases in, text out.

Where each page goes and how pages link to each other is urls.py (relative Markdown links
between page paths, so the site engine checks them); the Markdown text itself, mdtext.py.
Every value a contributor wrote passes through `md_text` (HTML-escaped, Markdown-escaped)
so it is shown as text and never interpreted.
"""

from __future__ import annotations

import html
import posixpath
import urllib.parse

from ..model import glossary
from ..model.cases import Case, newest_first
from ..model.schema import UNKNOWN, Dimension, dimensions, fields, fields_by_key
from ..model.tags import group_by_tag
from ..model.text import GAP_MARK
from . import related, reuse
from .browse import all_cases_page as filterable  # the filterable list, see browse.py
from .mdtext import Page, front_matter, md_text
from .urls import CASES_PATH, case_path, dimension_path, link, tag_path

# --- pages ------------------------------------------------------------------------------------


def case_list(cases: list[Case], from_path: str, memo: dict | None = None) -> str:
    """A list of cases: title, institution, date, summary.

    `memo` (one dict per build) keeps each item: a case is listed on every index page of its tags.
    """
    memo = {} if memo is None else memo
    folder = posixpath.dirname(from_path)
    items = []
    for case in cases:
        key = (id(case), folder)
        if key not in memo:
            institution = case.meta.get("institution") or UNKNOWN
            memo[key] = (
                f"- **{link(case.title, from_path, case_path(case))}**  \n"
                f'  <span class="case-meta">{md_text(institution)} · {md_text(case.published)}</span>  \n'
                f"  {md_text(str(case.meta.get('summary', '')).strip())}"
            )
        items.append(memo[key])
    return "\n".join(items) + "\n"


def _card_value(case: Case, key: str, from_path: str) -> str:
    spec = fields_by_key()[key]
    dim = next((d for d in dimensions() if spec in d.fields), None)
    if key == "published":
        year_dim = next(d for d in dimensions() if d.key == "year")
        return link(case.published, from_path, tag_path(year_dim, case.year))
    if key == "source_url":
        url = str(case.meta.get("source_url", ""))
        return f"<{url}>" if url else ""
    values = case.values(key)
    if not values:
        return ""
    shown = []
    for value in values:
        if value == UNKNOWN:
            shown.append(shown_unknown(value))
        elif dim is not None:
            shown.append(link(value, from_path, tag_path(dim, value)))
        else:
            shown.append(md_text(value))
    return "、".join(shown)


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


def case_page(case: Case, related: list[Case] | None = None) -> Page:
    path = case_path(case)
    rows = []
    for key in CARD_FIELDS:
        value = _card_value(case, key, path)
        if value:
            rows.append(
                f'- <span class="case-field">{fields_by_key()[key].label}</span> '
                f'<span class="case-value">{value}</span>'
            )
    content = (
        front_matter(case.title, case_id=case.id)
        + f"# {md_text(case.title)}\n\n"
        + '<div class="case-card" markdown="1">\n\n'
        + f'<p class="case-summary">{html.escape(str(case.meta.get("summary", "")).strip())}</p>\n\n'
        + "\n".join(rows)
        + "\n\n</div>\n"
        + gap_note(case)
        + "\n"
        + case_body(case)
        + "\n"
        + reuse.case_footer(case, related or [], path)
    )
    return Page(path, content)


def tag_title(dim: Dimension, value: str) -> str:
    return f"{dim.label}：{value}"


def dimension_title(dim: Dimension) -> str:
    return f"按{dim.label}浏览"


def tag_page(dim: Dimension, value: str, cases: list[Case], memo: dict | None = None) -> Page:
    path = tag_path(dim, value)
    title = tag_title(dim, value)
    content = (
        front_matter(title)
        + f"# {md_text(title)}\n\n"
        + f"共 {len(cases)} 个案例，按发布日期从新到旧排列。"
        + f"返回{link('全部' + dim.label, path, dimension_path(dim))}。"
        + f"{filtered_link(dim, value, path)}，可再加其他条件或搜索词。\n\n"
        + definition(dim, value, cases, path)
        + case_list(cases, path, memo)
    )
    return Page(path, content)


def filtered_link(dim: Dimension, value: str, from_path: str) -> str:
    """A link to /cases/ filtered to this tag (cases-browse.js reads ?<facet key>=<value>)."""
    target = link("在全部案例中筛选", from_path, f"{CASES_PATH}/index.md")
    return target[:-2] + f"?{dim.key}={urllib.parse.quote(value, safe='')}>)"


GLOSSARY_PAGE = "glossary/index.md"


def definition(dim: Dimension, value: str, cases: list[Case], from_path: str) -> str:
    """The glossary entry of a model or requirement, its source cited, and the models used with it."""
    if dim.key not in ("model", "standard"):
        return ""
    out = []
    entry = glossary.by_term().get(value)
    source = next((c for c in cases if entry and c.id == entry.case), None)
    if entry is not None and source is not None:
        cite = link(source.title, from_path, case_path(source))
        out += [
            f'!!! abstract "“{md_text(value)}”指什么"',
            "",
            f"    **{md_text(entry.expansion)}**",
            "",
            f"    > {md_text(entry.quote)}",
            "",
            f"    —— 引自{cite}",
            "",
        ]
    together = glossary.co_occurring(value, cases)
    if together:
        model_dim = next(d for d in dimensions() if d.key == "model")
        out += [
            "相关模式（同一案例中一起出现）："
            + "、".join(f"{link(m, from_path, tag_path(model_dim, m))}（{n}）" for m, n in together)
            + "。",
            "",
        ]
    return "\n".join(out) + ("\n" if out else "")


def glossary_targets(cases: list[Case]) -> dict[str, str]:
    """Each glossary term shown in this library → the index page that carries its definition."""
    dims = {d.key: d for d in dimensions()}
    out = {}
    for key in ("standard", "model"):  # a model wins over a standard
        used = group_by_tag(cases, dims[key])
        out.update({e.term: tag_path(dims[key], e.term) for e in glossary.shown(cases) if e.term in used})
    return out


def glossary_page(cases: list[Case]) -> Page:
    """模式词典: every curated term with what it stands for, linking to its index page;
    models, then requirements, each most used first."""
    pages_of = glossary_targets(cases)
    dims = {d.key: d for d in dimensions()}
    out = [
        front_matter("模式词典"),
        "# 模式词典",
        "",
        "各单位提出的党建模式和对标要求各指什么。每条释义都摘自一个案例的原文，并注明出处；"
        "点击名称可以看到释义的出处和使用它的全部案例。案例正文中第一次提到这些词时也会链接到这里的释义。"
        "补充词条请编辑 `scripts/caselib/data/glossary.yml`"
        "（写法见该文件开头的说明，检查程序会核对引文确实出自所注案例）。",
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
        "下面是案例正文。本页由案例库的字段定义自动生成，检查工具 `python -m caselib check` 按同一份定义检查。\n\n",
        "| 字段 | 名称 | 必填 | 写法 | 说明 |\n|---|---|---|---|---|\n",
    ]
    for spec in fields():
        required = "必填" + ("（可填 未知）" if spec.unknown else "") if spec.required else "选填"
        parts.append(f"| `{spec.key}` | {spec.label} | {required} | {type_names[spec.type]} | {md_text(spec.help)} |\n")
    parts.append(limits_section())
    for spec in fields():
        if spec.vocab:
            parts.append(f"\n## {spec.label}（`{spec.key}`）允许的值\n\n")
            parts.append("、".join(md_text(v) for v in spec.allowed) + "\n")
    return Page("contributing/fields.md", "".join(parts))


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
        glossary_page(cases),
    ]
    memo: dict = {}  # list items, for this build only (the cases are in `cases` throughout)
    for dim in dimensions():
        groups = group_by_tag(cases, dim)
        pages.append(dimension_page(dim, groups, len(cases)))
        pages += [tag_page(dim, value, group, memo) for value, group in groups.items()]
    return pages

"""The printable booklet (案例汇编): cases in, one HTML document out, then a PDF.

`select` picks the cases (all, or those with given tags); `booklet_html` renders them as one
self-contained HTML document: a cover (title, date, count), a table of contents whose page
numbers the PDF renderer fills in (CSS `target-counter`), and one chapter per case (metadata,
the body rendered with the site's Markdown settings and passed through `safety.sanitize_html`
like a case page, the source address printed, the GB/T 7714 reference). `write_pdf` hands the
document to WeasyPrint with a URL fetcher that fetches nothing (fonts come from the system:
Debian's fonts-noto-cjk). `register` adds the `booklet` command to the CLI.
"""

from __future__ import annotations

import difflib
import html
import sys
from dataclasses import dataclass
from pathlib import Path

from markdown.treeprocessors import Treeprocessor

from ..model.cases import Case, newest_first
from ..model.schema import DATA_DIR, UNKNOWN, Dimension, dimensions, fields_by_key
from ..model.tags import group_by_tag
from ..model.text import normalize_tag, slug
from ..site import cite, mdsettings, pages
from ..site.reuse import build_date
from ..site.safety import sanitize_html

TITLE = "党建创新案例汇编"
SITE_PATH = "booklet.pdf"  # the full booklet in the published site
DOWNLOAD_NAME = f"{TITLE}.pdf"  # the name a browser saves it under
CHAPTER_PREFIX = "case-"  # the id of a case's chapter: case-<case id>
CSS_PATH = DATA_DIR / "booklet.css"
SHOWN_SUGGESTIONS = 30
FONTS = ("Noto Serif CJK SC", "Noto Sans CJK SC")  # booklet.css; Debian: fonts-noto-cjk


class UnknownTag(ValueError):
    """A filter value no case has; the message lists what is there."""


# --- which cases --------------------------------------------------------------------------------


def select(cases: list[Case], filters: list[tuple[Dimension, str]]) -> list[Case]:
    """The cases having every (dimension, value) of `filters`, newest first.

    Raises UnknownTag (message in Chinese, with the closest and the allowed values) for a value
    that no case has in that dimension.
    """
    chosen = list(cases)
    for dim, value in filters:
        value = normalize_tag(value)
        groups = group_by_tag(cases, dim)
        if value not in groups:
            raise UnknownTag(unknown_tag_message(dim, value, sorted(groups)))
        members = {case.id for case in groups[value]}
        chosen = [case for case in chosen if case.id in members]
    return newest_first(chosen)


def unknown_tag_message(dim: Dimension, value: str, present: list[str]) -> str:
    close = difflib.get_close_matches(value, present, n=3, cutoff=0.3)
    close += [v for v in present if (value in v or v in value) and v not in close][:3]
    hint = f"你是不是想找：{'、'.join(close)}？" if close else ""
    shown = "、".join(present[:SHOWN_SUGGESTIONS]) + ("等" if len(present) > SHOWN_SUGGESTIONS else "")
    return f"没有{dim.label}为“{value}”的案例。{hint}案例库中的{dim.label}共 {len(present)} 个：{shown or '（无）'}"


def subtitle(filters: list[tuple[Dimension, str]]) -> str:
    return "　".join(f"{dim.label}：{normalize_tag(value)}" for dim, value in filters)


def default_output(filters: list[tuple[Dimension, str]]) -> Path:
    name = "-".join(["booklet"] + [f"{dim.key}-{slug(value)}" for dim, value in filters])
    return Path("build") / f"{name}.pdf"


# --- HTML ---------------------------------------------------------------------------------------


def _e(value: object) -> str:
    return html.escape(str(value), quote=True)


def chapter_id(case: Case) -> str:
    return CHAPTER_PREFIX + case.id


class _PrefixIds(Treeprocessor):
    """Ids and in-page links of one chapter made unique in the whole booklet (runs after toc)."""

    prefix = ""

    def run(self, root):
        for element in root.iter():
            if element.get("id"):
                element.set("id", self.prefix + element.get("id"))
            href = element.get("href") or ""
            if href.startswith("#") and len(href) > 1:
                element.set("href", "#" + self.prefix + href[1:])


def converter():
    """A Markdown converter with the site's settings, ids prefixed per chapter."""
    md = mdsettings.renderer()
    md.treeprocessors.register(_PrefixIds(md), "booklet_ids", 1)  # toc is 5: higher runs first
    return md


def _card(case: Case) -> str:
    rows = []
    for key in pages.CARD_FIELDS:
        values = case.values(key)
        if not values:
            continue
        if key == "source_url":
            shown = f'<a class="url" href="{_e(values[0])}">{_e(values[0])}</a>'
        else:
            shown = "、".join(_e(pages.shown_unknown(v)) for v in values)
        rows.append(f"<dt>{_e(fields_by_key()[key].label)}</dt><dd>{shown}</dd>")
    return '<dl class="card">' + "".join(rows) + "</dl>"


def _citation(case: Case, accessed: str) -> str:
    before, slot, _after = cite.parts(case)
    note = "方括号内的引用日期是本汇编的生成日期，请改为您访问原文的日期。" if slot else cite.NO_URL_NOTE
    return (
        '<h2 class="cite-title">引用本案例</h2>'
        f'<p class="cite">{_e(cite.reference(case, accessed))}</p>'
        f'<p class="cite-note">{cite.STYLE_NOTE}{note}</p>'
    )


@dataclass(frozen=True)
class Booklet:
    title: str
    subtitle: str
    date: str
    cases: list[Case]


def chapter(case: Case, number: int, md, accessed: str) -> str:
    """One case as a chapter; `md` is a Markdown converter with the site's settings."""
    md.reset()
    md.treeprocessors["booklet_ids"].prefix = chapter_id(case) + "--"
    body = md.convert(pages.gap_note(case) + "\n" + pages.case_body(case) + "\n")
    summary = str(case.meta.get("summary") or "").strip()
    inner = (
        f'<p class="chapter-no">案例 {number}</p>'
        f"<h1>{_e(case.title)}</h1>"
        + (f'<p class="summary">{_e(summary)}</p>' if summary else "")
        + _card(case)
        + f'<div class="body">{body}</div>'
        + _citation(case, accessed)
    )
    return f'<div class="chapter" id="{_e(chapter_id(case))}">{sanitize_html(inner)}</div>'


def _toc(cases: list[Case]) -> str:
    items = []
    for number, case in enumerate(cases, 1):
        institution = pages.shown_unknown(str(case.meta.get("institution") or UNKNOWN))
        items.append(
            f'<li><a href="#{_e(chapter_id(case))}"><span class="toc-no">{number}</span>'
            f'<span class="toc-title">{_e(case.title)}</span></a>'
            f'<span class="toc-meta">{_e(institution)} · {_e(case.published)}</span></li>'
        )
    return '<nav class="toc"><h1>目录</h1><ol>' + "".join(items) + "</ol></nav>"


def _cover(book: Booklet) -> str:
    sub = f'<p class="cover-subtitle">{_e(book.subtitle)}</p>' if book.subtitle else ""
    return (
        '<div class="cover">'
        '<p class="cover-library">党建创新案例库</p>'
        f'<p class="cover-title">{_e(book.title)}</p>{sub}'
        f'<p class="cover-count">共收录 {len(book.cases)} 个案例</p>'
        f'<p class="cover-date">生成日期：{_e(book.date)}</p>'
        '<p class="cover-note">本汇编由党建创新案例库根据案例文件自动生成。案例版权归原发布单位所有，'
        "引用时请注明原文来源（见各案例的“来源”与“引用本案例”）。</p>"
        "</div>"
    )


def booklet_html(cases: list[Case], *, subtitle: str = "", date: str | None = None) -> str:
    """The booklet of `cases` (in the order given) as one HTML document."""
    book = Booklet(TITLE, subtitle, date or build_date(), list(cases))
    md = converter()
    title = book.title + (f"（{book.subtitle}）" if book.subtitle else "")
    chapters = "".join(chapter(case, n, md, book.date) for n, case in enumerate(book.cases, 1))
    return (
        "<!DOCTYPE html>\n"
        '<html lang="zh-CN"><head><meta charset="utf-8">'
        f"<title>{_e(title)}</title>"
        '<meta name="author" content="党建创新案例库">'
        f'<meta name="dcterms.created" content="{_e(book.date)}">'
        f"<style>{CSS_PATH.read_text(encoding='utf-8')}</style></head><body>"
        + _cover(book)
        + _toc(book.cases)
        + chapters
        + "</body></html>\n"
    )


def download_link(count: int, pages: int, size: int) -> str:
    """The site's link to the full booklet (Markdown, from a page at the site root); size in bytes."""
    return (
        f"全部 {count} 个案例另有可打印的[案例汇编（PDF，含目录和页码）]({SITE_PATH})"
        f'{{: download="{DOWNLOAD_NAME}" }}（{pages} 页，{size / 1e6:.1f} MB），一个案例一章，适合打印或离线阅读。'
    )


# --- PDF ----------------------------------------------------------------------------------------


def _no_fetcher():
    """A WeasyPrint URL fetcher that fetches nothing: the booklet never loads anything from outside."""
    from weasyprint import URLFetcher

    return URLFetcher(allowed_protocols=frozenset())


class MissingFonts(RuntimeError):
    """The Chinese fonts of the booklet are not installed (the PDF would show boxes)."""


def require_fonts() -> None:
    """Stop before rendering when fontconfig does not have the booklet's fonts."""
    import shutil
    import subprocess

    if not shutil.which("fc-list"):
        return  # fontconfig without its tools: let the renderer try
    missing = [
        name
        for name in FONTS
        if not subprocess.run(["fc-list", name, "family"], capture_output=True, text=True).stdout.strip()
    ]
    if missing:
        raise MissingFonts(
            f"没有找到中文字体 {'、'.join(missing)}（Debian 软件包 fonts-noto-cjk）："
            "生成的 PDF 会把汉字显示成方框。请先安装（以 root 运行 make pdf-deps）再生成案例汇编。"
        )


def render_pdf(document: str) -> tuple[bytes, int]:
    """The PDF bytes of a booklet document and its number of pages."""
    from weasyprint import HTML

    require_fonts()
    rendered = HTML(string=document, url_fetcher=_no_fetcher()).render()
    return rendered.write_pdf(), len(rendered.pages)


def site_booklet(cases: list[Case]) -> tuple[bytes, int]:
    """The published site's booklet (every case, newest first, as on the site) and its pages."""
    return render_pdf(booklet_html(select(cases, [])))


def write_pdf(document: str, target: Path) -> int:
    """Write the booklet PDF to `target`; returns the number of pages."""
    data, count = render_pdf(document)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data)
    return count


# --- command line -------------------------------------------------------------------------------


def _option(dim: Dimension) -> str:
    return "--" + dim.key.replace("_", "-")


def cmd_booklet(args) -> int:
    from ..library import load_checked

    root = Path.cwd()
    cases, problems = load_checked(root)
    if problems:
        for problem in problems:
            print(problem, file=sys.stderr)
        print(f"\n案例检查未通过：发现 {len(problems)} 个问题，请先修改（python -m caselib check）。", file=sys.stderr)
        return 1
    filters = [(dim, getattr(args, dim.key)) for dim in dimensions() if getattr(args, dim.key)]
    try:
        chosen = select(cases, filters)
    except UnknownTag as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return 2
    target = Path(args.output) if args.output else default_output(filters)
    document = booklet_html(chosen, subtitle=subtitle(filters))
    try:
        count = write_pdf(document, target)
    except MissingFonts as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return 1
    print(f"已生成案例汇编：{target}（{len(chosen)} 个案例，{count} 页）")
    return 0


def register(sub) -> None:
    parser = sub.add_parser(
        "booklet",
        help="生成可打印的案例汇编 PDF（封面、目录、页码，一个案例一章）",
        description="生成可打印的案例汇编 PDF。不加筛选时收录全部案例；按标签筛选时只收录带有该标签的案例，"
        "多个筛选条件同时满足。例如：python -m caselib booklet --model 四力",
    )
    for dim in dimensions():
        parser.add_argument(_option(dim), dest=dim.key, metavar=dim.label, help=f"只收录{dim.label}为此值的案例")
    parser.add_argument(
        "-o", "--output", metavar="文件", help="PDF 的保存位置（默认 build/booklet.pdf，筛选时文件名带上筛选条件）"
    )
    parser.set_defaults(func=cmd_booklet)

"""The printable booklet (caselib.booklet): the HTML renderer without a PDF engine, then real PDFs
of the five real cases read back with poppler-utils (pdftotext, pdffonts) and pypdf, the
completeness check on a booklet that lost a chapter, and the published build's download link."""

from __future__ import annotations

import dataclasses
import html.parser
import http.server
import os
import re
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from caselib import booklet
from caselib.model.cases import read_case_file
from caselib.model.schema import dimensions
from caselib.model.tags import tag_values
from caselib.site import completeness

from conftest import ROOT, build_site

HOSTILE = Path(__file__).parent / "fixtures" / "hostile"
MODEL = next(d for d in dimensions() if d.key == "model")
EPOCH = "1700000000"  # 2023-11-15 in China


def _hostile_cases():
    return [read_case_file(path, ROOT)[0] for path in sorted(HOSTILE.glob("*.md"))]


class _Parsed(html.parser.HTMLParser):
    def __init__(self, text: str):
        super().__init__()
        self.tags: list[tuple[str, dict]] = []
        self.h1: list[str] = []  # the text of every h1
        self._in_h1 = False
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        if tag == "h1":
            self._in_h1 = True
            self.h1.append("")

    def handle_endtag(self, tag):
        self._in_h1 = self._in_h1 and tag != "h1"

    def handle_data(self, data):
        if self._in_h1:
            self.h1[-1] += data

    def with_class(self, name: str) -> list[dict]:
        return [attrs for _, attrs in self.tags if name in (attrs.get("class") or "").split()]


# --- the HTML document ----------------------------------------------------------------------------


def test_one_chapter_per_case_in_the_order_given_and_a_toc_entry_each(cases):
    document = booklet.booklet_html(cases, date="2024-01-02")
    parsed = _Parsed(document)
    chapters = [attrs["id"] for attrs in parsed.with_class("chapter")]
    assert chapters == [f"case-{c.id}" for c in cases]
    toc = [
        attrs["href"]
        for tag, attrs in parsed.tags
        if tag == "a" and attrs.get("href", "").startswith("#case-") and "--" not in attrs["href"]
    ]
    assert toc == [f"#case-{c.id}" for c in cases]
    assert "共收录 5 个案例" in document and "生成日期：2024-01-02" in document
    for case in cases:
        assert f"<h1>{case.title}</h1>" in document  # the real titles need no escaping


def test_ids_are_unique_in_the_whole_booklet(cases):
    ids = [attrs["id"] for _, attrs in _Parsed(booklet.booklet_html(cases)).tags if "id" in attrs]
    assert len(ids) == len(set(ids)) > len(cases) * 3  # headings of every chapter, prefixed
    assert "case-2019-swpu-sili--一背景" in ids


def test_a_chapter_has_card_source_address_body_and_citation(cases):
    case = next(c for c in cases if c.id == "2019-swpu-sili")
    document = booklet.booklet_html([case], date="2024-01-02")
    assert "<dt>院校</dt><dd>西南石油大学</dd>" in document
    assert "<dt>模式</dt><dd>四力、百校百企</dd>" in document
    assert "原文有 2 处缺失" in document and 'class="case-gap"' in document  # the gap note, as on the site
    assert '<h2 id="case-2019-swpu-sili--一背景">一、背景' in document
    assert "引用本案例" in document and "[EB/OL]" in document
    url = "https://example.edu.cn/news/1.html?a=1&b=2"
    other = dataclasses.replace(case, meta={**case.meta, "source_url": url})
    url = "https://example.edu.cn/news/1.html?a=1&amp;b=2"  # as HTML
    assert f'<a class="url" href="{url}">{url}</a>' in booklet.booklet_html([other])
    assert f"[2024-01-02]. {url}." in booklet.booklet_html([other], date="2024-01-02")
    assert "[2024-01-02]" not in document  # no source address: no access date (GB/T 7714)


def test_hostile_text_is_escaped_and_sanitised():
    hostile = _hostile_cases()
    document = booklet.booklet_html(hostile)
    parsed = _Parsed(document)
    breakout = next(c for c in hostile if c.id == "2024-hostile-breakout")
    assert breakout.title in parsed.h1  # shown as text, exactly
    assert [tag for tag, attrs in parsed.tags if tag == "h1"] == ["h1"] * (len(hostile) + 1)  # + 目录
    for tag, attrs in parsed.tags:
        assert (
            tag not in ("script", "iframe", "object", "embed", "base", "meta")
            or tag == "meta"
            and "http-equiv" not in attrs
        )
        assert not [name for name in attrs if name.startswith("on")], (tag, attrs)
        for name in ("href", "src"):
            assert not re.match(r"\s*(javascript|vbscript|data):", attrs.get(name) or "", re.I), (tag, attrs)
        assert "style" not in attrs
    assert [tag for tag, _ in parsed.tags].count("style") == 1  # our stylesheet only


def test_select_by_tag_and_unknown_values(cases):
    chosen = booklet.select(cases, [(MODEL, "四力")])
    assert [c.id for c in chosen] == [c.id for c in cases if "四力" in tag_values(c, MODEL)] != []
    assert booklet.select(cases, [(MODEL, " 四力 ")]) == chosen  # normalised like stored tags
    with pytest.raises(booklet.UnknownTag) as error:
        booklet.select(cases, [(MODEL, "四理")])
    message = str(error.value)
    assert message.startswith("没有模式为“四理”的案例。你是不是想找：")
    assert "四力" in message.split("？")[0] and "案例库中的模式共" in message and "百校百企" in message


def test_the_command_rejects_an_unknown_tag_in_chinese(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "caselib", "booklet", "--model", "四理", "-o", str(tmp_path / "x.pdf")],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 2
    assert "错误：没有模式为“四理”的案例。你是不是想找：" in result.stderr and "四力" in result.stderr
    assert not (tmp_path / "x.pdf").exists()


# --- real PDFs --------------------------------------------------------------------------------------

needs_poppler = pytest.mark.skipif(not shutil.which("pdftotext"), reason="没有 pdftotext（poppler-utils）")


def _make(tmp: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "caselib", "booklet", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, "SOURCE_DATE_EPOCH": EPOCH},
    )


@pytest.fixture(scope="session")
def full_pdf(tmp_path_factory) -> Path:
    target = tmp_path_factory.mktemp("booklet") / "booklet.pdf"
    result = _make(target.parent, "-o", str(target))
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(f"已生成案例汇编：{target}（5 个案例，")
    return target


def _outline_reader(path: Path):
    from pypdf import PdfReader

    return PdfReader(path)


def _outline(path: Path) -> list[tuple[str, int]]:
    """Top-level bookmarks: (title, page number from 1)."""
    reader = _outline_reader(path)
    return [
        (item.title, reader.get_destination_page_number(item) + 1)
        for item in reader.outline
        if not isinstance(item, list)
    ]


def _squash(text: str) -> str:
    return "".join(text.split())


def _pages_text(path: Path) -> list[str]:
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout
    return text.split("\f")[:-1]


@needs_poppler
def test_the_pdf_has_one_chapter_per_case_with_the_toc_page_numbers(cases, full_pdf):
    outline = _outline(full_pdf)
    order = booklet.select(cases, [])
    assert [title for title, _ in outline] == ["目录"] + [c.title for c in order]
    pages = _pages_text(full_pdf)
    toc = pages[1]
    for (title, page), _case in zip(outline[1:], order):
        assert title in pages[page - 1]  # the chapter starts on the page its bookmark points to
        line = next(line for line in toc.splitlines() if title[:10] in line)
        assert line.rstrip().endswith(f" {page}"), line  # and the contents print that page number
    assert len({page for _, page in outline}) == len(outline)  # each chapter on its own page


@needs_poppler
def test_the_pdf_text_extracts_as_chinese_with_page_numbers(cases, full_pdf):
    pages = _pages_text(full_pdf)
    text, cover = _squash("".join(pages)), _squash(pages[0])  # spaced letters on the cover
    assert "党建创新案例汇编" in cover and "共收录5个案例" in cover and "生成日期：2023-11-15" in cover
    assert "—" not in cover  # the cover has no page number
    for case in cases:
        assert _squash(case.title) in text
    assert "政治领导力、思想引领力、群众组织力、社会号召力" in text  # body text, not boxes
    for number, page in enumerate(pages[1:], 2):
        last = [line.strip() for line in page.splitlines() if line.strip()][-1]
        assert _squash(last) == f"—{number}—", (number, last)


@needs_poppler
def test_the_cjk_fonts_are_embedded(full_pdf):
    fonts = subprocess.run(["pdffonts", str(full_pdf)], capture_output=True, text=True, check=True).stdout
    rows = [line.split() for line in fonts.splitlines()[2:]]
    cjk = [row for row in rows if "CJK" in row[0]]
    assert cjk and all(row[-5] == "yes" for row in rows), fonts  # emb column, every font
    assert any("Serif-CJK-SC" in row[0] for row in cjk) and any("Sans-CJK-SC" in row[0] for row in cjk)


@needs_poppler
def test_one_tag_gives_only_its_cases_and_builds_are_identical(cases, tmp_path):
    results = [_make(tmp_path, "--model", "四力", "-o", str(tmp_path / f"{name}.pdf")) for name in "ab"]
    assert all(r.returncode == 0 for r in results), results[0].stderr
    wanted = [c.title for c in booklet.select(cases, [(MODEL, "四力")])]
    assert [title for title, _ in _outline(tmp_path / "a.pdf")] == ["目录"] + wanted
    assert "模式：四力" in _squash(_pages_text(tmp_path / "a.pdf")[0])
    assert (tmp_path / "a.pdf").read_bytes() == (tmp_path / "b.pdf").read_bytes()


def test_nothing_is_fetched_while_rendering(tmp_path):
    """An image in a case body (allowed by the sanitizer) is not loaded: the booklet fetches nothing."""
    requests = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            requests.append(self.path)
            self.send_error(404)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        case = _hostile_cases()[0]
        url = f"http://127.0.0.1:{server.server_address[1]}/x.png"
        case.body += f"\n\n![图]({url})\n"
        document = booklet.booklet_html([case])
        assert f'src="{url}"' in document
        data, count = booklet.render_pdf(document)
    finally:
        server.shutdown()
    assert data.startswith(b"%PDF") and count >= 3
    assert requests == []


def test_missing_chinese_fonts_stop_the_booklet(monkeypatch):
    if not shutil.which("fc-list"):
        pytest.skip("没有 fc-list（fontconfig）")
    booklet.require_fonts()  # installed here (make pdf-deps)
    monkeypatch.setattr(booklet, "FONTS", ("Noto Serif CJK SC", "不存在的字体 XYZ"))
    with pytest.raises(booklet.MissingFonts, match="没有找到中文字体 不存在的字体 XYZ（Debian 软件包 fonts-noto-cjk）"):
        booklet.render_pdf(booklet.booklet_html([]))


# --- completeness and the published site ------------------------------------------------------------


def test_completeness_names_a_case_missing_from_the_booklet(cases, full_pdf, tmp_path):
    site = completeness.Site(tmp_path)
    assert list(completeness.check_booklet(cases, site)) == []  # not built: nothing to check
    shutil.copy(full_pdf, tmp_path / booklet.SITE_PATH)
    assert list(completeness.check_booklet(cases, site)) == []
    missing = cases[1]
    data, _ = booklet.render_pdf(booklet.booklet_html([c for c in cases if c is not missing]))
    (tmp_path / booklet.SITE_PATH).write_bytes(data)
    assert [str(p) for p in completeness.check_booklet(cases, site)] == [
        f"{missing.path}:1: 网站: 案例“{missing.id}”没有收进案例汇编 booklet.pdf（缺少这一章）"
    ]
    (tmp_path / booklet.SITE_PATH).write_bytes(b"not a pdf")
    assert [p.message for p in completeness.check_booklet(cases, site)][0].startswith("读不出案例汇编")


def test_completeness_accepts_hostile_titles(tmp_path):
    hostile = _hostile_cases()
    data, _ = booklet.render_pdf(booklet.booklet_html(hostile))
    (tmp_path / booklet.SITE_PATH).write_bytes(data)
    assert list(completeness.check_booklet(hostile, completeness.Site(tmp_path))) == []


@pytest.fixture(scope="module")
def booklet_site(tmp_path_factory) -> Path:
    """The published build (make build): the site with its booklet."""
    site = tmp_path_factory.mktemp("published") / "site"
    result = build_site(ROOT, site, env={"CASELIB_BOOKLET": "true"})
    assert result.returncode == 0, result.stderr
    return site


def test_the_published_build_links_its_booklet(cases, built_site, booklet_site):
    assert not (built_site / booklet.SITE_PATH).exists()  # a plain build: no booklet, no link
    assert "booklet.pdf" not in (built_site / "index.html").read_text(encoding="utf-8")
    home = (booklet_site / "index.html").read_text(encoding="utf-8")
    assert f'<a download="{booklet.DOWNLOAD_NAME}" href="booklet.pdf">' in home
    pdf = booklet_site / booklet.SITE_PATH
    pages = len(_outline_reader(pdf).pages)
    assert f"（{pages} 页，{pdf.stat().st_size / 1e6:.1f} MB）" in home
    newest_first = [c.title for c in booklet.select(cases, [])]
    assert [title for title, _ in _outline(booklet_site / booklet.SITE_PATH)] == ["目录"] + newest_first


def test_the_home_page_link_downloads_the_booklet_in_chromium(page, booklet_site):
    from conftest import serve

    server = serve(booklet_site)
    try:
        page.goto(f"http://127.0.0.1:{server.server_address[1]}/")
        with page.expect_download() as info:
            page.get_by_role("link", name="案例汇编（PDF，含目录和页码）").click()
        download = info.value
        assert download.suggested_filename == booklet.DOWNLOAD_NAME
        assert Path(download.path()).read_bytes() == (booklet_site / booklet.SITE_PATH).read_bytes()
    finally:
        server.shutdown()


def test_the_deepest_nesting_the_checker_accepts_is_laid_out():
    """Deep nesting once made the layout engine recurse until it failed; the checker allows at most
    markup.MAX_DEPTH levels, and a body at that limit (quotes, lists, emphasis) becomes a PDF."""
    from caselib.check import markup
    from caselib.check.validate import check_case
    from caselib.model.cases import parse_case

    minimal = (ROOT / "tests" / "fixtures" / "valid" / "minimal.md").read_text(encoding="utf-8")
    body = (
        "\n\n## 嵌套\n\n"
        + "> " * (markup.MAX_DEPTH - 1)
        + "引用\n\n"
        + "> " * 5
        + "- " * 5
        + "列表 **强调**\n\n- 列表 "
        + "*" * 28
        + "强调"
        + "*" * 28
        + "\n"
    )
    case, problems = parse_case(minimal + body, "cases/deep.md")
    assert problems == [] and check_case(case) == []
    assert markup._judge(case.body)[0].deepest == markup.MAX_DEPTH
    data, pages = booklet.render_pdf(booklet.booklet_html([case]))
    assert data.startswith(b"%PDF") and pages >= 3

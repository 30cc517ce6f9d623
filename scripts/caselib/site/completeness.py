"""Nothing lost: after a build, every case is where a reader looks for it.

A list of small checks over (cases, site_dir), each yielding Problems that name the case file:
one page per case (and no case page without a case), the all-cases page, every index page of
each of its tags, the search index, and — when those files were built — cases.json, cases.csv
and the booklet PDF (a chapter per case). `check_site` runs them all; the MkDocs hook fails the build on any problem.
Pure Python: reads the built files, knows nothing of MkDocs.
"""

from __future__ import annotations

import csv
import functools
import html
import json
import re
import urllib.parse
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from ..model.cases import Case
from ..model.problems import Problem
from ..model.schema import dimensions
from ..model.tags import tag_values
from .pages import dimension_title, tag_title
from .urls import CASES_PATH, case_path, dimension_path, link_target, page_url, tag_path

FIELD = "网站"
_HREF = re.compile(r'href="([^"]*)"')


def case_url(case: Case) -> str:
    """The site-relative URL of a case page, as MkDocs writes it (directory URLs)."""
    return page_url(case_path(case))


def search_index_urls(site_dir: Path) -> set[str]:
    """Site-relative page URLs (no anchor) in the search index.

    The index is our own (caselib.search.searchindex); only this function knows its layout.
    """
    from ..search import searchindex  # numpy: only where the index is read

    return searchindex.indexed_urls(site_dir)


class Site:
    """The built site, read lazily and each page once: the pages an HTML page links to, its heading."""

    def __init__(self, site_dir: Path):
        self.dir = site_dir
        self._headings: dict[str, str | None] = {}
        self._links: dict[str, set[str] | None] = {}
        self._missing: set[str] = set()

    def page_file(self, url: str) -> Path:
        return self.dir / urllib.parse.unquote(url) / "index.html"

    def _read(self, url: str, links: bool) -> None:
        """Reads the page at `url` for its heading and, when asked, its links (most pages are read
        for one of the two: the links of a case page are never asked for)."""
        path = self.page_file(url)
        if not path.is_file():
            self._missing.add(url)
            return
        text = path.read_text(encoding="utf-8")
        self._headings[url] = _heading(text)
        if links:
            targets = (link_target(url, href) for href in set(_HREF.findall(text)))
            self._links[url] = {target for target in targets if target is not None}

    def links(self, url: str) -> set[str] | None:
        """Site-relative URLs (no anchor, no query) that the page at `url` links to; None when missing."""
        if url not in self._links and url not in self._missing:
            self._read(url, links=True)
        return self._links.get(url)

    def heading(self, url: str) -> str | None:
        """The text of the page's first <h1> (its permalink mark left out); None when it has none."""
        if url not in self._headings and url not in self._missing:
            self._read(url, links=False)
        return self._headings.get(url)


Check = Callable[[list[Case], Site], Iterator[Problem]]


def _problem(case: Case, message: str) -> Problem:
    return Problem(case.path, 1, FIELD, f"案例“{case.id}”{message}")


def check_case_pages(cases: list[Case], site: Site) -> Iterator[Problem]:
    """Each case has its page; each case page comes from exactly one case."""
    for case in cases:
        if not site.page_file(case_url(case)).is_file():
            yield _problem(case, f"没有生成案例页 {case_url(case)}index.html")
    ids = {case.id for case in cases}
    cases_dir = site.dir / CASES_PATH
    if cases_dir.is_dir():
        for page in sorted(cases_dir.glob("*/index.html")):
            if page.parent.name not in ids:
                yield Problem(
                    f"site/{CASES_PATH}/{page.parent.name}/index.html",
                    1,
                    FIELD,
                    "这个案例页没有对应的案例文件（是旧构建留下的吗？请用 --clean 重新构建）",
                )


_H1 = re.compile(r"<h1\b[^>]*>(.*?)</h1>", re.S)
_TAG = re.compile(r"<[^>]*>")
ALL_CASES_TITLE = "全部案例"


def _heading(text: str) -> str | None:
    found = _H1.search(text)
    if not found:
        return None
    return html.unescape(_TAG.sub("", found.group(1).split('<a class="headerlink"')[0])).strip()


def _other_heading(site: Site, url: str, title: str) -> str | None:
    """The page's heading when it is not `title` (None when it is, or the page has none)."""
    found = site.heading(url)
    return None if found is None or " ".join(found.split()) == " ".join(title.split()) else found


def check_page_titles(cases: list[Case], site: Site) -> Iterator[Problem]:
    """No generated page took the place of another: each case page, the all-cases page and each
    overview page is where it should be and has its own title (tag pages: check_tag_pages)."""
    differs = functools.partial(_other_heading, site)
    for case in cases:
        found = differs(case_url(case), case.title)
        if found is not None:
            yield _problem(case, f"的页面 /{case_url(case)} 显示的是“{found[:40]}”，不是这个案例：它被别的页面占用了")
    pages = [(f"{CASES_PATH}/", ALL_CASES_TITLE)]
    pages += [(page_url(dimension_path(dim)), dimension_title(dim)) for dim in dimensions()]
    for url, title in pages:
        found = differs(url, title)
        if found is not None:
            yield Problem(
                f"site/{url}index.html",
                1,
                FIELD,
                f"“{title}”页 /{url} 显示的是“{found[:40]}”：它被别的页面占用了"
                "（是不是有案例的编号或标签值与它同名？）",
            )


def check_all_cases_page(cases: list[Case], site: Site) -> Iterator[Problem]:
    links = site.links(f"{CASES_PATH}/") or set()
    for case in cases:
        if case_url(case) not in links:
            yield _problem(case, f"没有列在“全部案例”页 /{CASES_PATH}/ 上")


def check_tag_pages(cases: list[Case], site: Site) -> Iterator[Problem]:
    for case in cases:
        for dim in dimensions():
            for value in dict.fromkeys(tag_values(case, dim)):
                url = page_url(tag_path(dim, value))
                links = site.links(url)
                if links is None:
                    yield _problem(case, f"的{dim.label}“{value}”没有索引页 /{url}")
                elif case_url(case) not in links:
                    yield _problem(case, f"没有列在{dim.label}“{value}”的索引页 /{url} 上")
                elif (found := _other_heading(site, url, tag_title(dim, value))) is not None:
                    yield _problem(
                        case, f"的{dim.label}“{value}”的索引页 /{url} 显示的是“{found[:40]}”：它被别的页面占用了"
                    )


def check_search_index(cases: list[Case], site: Site) -> Iterator[Problem]:
    try:
        urls = search_index_urls(site.dir)
    except (OSError, ValueError, KeyError) as exc:
        yield Problem("site", 1, FIELD, f"读不出搜索索引（{exc}）")
        return
    for case in cases:
        if case_url(case) not in urls:
            yield _problem(case, "没有出现在搜索索引中")


def open_data_files(site_dir: Path, name: str) -> list[Path]:
    return sorted({*site_dir.glob(name), *site_dir.glob(f"*/{name}")})


def _json_ids(value) -> Iterator[str]:
    if isinstance(value, dict):
        if isinstance(value.get("id"), str):
            yield value["id"]
        for item in value.values():
            yield from _json_ids(item)
    elif isinstance(value, list):
        for item in value:
            yield from _json_ids(item)


def check_cases_json(cases: list[Case], site: Site) -> Iterator[Problem]:
    for path in open_data_files(site.dir, "cases.json"):
        ids = set(_json_ids(json.loads(path.read_text(encoding="utf-8"))))
        for case in cases:
            if case.id not in ids:
                yield _problem(case, f"不在开放数据 {path.relative_to(site.dir).as_posix()} 中")


def check_cases_csv(cases: list[Case], site: Site) -> Iterator[Problem]:
    for path in open_data_files(site.dir, "cases.csv"):
        with path.open(encoding="utf-8-sig", newline="") as handle:
            ids = {row.get("id") for row in csv.DictReader(handle)}
        for case in cases:
            if case.id not in ids:
                yield _problem(case, f"不在开放数据 {path.relative_to(site.dir).as_posix()} 中")


def booklet_files(site_dir: Path) -> list[Path]:
    """The full booklet (all cases), when the build wrote it."""
    from ..booklet import SITE_PATH

    return [path for path in [site_dir / SITE_PATH] if path.is_file()]


def booklet_chapters(path: Path) -> tuple[set[str], set[str]]:
    """(chapter anchors, top-level bookmark titles with whitespace collapsed) of a booklet PDF."""
    from pypdf import PdfReader  # only needed when a booklet was built

    reader = PdfReader(path)
    anchors = {str(name) for name in reader.named_destinations}
    titles = {" ".join(str(item.title).split()) for item in reader.outline if not isinstance(item, list)}
    return anchors, titles


def check_booklet(cases: list[Case], site: Site) -> Iterator[Problem]:
    """The full booklet, when built, has one chapter per case: its anchor and its bookmark."""
    from ..booklet import chapter_id

    for path in booklet_files(site.dir):
        shown = path.relative_to(site.dir).as_posix()
        try:
            anchors, titles = booklet_chapters(path)
        except Exception as exc:  # pypdf raises many kinds of errors on a damaged file
            yield Problem(f"site/{shown}", 1, FIELD, f"读不出案例汇编（{exc}）")
            continue
        for case in cases:
            if chapter_id(case) not in anchors or " ".join(case.title.split()) not in titles:
                yield _problem(case, f"没有收进案例汇编 {shown}（缺少这一章）")


CHECKS: tuple[Check, ...] = (
    check_case_pages,
    check_page_titles,
    check_all_cases_page,
    check_tag_pages,
    check_search_index,
    check_cases_json,
    check_cases_csv,
    check_booklet,
)


def check_site(
    cases: list[Case], site_dir: Path, search: bool = True, checks: Iterable[Check] | None = None
) -> list[Problem]:
    """Every check (or only `checks`); `search=False` (benchmark without a search index) skips the search index's."""
    site = Site(Path(site_dir))
    chosen = CHECKS if checks is None else tuple(checks)
    if not search:
        chosen = tuple(c for c in chosen if c is not check_search_index)
    return sorted({problem for check in chosen for problem in check(cases, site)})

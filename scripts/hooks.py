"""The MkDocs hook: the one file that knows MkDocs. All logic lives in the caselib package.

on_files   loads and checks cases/, stops the build on any problem, adds generated pages
           (and the booklet PDF when `extra.booklet` is on: CASELIB_BOOKLET=1, as `make build` does)
on_page_markdown  fills the home page's placeholders (the booklet link only when it is built)
on_page_content   applies the HTML policy to case pages (not to the generated all-cases list),
                  then links the first mention of each glossary term (caselib.mentions)
on_config         build date from the last commit
on_post_build     writes the search index (caselib.searchindex), then checks nothing was lost
"""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))

from mkdocs.exceptions import PluginError  # noqa: E402
from mkdocs.structure.files import File  # noqa: E402

from caselib import booklet, completeness, library, mentions, opendata, pages, searchindex  # noqa: E402
from caselib.reproducible import source_date_epoch  # noqa: E402
from caselib.safety import sanitize_html  # noqa: E402

log = logging.getLogger("mkdocs.hooks.caselib")
_cases: list = []
_terms: list = []
_booklet_link: list[str] = []  # the home page's download link, when the booklet was built


def on_files(files, config):
    global _cases, _terms
    _booklet_link.clear()
    cases, problems = library.load_checked(ROOT)
    if problems:
        for problem in problems:
            log.error(str(problem))
        raise PluginError(f"案例检查未通过：发现 {len(problems)} 个问题（见上）。"
                          "请按提示修改后重试；字段写法见 CONTRIBUTING.md。")
    _cases = cases
    _terms = mentions.targets(cases)
    for page in library.generated_pages(cases):
        files.append(File.generated(config, page.path, content=page.content))
    for path, content in opendata.files(cases, config.get("site_url"), config["site_name"]).items():
        files.append(File.generated(config, path, content=content))
    if config.extra.get("booklet"):
        pdf, pages_count = booklet.site_booklet(cases, Path(config.config_file_path))
        files.append(File.generated(config, booklet.SITE_PATH, content=pdf))
        _booklet_link.append(booklet.download_link(len(cases), pages_count, len(pdf)))
    return files


def on_page_markdown(markdown, page, config, files):
    if page.file.src_uri == "index.md":
        markdown = markdown.replace("<!-- caselib:latest -->", pages.latest_cases(_cases, "index.md"))
        markdown = markdown.replace("<!-- caselib:browse -->", pages.browse_links(_cases, "index.md"))
        markdown = markdown.replace("<!-- caselib:count -->", str(len(_cases)))
        markdown = markdown.replace("<!-- caselib:booklet -->", "".join(_booklet_link))
    return markdown


def on_page_content(html, page, config, files):
    if page.file.src_uri.startswith(pages.CASES_PATH + "/") and page.file.src_uri != pages.CASES_PATH + "/index.md":
        return mentions.link_mentions(sanitize_html(html), page.file.src_uri, _terms)
    return html


def on_config(config):
    if "SOURCE_DATE_EPOCH" not in os.environ and (epoch := source_date_epoch(ROOT)):
        os.environ["SOURCE_DATE_EPOCH"] = epoch  # two builds of one commit are byte-identical
    return config


def on_post_build(config):
    site_dir = Path(config.site_dir)
    searchindex.build(_cases, site_dir)
    problems = completeness.check_site(_cases, site_dir)
    if problems:
        for problem in problems:
            log.error(str(problem))
        raise PluginError(f"完整性检查未通过：{len(problems)} 处案例没有出现在应有的位置（见上）。")

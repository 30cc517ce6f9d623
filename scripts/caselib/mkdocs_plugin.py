"""The MkDocs plugin: the one module that knows MkDocs. All logic lives in the caselib package.

Registered as `caselib` by the package's entry point (pyproject.toml) and named in mkdocs.yml's
`plugins`. One process, public MkDocs API only (events, `File.generated`, pages rendered by MkDocs):

on_config         the site's Markdown settings (caselib.site.mdsettings); every link the library makes is a folder URL: file URLs stop the build here;
                  the build date comes from the last commit (two builds of a commit are identical)
on_pre_build      reads and checks cases/, the glossary and the data files (caselib.library)
on_files          stops the build on any problem (each printed as path:line: field: message);
                  adds every generated page, the open data and, with `booklet: true`, the booklet
on_page_markdown  fills the home page's placeholders
on_page_content   applies the HTML policy to case pages (caselib.site.safety), then links the first
                  mention of each glossary term (caselib.site.mentions)
on_post_build     writes the search index (caselib.search.searchindex) and checks nothing was lost
                  (caselib.site.completeness)
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

from mkdocs.config import base
from mkdocs.config import config_options as c
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin
from mkdocs.structure.files import File

from . import library
from .site import completeness, mdsettings, mentions, opendata, pages, urls
from .site.reproducible import source_date_epoch
from .site.safety import sanitize_html

log = logging.getLogger("mkdocs.plugins.caselib")


class CaselibConfig(base.Config):
    booklet = c.Type(bool, default=False)  # the printable booklet (booklet.pdf, linked from the home page)
    search = c.Type(bool, default=True)  # our search index under search/data/ (off: benchmark only)


class CaselibPlugin(BasePlugin[CaselibConfig]):
    def __init__(self):
        self.root = Path.cwd()
        self.cases: list = []
        self.problems: list = []
        self.terms: list = []
        self.booklet_link = ""

    def on_config(self, config):
        if not config.use_directory_urls:
            # tag pages, the search index, the open data and the completeness checks all link to
            # folder URLs (cases/<id>/): a site with file URLs would have broken links everywhere
            raise PluginError(
                "本站的网址都是目录式的（如 cases/2019-swpu-sili/），不支持 use_directory_urls: false"
                "（命令行参数 --no-directory-urls）：请去掉这一设置后重新构建。"
            )
        if list(config.markdown_extensions) != list(mdsettings.MKDOCS_BUILTINS) or config.mdx_configs:
            # the checker and the booklet render bodies with mdsettings: the site must not differ
            raise PluginError(
                "mkdocs.yml 里不要写 markdown_extensions：本站的 Markdown 设置只写在 "
                "scripts/caselib/site/mdsettings.py 一处（网站、案例检查和小册子都用它），请改在那里。"
            )
        config.markdown_extensions = list(mdsettings.EXTENSIONS)
        config.mdx_configs = mdsettings.configs()
        self.root = Path(config.config_file_path).resolve().parent
        if "SOURCE_DATE_EPOCH" not in os.environ and (epoch := source_date_epoch(self.root)):
            os.environ["SOURCE_DATE_EPOCH"] = epoch  # two builds of one commit are byte-identical
        return config

    def on_pre_build(self, config):
        self.cases, self.problems = library.load_checked(self.root)

    def on_files(self, files, config):
        if self.problems:
            for problem in self.problems:
                log.error(str(problem))
            raise PluginError(
                f"案例检查未通过：发现 {len(self.problems)} 个问题（见上）。"
                "请按提示修改后重试；字段写法见 CONTRIBUTING.md。"
            )
        self.terms = mentions.targets(self.cases)
        for page in library.generated_pages(self.cases):
            files.append(File.generated(config, page.path, content=page.content))
        for path, content in opendata.files(self.cases, config.site_url, config.site_name).items():
            files.append(File.generated(config, path, content=content))
        self.booklet_link = ""
        if self.config.booklet:
            from . import booklet  # WeasyPrint: only for the published build

            pdf, pages_count = booklet.site_booklet(self.cases)
            files.append(File.generated(config, booklet.SITE_PATH, content=pdf))
            self.booklet_link = booklet.download_link(len(self.cases), pages_count, len(pdf))
        return files

    def on_page_markdown(self, markdown, page, config, files):
        if page.file.src_uri == "index.md":
            markdown = markdown.replace("<!-- caselib:latest -->", pages.latest_cases(self.cases, "index.md"))
            markdown = markdown.replace("<!-- caselib:browse -->", pages.browse_links(self.cases, "index.md"))
            markdown = markdown.replace("<!-- caselib:count -->", str(len(self.cases)))
            markdown = markdown.replace("<!-- caselib:booklet -->", self.booklet_link)
        return markdown

    def on_page_content(self, html, page, config, files):
        if urls.is_case_page(page.file.src_uri):
            return mentions.link_mentions(sanitize_html(html), page.file.src_uri, self.terms)
        return html

    def on_post_build(self, config):
        site_dir = Path(config.site_dir)
        if self.config.search:
            from .search import searchindex  # numpy: only where the index is written

            searchindex.build(self.cases, site_dir)
        problems = completeness.check_site(self.cases, site_dir, search=self.config.search)
        if problems:
            for problem in problems:
                log.error(str(problem))
            raise PluginError(f"完整性检查未通过：{len(problems)} 处案例没有出现在应有的位置（见上）。")

"""The MkDocs plugin: the one module that knows MkDocs. All logic lives in the caselib package.

Registered as `caselib` by the package's entry point (pyproject.toml) and named in mkdocs.yml's
`plugins`. One process, public MkDocs API only (events, `File.generated`, pages rendered by MkDocs):

on_startup        `mkdocs serve --dirty` (make serve): generated pages become files that change only
                  when the page does (caselib.site.sourcefiles), so a rebuild renders only those;
                  defining on_startup also keeps this instance, and its caches, across rebuilds
on_config         the site's Markdown settings (caselib.site.mdsettings); every link the library
                  makes is a folder URL: file URLs stop the build here; the build date comes from the last commit (two builds of a commit are identical)
on_pre_build      reads and checks cases/, the glossary and the data files (caselib.library)
on_files          stops the build on any problem (each printed as path:line: field: message);
                  adds every generated page (the home page too: docs/index.md with its placeholders
                  filled), the open data and, with `booklet: true`, the booklet
on_nav / on_env   the primary navigation, header, settings, style sheets and scripts are the same on every page
                  outside the navigation in one folder (all tag and case pages): overrides/main.html
                  renders them through `caselib_shared`, once per folder
on_page_markdown  on a case page, with `repo_url` set: its edit address is its source file
                  cases/<file>.md, and it ends with the links 纠错 / 修改 / 推荐一个案例
                  (caselib.site.feedback); without `repo_url`, none
on_page_content   puts in a generated page's HTML part (`Page.html`: a case's card, a tag page's all
                  but its title);
                  folds a case page's table of contents for phones (pages.phone_toc), applies
                  the HTML policy to case pages (caselib.site.safety), then links the first
                  mention of each glossary term (caselib.site.mentions)
on_post_build     writes the search index (caselib.search.searchindex) and checks nothing was lost
                  (caselib.site.completeness)
on_shutdown       removes the folder of generated pages of `mkdocs serve --dirty`
"""

from __future__ import annotations

import hashlib
import logging
import os
import shutil
import tempfile
from pathlib import Path

from mkdocs.config import base
from mkdocs.config import config_options as c
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin
from mkdocs.structure.files import File
from mkdocs.utils import clean_directory

from . import library
from .site import completeness, feedback, mdsettings, mentions, opendata, pages, urls
from .site.mdtext import FILL
from .site.reproducible import source_date_epoch
from .site.safety import sanitize_html
from .site.sourcefiles import SourceFiles

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
        self.by_page: dict = {}
        self.fills: dict[str, str] = {}  # page path -> the HTML put in place of mdtext.FILL
        self.sources: SourceFiles | None = None  # generated pages as files: `mkdocs serve --dirty` only
        self.site_state = ""  # the settings and theme files the last dirty build was made with
        self.related = library.RelatedMemo()  # kept across `mkdocs serve` rebuilds, by content
        self.search_key = ""  # content_key of the search index in site_dir (dirty serve only)
        self.content = ""  # content_key of this build's cases
        self.nav_targets: list[str] = []  # the URLs the primary navigation links to
        self.shared: dict[tuple[str, str], str] = {}  # (part, shared_links_key) -> its HTML, this build

    def on_startup(self, *, command, dirty):
        if command == "serve" and dirty:
            self.sources = SourceFiles(Path(tempfile.mkdtemp(prefix="caselib-pages-")))

    def on_shutdown(self):
        if self.sources is not None:
            shutil.rmtree(self.sources.folder, ignore_errors=True)

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
        if not config.repo_url:
            # no repository named (repo_url empty): no edit address either, rather than one
            # MkDocs would warn about (edit_uri without a repository)
            config.edit_uri = None
            config.edit_uri_template = None
        if "SOURCE_DATE_EPOCH" not in os.environ and (epoch := source_date_epoch(self.root)):
            os.environ["SOURCE_DATE_EPOCH"] = epoch  # two builds of one commit are byte-identical
        return config

    def on_pre_build(self, config):
        self.cases, self.problems = library.load_checked(self.root)
        self.content = library.content_key(self.cases)

    def on_files(self, files, config):
        if self.problems:
            for problem in self.problems:
                log.error(str(problem))
            raise PluginError(
                f"案例检查未通过：发现 {len(self.problems)} 个问题（见上）。"
                "请按提示修改后重试；字段写法见 CONTRIBUTING.md。"
            )
        self.terms = mentions.targets(self.cases)
        self.by_page = {urls.case_path(case): case for case in self.cases}
        for path, content in opendata.files(self.cases, config.site_url, config.site_name).items():
            files.append(File.generated(config, path, content=content))
        self.booklet_link = ""
        if self.config.booklet:
            from . import booklet  # WeasyPrint: only for the published build

            pdf, pages_count = booklet.site_booklet(self.cases)
            files.append(File.generated(config, booklet.SITE_PATH, content=pdf))
            self.booklet_link = booklet.download_link(len(self.cases), pages_count, len(pdf))
        generated = library.generated_pages(self.cases, self.related.related(self.cases, self.content))
        home = files.get_file_from_path(pages.HOME_PAGE)
        if home is not None:  # its placeholders depend on the cases: generated like the index pages
            files.remove(home)
            generated.append(pages.home_page(home.content_string, self.cases, self.booklet_link))
        self.fills = {page.path: page.html for page in generated if page.html}
        if self.sources is None:
            for page in generated:
                files.append(File.generated(config, page.path, content=page.content))
        else:
            self._dirty_sources(self.sources, generated, files, config)
        return files

    def on_page_markdown(self, markdown, page, config, files):
        if urls.is_case_page(page.file.src_uri) and config.repo_url:
            case = self.by_page.get(page.file.src_uri)
            if case is not None:
                page.edit_url = feedback.source_edit_url(config.repo_url, config.edit_uri, config.docs_dir, case.path)
                markdown += feedback.feedback_section(case, config.repo_url, config.site_url, page.edit_url)
        return markdown

    def on_nav(self, nav, config, files):
        self.nav_targets = [page.url for page in nav.pages] + [config.theme.get("logo") or ""]
        self.shared = {}
        return nav

    def on_env(self, env, config, files):
        env.globals["caselib_shared"] = self.shared_part
        return env

    def shared_part(self, part, page, caller):
        """A part of the theme's page that depends on the page only through its relative links
        ({% call caselib_shared("nav", page) %} in overrides/main.html): a page outside the
        navigation gets the HTML rendered for the first page of its folder, whose links are the same."""
        key = None if page is None else urls.shared_links_key(page.url, self.nav_targets)
        if key is None:
            return caller()
        if (part, key) not in self.shared:
            self.shared[part, key] = caller()
        return self.shared[part, key]

    def _dirty_sources(self, sources: SourceFiles, generated, files, config):
        """`mkdocs serve --dirty`: MkDocs rebuilds a page whose source is newer than its output, so
        each generated page is a file rewritten only when the page changed (for a case page: also
        when the glossary terms linked in it changed); the output of a page no longer generated is
        removed, and all output when the settings or theme files changed."""
        state = site_state(config)
        if state != self.site_state:
            clean_directory(config.site_dir)
            self.site_state = state
            self.search_key = ""
        terms = repr(self.terms)
        extra = {page.path: terms for page in generated if urls.is_case_page(page.path)}
        _, gone = sources.update(generated, extra)
        for path in gone:
            Path(File.generated(config, path, content="").abs_dest_path).unlink(missing_ok=True)
        for page in generated:
            files.append(File.generated(config, page.path, abs_src_path=str(sources.path_of(page.path))))

    def on_page_content(self, html, page, config, files):
        if fill := self.fills.get(page.file.src_uri):
            html = html.replace(FILL, fill, 1)
        if urls.is_case_page(page.file.src_uri):
            html = pages.phone_toc(html)
            return mentions.link_mentions(sanitize_html(html), page.file.src_uri, self.terms)
        return html

    def on_post_build(self, config):
        site_dir = Path(config.site_dir)
        key = self.content
        if self.config.search and key != self.search_key:
            from .search import searchindex  # numpy: only where the index is written

            searchindex.build(self.cases, site_dir)
            # a dirty serve keeps site_dir: the index there stays right until the cases change
            self.search_key = key if self.sources is not None else ""
        problems = completeness.check_site(self.cases, site_dir, search=self.config.search)
        if problems:
            for problem in problems:
                log.error(str(problem))
            raise PluginError(f"完整性检查未通过：{len(problems)} 处案例没有出现在应有的位置（见上）。")


def site_state(config) -> str:
    """The settings file and the theme's own files (overrides/): when they change, every page does."""
    digest = hashlib.sha256(Path(config.config_file_path).read_bytes())
    custom = config.theme.custom_dir
    if custom:
        for path in sorted(Path(custom).rglob("*")):
            if path.is_file():
                stat = path.stat()
                digest.update(f"{path}\0{stat.st_size}\0{stat.st_mtime_ns}\n".encode())
    return digest.hexdigest()

"""The MkDocs hook: the one file that knows MkDocs. All logic lives in the caselib package.

on_startup        notes whether builds clean site_dir (not --dirty)
on_config         build date from the last commit
on_pre_build      reads and checks cases/, sets the previous output aside (caselib.sitedir) and
                  starts the worker (caselib.worker): a second process that has it deleted, finds the related cases,
                  renders case pages from the last one down (CasePageRenderer, below) until it meets
                  MkDocs coming up (caselib.claims), builds the search index and writes the tag
                  index pages into their shells while MkDocs renders the other pages
on_files          stops the build on any problem in cases/ (read and checked in on_pre_build), adds generated pages
                  (and the booklet PDF when `extra.booklet` is on: CASELIB_BOOKLET=1, as `make build`
                  does), sends the worker its job
on_env            keeps the theme's compiled templates between builds (Jinja's bytecode cache)
on_page_markdown  fills the home page's placeholders (the booklet link only when it is built);
                  ends each case page with its related cases (from the worker); a case page the
                  worker took gets its rendering from there (if made from the same Markdown)
                  and is not rendered again
on_page_content   applies the HTML policy to case pages (not to the generated all-cases list), in a
                  thread beside the rendering of other pages
on_page_context   gives each case page its cleaned HTML, then links the first mention of each
                  glossary term (caselib.mentions)
on_post_page      keeps the rendered page shell of each dimension (caselib.tagshell) for the worker
on_post_build     checks nothing was lost (caselib.completeness), with the worker's own checks
on_build_error    stops the worker

CASELIB_TAG_SHELL=0 renders every tag index page through MkDocs instead (same bytes, slower).
CASELIB_WORKER_PAGES=0 renders every case page in the main process (same bytes, slower); =all has
the worker render every one.
CASELIB_BENCH_NO_SEARCH=1 (benchmark only) skips the search index and its completeness check.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import sys
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))

import jinja2  # noqa: E402
from mkdocs.exceptions import PluginError  # noqa: E402
from mkdocs.structure.files import File, InclusionLevel  # noqa: E402
from mkdocs.utils import get_relative_url  # noqa: E402

from caselib import (completeness, library, markup, mentions, opendata, pages, reuse, sitedir,  # noqa: E402
                     tagshell, worker)
from caselib.reproducible import source_date_epoch  # noqa: E402
from caselib.safety import sanitize_html  # noqa: E402

log = logging.getLogger("mkdocs.hooks.caselib")
_cases: list = []
_terms: list = []
_booklet_link: list[str] = []  # the home page's download link, when the booklet was built
_files = None
_tag_pages: dict[str, str] = {}   # src_uri → Markdown of the tag pages filled into a shell
_shells: dict[str, str] = {}      # shell src_uri → its rendered HTML
_loaded: list = []                 # (cases, problems) of this build, read in on_pre_build
_worker: list[worker.Worker] = []  # this build's second process (stopped by on_build_error on any failure)
_worker_checks: list = []          # the completeness checks the worker runs
_by_id: dict = {}                 # case id → case
_cleaner: list[ThreadPoolExecutor] = []   # the thread that applies the HTML policy to case pages
_cleaning: dict[str, Future] = {}         # case page src_uri → its cleaned HTML, when done
_case_index: dict[str, int] = {}          # case page src_uri → its place in the engine's order (caselib.claims)
_prerendered: set[str] = set()            # case pages the worker rendered (cleaned, terms linked)


def _use_shells() -> bool:
    return os.environ.get("CASELIB_TAG_SHELL", "1") != "0"


def on_files(files, config):
    global _cases, _terms, _files
    _booklet_link.clear()
    cases, problems = _loaded.pop()
    if problems:
        for problem in problems:
            log.error(str(problem))
        raise PluginError(f"案例检查未通过：发现 {len(problems)} 个问题（见上）。"
                          "请按提示修改后重试；字段写法见 CONTRIBUTING.md。")
    _cases = cases
    _by_id.clear()
    _by_id.update((case.id, case) for case in cases)
    _terms = mentions.targets(cases)
    # case pages without their related cases: on_page_markdown adds them as the worker finds them
    generated = library.generated_pages(cases, related_cases={case.id: [] for case in cases})
    shelled = tagshell.tag_page_paths(p.path for p in generated) if _use_shells() else {}
    _tag_pages.clear()
    _shells.clear()
    for dim_path in shelled:
        _shells[tagshell.shell_path(dim_path)] = ""
        files.append(File.generated(config, tagshell.shell_path(dim_path), content=tagshell.shell_markdown(),
                                    inclusion=InclusionLevel.NOT_IN_NAV))
    in_shell = {path for paths in shelled.values() for path in paths}
    for page in generated:
        if page.path in in_shell:
            # in `files`, so links to it are checked and resolved, but not rendered by MkDocs
            _tag_pages[page.path] = page.content
            files.append(File.generated(config, page.path, content=page.content, inclusion=InclusionLevel.EXCLUDED))
        else:
            files.append(File.generated(config, page.path, content=page.content))
    for path, content in opendata.files(cases, config.get("site_url"), config["site_name"]).items():
        files.append(File.generated(config, path, content=content))
    # every page is in `files` now (the booklet, added below, is linked from the home page only):
    # the worker starts on the tag pages, case pages and the search index
    case_paths = {pages.case_path(case) for case in cases} if _worker_pages() != "0" else set()
    _case_index.clear()
    _case_index.update((path, index) for index, path in enumerate(f.src_uri for f in files if f.src_uri in case_paths))
    _prerendered.clear()
    job = worker.Job(cases, Path(config.site_dir), Path(config.config_file_path), search=_search(),
                     tag_pages=dict(_tag_pages),
                     dest={src: files.get_file_from_path(src).dest_uri for src in _tag_pages},
                     urls={f.src_uri: f.url for f in files if f.is_documentation_page()},
                     relative_url=get_relative_url,
                     case_pages=list(_case_index), engine=Path(__file__).resolve(),
                     files={f.src_uri: f.inclusion.name for f in files},
                     # what the command line can change that decides a page's HTML
                     engine_settings={"use_directory_urls": config.use_directory_urls},
                     log_level=logging.getLogger("mkdocs").getEffectiveLevel())
    _worker[0].send_job(job)
    _worker_checks[:] = worker.checks_for(job)
    if config.extra.get("booklet"):
        from caselib import booklet   # WeasyPrint: only for the published build
        pdf, pages_count = booklet.site_booklet(cases, Path(config.config_file_path))
        files.append(File.generated(config, booklet.SITE_PATH, content=pdf))
        _booklet_link.append(booklet.download_link(len(cases), pages_count, len(pdf)))
    _files = files
    return files


def _worker_pages() -> str:
    """Which case pages the worker renders: "1" as many as it can (caselib.claims), "0" none,
    "all" every one (the main process waits for each: tests of the worker's rendering)."""
    return os.environ.get("CASELIB_WORKER_PAGES", "1")


def _search() -> bool:
    return os.environ.get("CASELIB_BENCH_NO_SEARCH") != "1"


def _stop_helpers() -> None:
    while _worker:
        _worker.pop().stop()
    _cleaning.clear()
    while _cleaner:
        _cleaner.pop().shutdown(cancel_futures=True)


def on_page_markdown(markdown, page, config, files):
    if page.file.src_uri == "index.md":
        markdown = markdown.replace("<!-- caselib:latest -->", pages.latest_cases(_cases, "index.md"))
        markdown = markdown.replace("<!-- caselib:browse -->", pages.browse_links(_cases, "index.md"))
        markdown = markdown.replace("<!-- caselib:count -->", str(len(_cases)))
        markdown = markdown.replace("<!-- caselib:booklet -->", "".join(_booklet_link))
    case = _by_id.get(page.meta.get("case_id")) if page.file.src_uri.startswith(pages.CASES_PATH + "/") else None
    if case is not None and page.file.src_uri == pages.case_path(case):
        try:
            related = [_by_id[other] for other in _worker[0].related(case.id)]
        except (worker.WorkerError, KeyError) as exc:
            raise PluginError(f"查找相关案例时出错：{exc}") from None
        markdown += reuse.related_section(related, page.file.src_uri)
        index = _case_index.get(page.file.src_uri)
        if index is not None and (_worker_pages() == "all" or not _worker[0].claims.main_takes(index)):
            # the worker renders this page (caselib.claims): take what it sends
            try:
                rendered = _worker[0].page(page.file.src_uri)
            except worker.WorkerError as exc:
                raise PluginError(f"后台进程渲染案例页时出错：\n{exc}") from None
            if rendered is not None and rendered["digest"] == _digest(markdown):
                _use_rendered(page, rendered, files)
    return markdown


def _digest(markdown: str) -> bytes:
    return hashlib.blake2b(markdown.encode("utf-8"), digest_size=16).digest()


def _already_rendered(config, files) -> None:
    """Page.render of a case page the worker rendered (CasePageRenderer): nothing left to do."""


def _use_rendered(page, rendered: dict, files) -> None:
    """Give a page what Page.render would have set, from the worker's rendering of the same Markdown."""
    page.content = rendered["content"]
    page.toc = rendered["toc"]
    page._title_from_render = rendered["title"]
    page.present_anchor_ids = rendered["anchors"]
    if rendered["links_to_anchors"] is not None:
        page.links_to_anchors = {files.get_file_from_path(src): links
                                 for src, links in rendered["links_to_anchors"].items()}
    for name, level, message in rendered["log"]:
        logging.getLogger(name).log(level, message)
    page.render = _already_rendered
    _prerendered.add(page.file.src_uri)


class CasePageRenderer:
    """Renders case pages in the worker (caselib.worker) exactly as MkDocs does in the main process.

    Same mkdocs.yml, the same files with the same URLs and inclusion, MkDocs' own Page.read_source
    and Page.render; what render sets on the page, and what it logs, goes back to the main process.
    """

    def __init__(self, config_file: Path, files: dict[str, str], log_level: int, settings: dict):
        from mkdocs.config import load_config
        from mkdocs.structure.files import Files, set_exclusions
        mkdocs_log = logging.getLogger("mkdocs")
        mkdocs_log.setLevel(log_level)
        mkdocs_log.propagate = False    # records go to the main process, not to this process's stderr
        self.records: list[logging.LogRecord] = []
        handler = logging.Handler()
        handler.emit = self.records.append
        mkdocs_log.handlers = [handler]   # a worker copied from the main process has its handlers
        self.config = load_config(str(config_file), **settings)
        self.files = Files([File(src, None, self.config.site_dir, self.config.use_directory_urls,
                                 inclusion=InclusionLevel[level]) for src, level in files.items()])
        set_exclusions(self.files, self.config)

    def render(self, src_uri: str, source: str, markdown_after: str) -> dict:
        """The page `src_uri` from its source (front matter and Markdown) with on_page_markdown's
        addition (`markdown_after`), as Page.render leaves it."""
        from mkdocs.structure.pages import Page
        file = self.files.get_file_from_path(src_uri)
        file.content_string = source
        page = Page(None, file, self.config)
        page.read_source(self.config)
        page.markdown += markdown_after
        self.records.clear()
        page.render(self.config, self.files)
        file.content_string = ""
        return {"digest": _digest(page.markdown), "content": page.content, "toc": page.toc,
                "title": page._title_from_render, "anchors": page.present_anchor_ids,
                "links_to_anchors": None if page.links_to_anchors is None else
                {to.src_uri: links for to, links in page.links_to_anchors.items()},
                "log": [(r.name, r.levelno, r.getMessage()) for r in self.records]}


class _TemplateCache(jinja2.FileSystemBytecodeCache):
    """Jinja's cache of compiled templates, in a folder of the user's own in the temporary
    directory, keyed by each template's file and text (a changed template is compiled again). A
    template it cannot keep (disk full, folder removed) is simply compiled again next time. The
    key leaves out the environment's settings: MkDocs makes every environment alike, and this
    site has no plugin that changes them."""

    def dump_bytecode(self, bucket):
        try:
            super().dump_bytecode(bucket)
        except OSError:
            pass


def on_env(env, config, files):
    # MkDocs compiles the theme's templates (35 for Material) on every build and every `mkdocs
    # serve` rebuild: about 0.2 s, on the engine's path to the first page it writes
    try:
        env.bytecode_cache = _TemplateCache()
    except (OSError, RuntimeError):   # no folder of our own in the temporary directory
        pass
    return env


def on_page_content(html, page, config, files):
    if page.file.src_uri in _shells:
        return tagshell.CONTENT
    if page.file.src_uri in _prerendered:
        return html   # cleaned and terms linked in the worker
    if page.file.src_uri.startswith(pages.CASES_PATH + "/") and page.file.src_uri != pages.CASES_PATH + "/index.md":
        # nh3 releases the GIL: a thread cleans this page while MkDocs converts the next ones;
        # until on_page_context the page has no content at all, never the uncleaned HTML
        if not _cleaner:
            _cleaner.append(ThreadPoolExecutor(1, thread_name_prefix="caselib-sanitize"))
        _cleaning[page.file.src_uri] = _cleaner[0].submit(sanitize_html, html)
        return ""
    return html


def on_page_context(context, page, config, nav):
    cleaned = _cleaning.pop(page.file.src_uri, None)
    if cleaned is not None:
        page.content = mentions.link_mentions(cleaned.result(), page.file.src_uri, _terms)
    return context


def on_post_page(output, page, config):
    if page.file.src_uri in _shells:
        _shells[page.file.src_uri] = output
        if all(_shells.values()):
            _worker[0].send_shells(_shells)
    return output


class _LinkMessages(logging.Filter):
    """MkDocs' log lines about links, made right for this site.

    At INFO MkDocs names every link to an excluded page: tag pages filled into shells are not
    excluded from the site, so those lines are dropped. Its warning for a link to an anchor a case
    page lacks becomes a Chinese problem naming the case file and line (caselib.markup).
    """

    _MISSING_ANCHOR = re.compile(r"^Doc file '([^']+)' contains a link '#([^']*)', but there is no such anchor "
                                 r"on this page\.$")

    def filter(self, record):
        message = record.getMessage()
        if message.endswith("which is excluded from the built site."):
            return message.rsplit("' which is excluded", 1)[0].rsplit("a link to '", 1)[-1] not in _tag_pages
        found = self._MISSING_ANCHOR.match(message)
        case = next((c for c in _cases if pages.case_path(c) == found.group(1)), None) if found else None
        if case is not None:
            record.msg, record.args = str(markup.missing_anchor(case, found.group(2))), ()
        return True


_pages_log = logging.getLogger("mkdocs.structure.pages")
for _old in [f for f in _pages_log.filters if type(f).__name__ == "_LinkMessages"]:
    _pages_log.removeFilter(_old)   # `mkdocs serve` loads this file again for every rebuild
_pages_log.addFilter(_LinkMessages())


def on_startup(command, dirty):
    # a clean build (not --dirty) empties site_dir after on_pre_build: we set its contents aside
    # first, for the worker to delete (caselib.sitedir); kept where `mkdocs serve` rebuilds find it
    sitedir.clean_builds = not dirty


def on_pre_build(config):
    _stop_helpers()
    _loaded[:] = [library.load_checked(ROOT)]   # before the worker starts: a copy of it has them too
    cases, problems = _loaded[0]
    old = sitedir.set_aside(Path(config.site_dir)) if sitedir.clean_builds else []
    # the worker finds related cases meanwhile
    _worker.append(worker.Worker(ROOT, discard=old, cases=None if problems else cases))


def on_config(config):
    if not config.use_directory_urls:
        # tag pages, the search index, the open data and the completeness checks all link to
        # folder URLs (cases/<id>/): a site with file URLs would have broken links everywhere
        raise PluginError("本站的网址都是目录式的（如 cases/2019-swpu-sili/），不支持 use_directory_urls: false"
                          "（命令行参数 --no-directory-urls）：请去掉这一设置后重新构建。")
    if "SOURCE_DATE_EPOCH" not in os.environ and (epoch := source_date_epoch(ROOT)):
        os.environ["SOURCE_DATE_EPOCH"] = epoch  # two builds of one commit are byte-identical
    return config


def on_post_build(config):
    site_dir = Path(config.site_dir)
    for shell in _shells:   # rendered only to be filled in by the worker: not published
        path = site_dir / _files.get_file_from_path(shell).dest_uri
        path.unlink()
        path.parent.rmdir()
    problems = completeness.check_site(_cases, site_dir, search=_search(),
                                       checks=[c for c in completeness.CHECKS if c not in _worker_checks])
    try:
        problems += _worker[0].result()
    except worker.WorkerError as exc:
        raise PluginError(f"生成搜索索引或索引页时出错：\n{exc}") from None
    finally:
        _stop_helpers()
    problems = sorted(set(problems))
    if problems:
        for problem in problems:
            log.error(str(problem))
        raise PluginError(f"完整性检查未通过：{len(problems)} 处案例没有出现在应有的位置（见上）。")


def on_build_error(error):
    _stop_helpers()

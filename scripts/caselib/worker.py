"""The build's second process: the search index and the tag index pages, beside the engine.

A build renders its case pages one after another on one core (the site engine has no parallel
rendering). Our own work after that — the search index (`searchindex`), the tag index pages
(`tagshell`) and their completeness checks — needs only the cases, the pages' Markdown and
their URLs, all known before the engine starts rendering. So it runs in a second process,
started as soon as the cases are loaded, on the machine's second core:

    main process (engine)                      worker (this module)
    load, check, generate pages ── Job ──────► search index → site/search/data/
    render every page                          convert every tag page's Markdown
    the shell page of each dimension ─ shells ► fill the shells, write the tag pages
    check case pages, all-cases page,          check tag pages and search index
    open data, booklet  ◄──────────── problems ┘

The worker is a fresh interpreter (never a fork of a process that may run threads, as
`mkdocs serve` does); the Job is pickled to its stdin, the problems come back on its stdout. Its output is the same bytes the main
process would write (the tests compare both ways). Any error in the worker reaches the main
process as a WorkerError with the worker's traceback; a worker that dies does too.
Pure: knows nothing of the site engine; the hook passes in URLs and the relative-URL function.
"""

from __future__ import annotations

import os
import pickle
import subprocess
import sys
import threading
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from . import completeness, mdsettings, searchindex, tagshell
from .cases import Case
from .problems import Problem


class WorkerError(RuntimeError):
    pass


@dataclass
class Job:
    cases: list[Case]
    site_dir: Path
    mkdocs_yml: Path                   # the Markdown settings of the tag pages (mdsettings)
    search: bool = True                # build the search index (and check it)
    tag_pages: dict[str, str] = field(default_factory=dict)   # src path → Markdown, filled into shells
    dest: dict[str, str] = field(default_factory=dict)        # src path → output file, relative to site_dir
    urls: dict[str, str] = field(default_factory=dict)        # src path → site-relative URL, every page
    relative_url: Callable[[str, str], str] | None = None     # (url, from url) → relative URL


class Resolver:
    """How a link from one page path to another becomes a URL (picklable: plain data and a function)."""

    def __init__(self, urls: dict[str, str], relative_url: Callable[[str, str], str]):
        self.urls = urls
        self.relative_url = relative_url

    def __call__(self, from_path: str, to_path: str) -> str | None:
        target = self.urls.get(to_path)
        return None if target is None else self.relative_url(target, self.urls[from_path])


def tag_contents(job: Job) -> dict[str, tuple[str, str]]:
    """src path → (title, content HTML) of every tag page of the job."""
    renderer = tagshell.Renderer(*mdsettings.settings(job.mkdocs_yml), Resolver(job.urls, job.relative_url))
    out = {}
    for src, content in job.tag_pages.items():
        title, text = tagshell.front_matter(content)
        out[src] = title, renderer.html(src, text)
    return out


def write_tag_pages(job: Job, contents: dict[str, tuple[str, str]], shells: dict[str, str]) -> None:
    """Each tag page's content put into its dimension's shell, written under site_dir."""
    for src, (title, html) in contents.items():
        page = tagshell.fill(shells[tagshell.shell_path(src.rpartition("/")[0])], title, html)
        dest = Path(job.site_dir) / job.dest[src]
        dest.parent.mkdir(parents=True, exist_ok=True)
        dest.write_bytes(page.encode("utf-8", errors="xmlcharrefreplace"))


def run(job: Job, shells: Callable[[], dict[str, str]]) -> list[Problem]:
    """The worker's part of a build; `shells()` waits for the rendered shell of each dimension."""
    contents = tag_contents(job)   # first: a bad link fails the build before the long search index
    checks = []
    if job.search:
        searchindex.build(job.cases, Path(job.site_dir))
        checks.append(completeness.check_search_index)
    if job.tag_pages:
        write_tag_pages(job, contents, shells())
        checks.append(completeness.check_tag_pages)
    return completeness.check_site(job.cases, Path(job.site_dir), checks=checks)


def main() -> None:
    """The worker process: a Job, then the shells, on stdin; ("done", problems) or ("error", text) on stdout."""
    source = sys.stdin.buffer
    results = os.fdopen(os.dup(sys.stdout.fileno()), "wb")
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())   # a stray print must not corrupt the results
    try:
        job = pickle.load(source)
        outcome = ("done", run(job, lambda: pickle.load(source)))
    except BaseException:  # everything reaches the main process, which fails the build
        outcome = ("error", traceback.format_exc())
    pickle.dump(outcome, results)
    results.close()


class Worker:
    """The second process of one build: start it with a Job, give it the shells, wait for its problems."""

    def __init__(self, job: Job):
        package_dir = str(Path(__file__).resolve().parent.parent)
        code = f"import sys; sys.path.insert(0, {package_dir!r}); from caselib.worker import main; main()"
        self._process = subprocess.Popen([sys.executable, "-c", code], stdin=subprocess.PIPE,
                                         stdout=subprocess.PIPE)
        # sent from a thread: a large job fills the pipe before the new interpreter reads it
        self._sending = threading.Thread(target=self._send, args=(job,), daemon=True)
        self._sending.start()

    def _send(self, obj) -> None:
        try:
            pickle.dump(obj, self._process.stdin, protocol=pickle.HIGHEST_PROTOCOL)
            self._process.stdin.flush()
        except BrokenPipeError:
            pass   # the worker has ended: result() tells why

    def send_shells(self, shells: dict[str, str]) -> None:
        self._sending.join()
        self._send(shells)

    def result(self) -> list[Problem]:
        """The worker's completeness problems; WorkerError when it failed."""
        self._sending.join()
        try:
            kind, value = pickle.load(self._process.stdout)
        except (EOFError, pickle.UnpicklingError):
            kind, value = "error", f"后台进程意外退出（退出码 {self._process.wait()}）"
        finally:
            self.stop()
        if kind == "error":
            raise WorkerError(value)
        return value

    def stop(self) -> None:
        """End the worker (at once, if it is still running: the build failed elsewhere)."""
        if self._process.poll() is None:
            self._process.kill()
        self._process.wait()
        for stream in (self._process.stdin, self._process.stdout):
            try:
                stream.close()
            except OSError:
                pass

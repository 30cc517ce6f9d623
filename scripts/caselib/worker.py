"""The build's second process: related cases, the search index and the tag index pages, beside the engine.

A build renders its pages one after another on one core (the site engine has no parallel
rendering). Our own work that does not need those rendered pages runs in a second process,
started when the build starts, on the machine's second core:

    main process (engine)                          worker (this module)
    start ─────────────────── project root ──────► read cases/, find related cases
    load, check, generate pages ◄── related, 20 at a time ┘
                 ─────────── Job (temporary file) ──────► convert every tag page's Markdown,
    render every page (each case page takes its           build the search index
    related cases as they come)
    the shell page of each dimension ─── shells ────────► fill the shells, write the tag pages
    check case pages, all-cases page,                     check tag pages and search index
    open data, booklet  ◄──────────────────── problems ──┘

The worker is a fresh interpreter (never a fork of a process that may run threads, as
`mkdocs serve` does). Messages are pickled over its stdin and stdout; the large Job goes
through a temporary file. Any error in the worker reaches the main process as a WorkerError
with the worker's traceback; a worker that dies does too. Pure: knows nothing of the site
engine; the hook passes in URLs and the relative-URL function.
"""

from __future__ import annotations

import os
import pickle
import subprocess
import sys
import tempfile
import threading
import traceback
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from . import related
from .cases import Case, load_cases
from .library import CASES_DIR
from .problems import Problem

# The main process waits for the related cases first: the modules for the rest of the work
# (Markdown, the checks, numpy) are imported where they are used, after those are sent.


WRITERS = 3          # threads writing the tag pages (mostly waiting on the file system)
RELATED_CHUNK = 20   # cases per "related" message (the main process renders a case in ~10 ms)


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


@dataclass
class JobFile:
    """Where the main process wrote the pickled Job."""
    path: Path

    def load(self) -> Job:
        with open(self.path, "rb") as f:
            job = pickle.load(f)
        self.path.unlink(missing_ok=True)
        return job


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
    from . import mdsettings, tagshell
    renderer = tagshell.Renderer(*mdsettings.settings(job.mkdocs_yml), Resolver(job.urls, job.relative_url))
    out = {}
    for src, content in job.tag_pages.items():
        title, text = tagshell.front_matter(content)
        out[src] = title, renderer.html(src, text)
    return out


def write_tag_pages(job: Job, contents: dict[str, tuple[str, str]], shells: dict[str, str]) -> None:
    """Each tag page's content put into its dimension's shell, written under site_dir."""
    from . import tagshell

    def write(src: str) -> None:
        title, html = contents[src]
        page = tagshell.fill(shells[tagshell.shell_path(src.rpartition("/")[0])], title, html)
        dest = Path(job.site_dir) / job.dest[src]
        dest.parent.mkdir(parents=True, exist_ok=True)
        dest.write_bytes(page.encode("utf-8", errors="xmlcharrefreplace"))

    # creating a folder and a file costs about 0.5 ms of waiting on the file system each: a few
    # threads wait together (each file is written by exactly one of them)
    with ThreadPoolExecutor(WRITERS) as pool:
        list(pool.map(write, contents))


def checks_for(job: Job) -> list:
    """The completeness checks the worker runs for this job (the main process runs the others)."""
    from . import completeness
    return ([completeness.check_search_index] if job.search else []) + \
        ([completeness.check_tag_pages] if job.tag_pages else [])


def run(job: Job, shells: Callable[[], dict[str, str]]) -> list[Problem]:
    """The worker's part of a build; `shells()` waits for the rendered shell of each dimension."""
    from . import completeness
    contents = tag_contents(job)   # first: a bad link fails the build before the long search index
    if job.search:
        from . import searchindex   # numpy: imported here, not while the related cases are awaited
        searchindex.build(job.cases, Path(job.site_dir), threads=1)
    if job.tag_pages:
        write_tag_pages(job, contents, shells())
    return completeness.check_site(job.cases, Path(job.site_dir), checks=checks_for(job))


def related_ids(root: Path) -> Iterator[tuple[str, list[str]]]:
    """(case id, ids of its related cases) of every case under root, in the order cases are loaded."""
    cases, _ = load_cases(Path(root) / CASES_DIR, Path(root))
    yield from ((case_id, [other.id for other in others]) for case_id, others in related.each(cases))


def main() -> None:
    """The worker process. stdin: the project root, a Job, the shells. stdout: ("related", {id: ids})
    messages, ("related", None) after the last, then ("done", problems); or ("error", text) at any point."""
    source = sys.stdin.buffer
    results = os.fdopen(os.dup(sys.stdout.fileno()), "wb")
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())   # a stray print must not corrupt the results

    def send(kind: str, value) -> None:
        pickle.dump((kind, value), results, protocol=pickle.HIGHEST_PROTOCOL)
        results.flush()

    try:
        root = pickle.load(source)
        chunk: dict[str, list[str]] = {}
        for case_id, ids in related_ids(root):
            chunk[case_id] = ids
            if len(chunk) == RELATED_CHUNK:
                send("related", chunk)
                chunk = {}
        send("related", chunk)
        send("related", None)
        job = pickle.load(source).load()
        send("done", run(job, lambda: pickle.load(source)))
    except BaseException:  # everything reaches the main process, which fails the build
        send("error", traceback.format_exc())
    results.close()


class Worker:
    """The second process of one build.

    Started with the project root, it reads the cases and finds every case's related cases
    (`related(case_id)`, as they come); then give it the Job and the shells, and wait for its problems.
    A thread reads everything the worker sends as soon as it is sent, so the worker never waits
    for the main process to ask (the pipe would fill and stop it).
    """

    def __init__(self, root: Path):
        package_dir = str(Path(__file__).resolve().parent.parent)
        code = f"import sys; sys.path.insert(0, {package_dir!r}); from caselib.worker import main; main()"
        self._process = subprocess.Popen([sys.executable, "-c", code], stdin=subprocess.PIPE,
                                         stdout=subprocess.PIPE)
        self._arrived = threading.Condition()
        self._related: dict[str, list[str]] = {}
        self._related_done = False
        self._outcome: tuple[str, object] | None = None   # ("done", problems) or ("error", text)
        self._reading = threading.Thread(target=self._read, name="caselib-worker-reader", daemon=True)
        self._reading.start()
        self._sending: threading.Thread | None = None
        self._job_file: Path | None = None
        self._send(Path(root))

    def _read(self) -> None:
        while True:
            try:
                kind, value = pickle.load(self._process.stdout)
            except (EOFError, pickle.UnpicklingError, OSError, ValueError):
                kind, value = "error", f"后台进程意外退出（退出码 {self._process.wait()}）"
            with self._arrived:
                if kind == "related" and value is not None:
                    self._related.update(value)
                elif kind == "related":
                    self._related_done = True
                elif self._outcome is None:
                    self._outcome = (kind, value)
                self._arrived.notify_all()
            if kind != "related":
                return

    def _write(self, obj) -> None:
        try:
            pickle.dump(obj, self._process.stdin, protocol=pickle.HIGHEST_PROTOCOL)
            self._process.stdin.flush()
        except (BrokenPipeError, ValueError):
            pass   # the worker has ended (or was stopped): result() tells why

    def _send(self, obj, write: Callable[[object], None] | None = None) -> None:
        """Send from a thread, in order: the worker may not be reading yet."""
        if self._sending:
            self._sending.join()
        self._sending = threading.Thread(target=write or self._write, args=(obj,), daemon=True)
        self._sending.start()

    def _failed(self) -> None:
        """Raise the worker's error, if it reported one or died (call holding self._arrived)."""
        if self._outcome is not None and self._outcome[0] == "error":
            raise WorkerError(self._outcome[1])

    def related(self, case_id: str) -> list[str]:
        """Ids of the related cases of a case, waiting for the worker to find them if need be."""
        with self._arrived:
            while case_id not in self._related and not self._related_done and self._outcome is None:
                self._arrived.wait()
            if case_id in self._related:
                return self._related[case_id]
            self._failed()
        raise WorkerError(f"后台进程读到的案例中没有“{case_id}”：案例文件在构建过程中被修改了吗？请重新构建。")

    def send_job(self, job: Job) -> None:
        """The job goes through a file: through the pipe, 64 KB at a time, every piece would wait
        for the interpreter lock while MkDocs renders (seconds at 10,000 cases)."""
        def write(job: Job) -> None:
            with tempfile.NamedTemporaryFile("wb", prefix="caselib-job-", suffix=".pickle", delete=False) as f:
                self._job_file = Path(f.name)
                f.write(pickle.dumps(job, protocol=pickle.HIGHEST_PROTOCOL))
            self._write(JobFile(self._job_file))

        self._send(job, write)

    def send_shells(self, shells: dict[str, str]) -> None:
        self._send(shells)

    def result(self) -> list[Problem]:
        """The worker's completeness problems; WorkerError when it failed."""
        try:
            with self._arrived:
                while self._outcome is None:
                    self._arrived.wait()
                self._failed()
                return self._outcome[1]
        finally:
            self.stop()

    def stop(self) -> None:
        """End the worker (at once, if it is still running: the build failed elsewhere)."""
        if self._process.poll() is None:
            self._process.kill()
        self._process.wait()
        if self._sending:
            self._sending.join()
        if self._job_file:
            self._job_file.unlink(missing_ok=True)
        for stream in (self._process.stdin, self._process.stdout):
            try:
                stream.close()
            except OSError:
                pass

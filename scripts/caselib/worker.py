"""The build's second process: related cases, case pages, the search index and the tag index pages.

A build renders its pages one after another on one core (the site engine has no parallel
rendering). Our own work runs in a second process, started when the build starts, on the
machine's second core:

    main process (engine)                          worker (this module)
    start ───────────── project root, claims file ─► read cases/, find related cases
    load, check, generate pages ◄── related, 20 at a time ┘
                 ─────────── Job (temporary file) ──────► convert every tag page's Markdown
    render every page; case pages from the first  ◄─────  render case pages from the last one
    one up (each takes its related cases as they   pages  down, until the two meet (claims.py)
    come), the worker's ones are not rendered again       build the search index
    the shell page of each dimension ─── shells ────────► fill the shells, write the tag pages
    check case pages, all-cases page,                     check tag pages and search index
    open data, booklet  ◄──────────────────── problems ──┘

The worker is a copy of the main process (os.fork) when no other thread runs there, as in
`mkdocs build`: it starts at once, every module already imported. Otherwise (`mkdocs serve` runs
threads, and a copy could inherit a lock one of them holds) it is a fresh interpreter. Messages
are pickled over two pipes; the large Job goes through a temporary file. Any error in the worker
reaches the main process as a WorkerError with the worker's traceback; a worker that dies does
too. Pure: knows nothing of the site engine; the hook passes in URLs, the relative-URL function
and the module that renders a case page as the engine does (`Job.engine`).
"""

from __future__ import annotations

import importlib.util
import os
import pickle
import signal
import subprocess
import sys
import threading
import traceback
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path

from . import related, sitedir
from .cases import Case, load_cases
from .claims import Claims, shared_file
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
    cases: list[Case] | None          # None: the worker's own, copied from the main process
    site_dir: Path
    mkdocs_yml: Path                   # the Markdown settings of the tag pages (mdsettings)
    search: bool = True                # build the search index (and check it)
    tag_pages: dict[str, str] = field(default_factory=dict)   # src path → Markdown, filled into shells
    dest: dict[str, str] = field(default_factory=dict)        # src path → output file, relative to site_dir
    urls: dict[str, str] = field(default_factory=dict)        # src path → site-relative URL, every page
    relative_url: Callable[[str, str], str] | None = None     # (url, from url) → relative URL
    case_pages: list[str] = field(default_factory=list)      # case page paths in the engine's order
    engine: Path | None = None          # the module that renders a case page as the engine does
    files: dict[str, str] = field(default_factory=dict)       # every file of the site → its inclusion
    log_level: int = 0                  # the engine's log level (its warnings fail a strict build)
    engine_settings: dict = field(default_factory=dict)       # settings given to the engine on its command line


@dataclass
class JobFile:
    """The main process has written the pickled Job into the shared file open as `fd` (claims.shared_file)."""
    fd: int

    def load(self) -> Job:
        with os.fdopen(self.fd, "rb") as f:   # closes this process's descriptor
            f.seek(0)
            return pickle.load(f)


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


def run(job: Job, shells: Callable[[], dict[str, str]], case_pages: Callable[[], object] = lambda: None
        ) -> list[Problem]:
    """The worker's part of a build; `shells()` waits for the rendered shell of each dimension;
    `case_pages()` renders case pages until the main process has the rest (render_case_pages)."""
    from . import completeness
    if job.search:
        # numpy (0.15 s) imported now, not while the related cases are awaited, nor at the end,
        # where the worker's work is what the build waits for at small sizes
        from . import searchindex
    contents = tag_contents(job)   # a bad link fails the build before the long search index
    # then case pages, while the main process still converts pages; the search index after them
    # (it is needed only at the end), so that both processes end at about the same time
    case_pages()
    if job.search:
        searchindex.build(job.cases, Path(job.site_dir), threads=1)
    if job.tag_pages:
        write_tag_pages(job, contents, shells())
    return completeness.check_site(job.cases, Path(job.site_dir), checks=checks_for(job))


def related_ids(cases: list[Case], found: dict[str, list[Case]]) -> Iterator[tuple[str, list[str]]]:
    """(case id, ids of its related cases) of every case, in order; each case's related cases go into `found`."""
    for case_id, others in related.each(cases):
        found[case_id] = others
        yield case_id, [other.id for other in others]


def _engine(path: Path):
    spec = importlib.util.spec_from_file_location("caselib_engine", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def render_case_pages(job: Job, cases: list[Case], related_cases: dict[str, list[Case]], claims: Claims,
                      send: Callable[[str, object], None]) -> None:
    """Render case pages from the last one down until the main process (going up) has the rest;
    each is sent as ("page", (path, rendered)) with its HTML cleaned and glossary terms linked,
    exactly what the main process would make of it."""
    from . import mentions, pages, reuse
    from .safety import sanitize_html
    renderer = _engine(job.engine).CasePageRenderer(job.mkdocs_yml, job.files, job.log_level,
                                                    job.engine_settings)
    by_path = {pages.case_path(case): case for case in cases}
    terms = mentions.targets(cases)
    for index in range(len(job.case_pages) - 1, -1, -1):
        if not claims.worker_takes(index):
            break
        path = job.case_pages[index]
        case = by_path.get(path)
        if case is None:   # not among the cases read here: the main process renders it
            send("page", (path, None))
            continue
        rendered = renderer.render(path, pages.case_page(case).content,
                                   reuse.related_section(related_cases[case.id], path))
        rendered["content"] = mentions.link_mentions(sanitize_html(rendered["content"]), path, terms)
        send("page", (path, rendered))


def main() -> None:
    """The worker as a fresh interpreter: serve() on stdin and stdout."""
    results = os.fdopen(os.dup(sys.stdout.fileno()), "wb")
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())   # a stray print must not corrupt the results
    serve(sys.stdin.buffer, results)


def serve(source, results, cases: list[Case] | None = None) -> None:
    """The worker. source: the project root, the descriptor of the claims file (inherited), the
    folders to delete; then a JobFile (the inherited job file's descriptor), the shells. results:
    ("related", {id: ids}) messages, ("related", None) after the last, ("page", …) for each case
    page it renders, then ("done", problems); or ("error", text) at any point."""

    def send(kind: str, value) -> None:
        pickle.dump((kind, value), results, protocol=pickle.HIGHEST_PROTOCOL)
        results.flush()

    deleting = None
    try:
        root, claims_fd, discard = pickle.load(source)
        deleting = sitedir.remove_in_background(discard)   # the previous output
        if cases is None:   # else the main process's cases, in this copy of its memory
            cases, _ = load_cases(Path(root) / CASES_DIR, Path(root))
        related_cases: dict[str, list[Case]] = {}
        chunk: dict[str, list[str]] = {}
        for case_id, ids in related_ids(cases, related_cases):
            chunk[case_id] = ids
            if len(chunk) == RELATED_CHUNK:
                send("related", chunk)
                chunk = {}
        send("related", chunk)
        send("related", None)
        job = pickle.load(source).load()
        if job.cases is None:   # the same cases as these (Worker.send_job)
            job.cases = cases

        def case_pages() -> None:
            if job.case_pages and job.engine:
                claims = Claims(claims_fd)
                try:
                    render_case_pages(job, cases, related_cases, claims, send)
                finally:
                    claims.close()
            else:
                os.close(claims_fd)

        problems = run(job, lambda: pickle.load(source), case_pages)
        if deleting:
            deleting.wait()
        send("done", problems)
    except BaseException:  # everything reaches the main process, which fails the build
        send("error", traceback.format_exc())
    results.close()


def _widen(fd: int) -> None:
    """Let a pipe hold 1 MB (Linux; 64 KB by default): a writer then rarely waits for the reader,
    whose process may be busy for a while before its reading thread gets the interpreter lock."""
    try:
        import fcntl
        fcntl.fcntl(fd, fcntl.F_SETPIPE_SZ, 1 << 20)
    except (ImportError, AttributeError, OSError):
        pass


class _Forked:
    """A copy of this process running serve(), with the part of Popen's interface Worker uses.

    Used when no other thread runs here (as in `mkdocs build`): the copy starts at once with every
    module already imported. With other threads (`mkdocs serve`) a copy could inherit a lock one
    of them holds, so the worker is then a fresh interpreter.
    """

    def __init__(self, cases: list[Case] | None):
        job_read, job_write = os.pipe()            # main process → worker
        result_read, result_write = os.pipe()      # worker → main process
        for stream in (sys.stdout, sys.stderr):   # else the copy would write what is buffered again
            stream.flush()
        pid = os.fork()
        if pid == 0:   # the worker: it never returns from here
            try:
                os.close(job_write)
                os.close(result_read)
                serve(os.fdopen(job_read, "rb"), os.fdopen(result_write, "wb"), cases)
            finally:
                os._exit(0)
        os.close(job_read)
        os.close(result_write)
        _widen(job_write)
        _widen(result_read)
        self.pid = pid
        self.stdin = os.fdopen(job_write, "wb")
        self.stdout = os.fdopen(result_read, "rb")
        self.returncode: int | None = None
        self._lock = threading.Lock()

    def _reap(self, flags: int) -> int | None:
        with self._lock:
            if self.returncode is None:
                try:
                    pid, status = os.waitpid(self.pid, flags)
                except ChildProcessError:
                    pid, status = self.pid, 0
                if pid:
                    self.returncode = os.waitstatus_to_exitcode(status)
            return self.returncode

    def poll(self) -> int | None:
        return self._reap(os.WNOHANG)

    def wait(self) -> int:
        return self._reap(0)

    def kill(self) -> None:
        if self.poll() is None:
            try:
                os.kill(self.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass


class Worker:
    """The second process of one build.

    Started with the project root, it reads the cases and finds every case's related cases
    (`related(case_id)`, as they come); then give it the Job and the shells, and wait for its problems.
    A thread reads everything the worker sends as soon as it is sent, so the worker never waits
    for the main process to ask (the pipe would fill and stop it).
    """

    def __init__(self, root: Path, fork: bool | None = None, discard: list[Path] = (),
                 cases: list[Case] | None = None):
        """fork: copy this process (default: when no other thread runs) or start a fresh interpreter;
        discard: folders the worker deletes meanwhile (the previous output, caselib.sitedir);
        cases: the cases under root, already read (a copy uses them, a fresh interpreter reads them)."""
        if fork is None:
            fork = hasattr(os, "fork") and threading.active_count() == 1
        self._copied_cases = cases if fork else None   # the copy has them in its memory
        # files shared with the worker, removed at once (claims.shared_file): a killed build leaves none
        self.claims = Claims.create()
        self._job_fd = shared_file(b"", "caselib-job-")
        if fork:
            self._process = _Forked(cases)
        else:
            package_dir = str(Path(__file__).resolve().parent.parent)
            code = f"import sys; sys.path.insert(0, {package_dir!r}); from caselib.worker import main; main()"
            self._process = subprocess.Popen([sys.executable, "-c", code], stdin=subprocess.PIPE,
                                             stdout=subprocess.PIPE, pass_fds=(self.claims.fd, self._job_fd))
            _widen(self._process.stdin.fileno())
            _widen(self._process.stdout.fileno())
        self._arrived = threading.Condition()
        self._related: dict[str, list[str]] = {}
        self._related_done = False
        self._pages: dict[str, object] = {}   # case page path → what the worker rendered (None: not rendered)
        self._outcome: tuple[str, object] | None = None   # ("done", problems) or ("error", text)
        self._reading = threading.Thread(target=self._read, name="caselib-worker-reader", daemon=True)
        self._reading.start()
        self._sending: threading.Thread | None = None
        self._send((Path(root), self.claims.fd, list(discard)))

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
                elif kind == "page":
                    self._pages[value[0]] = value[1]
                elif self._outcome is None:
                    self._outcome = (kind, value)
                self._arrived.notify_all()
            if kind not in ("related", "page"):
                return

    def _write(self, obj) -> None:
        try:
            pickle.dump(obj, self._process.stdin, protocol=pickle.HIGHEST_PROTOCOL)
            self._process.stdin.flush()
        except (OSError, ValueError):
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

    def page(self, path: str) -> object | None:
        """What the worker rendered for a case page it has taken (see caselib.claims), waiting for it;
        None when it did not render it after all (the main process renders it)."""
        with self._arrived:
            while path not in self._pages and self._outcome is None:
                self._arrived.wait()
            if path in self._pages:
                return self._pages.pop(path)
            self._failed()
        return None

    def send_job(self, job: Job) -> None:
        """The job goes through the shared job file: through the pipe, 64 KB at a time, every piece
        would wait for the interpreter lock while MkDocs renders (seconds at 10,000 cases)."""
        if job.cases is not None and job.cases is self._copied_cases:
            job = replace(job, cases=None)   # the copy has them already: not pickled again

        def write(job: Job) -> None:
            with os.fdopen(os.dup(self._job_fd), "wb") as f:
                f.write(pickle.dumps(job, protocol=pickle.HIGHEST_PROTOCOL))
            self._write(JobFile(self._job_fd))   # the same number in the worker

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
        if self._job_fd is not None:
            os.close(self._job_fd)
            self._job_fd = None
        self.claims.close()
        for stream in (self._process.stdin, self._process.stdout):
            try:
                stream.close()
            except OSError:
                pass
        self._reading.join(timeout=5)   # it has read the end of the stream: no thread outlives the build

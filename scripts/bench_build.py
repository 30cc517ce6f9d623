"""Build benchmark (`make bench-build`): four builds of the same cases, side by side in one run.

For each size N in BENCH_SIZES (default 100,1000,10000) a synthetic corpus of N cases
(`python -m caselib corpus`) is built four ways:
  ours        the project as it is: our MkDocs plugin, the generated index pages, our search index,
              the completeness checks (a copy of the project in .bench/, PYTHONPATH=<copy>/scripts);
  7330f9c     the project at issue 17's starting commit (BENCH_BASE, default 7330f9c), a git worktree
              in .bench/ with the same cases in its cases/: scripts/hooks.py and its second (worker)
              process, which run in the build's process tree and are counted with it;
  bare        bare Material: exactly the case pages our plugin generates (citation and related
              cases included) written into docs/cases/, same docs, theme, navigation and Markdown
              settings; no plugin, no search, no index pages;
  search      the same with Material's own search plugin as a Chinese site would configure it
              (`plugins: [search: {lang: zh}]`; jieba only if it is installed: see below).
Every build is a fresh `mkdocs build` process into a new output folder, nothing deleted just
before it (BENCH_REBUILD=1: into the emptied previous one, see `output_folder`). The four are built in turn (ours, 7330f9c, bare, search, ours, …) for
BENCH_ROUNDS rounds (default 3) up to BENCH_ROUNDS_UPTO cases (default 1000) and
BENCH_ROUNDS_LARGE rounds above (default 1); medians are printed.

Figures, in this order:
  CPU seconds  user + system time of the build's whole process tree (os.wait4 on the build: the
               process and every child it waited for, e.g. 7330f9c's worker and deleter); the
               figure to compare on a shared machine;
  seconds      wall time, from starting the process to its end;
  peak memory  the largest sum, at one moment, of the proportional resident memory (PSS, from
               /proc/<pid>/smaps_rollup: pages a forked worker shares with its parent count once)
               of the build's processes, sampled every 0.1 s.
At 1,000 cases (or the largest size below it) `mkdocs serve` is started for ours (with the flags of
`make serve`: --no-strict --dirty) and for bare Material (MkDocs' defaults), and one case file is edited three times: the seconds from saving it until the served page
shows the edit (BENCH_SERVE=0 skips this). Work files go to .bench/ (ignored by git).

Material's search plugin segments Chinese text with jieba when jieba is importable; without it the
index holds whole runs of Chinese between punctuation as single words. The run prints which.
"""

from __future__ import annotations

import importlib.util
import os
import platform
import shutil
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORK = Path(os.environ.get("BENCH_WORK", ROOT / ".bench"))
BASE = os.environ.get("BENCH_BASE", "7330f9c")
_IGNORE_ANYWHERE = shutil.ignore_patterns(
    ".venv", ".git", "__pycache__", ".pytest_cache", "output", ".hypothesis", ".bench", "tests"
)


def IGNORE(folder, names):  # the built site/ and build/ at the top only: scripts/caselib/site/ is a package
    return set(_IGNORE_ANYWHERE(folder, names)) | ({"site", "build"} & set(names) if Path(folder) == ROOT else set())


ENV = {key: value for key, value in os.environ.items() if not key.startswith("CASELIB_")}
ENV.update(NO_MKDOCS_2_WARNING="1", SOURCE_DATE_EPOCH=os.environ.get("SOURCE_DATE_EPOCH", "1700000000"))
ENV.pop("PYTHONDONTWRITEBYTECODE", None)  # as `make`: compiled modules are kept between builds

ROUNDS = int(os.environ.get("BENCH_ROUNDS", "3"))
ROUNDS_UPTO = int(os.environ.get("BENCH_ROUNDS_UPTO", "1000"))
ROUNDS_LARGE = int(os.environ.get("BENCH_ROUNDS_LARGE", "1"))

OURS, BASE_KIND, BARE, SEARCH = "本库", f"本库@{BASE}", "纯 Material", "Material+搜索"
KINDS = (OURS, BASE_KIND, BARE, SEARCH)


def machine() -> str:
    cpu = "?"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    mem_kb = next(
        int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines() if line.startswith("MemTotal")
    )
    return (
        f"{os.cpu_count()} 核（nproc），CPU：{cpu}，内存 {mem_kb / 1024 / 1024:.1f} GB，"
        f"Python {platform.python_version()}，{platform.system()} {platform.release()}"
    )


def versions() -> str:
    from importlib.metadata import version

    return "，".join(f"{name} {version(name)}" for name in ("mkdocs", "mkdocs-material", "pymdown-extensions"))


def load() -> str:
    return "/".join(f"{x:.1f}" for x in os.getloadavg())


def now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")


def git(*args: str, cwd: Path = ROOT) -> str:
    return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, text=True).stdout.strip()


def env_for(scripts: Path) -> dict[str, str]:
    """The environment of a build whose `caselib` is the one in `scripts` (not the venv's editable one)."""
    return {**ENV, "PYTHONPATH": str(scripts)}


def check_import(scripts: Path) -> None:
    """The builds import the package of the copy they build, not the project's checkout."""
    found = subprocess.run(
        [sys.executable, "-c", "import caselib; print(caselib.__file__)"],
        env=env_for(scripts),
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    if not Path(found).resolve().is_relative_to(scripts.resolve()):
        sys.exit(f"PYTHONPATH={scripts} 导入的 caselib 来自 {found}，不是被测的副本")


def compile_modules(scripts: Path) -> None:
    """Compiled once beforehand, as in a checkout that has built before (no build pays for it)."""
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(scripts)], check=True)


TRASH = WORK / "trash"


def discard(path: Path) -> None:
    """Moves `path` out of the way; it is deleted when the benchmark ends (`empty_trash`). On ext4,
    files created within minutes of a deletion cost more kernel time (free inodes are searched past
    the ones just deleted): a deletion before or between the builds would land on their figures."""
    if path.exists() or path.is_symlink():
        TRASH.mkdir(parents=True, exist_ok=True)
        path.rename(TRASH / f"{sum(1 for _ in TRASH.iterdir())}-{path.name}")


def empty_trash() -> None:
    shutil.rmtree(TRASH, ignore_errors=True)


def snapshot() -> Path:
    """The project as it is when the benchmark starts (later edits do not change a running benchmark)."""
    source = WORK / "source"
    discard(source)
    shutil.copytree(ROOT, source, ignore=IGNORE, symlinks=True)
    compile_modules(source / "scripts")
    check_import(source / "scripts")
    return source


def base_worktree() -> Path:
    """A git worktree of the starting commit (its cases/ replaced for each size)."""
    tree = WORK / f"base-{BASE}"
    discard(tree)
    git("worktree", "prune")
    git("worktree", "add", "--detach", "--force", str(tree), BASE)
    compile_modules(tree / "scripts")
    check_import(tree / "scripts")
    return tree


def remove_base_worktree(tree: Path) -> None:
    git("worktree", "remove", "--force", str(tree))


def make_ours(n: int, source: Path) -> Path:
    project = WORK / f"ours-{n}"
    discard(project)
    shutil.copytree(source, project, symlinks=True)
    discard(project / "cases")
    subprocess.run(
        [sys.executable, "-m", "caselib", "corpus", str(n), str(project / "cases")],
        cwd=source,
        check=True,
        env=env_for(source / "scripts"),
        stdout=subprocess.DEVNULL,
    )
    return project


def fill_base(tree: Path, ours: Path) -> Path:
    """The starting commit's worktree with exactly our corpus in its cases/."""
    discard(tree / "cases")
    shutil.copytree(ours / "cases", tree / "cases")
    discard(tree / "site")
    return tree


DROPPED = {"hooks", "watch", "plugins", "validation", "strict"}
PLAIN_SETTINGS = """
strict: false
validation:
  nav: {omitted_files: ignore, not_found: ignore}
  links: {not_found: ignore, anchors: ignore, absolute_links: ignore, unrecognized_links: ignore}
"""
BARE_PLUGINS = "plugins: []\n"
# Material's search plugin as its documentation configures a Chinese site (lunr.zh; segmentation by
# jieba when it is installed)
SEARCH_PLUGINS = """plugins:
  - search:
      lang: zh
"""


def make_plain(ours: Path, n: int) -> tuple[Path, Path]:
    """The same case pages as plain docs pages, same theme and nav, no plugin of ours, no index pages:
    once without search (bare), once with Material's search plugin."""
    from caselib import library
    from caselib.model.cases import load_cases
    from caselib.site import urls
    from caselib.site.mdtext import FILL

    bare, search = WORK / f"bare-{n}", WORK / f"search-{n}"
    for project in (bare, search):
        discard(project)
    shutil.copytree(ours / "docs", bare / "docs")
    shutil.copytree(ours / "overrides", bare / "overrides")
    cases, _ = load_cases(ours / "cases", ours)
    (bare / "docs" / "cases").mkdir(parents=True, exist_ok=True)
    case_pages = {urls.case_path(case) for case in cases}
    for page in library.generated_pages(cases):  # exactly our case pages: card, citation, related cases
        if page.path in case_pages:  # the card, which our plugin puts in after rendering, written in
            (bare / "docs" / page.path).write_text(page.content.replace(FILL, page.html, 1), encoding="utf-8")
    shutil.copytree(bare, search)
    text = drop_top_level((ours / "mkdocs.yml").read_text(encoding="utf-8"), DROPPED) + PLAIN_SETTINGS
    (bare / "mkdocs.yml").write_text(text + BARE_PLUGINS, encoding="utf-8")
    (search / "mkdocs.yml").write_text(text + SEARCH_PLUGINS, encoding="utf-8")
    return bare, search


def drop_top_level(text: str, keys: set[str]) -> str:
    """mkdocs.yml without the given top-level keys (each key with its indented block)."""
    out, skipping = [], False
    for line in text.splitlines(keepends=True):
        if line[:1] not in (" ", "\t", "\n", "#", ""):
            skipping = line.split(":", 1)[0].strip() in keys
        if not skipping:
            out.append(line)
    return "".join(out)


def _tree_pss_kb(pid: int) -> int:
    """Proportional resident memory (KiB) of a process and all its descendants, now."""
    total, todo = 0, [pid]
    while todo:
        p = todo.pop()
        try:
            rollup = Path(f"/proc/{p}/smaps_rollup").read_text()
            total += int(next(line.split()[1] for line in rollup.splitlines() if line.startswith("Pss:")))
            for task in Path(f"/proc/{p}/task").iterdir():
                todo += [int(c) for c in (task / "children").read_text().split()]
        except (OSError, StopIteration, ValueError):
            pass  # the process ended meanwhile
    return total


REBUILD = os.environ.get("BENCH_REBUILD") == "1"


def output_folder(project: Path) -> Path:
    """Where the next build of `project` writes; `project/site` names the latest.

    By default a new folder each time, nothing deleted just before the build, as on a CI runner
    or a fresh checkout. With BENCH_REBUILD=1 the previous output is deleted just before the build
    (not timed), as a local `mkdocs build --clean` does: on ext4 the files a build then creates
    cost more kernel time (free inodes are searched past the ones just deleted), the more files
    the more so."""
    site = project / "site"
    if REBUILD:
        shutil.rmtree(site, ignore_errors=True)
        return site
    outputs = project / "outputs"  # discarded with the project, deleted when the run ends
    outputs.mkdir(exist_ok=True)
    fresh = outputs / str(sum(1 for _ in outputs.iterdir()))
    if site.is_symlink():
        site.unlink()
    elif site.exists():
        site.rename(outputs / f"{fresh.name}-old")
    site.symlink_to(fresh.relative_to(project))
    return fresh


def build(project: Path, scripts: Path) -> tuple[float, float, int]:
    """CPU seconds (the whole process tree), wall seconds and peak memory (KiB) of one build."""
    site = output_folder(project)
    log = project / "build.log"
    ended: dict[str, object] = {}
    done = threading.Event()

    def wait() -> None:
        ended["result"] = os.wait4(proc.pid, 0)
        ended["time"] = time.perf_counter()
        done.set()

    with log.open("wb") as out:
        start = time.perf_counter()
        proc = subprocess.Popen(
            [sys.executable, "-m", "mkdocs", "build", "-q", "--clean", "-d", str(site)],
            cwd=project,
            env=env_for(scripts),
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        waiter = threading.Thread(target=wait)
        waiter.start()
        peak = 0
        while not done.wait(0.1):
            peak = max(peak, _tree_pss_kb(proc.pid))
        waiter.join()
    _, status, usage = ended["result"]
    elapsed = ended["time"] - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        sys.exit(f"构建失败：{project}\n{log.read_text(encoding='utf-8', errors='replace')[-3000:]}")
    # usage: the build and every descendant it waited for (the 7330f9c worker forks and waits for
    # its own child); not usage.ru_maxrss, which is one process's and counts this benchmark's
    # memory copied when forking the build
    return usage.ru_utime + usage.ru_stime, elapsed, peak


def rounds(n: int) -> int:
    return ROUNDS if n <= ROUNDS_UPTO else ROUNDS_LARGE


def side_by_side(projects: dict[str, tuple[Path, Path]], count: int, n: int) -> dict[str, tuple[float, float, int]]:
    """The builds in turn, `count` rounds: per build the median CPU and wall seconds, the largest peak."""
    runs: dict[str, list] = {kind: [] for kind in KINDS}
    for i in range(count):
        for kind in KINDS:
            runs[kind].append(build(*projects[kind]))
            cpu, wall, kb = runs[kind][-1]
            print(
                f"{'':>8}   第 {i + 1} 轮 {kind}：CPU {cpu:.1f} 秒，{wall:.1f} 秒，{kb / 1024:.0f} MB（负载 {load()}）",
                flush=True,
            )
    return {
        kind: (statistics.median(r[0] for r in rs), statistics.median(r[1] for r in rs), max(r[2] for r in rs))
        for kind, rs in runs.items()
    }


def page_count(project: Path) -> int:
    return sum(1 for _ in (project / "site").rglob("index.html"))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str) -> str:
    with urllib.request.urlopen(url, timeout=30) as response:
        return response.read().decode("utf-8")


SERVE_EDITS = 3


# ours as `make serve` runs it; bare Material as MkDocs serves by default
SERVE_FLAGS = {OURS: ["--no-strict", "--dirty"], BARE: []}


def serve_rebuild(project: Path, scripts: Path, edited: Path, url_path: str, flags: list[str]) -> list[float]:
    """Seconds from saving an edited file to the served page `url_path` showing the edit."""
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    proc = subprocess.Popen(
        [sys.executable, "-m", "mkdocs", "serve", *flags, "--dev-addr", f"127.0.0.1:{port}"],
        cwd=project,
        env=env_for(scripts),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    times = []
    original = edited.read_text(encoding="utf-8")
    try:
        deadline = time.time() + 1800
        while time.time() < deadline:
            if proc.poll() is not None:
                sys.exit(f"mkdocs serve 退出了（{project}）：请先确认 mkdocs build --strict 能通过")
            try:
                _get(base + url_path)
                break
            except OSError:
                time.sleep(1)
        for attempt in range(SERVE_EDITS):
            marker = f"基准测试修改标记{attempt}{int(time.time())}"
            time.sleep(3)  # let the watcher settle after the previous build
            edited.write_text(original + f"\n{marker}\n", encoding="utf-8")
            start = time.perf_counter()
            while time.time() < deadline:
                try:
                    if marker in _get(base + url_path):
                        break
                except OSError:
                    pass
                time.sleep(0.1)
            times.append(time.perf_counter() - start)
    finally:
        edited.write_text(original, encoding="utf-8")
        proc.terminate()
        proc.wait(timeout=60)
    return times


def _cell(kind: str, width: int) -> str:
    return kind + " " * (width - len(kind) - sum(1 for ch in kind if ord(ch) > 127))  # CJK: two columns


HEADER = "  案例数 | 构建              |  CPU 秒 |     秒 | 峰值 MB | 页面数"


def format_rows(n: int, results: dict, counts: dict) -> str:
    lines = []
    for kind in KINDS:
        cpu, wall, kb = results[kind]
        lines.append(f"{n:>8} | {_cell(kind, 17)} | {cpu:>7.1f} | {wall:>6.1f} | {kb / 1024:>7.0f} | {counts[kind]:>6}")
    return "\n".join(lines)


def format_ratios(n: int, results: dict) -> str:
    cpu, wall, _ = results[OURS]
    parts = [
        f"{OURS}/{other} CPU {cpu / results[other][0]:.2f}、秒 {wall / results[other][1]:.2f}"
        for other in (BARE, SEARCH, BASE_KIND)
    ]
    return f"{n:>8}   比值：" + "；".join(parts)


def main() -> int:
    sizes = [int(s) for s in os.environ.get("BENCH_SIZES", "100,1000,10000").split(",") if s.strip()]
    WORK.mkdir(exist_ok=True)
    commit = git("rev-parse", "--short", "HEAD")
    dirty = "（含未提交的修改）" if git("status", "--porcelain", "--untracked-files=no") else ""
    source = snapshot()
    sys.path.insert(0, str(source / "scripts"))  # make_plain generates the case pages with the snapshot's code
    tree = base_worktree()
    jieba = importlib.util.find_spec("jieba") is not None
    print(f"开始：{now()}；本库 {commit}{dirty}，对照 {BASE}（{git('rev-parse', '--short', BASE)}）")
    print(f"机器：{machine()}")
    print(
        f"软件：{versions()}；jieba {'已安装（Material 搜索用它分词）' if jieba else '未安装（Material 搜索不分中文词）'}"
    )
    print(f"负载（1/5/15 分钟）：{load()}")
    print(
        f"规模：{', '.join(map(str, sizes))} 个案例；每次构建是一个新进程，{'输出目录先清空（不计时）' if REBUILD else '写入新的输出目录，之前不删除任何文件'}；"
        f"{ROUNDS_UPTO} 个案例及以下 {ROUNDS} 轮、以上 {ROUNDS_LARGE} 轮，四种构建依次轮流，取中位数；"
        f"CPU 秒为整个进程树的用户态加内核态时间；峰值内存为各进程 PSS 之和的最大值\n",
        flush=True,
    )
    rows = []
    serve_size = max([s for s in sizes if s <= 1000], default=None)
    if os.environ.get("BENCH_SERVE") == "0":
        serve_size = None
    serve_projects = None
    try:
        for n in sizes:
            ours = make_ours(n, source)
            bare, search = make_plain(ours, n)
            projects = {
                OURS: (ours, ours / "scripts"),
                BASE_KIND: (fill_base(tree, ours), tree / "scripts"),
                BARE: (bare, source / "scripts"),
                SEARCH: (search, source / "scripts"),
            }
            print(f"{n:>8} 个案例（开始 {now()}，负载 {load()}）", flush=True)
            results = side_by_side(projects, rounds(n), n)
            counts = {kind: page_count(project) for kind, (project, _) in projects.items()}
            rows.append((n, results, counts))
            print(HEADER)
            print(format_rows(n, results, counts))
            print(format_ratios(n, results), flush=True)
            if n == serve_size:
                serve_projects = (ours, projects[BARE][0])
            else:
                discard(ours)
                discard(projects[BARE][0])
            discard(projects[SEARCH][0])
        serve_lines = []
        if serve_projects is not None:
            ours, bare = serve_projects
            case_id = sorted((ours / "cases").glob("*.md"))[0].stem
            url = f"/cases/{case_id}/"
            for kind, project, edited, scripts in (
                (OURS, ours, ours / "cases" / f"{case_id}.md", ours / "scripts"),
                (BARE, bare, bare / "docs" / "cases" / f"{case_id}.md", source / "scripts"),
            ):
                times = serve_rebuild(project, scripts, edited, url, SERVE_FLAGS[kind])
                serve_lines.append((kind, times))
                print(
                    f"mkdocs serve，{serve_size} 个案例，{kind}：修改后到页面显示修改 "
                    + "、".join(f"{t:.1f}" for t in times)
                    + f" 秒（中位数 {statistics.median(times):.1f}）",
                    flush=True,
                )
            discard(ours)
            discard(bare)
    finally:
        remove_base_worktree(tree)
        empty_trash()

    print(f"\n结束：{now()}，负载 {load()}\n")
    print(HEADER)
    for row in rows:
        print(format_rows(*row))
    print()
    for n, results, _ in rows:
        print(format_ratios(n, results))
    big = [r for r in rows if r[0] >= 1000]
    if len(big) >= 2:
        (n1, r1, _), (n2, r2, _) = big[0], big[-1]
        growth = "，".join(f"{kind} ×{r2[kind][0] / r1[kind][0]:.1f}" for kind in KINDS)
        print(f"\n从 {n1} 到 {n2} 个案例（×{n2 / n1:.0f}）CPU 秒：{growth}")
    if len(serve_lines) == 2:
        (_, ours_t), (_, bare_t) = serve_lines
        print(
            f"\nmkdocs serve，{serve_size} 个案例：{OURS} {statistics.median(ours_t):.1f} 秒，"
            f"{BARE} {statistics.median(bare_t):.1f} 秒，之比 {statistics.median(ours_t) / statistics.median(bare_t):.2f}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Build benchmark (`make bench-build`): our build against a plain Material build, side by side.

For each size N in BENCH_SIZES (default 100,1000,10000) a synthetic corpus of N cases
(`python -m caselib corpus`) is built three ways, each build a fresh process, the three in turn
for BENCH_ROUNDS rounds (default 3; one round above 1,000 cases), medians printed:
  ours       the project as it is (hook, generated index pages, search index, post-build checks);
  no search  the same without writing the search index (CASELIB_BENCH_NO_SEARCH=1; its completeness
             check skipped), so the figures combine with a separately measured search index build;
  plain      the same case pages (the Markdown our hook generates, citation and related cases included)
             written into docs/cases/, with the same theme, navigation and Markdown settings, but no
             hook, no search, no index pages.
Printed per size: wall time, CPU time, peak memory (build and worker together) and the ratios
to plain. At 1,000 cases (or the largest size below it) `mkdocs serve` is started and one case
file is edited: the time until the served page shows the edit is printed
(BENCH_SERVE=0 skips this). Work files go to .bench/ (ignored by git). Timings are figures to
read, not assertions.
"""

from __future__ import annotations

import os
import platform
import shutil
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))

from caselib import library  # noqa: E402
from caselib.model.cases import load_cases  # noqa: E402
from caselib.site import completeness, urls  # noqa: E402

WORK = Path(os.environ.get("BENCH_WORK", ROOT / ".bench"))
IGNORE_ANYWHERE = shutil.ignore_patterns(".venv", ".git", "__pycache__", ".pytest_cache", "output",
                                         ".hypothesis", ".bench", "tests")


def IGNORE(folder, names):  # the built site/ at the top only: scripts/caselib/site/ is a package
    return set(IGNORE_ANYWHERE(folder, names)) | ({"site"} & set(names) if Path(folder) == ROOT else set())


ENV = {**os.environ, "NO_MKDOCS_2_WARNING": "1",
       "SOURCE_DATE_EPOCH": os.environ.get("SOURCE_DATE_EPOCH", "1700000000")}


def machine() -> str:
    cpu = "?"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    mem_kb = next(int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines()
                  if line.startswith("MemTotal"))
    return (f"{os.cpu_count()} 核（nproc），CPU：{cpu}，内存 {mem_kb / 1024 / 1024:.1f} GB，"
            f"Python {platform.python_version()}，{platform.system()} {platform.release()}")


def snapshot() -> Path:
    """The project as it is when the benchmark starts (later edits do not change a running benchmark)."""
    source = WORK / "source"
    if source.exists():
        shutil.rmtree(source)
    shutil.copytree(ROOT, source, ignore=IGNORE, symlinks=True)
    return source


def make_ours(n: int, source: Path) -> Path:
    project = WORK / f"ours-{n}"
    if project.exists():
        shutil.rmtree(project)
    shutil.copytree(source, project, symlinks=True)
    shutil.rmtree(project / "cases")
    subprocess.run([sys.executable, "-m", "caselib", "corpus", str(n), str(project / "cases")], cwd=source,
                   check=True, env={**ENV, "PYTHONPATH": str(source / "scripts")}, stdout=subprocess.DEVNULL)
    return project


def make_plain(ours: Path, n: int) -> Path:
    """The same case pages as plain docs pages; same theme and nav; no hook, search or index pages."""
    project = WORK / f"plain-{n}"
    if project.exists():
        shutil.rmtree(project)
    shutil.copytree(ours / "docs", project / "docs")
    shutil.copytree(ours / "overrides", project / "overrides")
    cases, _ = load_cases(ours / "cases", ours)
    (project / "docs" / "cases").mkdir(parents=True, exist_ok=True)
    case_pages = {urls.case_path(case) for case in cases}
    for page in library.generated_pages(cases):   # exactly our case pages: citation, related cases
        if page.path in case_pages:
            (project / "docs" / page.path).write_text(page.content, encoding="utf-8")
    text = (ours / "mkdocs.yml").read_text(encoding="utf-8")
    (project / "mkdocs.yml").write_text(drop_top_level(text, DROPPED) + PLAIN_SETTINGS, encoding="utf-8")
    return project


DROPPED = {"hooks", "watch", "plugins", "validation", "strict"}
PLAIN_SETTINGS = """
strict: false
plugins: []
validation:
  nav: {omitted_files: ignore, not_found: ignore}
  links: {not_found: ignore, anchors: ignore, absolute_links: ignore, unrecognized_links: ignore}
"""


def drop_top_level(text: str, keys: set[str]) -> str:
    """mkdocs.yml without the given top-level keys (each key with its indented block)."""
    out, skipping = [], False
    for line in text.splitlines(keepends=True):
        if line[:1] not in (" ", "\t", "\n", "#", ""):
            skipping = line.split(":", 1)[0].strip() in keys
        if not skipping:
            out.append(line)
    return "".join(out)


def _tree_rss_kb(pid: int) -> int:
    """Resident memory (KiB) of a process and all its descendants (the build and its worker), now."""
    total, todo = 0, [pid]
    while todo:
        p = todo.pop()
        try:
            status = Path(f"/proc/{p}/status").read_text()
            total += int(next(line.split()[1] for line in status.splitlines() if line.startswith("VmRSS:")))
            for task in Path(f"/proc/{p}/task").iterdir():
                todo += [int(c) for c in (task / "children").read_text().split()]
        except (OSError, StopIteration, ValueError):
            pass   # the process ended meanwhile
    return total


def build(project: Path, **env: str) -> tuple[float, float, int]:
    """Wall seconds, CPU seconds and peak memory (KiB) of one build in a fresh process.

    CPU seconds: user + system of the build and its worker process (less disturbed than wall time
    by other work on the machine). Peak memory: the largest sum of the resident memory of the build
    and its worker at one moment, sampled every 50 ms.
    """
    site = project / "site"
    log = project / "build.log"
    start = time.perf_counter()
    with log.open("wb") as out:
        proc = subprocess.Popen([sys.executable, "-m", "mkdocs", "build", "-q", "--clean", "-d", str(site)],
                                cwd=project, env={**ENV, **env}, stdout=out, stderr=subprocess.STDOUT)
        peak = 0
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            peak = max(peak, _tree_rss_kb(proc.pid))
            time.sleep(0.05)
    elapsed = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        sys.exit(f"构建失败：{project}\n{log.read_text(encoding='utf-8', errors='replace')[-3000:]}")
    # not usage.ru_maxrss: on Linux it counts this benchmark's own memory, copied when forking the build
    return elapsed, usage.ru_utime + usage.ru_stime, peak


ROUNDS_SMALL = int(os.environ.get("BENCH_ROUNDS", "3"))
ROUNDS_SMALL_UPTO = 1000


def rounds(n: int) -> int:
    return ROUNDS_SMALL if n <= ROUNDS_SMALL_UPTO else 1


def side_by_side(ours: Path, plain: Path, count: int) -> dict[str, tuple[float, float, int]]:
    """The three builds, in turn, `count` rounds: per build the median seconds and CPU seconds, the largest peak."""
    runs: dict[str, list] = {kind: [] for kind in KINDS}
    for _ in range(count):
        runs["本库"].append(build(ours))
        runs["本库（不建搜索索引）"].append(build(ours, CASELIB_BENCH_NO_SEARCH="1"))
        runs["纯 Material"].append(build(plain))
    return {kind: (statistics.median(r[0] for r in rs), statistics.median(r[1] for r in rs), max(r[2] for r in rs))
            for kind, rs in runs.items()}


def our_code_seconds(project: Path) -> float:
    """Time spent in our own Python (load, check, generate pages, post-build checks), in-process."""
    start = time.perf_counter()
    cases, _ = library.load_checked(project)
    library.generated_pages(cases)
    completeness.check_site(cases, project / "site")
    return time.perf_counter() - start


def page_count(project: Path) -> int:
    return sum(1 for _ in (project / "site").rglob("index.html"))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str) -> str:
    with urllib.request.urlopen(url, timeout=30) as response:
        return response.read().decode("utf-8")


def serve_rebuild(project: Path) -> list[float]:
    """Seconds from saving an edited case to the served page showing the edit (twice)."""
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    proc = subprocess.Popen([sys.executable, "-m", "mkdocs", "serve", "--dev-addr", f"127.0.0.1:{port}"],
                            cwd=project, env=ENV, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    times = []
    try:
        deadline = time.time() + 1800
        while time.time() < deadline:
            if proc.poll() is not None:
                sys.exit(f"mkdocs serve 退出了（{project}）：请先确认 mkdocs build --strict 能通过")
            try:
                _get(base + "/")
                break
            except OSError:
                time.sleep(1)
        case_file = sorted((project / "cases").glob("*.md"))[0]
        case_id = case_file.stem
        original = case_file.read_text(encoding="utf-8")
        for attempt in range(2):
            marker = f"基准测试修改标记{attempt}{int(time.time())}"
            time.sleep(2)  # let the watcher settle after the previous build
            case_file.write_text(original + f"\n{marker}\n", encoding="utf-8")
            start = time.perf_counter()
            while time.time() < deadline:
                try:
                    if marker in _get(f"{base}/cases/{case_id}/"):
                        break
                except OSError:
                    pass
                time.sleep(0.2)
            times.append(time.perf_counter() - start)
        case_file.write_text(original, encoding="utf-8")
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    return times


HEADER = "  案例数 | 构建                 |     秒 |  CPU 秒 | 峰值 MB | 页面数 | 与纯 Material 之比（秒 / CPU 秒）"
KINDS = ("本库", "本库（不建搜索索引）", "纯 Material")


def format_rows(n: int, results: dict, pages_ours: int, pages_plain: int) -> str:
    """Three lines per size: our build, ours without the search index, plain Material."""
    plain_t, plain_cpu, _ = results["纯 Material"]
    lines = []
    for kind in KINDS:
        t, cpu, kb = results[kind]
        pages_n = pages_plain if kind == "纯 Material" else pages_ours
        ratio = "" if kind == "纯 Material" else f"{t / plain_t:.2f} / {cpu / plain_cpu:.2f}"
        pad = " " * (20 - len(kind) - sum(1 for ch in kind if ord(ch) > 127))  # CJK: two columns each
        lines.append(f"{n:>8} | {kind}{pad} | {t:>6.1f} | {cpu:>7.1f} | "
                     f"{kb / 1024:>7.0f} | {pages_n:>6} | {ratio}")
    return "\n".join(lines)


def main() -> int:
    sizes = [int(s) for s in os.environ.get("BENCH_SIZES", "100,1000,10000").split(",") if s.strip()]
    WORK.mkdir(exist_ok=True)
    source = snapshot()
    print(f"机器：{machine()}")
    print(f"规模：{', '.join(map(str, sizes))} 个案例；每次构建是一个新进程；秒和 CPU 秒取 {ROUNDS_SMALL} 轮"
          f"（{ROUNDS_SMALL_UPTO} 个案例以上 1 轮）交替构建的中位数；峰值内存为构建进程与后台进程同一时刻常驻内存之和的最大值\n")
    print(HEADER)
    rows = []
    serve_project = None
    serve_size = max([s for s in sizes if s <= 1000], default=None)
    if os.environ.get("BENCH_SERVE") == "0":
        serve_size = None
    for n in sizes:
        ours = make_ours(n, source)
        plain = make_plain(ours, n)
        results = side_by_side(ours, plain, rounds(n))
        pages_ours, code_t = page_count(ours), our_code_seconds(ours)
        rows.append((n, results, pages_ours, page_count(plain), code_t))
        print(format_rows(*rows[-1][:4]), flush=True)
        print(f"{'':>8}   其中本库代码（读取、检查、生成页面、完整性检查，单独测）{code_t:.1f} 秒", flush=True)
        shutil.rmtree(plain)
        if n == serve_size:
            serve_project = ours
        else:
            shutil.rmtree(ours)
    print()
    print(HEADER)
    for row in rows:
        print(format_rows(*row[:4]))
    big = [r for r in rows if r[0] >= 1000]
    if len(big) >= 2:
        (n1, r1, *_), (n2, r2, *_) = big[0], big[-1]
        growth = "，".join(f"{kind} ×{r2[kind][0] / r1[kind][0]:.1f}（CPU ×{r2[kind][1] / r1[kind][1]:.1f}）"
                          for kind in KINDS)
        print(f"\n从 {n1} 到 {n2} 个案例（×{n2 / n1:.0f}）：{growth}")
    if serve_project is not None:
        times = serve_rebuild(serve_project)
        print(f"\nmkdocs serve，{serve_size} 个案例：保存一个修改过的案例到页面显示修改，"
              + "、".join(f"{t:.1f} 秒" for t in times))
        shutil.rmtree(serve_project)
    return 0


if __name__ == "__main__":
    sys.exit(main())

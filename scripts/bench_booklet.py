"""Booklet benchmark (`make bench-booklet`): time, pages, size and peak memory of the booklet PDF.

For the real cases and for each size N in BOOKLET_SIZES (default 100,1000) a synthetic corpus
(`python -m caselib corpus N`) is made under .bench/, then `python -m caselib booklet` runs in a
fresh process. Printed per run: wall time, PDF pages, file size, peak RSS of that process.
Figures to read, not assertions.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORK = Path(os.environ.get("BENCH_WORK", ROOT / ".bench"))
ENV = {
    **os.environ,
    "PYTHONPATH": str(ROOT / "scripts"),
    "SOURCE_DATE_EPOCH": os.environ.get("SOURCE_DATE_EPOCH", "1700000000"),
}
MEASURE = (
    "import resource, subprocess, sys; r = subprocess.run(sys.argv[1:]).returncode; "
    "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, file=sys.stderr); sys.exit(r)"
)


def project(n: int | None) -> Path:
    """A directory with cases/ (the real ones, or n synthetic) and mkdocs.yml."""
    if n is None:
        return ROOT
    where = WORK / f"booklet-{n}"
    if where.exists():
        shutil.rmtree(where)
    where.mkdir(parents=True)
    shutil.copy(ROOT / "mkdocs.yml", where / "mkdocs.yml")
    subprocess.run(
        [sys.executable, "-m", "caselib", "corpus", str(n), str(where / "cases")],
        cwd=ROOT,
        env=ENV,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    return where


def run(where: Path, target: Path) -> tuple[float, int, str]:
    start = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-c", MEASURE, sys.executable, "-m", "caselib", "booklet", "-o", str(target)],
        cwd=where,
        env=ENV,
        capture_output=True,
        text=True,
    )
    elapsed = time.perf_counter() - start
    if result.returncode != 0:
        sys.exit(f"生成失败：{where}\n{result.stderr[-3000:]}")
    return elapsed, int(result.stderr.strip().splitlines()[-1]), result.stdout.strip()


def main() -> int:
    sizes = [int(s) for s in os.environ.get("BOOKLET_SIZES", "100,1000").split(",") if s.strip()]
    WORK.mkdir(exist_ok=True)
    print(f"{'案例数':>8} | {'秒':>7} | {'页数':>6} | {'PDF MB':>7} | {'峰值内存 MB':>10} | 秒/百页")
    for n in [None, *sizes]:
        where = project(n)
        target = WORK / f"booklet-{n or 'real'}.pdf"
        elapsed, peak_kb, said = run(where, target)
        count = int(said.rsplit("，", 1)[1].split(" ")[0])
        cases = said.split("（", 1)[1].split(" ")[0]
        print(
            f"{cases:>8} | {elapsed:>7.1f} | {count:>6} | {target.stat().st_size / 1e6:>7.1f} | "
            f"{peak_kb / 1024:>10.0f} | {elapsed / count * 100:.1f}",
            flush=True,
        )
        if n is not None:
            shutil.rmtree(where)
    return 0


if __name__ == "__main__":
    sys.exit(main())

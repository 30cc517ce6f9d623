"""Benchmark of the browse and reuse features on a synthetic corpus (prints figures, asserts nothing).

Usage: python scripts/bench_browse.py N [SITE_DIR]
  N         number of synthetic cases (python -m caselib corpus), e.g. 10000
  SITE_DIR  optional: a site built from such a corpus; /cases/ is then timed in Debian's Chromium
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

from caselib.bench import corpus
from caselib.bench.browser import serve
from caselib.model.cases import load_cases
from caselib.site import browse, opendata, related

ROOT = Path(__file__).resolve().parent.parent


def timed(label, fn):
    start = time.perf_counter()
    result = fn()
    print(f"{label}: {time.perf_counter() - start:.2f} s")
    return result


def python_side(n: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        corpus.generate(n, ROOT / "cases", Path(tmp))
        cases, _ = timed(f"load {n} cases", lambda: load_cases(Path(tmp)))
    result = timed("related cases", lambda: related.related(cases))
    print(f"  related per case: min {min(map(len, result.values()))}, max {max(map(len, result.values()))}")
    page = timed("all-cases page", lambda: browse.all_cases_page(cases))
    print(f"  size {len(page.content.encode()) // 1024} KiB")
    files = timed("open data", lambda: opendata.files(cases, "", "党建创新案例库"))
    print("  " + ", ".join(f"{k} {len(v.encode()) // 1024} KiB" for k, v in files.items()))


def browser_side(site: str) -> None:
    from playwright.sync_api import sync_playwright

    server = serve(site)
    base = f"http://127.0.0.1:{server.server_address[1]}"
    frame = "new Promise(r => requestAnimationFrame(() => setTimeout(r, 0)))"
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        start = time.perf_counter()
        page.goto(base + "/cases/", wait_until="load")
        page.evaluate(frame)
        print(
            f"/cases/ load to first frame: {time.perf_counter() - start:.2f} s "
            f"({page.locator('#case-status').inner_text()})"
        )
        for key in ("province", "theme", "year"):
            page.locator(f"details.case-facet[data-facet='{key}'] summary").click()
            start = time.perf_counter()
            page.locator(f"details.case-facet[data-facet='{key}'] input[type=checkbox]").first.check()
            page.evaluate(frame)
            print(f"tick a {key}: {time.perf_counter() - start:.2f} s ({page.locator('#case-status').inner_text()})")
        for label, action in (
            ("sort oldest", lambda: page.locator("#case-sort").select_option("oldest")),
            ("clear", lambda: page.locator("button.case-filter-clear").click()),
        ):
            start = time.perf_counter()
            action()
            page.evaluate(frame)
            print(f"{label}: {time.perf_counter() - start:.2f} s")
        browser.close()
    server.shutdown()


if __name__ == "__main__":
    python_side(int(sys.argv[1]))
    if len(sys.argv) > 2:
        browser_side(sys.argv[2])

"""Search benchmark (make bench-search): synthetic corpora of 1,000 and 10,000 cases, in Chromium.

For each size: the corpus (`python -m caselib corpus N DIR`), the index built from it (timed),
its bytes on disk, then in Debian's Chromium for every query of tests/search_queries.yml plus
20 unique phrases, each on a cold cache (new browser context): bytes fetched from search/data/
for the first query, and the time from the query to its results and first page of passages.
The page is the real /cases/ page of a build of this project; only search/data/ is replaced
by the corpus index (case pages of the corpus are not built: the index does not need them).
Material's own search is measured on the same corpus (--material SIZE…, default 1000: a full
MkDocs build with the `search` plugin takes many minutes at 10,000): search_index.json bytes
and the time from typing to results on a cold page.
--baseline REV also builds the index of the same corpus with searchindex.py as it was at git
revision REV, right after ours, and measures that index with that revision's search.js on the
same page, alternating query by query with ours (same machine, same load); REV must have the
window.caselibSearch of this version (search, doc, PAGE_SIZE).
Shorter runs: --sizes 10000 --material (no Material build).

Everything happens in a temporary directory, never in site/ or cases/.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import platform
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

from caselib.bench import corpus
from caselib.bench.browser import serve as serve_site
from caselib.model.cases import load_cases
from caselib.search import searchindex

ROOT = Path(__file__).resolve().parent.parent

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"]
_IGNORE_ANYWHERE = shutil.ignore_patterns(
    ".venv", ".git", "__pycache__", ".pytest_cache", "output", ".hypothesis", ".bench"
)


def copy_project(source: Path, dest: Path) -> None:
    """A copy of a project without its venv, caches and built site/ (at the top only: scripts/caselib/site/ is a package)."""

    def ignore(folder: str, names: list[str]) -> set[str]:
        return set(_IGNORE_ANYWHERE(folder, names)) | ({"site"} & set(names) if Path(folder) == source else set())

    shutil.copytree(source, dest, ignore=ignore, symlinks=True)


# One first query as the /cases/ page runs it: the search (entry, t2s, shards, positions), then the
# docs of the first page of results (their passages). The page's own list is the real site's, not
# the corpus's, so the engine is called directly rather than through the keyword box.
MEASURE = """async (q) => {
  const s = window.caselibSearch;
  const t0 = performance.now();
  const r = await s.search(q, []);
  await Promise.all(r.docs.slice(0, s.PAGE_SIZE).map(d => s.doc(d)));
  await new Promise(requestAnimationFrame);
  return [performance.now() - t0, r.docs.length];
}"""


def serve(directory: Path):
    server = serve_site(directory)
    return server, f"http://127.0.0.1:{server.server_address[1]}"


def pct(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, max(0, round(p / 100 * len(values) + 0.5) - 1))]


def du(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


def index_site(engine, cases, page_site: Path, site: Path) -> tuple[float, int]:
    """A copy of the built page at `site` with `engine`'s index of `cases`: (build seconds, index bytes)."""
    shutil.copytree(page_site, site)
    shutil.rmtree(site / searchindex.INDEX_DIR)
    t = time.perf_counter()
    engine.build(cases, site)
    seconds = time.perf_counter() - t
    return seconds, du(site / searchindex.INDEX_DIR)


def mkdocs_build(project: Path, site: Path) -> float:
    t = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--clean", "-q", "-f", str(project / "mkdocs.yml"), "-d", str(site)],
        cwd=project,
        check=True,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
    )
    return time.perf_counter() - t


def ours(browser, sites: list[Path], queries: list[str]) -> list[dict]:
    """Each query on each site in turn (so a change of machine load touches all alike)."""
    servers = [serve(site) for site in sites]
    results = [{"fetched": [], "times": [], "counts": []} for _ in sites]
    try:
        for q in queries:
            for (_server, base), r in zip(servers, results):
                context = browser.new_context(locale="zh-CN")
                page = context.new_page()
                page.goto(base + "/cases/")
                page.wait_for_selector("#case-browser[data-state=done]")
                got: list = []
                page.on("response", lambda resp, got=got: got.append(resp) if "/search/data/" in resp.url else None)
                ms, count = page.evaluate(MEASURE, q)
                page.wait_for_load_state("networkidle")
                r["fetched"].append(sum(len(resp.body()) for resp in got))
                r["times"].append(ms)
                r["counts"].append(count)
                context.close()
    finally:
        for server, _ in servers:
            server.shutdown()
    return results


def material(browser, site: Path, queries: list[str]) -> dict:
    server, base = serve(site)
    times, found = [], []
    try:
        for q in queries:
            context = browser.new_context(locale="zh-CN")
            page = context.new_page()
            page.goto(base + "/")
            t0 = time.perf_counter()
            page.locator("input.md-search__input").click()
            page.locator("input.md-search__input").fill(q)
            page.wait_for_function(
                "document.querySelector('.md-search-result__meta') && "
                "!/初始化|Initializing/.test(document.querySelector('.md-search-result__meta').textContent)",
                timeout=300000,
            )
            times.append((time.perf_counter() - t0) * 1000)
            found.append(page.locator(".md-search-result__item").count())
            context.close()
    finally:
        server.shutdown()
    return {"times": times, "found": found}


def baseline_module(rev: str, tmp: Path):
    """searchindex.py as it was at git revision `rev`, loaded inside the caselib package."""
    source = subprocess.run(
        ["git", "show", f"{rev}:scripts/caselib/search/searchindex.py"],
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    path = tmp / "baseline_searchindex.py"
    path.write_text(source, encoding="utf-8")
    spec = importlib.util.spec_from_file_location("caselib.search.baseline_searchindex", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--material", type=int, nargs="*", default=[1000])
    parser.add_argument("--material-queries", type=int, default=10)
    parser.add_argument("--baseline", metavar="REV")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    print(f"机器：{os.cpu_count()} 核，{cpu}，Python {platform.python_version()}")
    base_queries = [q["query"] for q in yaml.safe_load((ROOT / "tests/search_queries.yml").read_text("utf-8"))]
    with tempfile.TemporaryDirectory(prefix="bench-search-") as tmp, sync_playwright() as pw:
        tmp = Path(tmp)
        old = baseline_module(args.baseline, tmp) if args.baseline else None
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        project = tmp / "project"
        copy_project(ROOT, project)
        page_site = tmp / "page-site"
        mkdocs_build(project, page_site)
        for n in args.sizes:
            cases_dir = tmp / f"corpus-{n}" / "cases"
            corpus.generate(n, ROOT / "cases", cases_dir)
            cases, problems = load_cases(cases_dir, cases_dir.parent)
            assert not problems, problems[:3]
            rng = random.Random(n)
            queries = base_queries + [corpus.unique_phrase(i) for i in rng.sample(range(n), 20)]
            site = tmp / f"site-{n}"
            build_s, index_bytes = index_site(searchindex, cases, page_site, site)
            sites = [site]
            if args.baseline:
                # the same page with the baseline's index and search.js
                old_site = tmp / f"baseline-{n}"
                old_s, old_bytes = index_site(old, cases, page_site, old_site)
                (old_site / "assets/javascripts/search.js").write_text(
                    subprocess.run(
                        ["git", "show", f"{args.baseline}:docs/assets/javascripts/search.js"],
                        cwd=ROOT,
                        check=True,
                        capture_output=True,
                        text=True,
                    ).stdout,
                    encoding="utf-8",
                )
                sites.append(old_site)
            # the engine must be exact on this corpus: check every query against substring truth
            fields = {f"cases/{c.id}/": searchindex.searchable_fields(c) for c in cases}
            idx = searchindex.Index(site)
            wrong = 0
            truth_counts = []
            for q in queries:
                truth = {u for u, f in fields.items() if searchindex.matches(f, q)}
                got = {idx.doc(d)["u"] for d in idx.search(q)}
                wrong += got != truth
                truth_counts.append(len(truth))
            r, *rest = ours(browser, sites, queries)
            wrong_browser = sum(a != b for a, b in zip(r["counts"], truth_counts))
            kb = [b / 1024 for b in r["fetched"]]
            print(f"\n== {n} 个案例（{len(queries)} 个查询，每个查询冷缓存）==")
            print(
                f"索引构建 {build_s:.1f} s；索引磁盘占用 {index_bytes / 1e6:.1f} MB（{sum(1 for _ in (site / searchindex.INDEX_DIR).rglob('*.gz'))} 个文件）"
            )
            print(
                f"首次查询下载：中位数 {statistics.median(kb):.0f} KB，p95 {pct(kb, 95):.0f} KB，最大 {max(kb):.0f} KB"
            )
            print(
                f"查询到结果和首页摘录：中位数 {statistics.median(r['times']):.0f} ms，p95 {pct(r['times'], 95):.0f} ms，最大 {max(r['times']):.0f} ms"
            )
            print(f"与逐字查找不一致的查询：Python 引擎 {wrong} 个，浏览器计数 {wrong_browser} 个")
            worst = sorted(zip(kb, queries), reverse=True)[:3]
            print("下载最多的查询：" + "，".join(f"{q}（{k:.0f} KB）" for k, q in worst))
            if args.baseline:
                o = rest[0]
                okb = [b / 1024 for b in o["fetched"]]
                print(
                    f"对照 {args.baseline}（同一语料、同一页面，换成当时的索引和 search.js，与本版逐个查询交替测量）："
                )
                print(
                    f"  索引构建 {old_s:.1f} s（本版为其 {build_s / old_s:.2f} 倍）；索引磁盘占用 {old_bytes / 1e6:.1f} MB"
                )
                print(
                    f"  首次查询下载：中位数 {statistics.median(okb):.0f} KB，p95 {pct(okb, 95):.0f} KB，最大 {max(okb):.0f} KB"
                )
                print(
                    f"  查询到结果和首页摘录：中位数 {statistics.median(o['times']):.0f} ms，p95 {pct(o['times'], 95):.0f} ms"
                )
                print(f"  浏览器计数与逐字查找不一致的查询 {sum(a != b for a, b in zip(o['counts'], truth_counts))} 个")
                shutil.rmtree(sites[1])
            if n in args.material:
                mproject = tmp / f"material-{n}"
                copy_project(project, mproject)
                shutil.rmtree(mproject / "cases")
                shutil.copytree(cases_dir, mproject / "cases")
                yml = (mproject / "mkdocs.yml").read_text("utf-8")
                yml = yml.replace("plugins: []", "plugins:\n  - search:\n      lang: zh")
                (mproject / "mkdocs.yml").write_text(yml, "utf-8")
                (mproject / "overrides/partials/header.html").unlink()
                msite = tmp / f"material-site-{n}"
                mbuild = mkdocs_build(mproject, msite)
                msize = (msite / "search/search_index.json").stat().st_size
                mq = queries[-args.material_queries :]
                m = material(browser, msite, mq)
                print(
                    f"Material 自带搜索（同一语料）：整站构建 {mbuild:.0f} s；search_index.json {msize / 1e6:.1f} MB"
                    f"（首次搜索前须全部下载）；打字到出结果 中位数 {statistics.median(m['times']):.0f} ms，"
                    f"p95 {pct(m['times'], 95):.0f} ms（{len(mq)} 个唯一短语查询，命中本应为 1 的查询中找到 "
                    f"{sum(1 for f in m['found'] if f >= 1)} 个有结果）"
                )
            shutil.rmtree(site)
        browser.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())

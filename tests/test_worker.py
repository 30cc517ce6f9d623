"""caselib.worker: the build's second process, without MkDocs (the real builds in test_build.py,
test_completeness.py and test_reproducible.py run it too)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
from mkdocs.utils import get_relative_url

from caselib import library, pages, related, searchindex, tagshell, worker
from caselib.schema import dimensions
from conftest import ROOT, build_site, copy_project, insert_after, site_files

SHELL = f"<title>{tagshell.TITLE}</title><main>{tagshell.CONTENT}</main>"


def job_for(cases, site_dir, tag_pages: dict[str, str], search: bool = False) -> worker.Job:
    paths = [*tag_pages, *(p.path for p in library.generated_pages(cases))]
    return worker.Job(cases, site_dir, ROOT / "mkdocs.yml", search=search, tag_pages=tag_pages,
                      dest={p: pages.page_url(p) + "index.html" for p in tag_pages},
                      urls={p: pages.page_url(p) for p in paths}, relative_url=get_relative_url)


def test_resolver_gives_relative_urls_and_none_for_unknown_pages():
    resolve = worker.Resolver({"models/a.md": "models/a/", "cases/x.md": "cases/x/"}, get_relative_url)
    assert resolve("models/a.md", "cases/x.md") == "../../cases/x/"
    assert resolve("models/a.md", "cases/missing.md") is None


def test_the_worker_writes_tag_pages_into_their_shell_and_checks_them(cases, tmp_path):
    model = next(d for d in dimensions() if d.key == "model")
    four = [c for c in cases if "四力" in c.values("models")]
    page = pages.tag_page(model, "四力", four)
    w = worker.Worker(ROOT)
    w.send_job(job_for(cases, tmp_path, {page.path: page.content}))
    w.send_shells({tagshell.shell_path("models"): SHELL})
    problems = w.result()
    written = (tmp_path / "models" / "四力" / "index.html").read_text(encoding="utf-8")
    assert written.startswith("<title>模式：四力</title><main><h1 id=")
    assert f'href="../../cases/{four[0].id}/"' in written
    # only one tag page was given: every other tag of the cases is reported, none of 四力
    assert problems and all("四力" not in p.message for p in problems)
    assert any("没有索引页 /themes/" in p.message for p in problems)


def test_the_worker_builds_the_search_index(cases, tmp_path):
    w = worker.Worker(ROOT)
    w.send_job(job_for(cases, tmp_path, {}, search=True))
    assert w.result() == []
    assert searchindex.indexed_urls(tmp_path) == {pages.page_url(pages.case_path(c)) for c in cases}


def test_an_error_in_the_worker_reaches_the_build_with_its_message(cases, tmp_path):
    bad = '---\ntitle: "模式：坏"\n---\n# 模式：坏\n\n[别处](<不存在.md>)\n'
    w = worker.Worker(ROOT)
    w.send_job(job_for(cases, tmp_path, {"models/坏.md": bad}))
    with pytest.raises(worker.WorkerError, match="models/坏.md: 链接的页面 models/不存在.md 不存在"):
        w.result()


def test_a_worker_that_dies_is_an_error_not_a_silent_success(cases, tmp_path):
    w = worker.Worker(ROOT)
    w.send_job(job_for(cases, tmp_path, {}, search=True))
    w._process.kill()
    with pytest.raises(worker.WorkerError, match="后台进程意外退出"):
        w.result()


def test_the_worker_finds_the_related_cases_the_pages_would_show(cases):
    w = worker.Worker(ROOT)
    found = {case.id: w.related(case.id) for case in reversed(cases)}   # any order
    w.stop()
    assert found == {case_id: [o.id for o in others] for case_id, others in related.related(cases).items()}
    assert any(found.values())


def test_a_case_the_worker_did_not_read_is_an_error(tmp_path):
    (tmp_path / "cases").mkdir()
    w = worker.Worker(tmp_path)
    with pytest.raises(worker.WorkerError, match="后台进程读到的案例中没有“2019-swpu-sili”"):
        w.related("2019-swpu-sili")
    w.stop()


def test_a_build_whose_worker_fails_stops_with_a_message_and_no_stray_files(tmp_path):
    """A bug in the worker's part (simulated in a copy) fails the real build; it does not hang."""
    project = copy_project(tmp_path / "project")
    insert_after(project / "scripts" / "caselib" / "searchindex.py",
                 "def build(cases, site_dir: Path, threads: int = 2) -> dict:\n", '    raise RuntimeError("模拟的故障")\n')
    before = set(Path(tempfile.gettempdir()).glob("caselib-job-*"))
    result = build_site(project, tmp_path / "site")
    assert result.returncode != 0
    assert "生成搜索索引或索引页时出错" in result.stderr
    assert "RuntimeError: 模拟的故障" in result.stderr
    assert set(Path(tempfile.gettempdir()).glob("caselib-job-*")) <= before


def test_a_build_killed_while_its_worker_runs_leaves_no_temporary_file(tmp_path):
    """The files the two processes share are removed as soon as they are made (claims.shared_file):
    a build stopped with SIGKILL, which no clean-up code survives, leaves nothing in the temporary folder.
    A copy of the project whose worker says when it has reached the search index, then waits there."""
    project = copy_project(tmp_path / "project")
    reached = tmp_path / "reached"
    insert_after(project / "scripts" / "caselib" / "searchindex.py",
                 "def build(cases, site_dir: Path, threads: int = 2) -> dict:\n",
                 f"    import time\n    Path({str(reached)!r}).touch()\n    time.sleep(120)\n")
    temp = tmp_path / "tmp"
    temp.mkdir()
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "TMPDIR": str(temp)}
    build = subprocess.Popen([sys.executable, "-m", "mkdocs", "build", "--strict", "-d", str(tmp_path / "site")],
                             cwd=project, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                             start_new_session=True)
    try:
        deadline = time.monotonic() + 120
        while not reached.exists() and build.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        assert reached.exists() and build.poll() is None   # both processes at work
    finally:
        os.killpg(build.pid, signal.SIGKILL)
        build.wait()
    assert [p.name for p in temp.iterdir() if p.name.startswith(("caselib-claims-", "caselib-job-"))] == []


def test_a_case_page_the_worker_rendered_from_other_markdown_is_rendered_again(tmp_path):
    """The main process takes the worker's rendering of a case page only when it was made from the very
    Markdown MkDocs has for that page. Here a simulated bug gives the worker an older version of every
    case: the site is still exactly what MkDocs renders itself, and the old text is nowhere."""
    project = copy_project(tmp_path / "project")
    insert_after(project / "scripts" / "caselib" / "worker.py", "        case = by_path.get(path)\n",
                 '        if case:\n            import dataclasses\n'
                 '            case = dataclasses.replace(case, meta={**case.meta, "summary": "模拟的旧版本"})\n')
    sites = {}
    for mode in ("all", "0"):
        sites[mode] = tmp_path / f"site-{mode}"
        result = build_site(project, sites[mode], env={"CASELIB_WORKER_PAGES": mode, "SOURCE_DATE_EPOCH": "1700000000"})
        assert result.returncode == 0, result.stdout + result.stderr
    tree = site_files(sites["all"])
    assert tree == site_files(sites["0"])
    assert not any("模拟的旧版本".encode() in content for content in tree.values())


@pytest.mark.parametrize("fork", [True, False], ids=["copied", "fresh-interpreter"])
def test_the_worker_starts_as_a_copy_or_as_a_fresh_interpreter(cases, fork):
    w = worker.Worker(ROOT, fork=fork)
    assert isinstance(w._process, worker._Forked) == fork
    assert w.related(cases[0].id) == [o.id for o in related.related(cases)[cases[0].id]]
    w.stop()
    assert w._process.poll() is not None and w.claims.fd == -1
    assert not w._reading.is_alive()


def test_what_mkdocs_warns_of_on_a_case_page_the_worker_rendered_fails_the_build_the_same(tmp_path):
    """MkDocs' warnings while rendering a case page reach the strict build from the worker just as when
    MkDocs renders the page itself. Here: links to anchors the page lacks, which `check` normally stops
    first (markup.rule_anchor_links), switched off in this copy. MkDocs finds exactly the links the
    checker finds, and its warnings are told in the checker's words: the case file and line, in Chinese."""
    project = copy_project(tmp_path / "project")
    case_file = sorted((project / "cases").glob("*.md"))[0]
    case_file.write_text(case_file.read_text(encoding="utf-8")
                         + "\n## 延伸阅读\n\n详见[下文](#不存在的小节)，[上文](#延伸阅读)，[引用](#引用本案例)，"
                           "[另一处][别处]。\n\n[别处]: #不在本页\n", encoding="utf-8")
    _, problems = library.load_checked(project)
    expected = [str(p) for p in problems]
    assert len(expected) == 2 and all("指向的小节在本页不存在" in p for p in expected), expected
    insert_after(project / "scripts" / "caselib" / "markup.py",
                 "BODY_RULES = (rule_body_renders_safely, rule_anchor_links)\n",
                 "BODY_RULES = BODY_RULES[:-1]   # the checker misses these links\n")
    for mode in ("all", "0"):
        result = build_site(project, tmp_path / f"site-{mode}", env={"CASELIB_WORKER_PAGES": mode})
        assert result.returncode != 0
        warnings = sorted(line.removeprefix("WARNING -  ") for line in result.stderr.splitlines()
                          if line.startswith("WARNING") and "指向的小节在本页不存在" in line)
        assert warnings == expected, result.stderr
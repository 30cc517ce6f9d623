"""The real site, built for real: a strict MkDocs build, and what a reader finds in it."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from caselib.model.cases import load_cases
from caselib.model.schema import dimensions
from caselib.model.tags import tag_values
from caselib.model.text import slug
from caselib.site import mdtext

from conftest import ROOT, build_site, copy_project

BAD_CASE = (ROOT / "tests/fixtures/invalid/rule_field_values--enum_near_miss.md").read_text(encoding="utf-8")


def cases():
    return load_cases(ROOT / "cases")[0]


def html_of(site: Path, url_path: str) -> str:
    return (site / urllib.parse.unquote(url_path).strip("/") / "index.html").read_text(encoding="utf-8")


def test_every_case_has_its_own_page_with_card_and_text(built_site):
    for case in cases():
        html = html_of(built_site, f"cases/{case.id}")
        assert '<div class="case-card">' in html
        assert mdtext.md_text(case.title).replace("\\", "") in html.replace("&quot;", '"')
        # the last paragraph of the body arrives whole
        last = [p for p in case.body.strip().split("\n\n") if not p.startswith("#")][-1]
        assert last.replace("〔原文缺失〕", "")[:40] in re.sub(r"<[^>]+>", "", html)


def test_every_case_is_on_every_index_page_it_belongs_to(built_site):
    for case in cases():
        for dim in dimensions():
            for value in tag_values(case, dim):
                html = html_of(built_site, f"{dim.path}/{slug(value)}")
                assert f'href="../../cases/{case.id}/"' in html, (case.path, dim.key, value)
        assert f'href="{case.id}/"' in html_of(built_site, "cases")


def test_tag_links_on_case_pages_resolve(built_site):
    for case in cases():
        html = html_of(built_site, f"cases/{case.id}")
        card = html.split('<div class="case-card">')[1].split("</div>")[0]
        links = re.findall(r'href="([^"]+)"', card)
        assert links
        for href in links:
            if href.startswith("http"):
                continue
            target = (built_site / "cases" / case.id / urllib.parse.unquote(href)).resolve()
            assert (target / "index.html").exists(), href


def test_overview_pages_count_cases(built_site):
    html = html_of(built_site, "provinces")
    assert re.search(r"四川</a></td>\s*<td[^>]*>2</td>", html)


def test_no_generated_page_is_committed():
    for dim in dimensions():
        assert not (ROOT / "docs" / dim.path).exists()
    assert not (ROOT / "docs" / "cases").exists()


def test_no_spam_reaches_the_site(built_site):
    for html_file in built_site.rglob("*.html"):
        text = html_file.read_text(encoding="utf-8")
        for word in ("沙巴体育", "太阳集团", "15vip"):
            assert word not in text, html_file


@pytest.fixture
def project(tmp_path):
    return copy_project(tmp_path / "project")


def test_a_bad_case_stops_the_build_with_the_message(project, tmp_path):
    (project / "cases" / "2024-example-minimal.md").write_text(BAD_CASE, encoding="utf-8")
    site = tmp_path / "site"
    result = build_site(project, site)
    assert result.returncode != 0
    assert "cases/2024-example-minimal.md:6: org_type: “教工支部”应写成“教工党支部”" in result.stderr
    assert "运行 make fix 可自动改正） [CL032]" in result.stderr
    assert not (site / "index.html").exists()


def test_a_duplicate_id_stops_the_build_naming_both_files(project, tmp_path):
    original = (project / "cases" / "2019-swpu-sili.md").read_text(encoding="utf-8")
    copy = original.replace("title: “四力”并提", "title: 副本“四力”并提")
    (project / "cases" / "copy.md").write_text(copy, encoding="utf-8")
    result = build_site(project, tmp_path / "site")
    assert result.returncode != 0
    assert "cases/2019-swpu-sili.md:2: id: 编号“2019-swpu-sili”与 cases/copy.md 重复" in result.stderr
    assert "cases/copy.md:2: id: 编号“2019-swpu-sili”与 cases/2019-swpu-sili.md 重复" in result.stderr


def test_check_command_prints_problems_and_fails(project):
    (project / "cases" / "2024-example-minimal.md").write_text(BAD_CASE, encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "caselib", "check"],
        cwd=project,
        capture_output=True,
        text=True,
        env={"PYTHONPATH": str(project / "scripts")},
    )
    assert result.returncode == 1
    assert result.stdout.startswith("cases/2024-example-minimal.md:6: org_type: “教工支部”应写成“教工党支部”")
    ok = subprocess.run(
        [sys.executable, "-m", "caselib", "check", "cases/2019-swpu-sili.md"],
        cwd=project,
        capture_output=True,
        text=True,
        env={"PYTHONPATH": str(project / "scripts")},
    )
    assert ok.returncode == 0 and "检查通过" in ok.stdout


def _get(url: str) -> str:
    with urllib.request.urlopen(url, timeout=5) as response:
        return response.read().decode("utf-8")


def _wait_for(get, what: str, deadline: float) -> None:
    while time.time() < deadline:
        try:
            if get():
                return
        except OSError:
            pass
        time.sleep(0.3)
    pytest.fail(f"mkdocs serve 没有按时重新生成：{what}")


def _search_titles(base: str) -> list[str]:
    """The titles in the served search index (caselib.search.searchindex: one gzipped record per case)."""
    import gzip
    import json

    from caselib.search.searchindex import ENTRY, INDEX_DIR

    entry = json.loads(_get(f"{base}/{INDEX_DIR}/{ENTRY}"))
    titles = []
    for doc in range(entry["docs"]):
        with urllib.request.urlopen(f"{base}/{INDEX_DIR}/{entry['dir']}/d/{doc}.gz", timeout=5) as response:
            titles.append(json.loads(gzip.decompress(response.read()))["t"])
    return titles


def test_serve_rebuilds_every_page_a_case_edit_changes(project):
    """`make serve` (mkdocs serve --dirty: only changed pages are rebuilt) watches cases/: a new
    model and a new title appear on the case page, its index pages, the pages listing it as
    related and the home page; a page no longer generated is gone (no stale page is served)."""
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    serve_flags = re.search(r"mkdocs serve (.*) --dev-addr", (ROOT / "Makefile").read_text(encoding="utf-8"))
    assert serve_flags and "--dirty" in serve_flags.group(1)
    proc = subprocess.Popen(
        [sys.executable, "-m", "mkdocs", "serve", *serve_flags.group(1).split(), "--dev-addr", f"127.0.0.1:{port}"],
        cwd=project,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env={**__import__("os").environ, "NO_MKDOCS_2_WARNING": "1"},
    )
    base = f"http://127.0.0.1:{port}"
    new_model = base + "/models/" + urllib.parse.quote("新模式") + "/"
    sili = base + "/models/" + urllib.parse.quote("四力") + "/"
    other = base + "/cases/2021-hlj-dangjian-hezuoshe/"  # lists the edited case as related
    try:
        deadline = time.time() + 120
        _wait_for(lambda: _get(base + "/"), "首页", deadline)
        case_file = project / "cases" / "2019-swpu-sili.md"
        text = case_file.read_text(encoding="utf-8")
        old_title = "“四力”并提促党建业务“两张皮”融为“一盘棋”"
        assert old_title in text
        edited = text.replace("models: [四力, 百校百企]", "models: [四力, 百校百企, 新模式]")
        case_file.write_text(edited.replace(old_title, "改过的标题：四力", 1), encoding="utf-8")
        _wait_for(lambda: "2019-swpu-sili" in _get(new_model), "/models/新模式/", deadline)
        for url in (base + "/cases/2019-swpu-sili/", sili, base + "/", base + "/cases/", other):
            assert "改过的标题：四力" in _get(url), url
            assert old_title not in _get(url).replace("&ldquo;", "“").replace("&rdquo;", "”"), url
        assert "改过的标题：四力" in _search_titles(base)  # the search index is not kept stale either
        case_file.write_text(text, encoding="utf-8")  # 新模式 gone again: its page too

        def gone() -> bool:
            try:
                _get(new_model)
            except urllib.error.HTTPError as error:
                return error.code == 404
            return False

        _wait_for(gone, "删除 /models/新模式/", deadline)
        assert old_title in _get(sili) and "改过的标题" not in _get(sili)
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_with_a_site_url_every_page_is_its_own_canonical_and_in_the_sitemap(project, tmp_path):
    """Every page MkDocs writes (case, tag, overview pages) names itself as canonical and is listed
    in sitemap.xml once `site_url` is set (as `mkdocs serve` always sets it)."""
    site = tmp_path / "site"
    result = build_site(project, site, env={"CASELIB_SITE_URL": "https://example.org/lib/"})  # see mkdocs.yml
    assert result.returncode == 0, result.stderr
    pages = sorted(
        p.relative_to(site).parent.as_posix() for p in site.rglob("index.html") if p.parent != site / "search" / "data"
    )
    sitemap = (site / "sitemap.xml").read_text(encoding="utf-8")
    listed = {urllib.parse.unquote(u) for u in re.findall(r"<loc>https://example.org/lib/(.*?)</loc>", sitemap)}
    assert {p if p == "." else p + "/" for p in pages} - {"."} <= listed | {"404/"}
    for page in pages:
        html = (site / page / "index.html").read_text(encoding="utf-8")
        canonical = re.search(r'<link rel="canonical" href="([^"]*)"', html)
        expected = "https://example.org/lib/" + ("" if page == "." else page + "/")
        assert canonical and urllib.parse.unquote(canonical.group(1)) == expected, page
    assert len(pages) > 40


def test_the_shared_parts_of_every_page_link_where_they_should(built_site):
    """The navigation, header, settings, scripts and style sheets, rendered once per folder (caselib_shared):
    on pages of every kind, their links lead to the same files of the site as on the home page."""
    from caselib.site.urls import link_target

    samples = ["index.html", "about/index.html", "search/how/index.html", "contributing/fields/index.html"]
    for folder in ("cases", "models", "institutions", "years"):
        samples += sorted(p.relative_to(built_site).as_posix() for p in (built_site / folder).glob("*/index.html"))[:2]
    seen = {}
    for sample in samples:
        text = (built_site / sample).read_text(encoding="utf-8")
        url = sample.removesuffix("index.html") if sample.endswith("/index.html") else ""
        nav = text[text.index('data-md-type="navigation"') : text.index('data-md-type="toc"')]
        header = text[text.index('<header class="md-header') : text.index("</header>")]
        config = text[text.index('<script id="__config"') :]
        config = json.loads(config[config.index(">") + 1 : config.index("</script>")])
        hrefs = re.findall(r'(?:href|src)="([^"]+)"', nav + header) + [config["base"] + "/", config["search"]]
        hrefs += re.findall(r'<(?:script src|link rel="stylesheet" href)="([^"]+)"', text)
        targets = {link_target(url, href) for href in hrefs} - {None}
        for target in targets:
            path = built_site / urllib.parse.unquote(target.rstrip("/"))
            assert path.is_file() or (path / "index.html").is_file(), (sample, target)
        seen[sample] = targets
    assert all(targets == seen["index.html"] for targets in seen.values()), seen

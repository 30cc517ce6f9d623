"""Nothing lost: the post-build checks (caselib.site.completeness) on copies of a built site, each
damaged in one way, and a real build that fails when a generated page drops a case."""

from __future__ import annotations

import csv
import gzip
import html
import json
import posixpath
import random
import re
import shutil
import urllib.parse
from pathlib import Path

import pytest

from caselib.site import completeness, urls

from conftest import build_site, copy_project, insert_after

CASE = "2019-swpu-sili"


@pytest.fixture
def site(built_site, tmp_path):
    copy = tmp_path / "site"
    shutil.copytree(built_site, copy)
    return copy


def messages(cases, site):
    return [str(p) for p in completeness.check_site(cases, site)]


def test_the_built_site_is_complete(cases, site):
    assert messages(cases, site) == []


def test_search_index_lists_every_case_page(cases, site):
    urls = completeness.search_index_urls(site)
    assert {f"cases/{c.id}/" for c in cases} <= urls


def test_a_missing_case_page_is_named(cases, site):
    shutil.rmtree(site / "cases" / CASE)
    got = messages(cases, site)
    assert f"cases/{CASE}.md:1: 网站: 案例“{CASE}”没有生成案例页 cases/{CASE}/index.html" in got


def test_a_case_page_without_a_case_is_named(cases, site):
    shutil.copytree(site / "cases" / CASE, site / "cases" / "old-case")
    assert messages(cases, site) == [
        "site/cases/old-case/index.html:1: 网站: 这个案例页没有对应的案例文件（是旧构建留下的吗？请用 --clean 重新构建）"
    ]


def _unlink(page: Path, href: str) -> None:
    html = page.read_text(encoding="utf-8")
    assert f'href="{href}"' in html
    page.write_text(html.replace(f'href="{href}"', 'href="#"'), encoding="utf-8")


def test_a_case_missing_from_a_tag_page_is_named(cases, site):
    _unlink(site / "models" / "四力" / "index.html", f"../../cases/{CASE}/")
    assert messages(cases, site) == [
        f"cases/{CASE}.md:1: 网站: 案例“{CASE}”没有列在模式“四力”的索引页 /models/四力/ 上"
    ]


def test_a_missing_tag_page_is_named(cases, site):
    shutil.rmtree(site / "provinces" / "四川")
    got = messages(cases, site)
    assert f"cases/{CASE}.md:1: 网站: 案例“{CASE}”的省份“四川”没有索引页 /provinces/四川/" in got
    assert len(got) == 2  # both Sichuan cases


def test_a_case_missing_from_the_all_cases_page_is_named(cases, site):
    _unlink(site / "cases" / "index.html", f"{CASE}/")
    assert messages(cases, site) == [f"cases/{CASE}.md:1: 网站: 案例“{CASE}”没有列在“全部案例”页 /cases/ 上"]


def test_a_case_missing_from_the_search_index_is_named(cases, site):
    from caselib.search import searchindex

    docs = searchindex.Index(site).dir / "d"  # the index's content-hashed folder
    for doc_file in docs.glob("*.gz"):
        doc = json.loads(gzip.decompress(doc_file.read_bytes()).decode("utf-8"))
        if doc["u"] == f"cases/{CASE}/":
            doc["u"] = "cases/elsewhere/"
            doc_file.write_bytes(gzip.compress(json.dumps(doc, ensure_ascii=False).encode("utf-8")))
    assert messages(cases, site) == [f"cases/{CASE}.md:1: 网站: 案例“{CASE}”没有出现在搜索索引中"]


def test_open_data_is_checked_when_present(cases, site):
    """(The booklet PDF's check is in test_booklet.py.)"""
    others = [c for c in cases if c.id != CASE]
    (site / "cases.json").write_text(json.dumps({"cases": [{"id": c.id} for c in others]}), encoding="utf-8")
    (site / "data").mkdir()
    with (site / "data" / "cases.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "title"])
        writer.writerows([c.id, c.title] for c in others)
    assert messages(cases, site) == [
        f"cases/{CASE}.md:1: 网站: 案例“{CASE}”不在开放数据 cases.json 中",
        f"cases/{CASE}.md:1: 网站: 案例“{CASE}”不在开放数据 data/cases.csv 中",
    ]


def test_a_page_taken_by_another_is_named(cases, site):
    """A case page, the all-cases page, an overview page or a tag page whose place another page
    took (as `id: index` or `models: [index]` did before the checker refused them)."""
    shutil.copyfile(site / "cases" / "2022-zjbti-sanhua-siling" / "index.html", site / "cases" / CASE / "index.html")
    shutil.copyfile(site / "cases" / CASE / "index.html", site / "cases" / "index.html")
    shutil.copyfile(site / "models" / "四力" / "index.html", site / "models" / "index.html")
    shutil.copyfile(site / "models" / "四力" / "index.html", site / "provinces" / "四川" / "index.html")
    got = messages(cases, site)
    other = "浙江工商职业技术学院“三化四领”党建统领整体“智治”"[:40]
    assert (
        f"cases/{CASE}.md:1: 网站: 案例“{CASE}”的页面 /cases/{CASE}/ 显示的是“{other}”，不是这个案例：它被别的页面占用了"
        in got
    )
    assert (
        f"site/cases/index.html:1: 网站: “全部案例”页 /cases/ 显示的是“{other}”：它被别的页面占用了（是不是有案例的编号或标签值与它同名？）"
        in got
    )
    assert (
        "site/models/index.html:1: 网站: “按模式浏览”页 /models/ 显示的是“模式：四力”：它被别的页面占用了（是不是有案例的编号或标签值与它同名？）"
        in got
    )
    assert (
        f"cases/{CASE}.md:1: 网站: 案例“{CASE}”的省份“四川”的索引页 /provinces/四川/ 显示的是“模式：四力”：它被别的页面占用了"
        in got
    )


def test_a_build_where_a_case_takes_the_all_cases_page_fails(tmp_path):
    """`id: index` with the checker's rule switched off (simulated gap): the case and the all-cases
    page want one address; the post-build check fails the build naming the case that lost it."""
    project = copy_project(tmp_path / "project")
    insert_after(
        project / "scripts" / "caselib" / "check" / "validate.py", 'RESERVED = {"index"}\n', "RESERVED = set()\n"
    )
    case_file = project / "cases" / f"{CASE}.md"
    text = case_file.read_text(encoding="utf-8").replace(f"id: {CASE}", "id: index")
    case_file.unlink()
    (project / "cases" / "index.md").write_text(text, encoding="utf-8")  # named by its id (CL048)
    result = build_site(project, tmp_path / "site")
    assert result.returncode != 0
    assert (
        "cases/index.md:1: 网站: 案例“index”的页面 /cases/ 显示的是“全部案例”，不是这个案例：它被别的页面占用了"
        in result.stderr
    ), result.stderr[-2000:]


def test_every_check_is_run():
    assert len(completeness.CHECKS) == 8
    assert all(callable(check) for check in completeness.CHECKS)


def test_a_build_that_loses_a_case_fails_naming_it(tmp_path):
    """A generated page that drops a case (simulated bug in pages.py) fails the real build."""
    project = copy_project(tmp_path / "project")
    insert_after(
        project / "scripts" / "caselib" / "site" / "pages.py",
        "def tag_page(dim: Dimension, value: str, cases: list[Case], memo: dict | None = None) -> Page:\n",
        f"    cases = [c for c in cases if c.id != {CASE!r}]\n",
    )
    result = build_site(project, tmp_path / "site")
    assert result.returncode != 0
    assert f"cases/{CASE}.md:1: 网站: 案例“{CASE}”没有列在模式“四力”的索引页 /models/四力/ 上" in result.stderr
    assert "完整性检查未通过" in result.stderr


def test_links_read_from_built_pages_resolve_like_plain_path_joins():
    """completeness.Site resolves "../" links once per folder: the same targets as joining each href
    to its page URL, for every kind of href (anchors, queries, schemes, entities, escapes, "..")."""

    def joined(url: str, href: str) -> str | None:
        href = html.unescape(href).split("#", 1)[0].split("?", 1)[0]
        if not href or re.match(r"^[a-z][a-z0-9+.-]*:", href, re.I) or href.startswith("/"):
            return None
        return posixpath.normpath(posixpath.join(url, urllib.parse.unquote(href))).rstrip("/") + "/"

    pieces = ["../", "..", "/", "#x", "?q", "x/", "%E5%9B%9B/", "&amp;", "./", "y", "http:", "%2F", "&#47;"]
    rng = random.Random(5)
    for _ in range(20000):
        href = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 6)))
        url = rng.choice(["", "cases/", "models/四力/", "a/b/c/"])
        assert urls.link_target(url, href) == joined(url, href), (url, href)

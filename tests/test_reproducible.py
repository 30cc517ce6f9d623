"""Two builds of the same commit are byte-identical, and every internal link of the site resolves."""

from __future__ import annotations

import datetime
import hashlib
import html.parser
import os
import struct
import subprocess
import urllib.parse
from pathlib import Path

from caselib.site.reproducible import source_date_epoch

from conftest import ROOT, build_site


def digests(site: Path) -> dict[str, str]:
    return {
        p.relative_to(site).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(site.rglob("*"))
        if p.is_file()
    }


def test_two_builds_of_one_commit_are_byte_identical(tmp_path, monkeypatch):
    """Built as a contributor would, without SOURCE_DATE_EPOCH: the hook takes it from git."""
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    sites = []
    for name in ("a", "b"):
        result = build_site(ROOT, tmp_path / name)
        assert result.returncode == 0, result.stderr
        sites.append(digests(tmp_path / name))
    first, second = sites
    assert sorted(first) == sorted(second), "两次构建生成的文件不同"
    differing = [name for name in first if first[name] != second[name]]
    assert differing == [], f"两次构建内容不同的文件：{differing}"
    assert "sitemap.xml.gz" in first
    # the build date is the commit's, not the clock's
    day = datetime.datetime.fromtimestamp(int(source_date_epoch(ROOT)), datetime.UTC).date()
    gz_mtime = struct.unpack("<I", (tmp_path / "a" / "sitemap.xml.gz").read_bytes()[4:8])[0]
    assert datetime.datetime.fromtimestamp(gz_mtime, datetime.UTC).date() == day


def test_build_epoch_is_the_last_commit_time(tmp_path):
    commit = subprocess.run(["git", "log", "-1", "--format=%ct"], cwd=ROOT, capture_output=True, text=True)
    assert source_date_epoch(ROOT) == commit.stdout.strip()
    assert source_date_epoch(tmp_path) is None  # outside a repository: MkDocs uses the clock


# --- links -----------------------------------------------------------------------------------


class _Links(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.links: list[tuple[str, str]] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        for key in ("id", "name"):
            if attrs.get(key):
                self.ids.add(attrs[key])
        for key in ("href", "src"):
            if attrs.get(key) and not (tag == "link" and attrs.get("rel") in ("canonical",)):
                self.links.append((tag, attrs[key]))


def _parse(path: Path) -> _Links:
    parser = _Links()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


def test_every_internal_link_and_anchor_resolves(built_site):
    pages = {p: _parse(p) for p in built_site.rglob("*.html")}
    assert len(pages) > 50
    broken, checked = [], 0
    for page, parsed in pages.items():
        for tag, link in parsed.links:
            parts = urllib.parse.urlsplit(link)
            if parts.scheme or parts.netloc or link.startswith("//"):
                continue  # external (checked elsewhere: nothing is fetched from other hosts)
            path = urllib.parse.unquote(parts.path)
            target = (
                page if not path else (built_site / path.lstrip("/") if path.startswith("/") else page.parent / path)
            )
            target = Path(os.path.normpath(target))
            if target.is_dir():
                target = target / "index.html"
            checked += 1
            where = f"{page.relative_to(built_site)}: <{tag}> {link}"
            if not target.is_relative_to(built_site) or not target.is_file():
                broken.append(where)
                continue
            fragment = urllib.parse.unquote(parts.fragment)
            if fragment and target.suffix == ".html":
                ids = pages[target].ids if target in pages else _parse(target).ids
                if fragment not in ids:
                    broken.append(where + "（锚点不存在）")
    assert checked > 500
    assert broken == []

"""caselib.sitedir: the previous output is set aside at once and deleted beside the build."""

from __future__ import annotations

import os
import subprocess
import sys

from caselib import sitedir
from conftest import ROOT, build_site


def test_the_entries_are_moved_aside_except_hidden_ones(tmp_path):
    site = tmp_path / "site"
    (site / "cases" / "a").mkdir(parents=True)
    (site / "cases" / "a" / "index.html").write_text("旧页面", encoding="utf-8")
    (site / "sitemap.xml").write_text("<urlset/>", encoding="utf-8")
    (site / ".git").mkdir()
    stale = tmp_path / ".site.caselib-old-left-by-a-stopped-build"
    stale.mkdir()
    aside = sitedir.set_aside(site)
    assert os.listdir(site) == [".git"]
    assert stale in aside and len(aside) == 2
    new = next(p for p in aside if p != stale)
    assert (new / "cases" / "a" / "index.html").read_text(encoding="utf-8") == "旧页面"
    sitedir.remove(aside)
    assert sorted(os.listdir(tmp_path)) == ["site"]


def test_the_folders_are_deleted_by_a_process_of_their_own(tmp_path):
    folders = []
    for n in range(2):
        folder = tmp_path / f".site.caselib-old-{n}"
        (folder / "cases" / "x").mkdir(parents=True)
        (folder / "cases" / "x" / "index.html").write_text("旧页面", encoding="utf-8")
        folders.append(folder)
    deleting = sitedir.remove_in_background(folders)
    assert deleting.pid != os.getpid() and deleting.wait() == 0
    assert os.listdir(tmp_path) == []
    assert sitedir.remove_in_background([]) is None


def test_nothing_to_set_aside_when_there_is_no_output_yet(tmp_path):
    assert sitedir.set_aside(tmp_path / "site") == []


def test_a_clean_build_leaves_no_old_file_and_no_folder_beside_it(tmp_path):
    site = tmp_path / "site"
    (site / "old-page").mkdir(parents=True)
    (site / "old-page" / "index.html").write_text("old", encoding="utf-8")
    (site / ".keep").write_text("", encoding="utf-8")
    result = build_site(ROOT, site)
    assert result.returncode == 0, result.stderr
    assert not (site / "old-page").exists() and (site / ".keep").exists()
    assert (site / "index.html").exists()
    assert sorted(os.listdir(tmp_path)) == ["site"]


def test_a_dirty_build_sets_nothing_aside(tmp_path):
    site = tmp_path / "site"
    (site / "old-page").mkdir(parents=True)
    (site / "old-page" / "index.html").write_text("old", encoding="utf-8")
    result = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--dirty", "-q", "-d", str(site)],
                            cwd=ROOT, env={**os.environ, "NO_MKDOCS_2_WARNING": "1"}, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert (site / "old-page" / "index.html").read_text(encoding="utf-8") == "old"
    assert sorted(os.listdir(tmp_path)) == ["site"]

"""The MkDocs plugin (caselib.mkdocs_plugin): registered by the entry point, the only module that
imports MkDocs; `mkdocs serve` watches only what a build reads; file URLs stop the build."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from mkdocs.config import load_config

from conftest import ROOT


def test_the_plugin_is_registered_and_configured_in_mkdocs_yml():
    """`caselib` is found through the package's entry point, with its typed options."""
    config = load_config(str(ROOT / "mkdocs.yml"))
    plugin = config.plugins["caselib"]
    assert type(plugin).__module__ == "caselib.mkdocs_plugin"
    assert plugin.config.booklet is False and plugin.config.search is True
    assert list(config.plugins) == ["caselib"]  # no Material search plugin: our own search


def test_only_the_plugin_imports_mkdocs():
    """The package is engine-neutral: one adapter module knows MkDocs."""
    importers = sorted(
        path.relative_to(ROOT).as_posix()
        for path in (ROOT / "scripts" / "caselib").rglob("*.py")
        if re.search(r"^\s*(from|import) mkdocs\b", path.read_text(encoding="utf-8"), re.M)
    )
    assert importers == ["scripts/caselib/mkdocs_plugin.py"]


def test_serve_watches_no_folder_with_python_modules():
    """Bytecode is written next to the modules (`__pycache__`): a watched folder with modules would
    make `mkdocs serve` rebuild for it. The modules are not reloaded by a running serve anyway."""
    watched = [Path(path) for path in load_config(str(ROOT / "mkdocs.yml")).watch]
    assert ROOT / "cases" in watched and ROOT / "scripts/caselib/data" in watched
    assert [p for folder in watched for p in Path(folder).rglob("*.py")] == []


def test_a_build_with_file_urls_stops_at_once_with_a_message(tmp_path):
    """`--no-directory-urls` would break every link the library makes (cases/<id>/): the build says so
    in Chinese before it writes anything, instead of failing with a traceback at the end."""
    site = tmp_path / "site"
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--no-directory-urls", "-d", str(site)],
        cwd=ROOT,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
        capture_output=True,
        text=True,
    )
    assert result.returncode != 0
    assert (
        "不支持 use_directory_urls: false（命令行参数 --no-directory-urls）：请去掉这一设置后重新构建。"
        in result.stderr
    )
    assert "Traceback" not in result.stderr
    assert not site.exists()


def test_mkdocs_renders_with_the_settings_the_checker_and_booklet_use():
    """The plugin gives MkDocs the Markdown settings of caselib.site.mdsettings, the ones the
    checker and the booklet render bodies with: same extensions, same options, same heading ids."""
    from caselib.site import mdsettings

    config = load_config(str(ROOT / "mkdocs.yml"))
    config.plugins.run_event("config", config)
    assert list(config.markdown_extensions) == mdsettings.EXTENSIONS
    ours, theirs = mdsettings.configs()["toc"], config.mdx_configs["toc"]
    assert {k: v for k, v in ours.items() if k != "slugify"} == {k: v for k, v in theirs.items() if k != "slugify"}
    assert theirs["slugify"]("一、背景 Ab", "-") == ours["slugify"]("一、背景 Ab", "-") == "一背景-ab"


def test_markdown_settings_in_mkdocs_yml_stop_the_build():
    """Extensions named in mkdocs.yml would reach the site but not the checker: refused in Chinese."""
    from mkdocs.exceptions import PluginError

    config = load_config(str(ROOT / "mkdocs.yml"), markdown_extensions=["footnotes"])
    with pytest.raises(PluginError, match="mkdocs.yml 里不要写 markdown_extensions"):
        config.plugins.run_event("config", config)


def test_links_written_as_html_are_the_urls_mkdocs_gives_markdown_links():
    """urls.href (links in the HTML parts of generated pages) agrees with MkDocs' own URLs."""
    from mkdocs.structure.files import File
    from mkdocs.utils import get_relative_url

    from caselib.site.urls import href

    paths = ["index.md", "cases/index.md", "cases/a-1.md", "models/四力.md", "models/index.md", "glossary/index.md"]
    paths += ["models/a b#c%.md", "years/2019.md"]

    def url(path):
        return File(path, src_dir=None, dest_dir="/site", use_directory_urls=True).url

    for here in paths:
        for there in paths:
            assert href(here, there) == get_relative_url(url(there), url(here)), (here, there)


def test_pages_that_share_a_key_link_alike_to_every_target():
    """urls.shared_links_key: pages with one key get the same relative URL (MkDocs' own) for every
    target, so a part of the theme rendered for one of them (caselib_shared) is right for all."""
    from mkdocs.utils import get_relative_url

    from caselib.site.urls import shared_links_key

    targets = ["", "cases/", "models/", "contributing/fields/", "search/how/", "assets/logo.svg"]
    pages = ["cases/a-1/", "cases/b/", "models/四力/", "models/x/", "years/2019/", "about/", "stats/"]
    pages += ["search/", "search/how/", "contributing/", "404.html", "", "models/", "assets/x/"]
    groups: dict[str, list[str]] = {}
    for page in pages:
        key = shared_links_key(page, targets)
        if key is not None:
            groups.setdefault(key, []).append(page)
    assert groups["cases"] == ["cases/a-1/", "cases/b/"] and groups["models"] == ["models/四力/", "models/x/"]
    assert groups[""] == ["about/", "stats/"]
    # a target at or inside the page, a file URL, the home page: rendered for that page alone
    for alone in ("search/", "search/how/", "contributing/", "404.html", "", "models/"):
        assert shared_links_key(alone, targets) is None, alone
    for members in groups.values():
        for target in targets:
            assert len({get_relative_url(target, page) for page in members}) == 1, (members, target)

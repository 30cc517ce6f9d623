"""What the MkDocs hook does to the engine itself: the theme's compiled templates are kept, and
`mkdocs serve` watches only what a build reads (not Python modules, whose bytecode is written)."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

import jinja2
from mkdocs.config import load_config

from caselib import worker
from conftest import ROOT


def _hooks():
    return worker._engine(ROOT / "scripts" / "hooks.py")   # loaded as the worker loads it


def _compiles(env: jinja2.Environment) -> int:
    """How many templates loading the theme's page template, 404 page and partials compiles in `env`."""
    count = [0]
    compile_ = env.compile

    def counting(*args, **kwargs):
        compiled = compile_(*args, **kwargs)
        count[0] += 1
        return compiled

    env.compile = counting
    for name in ["main.html", "404.html"] + env.list_templates(filter_func=lambda n: n.startswith("partials/")
                                                                and n.endswith(".html")):
        try:
            env.get_template(name)
        except jinja2.TemplateAssertionError:   # the blog's partials need its plugin's filters
            pass
    return count[0]


def test_theme_templates_are_compiled_once_and_kept_for_later_builds(tmp_path, monkeypatch):
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))   # the cache's folder goes here
    hooks = _hooks()
    config = load_config(str(ROOT / "mkdocs.yml"))

    def env(with_hook: bool) -> jinja2.Environment:
        made = config.theme.get_env()
        return hooks.on_env(made, config=config, files=None) if with_hook else made

    first = _compiles(env(True))
    assert first > 10                                # Material's page and its partials
    kept = list(tmp_path.glob("_jinja2-cache-*/*.cache"))
    assert len(kept) == first
    assert _compiles(env(True)) == 0                 # the next build compiles nothing
    assert _compiles(env(False)) == first            # without the hook MkDocs compiles them all


def test_a_template_that_cannot_be_kept_is_compiled_again(tmp_path, monkeypatch):
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    hooks = _hooks()
    config = load_config(str(ROOT / "mkdocs.yml"))
    env = hooks.on_env(config.theme.get_env(), config=config, files=None)
    for folder in tmp_path.glob("_jinja2-cache-*"):
        folder.rmdir()                               # removed while the build runs
    assert _compiles(env) > 10
    assert _compiles(hooks.on_env(config.theme.get_env(), config=config, files=None)) > 10


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
    result = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "--no-directory-urls", "-d", str(site)],
                            cwd=ROOT, env={**os.environ, "NO_MKDOCS_2_WARNING": "1"}, capture_output=True, text=True)
    assert result.returncode != 0
    assert "不支持 use_directory_urls: false（命令行参数 --no-directory-urls）：请去掉这一设置后重新构建。" in result.stderr
    assert "Traceback" not in result.stderr
    assert not site.exists()

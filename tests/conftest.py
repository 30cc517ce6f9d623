"""Shared fixtures: the real library built once, a local web server, Debian's Chromium."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from caselib.bench.browser import CHROMIUM, CHROMIUM_ARGS, serve

ROOT = Path(__file__).resolve().parent.parent


def build_site(
    project: Path, site_dir: Path, env: dict | None = None, timeout: float | None = None
) -> subprocess.CompletedProcess:
    """Run a strict MkDocs build of `project` into `site_dir` (a real build, as `make build` does);
    a build still running after `timeout` seconds is killed and fails the test."""
    # the project's own package (a copy may carry a simulated bug) before the installed one
    full_env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "PYTHONPATH": str(project / "scripts"), **(env or {})}
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "mkdocs",
            "build",
            "--strict",
            "--clean",
            "-f",
            str(project / "mkdocs.yml"),
            "-d",
            str(site_dir),
        ],
        cwd=project,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def copy_project(dest: Path) -> Path:
    """A copy of the project (without venv, site and caches) to build variants of it."""
    anywhere = shutil.ignore_patterns(
        ".venv", ".git", "__pycache__", ".pytest_cache", "output", ".hypothesis", ".bench"
    )

    def ignore(folder: str, names: list[str]) -> set[str]:
        # the built site/ at the top only: scripts/caselib/site/ is a package
        return set(anywhere(folder, names)) | ({"site"} & set(names) if Path(folder) == ROOT else set())

    shutil.copytree(ROOT, dest, ignore=ignore, symlinks=True)
    return dest


def site_files(site: Path) -> dict[str, bytes]:
    """Every file of a built site (path relative to it → content), to compare two builds."""
    return {p.relative_to(site).as_posix(): p.read_bytes() for p in sorted(site.rglob("*")) if p.is_file()}


def insert_after(path: Path, anchor: str, code: str) -> None:
    """Put `code` right after the line `anchor` of a source file (a simulated bug in a project copy)."""
    text = path.read_text(encoding="utf-8")
    assert anchor in text, f"{path} no longer has: {anchor}"
    path.write_text(text.replace(anchor, anchor + code, 1), encoding="utf-8")


@pytest.fixture(scope="session")
def cases():
    """The real library, loaded and checked once (it has no problems)."""
    from caselib.library import load_checked

    found, problems = load_checked(ROOT)
    assert problems == []
    return found


@pytest.fixture(scope="session")
def built_site(tmp_path_factory) -> Path:
    site = tmp_path_factory.mktemp("site")
    result = build_site(ROOT, site)
    assert result.returncode == 0, result.stdout + result.stderr
    return site


@pytest.fixture(scope="session")
def site_url(built_site):
    server = serve(built_site)
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.skip(f"没有找到 {CHROMIUM}（Debian 的 chromium 软件包）：浏览器测试跳过")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="zh-CN")
    page = context.new_page()
    yield page
    context.close()


# --- markers: unit (seconds, no subprocess, no browser), build (a real build or command), browser ---
_BROWSER_FIXTURES = {"browser", "page"}
_BUILD_FIXTURES = {"built_site", "site_url", "site", "safe_site", "net_site", "booklet_site", "project", "full_pdf"}
_BUILD_CALLS = ("build_site(", "subprocess", "getfixturevalue", "render_pdf(", "write_pdf(", "actionlint")


def pytest_collection_modifyitems(config, items):
    """Every test gets exactly one of the markers `unit`, `build`, `browser` (pyproject.toml), from the
    fixtures it uses and whether it starts a process: `pytest -m unit` runs in seconds."""
    import inspect

    for item in items:
        names = set(getattr(item, "fixturenames", ()))
        try:
            source = inspect.getsource(item.function)
        except (OSError, TypeError):
            source = ""
        if names & _BROWSER_FIXTURES:
            item.add_marker(pytest.mark.browser)
        elif names & _BUILD_FIXTURES or any(call in source for call in _BUILD_CALLS):
            item.add_marker(pytest.mark.build)
        else:
            item.add_marker(pytest.mark.unit)

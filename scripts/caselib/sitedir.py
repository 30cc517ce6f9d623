"""The previous build's output, set aside at once and deleted beside the new build.

A clean build first empties the output folder; after a build of 1,000 cases that is some 3,500
folders, deleted one by one before the first page is written. Instead the build moves every
entry of the folder (a rename each: a few dozen) into a hidden folder next to it, and a process
of its own, started by the worker, deletes that while the pages are rendered. Hidden entries stay
where they are, as the engine's own cleaning leaves them (a `.git` of a deployment checkout, say).
Left-overs of a build that was stopped half-way are deleted by the next one.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

clean_builds = False   # set by the hook when the engine empties the output folder before each build


def _prefix(site_dir: Path) -> str:
    return f".{site_dir.name}.caselib-old-"


def set_aside(site_dir: Path) -> list[Path]:
    """Move the entries of `site_dir` (not hidden ones) into a new hidden folder beside it.

    Returns every such folder beside it, this one and any left by an earlier build, for remove().
    Whatever cannot be moved (another file system, no permission) stays for the engine to delete.
    """
    site_dir = Path(site_dir)
    if not site_dir.is_dir():
        return []
    try:
        aside = Path(tempfile.mkdtemp(prefix=_prefix(site_dir), dir=site_dir.parent))
    except OSError:
        return []
    for name in sorted(os.listdir(site_dir)):
        if name.startswith("."):
            continue
        try:
            os.rename(site_dir / name, aside / name)
        except OSError:
            break
    return sorted(site_dir.parent.glob(_prefix(site_dir) + "*"))


def remove(folders) -> None:
    for folder in folders:
        shutil.rmtree(folder, ignore_errors=True)


def remove_in_background(folders: list[Path]) -> subprocess.Popen | None:
    """remove() in a process of its own (wait() for it): as a thread it would hold the interpreter
    lock between its thousands of small file-system calls, and slow the work beside it."""
    if not folders:
        return None
    code = "import sys; from caselib.sitedir import remove; remove(sys.argv[1:])"
    return subprocess.Popen([sys.executable, "-c", code, *map(str, folders)],
                            env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent)})

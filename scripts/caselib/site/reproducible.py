"""Reproducible builds: the build date comes from the last commit, not the clock."""

from __future__ import annotations

import subprocess
from pathlib import Path


def source_date_epoch(root: Path) -> str | None:
    """Seconds since the epoch of the last commit of the repository at root; None outside git."""
    try:
        result = subprocess.run(
            ["git", "log", "-1", "--format=%ct"], cwd=root, capture_output=True, text=True, timeout=30
        )
    except (OSError, subprocess.SubprocessError):
        return None
    value = result.stdout.strip()
    return value if result.returncode == 0 and value.isdigit() else None

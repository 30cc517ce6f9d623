"""Generated pages as files that change only when their page changes (for `mkdocs serve --dirty`).

With `--dirty`, MkDocs rebuilds a page only when its source file is newer than the page it built
before. A generated page has no source file of its own, so here each one gets a file in a folder
of ours, rewritten only when what the page is made from changed: its Markdown, its `html` and
`extra`, any other state the site applies to the page after its Markdown (for a case page, the glossary terms it
links). An unchanged page keeps its file and its modification time, and is not rebuilt; a changed
one is. Pure Python, no MkDocs: the plugin passes the pages and removes what `update` says is gone.
"""

from __future__ import annotations

from pathlib import Path

from ..model.text import digest
from .mdtext import Page


def page_key(page: Page, extra: str = "") -> str:
    """What a page's file stands for: its path, its content, its HTML put in after rendering and the
    state applied after it."""
    return digest((page.path, page.content, page.html, extra))


class SourceFiles:
    """One folder of generated pages, kept across the rebuilds of one `mkdocs serve`."""

    def __init__(self, folder: Path):
        self.folder = Path(folder)
        self.keys: dict[str, str] = {}  # page path -> page_key of the content in its file

    def path_of(self, page_path: str) -> Path:
        return self.folder / page_path

    def update(self, pages: list[Page], extra: dict[str, str] | None = None) -> tuple[list[str], list[str]]:
        """Write every page whose key changed; forget the pages no longer generated.

        Returns (paths written, paths gone), both sorted. `extra`: page path -> the state applied
        to that page after its Markdown ("" for a page not in it)."""
        extra = extra or {}
        keys = {page.path: page_key(page, extra.get(page.path, "")) for page in pages}
        written = []
        for page in pages:
            if self.keys.get(page.path) != keys[page.path]:
                target = self.path_of(page.path)
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_text(page.content, encoding="utf-8")
                written.append(page.path)
        gone = sorted(set(self.keys) - set(keys))
        for path in gone:
            self.path_of(path).unlink(missing_ok=True)
        self.keys = keys
        return sorted(written), gone

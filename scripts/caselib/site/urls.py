"""Where the generated pages are and how they link: page paths, their URLs, relative links.

Page paths are relative to the site root (e.g. "models/四力.md"); links between generated pages
are relative Markdown links to those paths, so the site engine checks them. Every link is a
folder URL (MkDocs' directory URLs). Below every module that makes or reads a page.
"""

from __future__ import annotations

import functools
import html
import posixpath
import re
import urllib.parse

from ..model.cases import Case
from ..model.schema import Dimension
from ..model.text import slug
from .mdtext import html_text, md_text

CASES_PATH = "cases"
_SCHEME = re.compile(r"^[a-z][a-z0-9+.-]*:", re.I)


def link(text: str, from_path: str, to_path: str) -> str:
    folder, name = posixpath.split(to_path)
    target = posixpath.join(_relative_folder(folder, posixpath.dirname(from_path)), name)
    return f"[{md_text(text)}](<{target}>)"


@functools.lru_cache(maxsize=4096)
def _relative_folder(folder: str, from_folder: str) -> str:
    """posixpath.relpath for folders (cached: a build makes tens of thousands of links between a few folders)."""
    target = posixpath.relpath(folder or ".", from_folder or ".")
    return "" if target == "." else target


def href(from_path: str, to_path: str) -> str:
    """The URL a link on the page `from_path` to the page `to_path` gets in the built site, as MkDocs
    writes it for a Markdown link (relative, folder URL, percent-encoded): for HTML we write ourselves."""
    here, there = _segments(from_path), _segments(to_path)
    common = 0
    while common < len(here) and common < len(there) and here[common] == there[common]:
        common += 1
    parts = [".."] * (len(here) - common) + list(there[common:])
    return "/".join(parts) + "/" if parts else "./"


@functools.lru_cache(maxsize=1 << 16)
def _segments(path: str) -> tuple[str, ...]:
    """A page's URL as percent-encoded folder names: "models/四力.md" → ("models", "%E5%9B%9B%E5%8A%9B")."""
    return tuple(urllib.parse.quote(page_url(path)).split("/")[:-1])


def shared_links_key(url: str, targets: list[str]) -> str | None:
    """A key the pages share whose relative links to every one of `targets` (site-relative URLs)
    are the same: the folder a folder URL sits in ("models/a/" → "models"). None where that does
    not hold: a file URL (404.html), or a target that is the page itself or inside its folder."""
    if not url.endswith("/") or any(target.startswith(url) for target in targets):
        return None
    return posixpath.dirname(url[:-1])


def html_link(text: str, from_path: str, to_path: str) -> str:
    """`link` as the HTML the site's Markdown makes of it."""
    return f'<a href="{href(from_path, to_path)}">{html_text(text)}</a>'


def case_path(case: Case) -> str:
    return f"{CASES_PATH}/{case.id}.md"


def is_case_page(path: str) -> bool:
    """A case's page (cases/<id>.md), not the all-cases page (cases/index.md)."""
    return path.startswith(CASES_PATH + "/") and path != f"{CASES_PATH}/index.md"


def page_url(path: str) -> str:
    """The site-relative URL MkDocs gives a page path (directory URLs): "cases/x.md" → "cases/x/"."""
    stem = path[: -len(".md")]
    if stem == "index" or stem.endswith("/index"):
        return stem[: -len("index")]
    return stem + "/"


def dimension_path(dim: Dimension) -> str:
    return f"{dim.path}/index.md"


def tag_path(dim: Dimension, value: str) -> str:
    return f"{dim.path}/{slug(value)}.md"


def link_target(url: str, href: str) -> str | None:
    """The site-relative URL (no anchor, no query) an href on the page at `url` leads to; None when
    it leads off the site (another scheme, an absolute path) or nowhere (empty, only an anchor)."""
    href = html.unescape(href).split("#", 1)[0].split("?", 1)[0]
    if not href or _SCHEME.match(href) or href.startswith("/"):
        return None
    # pages of one folder share their "../" links: resolve those once for the folder
    while href.startswith("../") and href[3:4] not in ("", "/") and href[3:6].lower() != "%2f" and url:
        url = posixpath.dirname(url.rstrip("/"))
        url = url + "/" if url else ""
        href = href[3:]
    return _resolve(url, href)


@functools.lru_cache(maxsize=1 << 16)
def _resolve(url: str, href: str) -> str:
    return posixpath.normpath(posixpath.join(url, urllib.parse.unquote(href))).rstrip("/") + "/"

"""Index pages of tags, filled into one page shell per dimension instead of a full render each.

A library has thousands of tag index pages (one per model, institution, …): at 1,000 cases
about 2,400 of them against 1,000 case pages. The theme's template (navigation, header, footer)
costs a few milliseconds per page, more than the small content of a tag page. These pages are
not in the navigation and all pages of one dimension sit at the same depth (`models/<slug>/`),
so the theme writes the same HTML around each of them except the title and the content.

So the engine renders, per dimension, one shell page (`models/caselib.shell.md`: placeholder
title and content, never published), and every tag page is its own Markdown converted with the
site's Markdown settings (`Renderer`) and put into that shell (`fill`). `tests/test_build.py`
asserts the pages are byte for byte what the engine writes when it renders each page itself
(`CASELIB_TAG_SHELL=0`). Pure: knows Markdown, not the site engine; the hook passes in how a
link to a page path becomes a URL.
"""

from __future__ import annotations

import posixpath
import re
import urllib.parse
from collections.abc import Callable, Iterable

import markdown
import yaml
from markdown.treeprocessors import Treeprocessor

from .pages import FRONT_MATTER
from .schema import dimensions
from .yamlsafe import SafeLoader

SHELL_NAME = "caselib.shell.md"   # slug() never keeps a ".", so no tag page has this path
TITLE = "caselib-shell-title-b9e2"
CONTENT = "<h1>caselib-shell-content-b9e2</h1>"   # has "<h1": the theme adds no heading of its own
_TOC_HEADING = re.compile(r"<h[2-6][\s>]")
_LINK_TARGET = re.compile(r"\]\(<?([^)>]*)>?\)")   # pages.link writes [text](<target>)


def shell_path(dim_path: str) -> str:
    return f"{dim_path}/{SHELL_NAME}"


def shell_markdown() -> str:
    """The shell's source: a title and a level-1 heading only, like a tag page (empty contents list)."""
    return f'---\ntitle: "{TITLE}"\n---\n\n# {TITLE}\n'


def front_matter(content: str) -> tuple[str, str]:
    """(title, Markdown after the front matter) of a generated page."""
    found = FRONT_MATTER.match(content)
    data = yaml.load(found.group(1), Loader=SafeLoader) if found else None
    if not isinstance(data, dict) or not isinstance(data.get("title"), str):
        raise ValueError(f"生成的页面没有标题：{content[:60]!r}")
    return data["title"], content[found.end():].lstrip("\n")


def tag_page_paths(paths: Iterable[str]) -> dict[str, list[str]]:
    """Tag index page paths by dimension path ("models" → ["models/四力.md", …]); overview pages excluded."""
    prefixes = {d.path for d in dimensions()}
    found: dict[str, list[str]] = {}
    for path in paths:
        folder, _, name = path.rpartition("/")
        if folder in prefixes and name.endswith(".md") and name not in ("index.md", SHELL_NAME):
            found.setdefault(folder, []).append(path)
    return found


def fill(shell: str, title: str, content: str) -> str:
    """The shell's HTML with the page's title and content HTML in place of the placeholders."""
    head, found, tail = shell.partition(CONTENT)
    if not found or CONTENT in tail:
        raise ValueError("页面外壳中应恰好有一处正文占位符")
    if _TOC_HEADING.search(content):
        raise ValueError(f"索引页“{title}”有小标题，需要自己的目录，不能套用外壳")
    return head.replace(TITLE, title) + content + tail.replace(TITLE, title)


class _Links(Treeprocessor):
    """Links to Markdown pages become the site's URLs, as the engine rewrites them."""

    def __init__(self, md, resolve: Callable[[str, str], str | None]):
        super().__init__(md)
        self.resolve = resolve
        self.page = ""

    def run(self, root):
        for element in root.iter("a"):
            href = element.get("href", "")
            parts = urllib.parse.urlsplit(href)
            if parts.scheme or parts.netloc or not parts.path.endswith(".md") or parts.path.startswith("/"):
                continue
            target = posixpath.normpath(posixpath.join(posixpath.dirname(self.page),
                                                       urllib.parse.unquote(parts.path)))
            url = self.resolve(self.page, target)
            if url is None:
                raise ValueError(f"{self.page}: 链接的页面 {target} 不存在")
            element.set("href", urllib.parse.urlunsplit(("", "", url, parts.query, parts.fragment)))


def split_list(text: str) -> tuple[str, list[str]]:
    """The page before its final tight list, and that list's items ("- …" lines and their "  …" lines).

    No list at the end (or not one of that shape): (text, []).
    """
    start = text.rfind("\n\n- ")
    if start < 0:
        return text, []
    head, rest = text[:start + 1], text[start + 2:]
    if any(line and not line.startswith(("- ", "  ")) for line in rest.splitlines()):
        return text, []
    return head, ["- " + item for item in rest.rstrip("\n")[2:].split("\n- ")]


class Renderer:
    """One Markdown converter (the site's extensions and settings), reused for every tag page.

    A case is listed on every index page of its tags (eight or more), always as the same list
    item with the same links (all tag pages sit at the same depth): each item is converted once.
    """

    def __init__(self, extensions: list, configs: dict, resolve: Callable[[str, str], str | None]):
        self.md = markdown.Markdown(extensions=extensions, extension_configs=configs or {})
        self.links = _Links(self.md, resolve)
        self.md.treeprocessors.register(self.links, "caselib_links", 0)
        self._items: dict[str, str] = {}

    def _convert(self, path: str, text: str) -> str:
        self.links.page = path
        return self.md.reset().convert(text)

    def _item(self, path: str, item: str) -> str:
        # links that climb out of the page's folder ("../cases/x.md") lead to the same page, and
        # become the same URL, from every dimension's folder: one conversion for all of them
        folder = posixpath.dirname(path)
        if all(target.startswith("../") for target in _LINK_TARGET.findall(item)):
            folder = posixpath.dirname(folder)
        key = (folder, item)
        if key not in self._items:
            html = self._convert(path, item + "\n")
            if not (html.startswith("<ul>\n<li>") and html.endswith("</li>\n</ul>")):
                raise ValueError(f"{path}: 列表项没有转换成一个 <li>：{item[:40]}")
            self._items[key] = html[len("<ul>\n"):-len("\n</ul>")]
        return self._items[key]

    def html(self, path: str, text: str) -> str:
        head, items = split_list(text)
        if not items:
            return self._convert(path, text)
        return (self._convert(path, head) + "\n<ul>\n"
                + "\n".join(self._item(path, item) for item in items) + "\n</ul>")

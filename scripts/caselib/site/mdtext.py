"""Markdown text the generated pages are made of: contributor text escaped, YAML front matter, a page.

Below pages.py and the modules that make one page each (browse, stats, reuse): every generated
page is a `Page` whose front matter is `front_matter` and whose contributor text went through
`md_text`.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|])")  # Python-Markdown escapable (with tables)


# A page's YAML front matter, found and split off as the site engine does (mkdocs.utils.meta)
FRONT_MATTER = re.compile(r"^-{3}[ \t]*\n(.*?\n)(?:\.{3}|-{3})[ \t]*\n", re.UNICODE | re.DOTALL)


# Where a page's `html` goes: an HTML comment, which the site's Markdown passes through as it is
FILL = "<!-- caselib:fill -->"


@dataclass(frozen=True)
class Page:
    path: str  # e.g. "models/四力.md"
    content: str  # front matter, then Markdown
    html: str = ""  # HTML put in place of FILL in the rendered page (a list the renderer would only copy)

    @property
    def markdown(self) -> str:
        """The content without its front matter, as the site engine renders it."""
        found = FRONT_MATTER.match(self.content)
        return self.content[found.end() :] if found else self.content


def md_text(value: object) -> str:
    """Contributor text made safe for inline Markdown: shown exactly, never interpreted."""
    text = html.escape(str(value), quote=False)
    return _MD_SPECIAL.sub(r"\\\1", text).replace("\n", " ")


def html_text(value: object) -> str:
    """Contributor text as HTML text, exactly as the site's Markdown shows `md_text(value)`: for the
    parts of a page written as HTML (the renderer does not parse them)."""
    return html.escape(str(value), quote=False).replace("\n", " ")


def yaml_str(value: str) -> str:
    """A YAML double-quoted scalar (JSON strings are valid YAML)."""
    import json

    return json.dumps(value, ensure_ascii=False)


def front_matter(title: str, **extra: str) -> str:
    # The theme puts a page title into its HTML as it is (header, <title>): it must be HTML text.
    lines = ["---", f"title: {yaml_str(html.escape(title))}"]
    lines += [f"{key}: {yaml_str(value)}" for key, value in extra.items()]
    return "\n".join(lines + ["---", ""])

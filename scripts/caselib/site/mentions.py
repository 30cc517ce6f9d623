"""Mentions of glossary terms in a case's text link to the term's page, with a tooltip.

Where the body of a case page names a model or requirement that has a 模式词典 entry (四力,
三化四领, 七个有力 …), its first mention links to the index page of that term, which shows the
definition; the link's title (shown by the theme as a tooltip) says what the term stands for.
The theme inserts a title into its tooltip as HTML, and these links are made after the page was
sanitised: the title is made plain text here (`safety.plain_text`), then escaped.

`link_mentions` works on the rendered, sanitised HTML of a page. That HTML is well formed and
escapes `<` in text and `"` in attribute values, so a tag-by-tag scan is exact. Text inside
links, code, headings, the metadata card, admonitions, the citation and the related cases is
left alone: only the case's own prose gets links.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

from ..model import glossary
from ..model.cases import Case
from .pages import glossary_targets
from .safety import plain_text
from .urls import href

CLASS = "caselib-term"
SKIP_TAGS = {"a", "code", "pre", "kbd", "h1", "h2", "h3", "h4", "h5", "h6", "script", "style", "abbr"}
SKIP_CLASSES = {"case-card", "admonition", "case-cite", "case-cite-note", "case-related", "case-gap"}
VOID_TAGS = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
_TAG = re.compile(r'<(/?)([A-Za-z][A-Za-z0-9]*)((?:[^>"]|"[^"]*")*)>')
_CLASS_ATTR = re.compile(r'\bclass="([^"]*)"')


@dataclass(frozen=True)
class Target:
    term: str
    path: str  # the page (source path) that shows the term's definition
    tooltip: str  # plain text (safety.plain_text), not yet escaped


def targets(cases: list[Case]) -> list[Target]:
    """Every glossary term shown in this library, with the page that defines it."""
    expansions = {e.term: e.expansion for e in glossary.shown(cases)}
    return [
        Target(term, path, plain_text(f"{term}：{expansions[term]}"))
        for term, path in sorted(glossary_targets(cases).items())
    ]


def _pattern(found: list[Target]) -> re.Pattern:
    # Longest first, so a term is never cut short by a shorter term it contains.
    terms = sorted((t.term for t in found), key=lambda s: (-len(s), s))
    return re.compile("|".join(re.escape(html.escape(t, quote=False)) for t in terms))


def _skips(tag: str, attrs: str) -> bool:
    if tag in SKIP_TAGS:
        return True
    match = _CLASS_ATTR.search(attrs)
    return bool(match and SKIP_CLASSES.intersection(match.group(1).split()))


def link_mentions(page_html: str, from_path: str, all_targets: list[Target]) -> str:
    """The page with the first mention of each term in its prose turned into a link."""
    found = [t for t in all_targets if html.escape(t.term, quote=False) in page_html]
    if not found:
        return page_html
    by_text = {html.escape(t.term, quote=False): t for t in found}
    pattern = _pattern(found)
    done: set[str] = set()

    def replace(match: re.Match) -> str:
        target = by_text[match.group(0)]
        if target.term in done:
            return match.group(0)
        done.add(target.term)
        return (
            f'<a class="{CLASS}" href="{html.escape(href(from_path, target.path))}" '
            f'title="{html.escape(target.tooltip)}">{match.group(0)}</a>'
        )

    out, stack, skipping, pos = [], [], 0, 0
    for tag in _TAG.finditer(page_html):
        text = page_html[pos : tag.start()]
        out.append(pattern.sub(replace, text) if text and not skipping else text)
        out.append(tag.group(0))
        pos = tag.end()
        closing, name, attrs = tag.group(1), tag.group(2).lower(), tag.group(3)
        if name in VOID_TAGS or attrs.rstrip().endswith("/"):
            continue
        if not closing:
            skip = _skips(name, attrs)
            stack.append((name, skip))
            skipping += skip
        else:
            # Pop to the matching open tag (the sanitiser's output is balanced; be lenient anyway).
            while stack:
                open_name, skip = stack.pop()
                skipping -= skip
                if open_name == name:
                    break
        if len(done) == len(found):
            break
    out.append(page_html[pos:])
    return "".join(out)

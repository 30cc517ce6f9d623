"""HTML policy for case pages: an allow-list sanitizer over the rendered HTML.

Contributors write Markdown. Raw HTML in a case body is reported by the checker, and whatever
reaches the renderer anyway is cleaned here: only the tags and attributes that Markdown and our
own page templates produce survive; links keep only http, https, mailto and relative targets;
scripts, event handlers, iframes, styles and forms are removed.

Titles and alt texts are plain text (`plain_text`). The theme's tooltips (content.tooltips)
insert an element's title into the page as HTML: Material reads `el.title` (the decoded
attribute) and appends it with `innerHTML +=`, so a title written `&lt;img src=x onerror=…&gt;`
becomes an element when the reader hovers or focuses the link. A title or alt that would hold a
`<` or `>` once its character references are decoded (as often as they can be: `&amp;lt;` too)
is kept, decoded, with full-width ＜ ＞ in their place: the reader still sees the text, and no
tooltip can make a tag of it.
"""

from __future__ import annotations

import html

import nh3

ALLOWED_TAGS = {
    "a",
    "abbr",
    "b",
    "blockquote",
    "br",
    "code",
    "dd",
    "del",
    "details",
    "div",
    "dl",
    "dt",
    "em",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
    "i",
    "img",
    "li",
    "mark",
    "ol",
    "p",
    "pre",
    "s",
    "small",
    "span",
    "strong",
    "sub",
    "summary",
    "sup",
    "table",
    "tbody",
    "td",
    "th",
    "thead",
    "tr",
    "u",
    "ul",
}
ALLOWED_ATTRIBUTES = {
    "*": {"class", "id", "title"},
    "a": {"href"},
    "img": {"src", "alt", "width", "height"},
    "td": {"align"},
    "th": {"align"},
    "ol": {"start"},
}
URL_SCHEMES = {"http", "https", "mailto"}
PLAIN_ATTRIBUTES = {"title", "alt"}  # shown as text: never markup (see plain_text)
_FULL_WIDTH = str.maketrans({"<": "＜", ">": "＞"})


def plain_text(text: str) -> str:
    """`text` (an attribute's value as the browser reads it) as text no tooltip can make a tag of.

    Unchanged unless decoding its character references, again and again, leaves a `<` or `>`;
    then that fully decoded text with full-width ＜ ＞ instead. Escape the result as usual when
    writing it into an attribute.
    """
    if "<" not in text and ">" not in text and "&" not in text:
        return text
    decoded = text
    while (again := html.unescape(decoded)) != decoded:  # each step shortens it: ends
        decoded = again
    if "<" not in decoded and ">" not in decoded:
        return text
    return decoded.translate(_FULL_WIDTH)


def _attribute(tag: str, attribute: str, value: str) -> str:
    return plain_text(value) if attribute in PLAIN_ATTRIBUTES else value


_CLEANER = nh3.Cleaner(
    tags=ALLOWED_TAGS,
    attributes=ALLOWED_ATTRIBUTES,
    url_schemes=URL_SCHEMES,
    link_rel=None,
    strip_comments=True,
    attribute_filter=_attribute,
)  # one parsed policy for every page


def sanitize_html(html: str) -> str:
    return _CLEANER.clean(html)

"""HTML policy for case pages: an allow-list sanitizer over the rendered HTML.

Contributors write Markdown. Raw HTML in a case body is reported by the checker, and whatever
reaches the renderer anyway is cleaned here: only the tags and attributes that Markdown and our
own page templates produce survive; links keep only http, https, mailto and relative targets;
scripts, event handlers, iframes, styles and forms are removed.
"""

from __future__ import annotations

import nh3

ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "dd", "del", "details", "div", "dl", "dt", "em",
    "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "li", "mark", "ol", "p", "pre", "s",
    "small", "span", "strong", "sub", "summary", "sup", "table", "tbody", "td", "th", "thead",
    "tr", "u", "ul",
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


_CLEANER = nh3.Cleaner(tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES, url_schemes=URL_SCHEMES,
                       link_rel=None, strip_comments=True)   # one parsed policy for every page


def sanitize_html(html: str) -> str:
    return _CLEANER.clean(html)

"""The HTML policy for case bodies, as checker rules (see CONTRIBUTING.md, “正文中的 HTML”).

A case body is Markdown. The checker rejects, with a message saying what to write instead:
raw HTML (any tag, comment or processing instruction outside code), link targets whose scheme
is not http, https or mailto, and attribute lists (`{: onclick=… }`) that set attributes.
Code (fenced blocks and inline code spans) is shown as text and is not checked.
`safety.sanitize_html` remains the safety net for whatever a rule might miss.
"""

from __future__ import annotations

import functools
import html
import re
import urllib.parse
from collections.abc import Iterator
from html.parser import HTMLParser

from markdown.treeprocessors import Treeprocessor

from .cases import Case
from .problems import Problem
from .safety import URL_SCHEMES  # one list of allowed link schemes: checker and sanitizer

FIELD_BODY = "正文"

_FENCE = re.compile(r"^\s{0,3}(`{3,}|~{3,})")
_CODE_SPAN = re.compile(r"(`+)(?:.+?)\1")
_TAG = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9-]*)(?=[\s/>]|$)([^>]*)")
_OTHER_MARKUP = re.compile(r"<(!--|!\[CDATA\[|![A-Za-z]|\?)")
_EVENT_ATTR = re.compile(r"\b(on[a-z]+)\s*=", re.IGNORECASE)
_INLINE_LINK = re.compile(r"\]\(\s*(<[^>]*>|(?:[^()\s]|\([^()\s]*\))*)")
_REF_DEF = re.compile(r"^\s{0,3}\[[^\]]+\]:\s*(<[^>]*>|\S+)")
_AUTOLINK = re.compile(r"<([A-Za-z][A-Za-z0-9+.\-]*:[^<>\s]*)>")
_SCHEME = re.compile(r"^([a-z][a-z0-9+.\-]*):")
_ATTR_LIST = re.compile(r"\{:?[^{}\n]*=[^{}\n]*\}")

DANGEROUS_TAGS = {
    "script", "iframe", "frame", "frameset", "object", "embed", "applet", "style", "link", "meta",
    "base", "form", "input", "button", "textarea", "select", "svg", "math", "video", "audio",
    "source", "template", "noscript", "portal",
}
MARKDOWN_FOR = {
    "b": "加粗写成 **文字**", "strong": "加粗写成 **文字**", "i": "斜体写成 *文字*", "em": "斜体写成 *文字*",
    "a": "链接写成 [文字](https://网址)", "img": "图片写成 ![图片说明](图片地址)",
    "br": "换段请空一行", "p": "换段请空一行", "h1": "标题由 title 字段生成", "h2": "二级标题写成 ## 标题",
    "h3": "三级标题写成 ### 标题", "h4": "四级标题写成 #### 标题", "table": "表格请用 Markdown 表格",
    "ul": "列表每项以 - 开头", "ol": "列表每项以 1. 开头", "li": "列表每项以 - 开头",
    "blockquote": "引用以 > 开头", "code": "代码用反引号 ` 括起来", "pre": "代码块用三个反引号 ``` 围起来",
}


@functools.lru_cache(maxsize=16)   # every body rule of a case asks for the same body in turn
def prose_lines(body: str) -> tuple[tuple[int, str], ...]:
    """(offset, line) for every body line outside fenced code, with inline code spans blanked."""
    return tuple(_scan_prose(body))


def _scan_prose(body: str) -> Iterator[tuple[int, str]]:
    fence = None
    for offset, line in enumerate(body.split("\n")):
        match = _FENCE.match(line)
        if fence:
            if match and match.group(1)[0] == fence[0] and len(match.group(1)) >= len(fence):
                fence = None
            continue
        if match:
            fence = match.group(1)
            continue
        yield offset, _CODE_SPAN.sub(lambda m: " " * len(m.group(0)), line)


def rule_no_raw_html(case: Case):
    for offset, line in prose_lines(case.body):
        reported = set()
        for closing, name, attrs in _TAG.findall(line):
            name = name.lower()
            if name in reported:
                continue
            reported.add(name)
            shown = f"<{closing}{name}>"
            event = _EVENT_ATTR.search(attrs)
            if event:
                message = (f"正文里不能写 HTML 标签 {shown}，其中的 {event.group(1).lower()}= 事件属性会在读者的浏览器里"
                           "运行脚本：请删掉整个标签")
            elif name in DANGEROUS_TAGS:
                message = (f"正文里不能写 HTML 标签 {shown}：它会在读者的浏览器里运行代码或加载其他网站的内容，请删掉"
                           "（要展示代码，请放进 ``` 代码块）")
            else:
                hint = MARKDOWN_FOR.get(name, "直接写文字")
                message = (f"正文里不能写 HTML 标签 {shown}：请改用 Markdown（{hint}）；"
                           "要写小于号请用全角“＜”")
            yield (case.body_line + offset, FIELD_BODY, message)
        if _OTHER_MARKUP.search(line):
            yield (case.body_line + offset, FIELD_BODY,
                   "正文里不能写 HTML 注释或声明（<!-- -->、<!…>、<?…>）：注释不会显示在网站上，请删掉或改写成正文")


def link_targets(line: str) -> list[tuple[str, bool]]:
    """(target, is a reference definition) for every link target written on the line."""
    targets = [(m.group(1), False) for m in _INLINE_LINK.finditer(line)]
    targets += [(m.group(1), True) for m in _REF_DEF.finditer(line)]
    targets += [(m.group(1), False) for m in _AUTOLINK.finditer(line)]
    return [(t[1:-1] if t.startswith("<") and t.endswith(">") else t, ref) for t, ref in targets]


def _plain(target: str) -> str:
    return re.sub(r"[\s\x00-\x1f\x7f]+", "", html.unescape(target)).lower()


def unsafe_scheme(target: str) -> str | None:
    """The scheme of a link target when it is not allowed (entities and hidden spaces undone)."""
    match = _SCHEME.match(_plain(target))
    if match and match.group(1) not in URL_SCHEMES:
        return match.group(1)
    return None


def rule_safe_links(case: Case):
    allowed = "允许：http://、https://、mailto: 开头的完整网址，或 #锚点"
    for offset, line in prose_lines(case.body):
        for target, is_definition in link_targets(line):
            scheme = unsafe_scheme(target)
            if scheme:
                message = (f"链接“{target[:60]}”以 {scheme}: 开头，不允许（{allowed}）；"
                           "请改成原文网址，或删掉这个链接")
            elif not _SCHEME.match(_plain(target)) and not target.startswith("#"):
                message = (f"链接“{target[:60]}”不是完整网址（{allowed}）；请写完整网址，或删掉这个链接" +
                           ("。注意：以 [文字]: 开头的一行是 Markdown 的链接定义，不会显示在网站上；"
                            "要显示这一行，请把 ]: 改成 ]：" if is_definition else ""))
            else:
                continue
            yield (case.body_line + offset, FIELD_BODY, message)


def rule_no_attribute_lists(case: Case):
    for offset, line in prose_lines(case.body):
        if _ATTR_LIST.search(line):
            yield (case.body_line + offset, FIELD_BODY,
                   "正文里不能用 {: 属性=值 } 给标题、段落或链接加属性（可能带入脚本或样式）：请删掉花括号部分")


class _Anchors(Treeprocessor):
    """What the site engine finds in a page's HTML tree: the ids a link can lead to (any element's
    id, an <a>'s name) and the anchors of the page's links to itself ("#…", no path)."""

    def __init__(self, md):
        super().__init__(md)
        self.ids: set[str] = set()
        self.links: list[str] = []

    def run(self, root):
        for element in root.iter():
            if element.get("id"):
                self.ids.add(element.get("id"))
            if element.tag == "a":
                if element.get("name"):
                    self.ids.add(element.get("name"))
                href = element.get("href") or ""
                parts = urllib.parse.urlsplit(href)
                if parts.fragment and not (parts.scheme or parts.netloc or parts.path or href.startswith(("/", "\\"))):
                    self.links.append(parts.fragment)


class _RawIds(HTMLParser):
    """ids (and <a> names) written as HTML in the page's Markdown, which the site engine counts too."""

    def __init__(self):
        super().__init__()
        self.ids: set[str] = set()

    def handle_starttag(self, tag, attrs):
        self.ids.update(value for key, value in attrs if value and (key == "id" or (key == "name" and tag == "a")))


def page_anchors(case: Case) -> tuple[set[str], list[str]]:
    """(ids on the case's page, anchors of its links to itself), from its page rendered with the
    site's Markdown settings, as the site engine checks them. The related-cases section (known
    only when the site is built) is there with the case itself standing in for its cases: only its
    heading's id counts here."""
    from . import mdsettings, pages, reuse
    path = pages.case_path(case)
    text = pages.case_page(case).markdown + reuse.related_section([case], path)
    md = mdsettings.renderer(mdsettings.MKDOCS_YML)
    anchors = _Anchors(md)
    md.treeprocessors.register(anchors, "caselib_anchors", 5)   # after toc (same priority, added later)
    md.convert(text)
    raw = _RawIds()
    raw.feed(text)
    raw.close()
    return anchors.ids | raw.ids, anchors.links


def rule_anchor_links(case: Case):
    """A link to a part of the page ("#小节") leads to a heading the page has."""
    if not any(target.startswith("#") for _, line in prose_lines(case.body) for target, _ in link_targets(line)):
        return
    ids, links = page_anchors(case)
    reported = set()
    for anchor in links:
        if anchor not in ids and anchor not in reported:
            reported.add(anchor)
            problem = missing_anchor(case, anchor)
            yield problem.line, problem.field, problem.message


BODY_RULES = (rule_no_raw_html, rule_safe_links, rule_no_attribute_lists, rule_anchor_links)


def missing_anchor(case: Case, anchor: str) -> Problem:
    """A link in the body to a part of the page that is not there (rule_anchor_links; the site
    engine finds these too)."""
    target = f"#{anchor}"
    written = (f"({target}", f"(<{target}", f"]: {target}", f"]: <{target}")
    line = next((case.body_line + offset for offset, text in prose_lines(case.body)
                 if any(form in text for form in written)), case.body_line)
    return Problem(case.path, line, FIELD_BODY,
                   f"链接“{target}”指向的小节在本页不存在：页内链接只能指向正文里的小节标题"
                   "（如小节“## 主要做法”的链接写成 #主要做法）；请改成已有的小节标题，或删掉这个链接")

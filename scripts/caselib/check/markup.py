"""The HTML policy for case bodies, judged on what the body renders to (CONTRIBUTING.md, “正文”).

A body is rendered with the site's own Markdown settings (`site/mdsettings.py`, which the plugin gives MkDocs) and
the resulting HTML is judged against an allow-list: the elements and attributes the site's
Markdown makes (paragraphs, headings, lists, tables, quotes, code, links, admonitions), every
`href` a full http/https/mailto address or an anchor of the page, every `title` plain text. So the
checker and the renderer cannot disagree about what is code, what is HTML or what is a link: what
the reader would get is what is judged. HTML written by hand is accepted only where it renders to
exactly what Markdown would make (a `<p>` or an `<a href="https://…">`); anything else is refused.

Limits that keep rendering bounded (the renderer is quadratic or recursive in some inputs) are
checked on the text first; text the renderer would drop silently (a reference definition no link
uses, a tag that swallows words) is reported too. Each finding's line is the first line whose
text, rendered with the lines before it, shows the finding.
"""

from __future__ import annotations

import functools
import html
import re
import urllib.parse
from collections import Counter
from dataclasses import dataclass
from html.parser import HTMLParser

from markdown.treeprocessors import Treeprocessor

from ..model.cases import Case
from ..model.problems import Problem, char_name
from ..site.safety import URL_SCHEMES  # one list of allowed link schemes: checker and sanitizer

FIELD_BODY = "正文"

# --- limits (documented in CONTRIBUTING.md, “长度和数量的限制”) ---------------------------------
MAX_LINES = 3_000  # a real case has at most a few hundred lines
MAX_PARAGRAPH_CHARS = 10_000  # the longest paragraph of a real case is about 1,500 characters
MAX_OPENERS = 1_000  # "[" or "<" in a body: the renderer's link and tag search is quadratic in them
MAX_DEPTH = 16  # nested elements in the rendered body (list in quote in list …)
MAX_REPORTED = 20  # findings placed on their line per case; more are summed up

# --- what the site's Markdown makes ------------------------------------------------------------
_HEADING_ID = ("id",)
ALLOWED: dict[str, tuple[str, ...]] = {
    "p": ("class",),
    "br": (),
    "hr": (),
    "em": (),
    "strong": (),
    "blockquote": (),
    "h2": _HEADING_ID,
    "h3": _HEADING_ID,
    "h4": _HEADING_ID,
    "h5": _HEADING_ID,
    "h6": _HEADING_ID,
    "ul": (),
    "ol": ("start",),
    "li": (),
    "pre": (),
    "code": ("class",),
    "table": (),
    "thead": (),
    "tbody": (),
    "tr": (),
    "th": ("style",),
    "td": ("style",),
    "a": ("href", "title", "class"),
    "div": ("class",),
}
_CLASS_OF = {  # the classes the site's Markdown sets, by element
    "a": re.compile(r"headerlink"),
    "p": re.compile(r"admonition-title"),
    "div": re.compile(r"admonition(?: [a-z][a-z0-9-]*)*"),
    "code": re.compile(r"language-[A-Za-z0-9_+#.-]+"),
}
_VALUE_OF = {
    "style": re.compile(r"text-align: (?:left|right|center);"),
    "start": re.compile(r"\d{1,9}"),
}
MARKDOWN_FOR = {
    "b": "加粗写成 **文字**",
    "strong": "加粗写成 **文字**",
    "i": "斜体写成 *文字*",
    "em": "斜体写成 *文字*",
    "u": "重点用 **加粗**",
    "font": "直接写文字",
    "span": "直接写文字",
    "div": "直接写文字，换段空一行",
    "a": "链接写成 [文字](https://网址)",
    "img": "图片请删掉，必要时用文字描述，或写成链接 [图片：说明](https://网址)",
    "h1": "标题由 title 字段生成；正文的小节用 ## 表示“一、”，### 表示“（一）”",
    "h2": "二级标题写成 ## 标题",
    "table": "表格请用 Markdown 表格",
    "details": "直接写文字",
    "center": "直接写文字",
    "ul": "列表每项以 - 开头",
    "ol": "列表每项以 1. 开头",
    "li": "列表每项以 - 开头",
    "blockquote": "引用以 > 开头",
    "code": "代码用反引号 ` 括起来",
    "pre": "代码块用三个反引号 ``` 围起来",
}
RUNS_CODE = {
    "script",
    "iframe",
    "frame",
    "frameset",
    "object",
    "embed",
    "applet",
    "style",
    "link",
    "meta",
    "base",
    "form",
    "input",
    "button",
    "textarea",
    "select",
    "svg",
    "math",
    "video",
    "audio",
    "source",
    "template",
    "noscript",
    "portal",
    "img",
    "picture",
    "track",
}
ALLOWED_LINKS = "允许：http://、https://、mailto: 开头的完整网址，或 #锚点"

# Characters that are invisible or reorder text: never in a body (a tab and a newline are fine).
_BODY_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_LEAD = re.compile(r"(?:[ \t]*(?:>|[-*+](?=\s)|\d{1,9}[.)](?=\s)))*")  # quote and list markers opening a line
_MARKER = re.compile(r">|[-*+](?=\s)|\d{1,9}[.)](?=\s)")
_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_NOT_CJK = re.compile(r"[^\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")


@dataclass(frozen=True)
class Finding:
    key: tuple  # what identifies it across renderings of a prefix of the body
    message: str
    code: str  # the rule's stable code (data/rules.yml)


# --- limits on the text ------------------------------------------------------------------------


def _text_findings(body: str) -> list[tuple[int, Finding]]:
    """(line offset, finding) for what must not reach the renderer at all."""
    found = []
    lines = body.split("\n")
    if len(lines) > MAX_LINES:
        return [
            (
                MAX_LINES,
                Finding(
                    ("lines",),
                    f"正文太长：{len(lines)} 行，最多 {MAX_LINES} 行；请确认没有把整个网页或附件粘贴进来",
                    "CL060",
                ),
            )
        ]
    paragraph = 0
    openers = {"[": 0, "<": 0}
    for offset, line in enumerate(lines):
        paragraph = paragraph + len(line) if line.strip() else 0
        if paragraph > MAX_PARAGRAPH_CHARS:
            found.append(
                (
                    offset,
                    Finding(
                        ("paragraph", offset),
                        f"这一段太长：到这一行超过了 {MAX_PARAGRAPH_CHARS} 字；请分段（段与段之间空一行）",
                        "CL061",
                    ),
                )
            )
            paragraph = -(10**9)  # once per paragraph
        control = _BODY_CONTROL.search(line)
        if control:
            found.append(
                (
                    offset,
                    Finding(
                        ("control", offset),
                        f"含有看不见的控制字符 {char_name(control.group())}："
                        "它会打乱文字的显示顺序或让订阅和汇编出错，请删掉",
                        "CL062",
                    ),
                )
            )
        for opener, count in (
            ("[", "方括号 [ 用于写链接；普通文字里的方括号请改用【】或全角［］"),
            ("<", "尖括号 < 用于写网址；普通文字里请改用全角“＜”或书名号《》"),
        ):
            openers[opener] += line.count(opener)
            if openers[opener] > MAX_OPENERS:
                found.append(
                    (
                        offset,
                        Finding(
                            ("openers", opener),
                            f"正文里的 {opener} 太多（到这一行超过了 {MAX_OPENERS} 个）：{count}",
                            "CL063",
                        ),
                    )
                )
        lead = _LEAD.match(line)
        assert lead is not None  # every part of _LEAD is optional: it always matches
        depth = (
            len(_MARKER.findall(lead.group()))
            + (len(lead.group().expandtabs(4)) - len(lead.group().expandtabs(4).lstrip(" "))) // 4
        )
        if depth > MAX_DEPTH:
            found.append(
                (
                    offset,
                    Finding(
                        ("depth",),
                        f"正文嵌套太深：这一行的缩进和行首的 >、- 标记相当于 {depth} 层"
                        f"引用或列表，最多 {MAX_DEPTH} 层；请删掉多余的缩进或减少嵌套",
                        "CL064",
                    ),
                )
            )
    once: dict[tuple, tuple[int, Finding]] = {}
    for offset, finding in found:
        once.setdefault(finding.key, (offset, finding))
    return list(once.values())


# --- rendering ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Rendered:
    html: str
    references: dict  # reference definitions: id → (url, title)
    error: str = ""


def render(body: str) -> Rendered:
    """The body as the site renders it (the site's Markdown settings)."""
    md = _converter()
    md.reset()
    try:
        out = md.convert(body)
    except RecursionError:
        return Rendered("", {}, "正文嵌套太深（引用、列表或强调一层套一层），排版程序无法处理；请减少嵌套层数")
    return Rendered(out, dict(md.references))


@functools.cache
def _converter():
    """One converter with the site's settings, reset before each body."""
    from ..site import mdsettings

    return mdsettings.renderer()


_VOID = {
    "br",
    "hr",
    "img",
    "input",
    "meta",
    "link",
    "area",
    "base",
    "col",
    "embed",
    "source",
    "track",
    "wbr",
    "param",
}  # elements without an end tag: no nesting


class _Judge(HTMLParser):
    """Walks rendered HTML: findings for what is not allowed, the text a reader gets, depth."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.findings: dict[tuple, Finding] = {}
        self.shown: list[str] = []  # text and attribute values: what a reader can get
        self.hrefs: set[str] = set()
        self.anchor_links: list[str] = []
        self.depth = 0
        self.deepest = 0

    def add(self, key: tuple, code: str, message: str) -> None:
        self.findings.setdefault(key, Finding(key, message, code))

    def handle_starttag(self, tag, attrs):
        self._element(tag, attrs)
        if tag not in _VOID:
            self.depth += 1
            self.deepest = max(self.deepest, self.depth)

    def handle_startendtag(self, tag, attrs):
        self._element(tag, attrs)

    def handle_endtag(self, tag):
        if tag not in _VOID:
            self.depth = max(0, self.depth - 1)

    def handle_data(self, data):
        self.shown.append(data)

    def handle_comment(self, data):
        self.add(("comment",), "CL065", "正文里不能写 HTML 注释 <!-- -->：注释不会显示在网站上；请删掉，或改写成正文")

    def handle_decl(self, decl):
        self.add(("decl",), "CL066", "正文里不能写 <!…> 声明：它不会显示在网站上，请删掉")

    def handle_pi(self, data):
        self.add(("decl",), "CL066", "正文里不能写 <?…?>：它不会显示在网站上，请删掉")

    def unknown_decl(self, data):
        self.handle_decl(data)

    def _element(self, tag, attrs):
        shown = f"<{tag}>"
        if tag == "div" and not _CLASS_OF["div"].fullmatch(dict(attrs).get("class") or ""):
            tag = "div!"  # a <div> that is not an admonition: written as HTML
        if tag not in ALLOWED:
            tag = tag.rstrip("!")
            event = next((name for name, _ in attrs if name.startswith("on")), None)
            scheme = re.match(r"([a-z][a-z0-9+.-]*):", tag)
            if tag == "h1":
                code, message = (
                    "CL067",
                    (
                        "正文里不要用一级标题（# 标题，或标题下一行写 ===），标题由 title 字段生成；"
                        "请用 ## 表示“一、”，### 表示“（一）”"
                    ),
                )
            elif scheme and scheme.group(1) not in URL_SCHEMES:
                code, message = (
                    "CL068",
                    (
                        f"链接“{tag[:60]}”以 {scheme.group(1)}: 开头，不允许（{ALLOWED_LINKS}）；"
                        "请改成原文网址，或删掉这个链接"
                    ),
                )
            elif ":" in tag or "@" in tag:
                code, message = (
                    "CL069",
                    (
                        f"“{shown}”不是有效的链接，会从网站上消失：网址写成 <https://…>，"
                        "邮箱写成 <名字@example.com> 或 [文字](mailto:名字@example.com)"
                    ),
                )
            elif event:
                code, message = (
                    "CL070",
                    (
                        f"正文里不能写 HTML 标签 {shown}，其中的 {event}= 事件属性会在读者的浏览器里运行脚本："
                        "请删掉整个标签"
                    ),
                )
            elif tag in RUNS_CODE and tag != "img":
                code, message = (
                    "CL071",
                    (
                        f"正文里不能写 HTML 标签 {shown}：它会在读者的浏览器里运行代码或加载其他网站的内容，请删掉"
                        "（要展示代码，请放进 ``` 代码块）"
                    ),
                )
            elif tag == "img":
                code, message = (
                    "CL072",
                    (
                        "正文不能插入图片：图片要从其他网站加载（读者在微信里常打不开，也不该让别的网站知道谁在读）；"
                        f"{MARKDOWN_FOR['img']}"
                    ),
                )
            else:
                code, message = (
                    "CL073",
                    (
                        f"正文里不能写 HTML 标签 {shown}：请改用 Markdown（{MARKDOWN_FOR.get(tag, '直接写文字')}）；"
                        "要写小于号请用全角“＜”"
                    ),
                )
            self.add(("tag", tag), code, message)
            self.shown.extend(value or "" for _, value in attrs)
            return
        for name, value in attrs:
            value = value or ""
            self.shown.append(value)
            if name not in ALLOWED[tag]:
                self.add(
                    ("attr", tag, name),
                    "CL074",
                    f"{shown} 上不能有 {name} 属性（可能带入脚本、样式或隐藏内容）："
                    "如果用了 {: … } 写法，请删掉花括号部分；如果写了 HTML，请改用 Markdown",
                )
            elif name == "class" and not _CLASS_OF[tag].fullmatch(value):
                self.add(
                    ("attr", tag, name), "CL074", f"{shown} 上不能设置样式类“{value[:40]}”：请删掉 {{: … }} 花括号部分"
                )
            elif name in _VALUE_OF and not _VALUE_OF[name].fullmatch(value):
                self.add(("attr", tag, name), "CL074", f"{shown} 上不能写 {name}=“{value[:40]}”：请删掉这个属性")
            elif name == "id" and value.startswith("__"):
                self.add(
                    ("id", value),
                    "CL075",
                    f"小节的锚点“{value[:40]}”不能以两个下划线开头（网站自己的按钮用这样的名字）：请删掉 {{#…}} 部分",
                )
            elif name == "title" and ("<" in value or ">" in value):
                self.add(
                    ("title", value),
                    "CL076",
                    f"链接的提示文字“{value[:40]}”里不能有 < 或 >（提示文字只能是纯文字）：请删掉，或改用全角“＜”“＞”",
                )
            elif name == "href" and ("class", "headerlink") not in attrs:  # not a heading's own ¶
                self.hrefs.add(value)
                self.check_href(value)

    def check_href(self, value: str) -> None:
        plain = re.sub(r"[\s\x00-\x1f\x7f]+", "", value)
        if plain.startswith("#"):
            self.anchor_links.append(plain[1:])
            return
        parts = urllib.parse.urlsplit(plain)
        scheme = parts.scheme.lower()
        if scheme and scheme not in URL_SCHEMES:
            self.add(
                ("href", value),
                "CL068",
                f"链接“{value[:60]}”以 {scheme}: 开头，不允许（{ALLOWED_LINKS}）；请改成原文网址，或删掉这个链接",
            )
        elif scheme == "mailto" and "@" not in parts.path:
            self.add(("href", value), "CL077", f"邮箱链接“{value[:60]}”里没有 @，不是邮箱地址（{ALLOWED_LINKS}）")
        elif scheme in ("http", "https") and not parts.netloc:
            self.add(("href", value), "CL078", f"链接“{value[:60]}”没有网站名，不是完整网址（{ALLOWED_LINKS}）")
        elif not scheme:
            self.add(
                ("href", value),
                "CL079",
                f"链接“{value[:60]}”不是完整网址（{ALLOWED_LINKS}）；请写完整网址，或删掉这个链接",
            )


@functools.lru_cache(maxsize=64)  # the line search of several findings renders the same prefixes
def _judge(body: str) -> tuple[_Judge | None, list[Finding]]:
    """The rendered body judged: the walker (None when it could not be rendered) and its findings."""
    rendered = render(body)
    if rendered.error:
        return None, [Finding(("render",), rendered.error, "CL064")]
    judge = _Judge()
    judge.feed(rendered.html)
    judge.close()
    findings = list(judge.findings.values())
    if judge.deepest > MAX_DEPTH:
        findings.append(
            Finding(
                ("depth",),
                f"正文嵌套太深：{judge.deepest} 层（引用、列表、强调一层套一层），最多 {MAX_DEPTH} 层；请减少嵌套",
                "CL064",
            )
        )
    for ref, (url, _title) in rendered.references.items():
        if url not in judge.hrefs:
            judge.check_href(url)
            findings.append(
                Finding(
                    ("ref", ref),
                    f"以 [{ref[:30]}]: 开头的这一行是 Markdown 的链接定义，不会显示在网站上："
                    "要显示这一行，请把 ]: 改成 ]：；要用作链接，请在正文里写 "
                    f"[文字][{ref[:30]}]",
                    "CL080",
                )
            )
    if not findings:
        findings += _lost_text(body, judge.shown, rendered.references)
    return judge, findings


def _lost_text(body: str, shown: list[str], references: dict) -> list[Finding]:
    """CL081: Chinese characters of the body that the reader does not get (a reference's label is
    consumed by its links, [文字][标签]: not lost)."""
    written_cjk, shown_cjk = _NOT_CJK.sub("", body), _NOT_CJK.sub("", "".join(shown))
    if written_cjk == shown_cjk:  # the same characters in the same order: none lost
        return []
    written = Counter(written_cjk)
    for label_char in set(_CJK.findall("".join(references))):
        del written[label_char]
    lost = written - Counter(shown_cjk)
    if not lost:
        return []
    return [
        Finding(
            ("lost",),
            f"这里的文字不会显示在网站上（例如“{''.join(sorted(lost))[:20]}”）："
            "可能被当成了 HTML 标签或链接定义；请检查尖括号、方括号和花括号的写法",
            "CL081",
        )
    ]


def _first_line(lines: list[str], key: tuple) -> int:
    """The offset of the first line with which a rendering of the lines up to it shows the finding."""
    low, high = 0, len(lines) - 1
    while low < high:
        middle = (low + high) // 2
        _, found = _judge("\n".join(lines[: middle + 1]))
        if any(f.key == key for f in found):
            high = middle
        else:
            low = middle + 1
    return low


@dataclass(frozen=True)
class Verdict:
    """What the policy found in one body: (line offset, finding) pairs, and whether the body links
    to an anchor of its page (checked against the whole page by rule_anchor_links)."""

    placed: tuple[tuple[int, Finding], ...]
    links_to_anchors: bool


@functools.cache  # `mkdocs serve` rebuilds: a body not edited is not rendered again
def verdict(body: str) -> Verdict:
    """The body judged, text limits first (then nothing is rendered)."""
    early = _text_findings(body)
    if early:
        return Verdict(tuple(early[:MAX_REPORTED]), False)
    judge, findings = _judge(body)
    lines = body.split("\n")
    placed = [(_first_line(lines, f.key), f) for f in findings[:MAX_REPORTED]]
    if len(findings) > MAX_REPORTED:
        placed.append((0, Finding(("more",), f"还有 {len(findings) - MAX_REPORTED} 处类似的问题没有列出", "CL082")))
    return Verdict(tuple(placed), bool(judge and judge.anchor_links))


def body_findings(case: Case) -> list[tuple[int, Finding]]:
    """(line, finding) for every problem of the body."""
    return [(case.body_line + offset, finding) for offset, finding in verdict(case.body).placed]


def rule_body_renders_safely(case: Case):
    """What the body renders to is allowed: Markdown's own elements, full links, plain titles."""
    for line, finding in body_findings(case):
        yield line, FIELD_BODY, finding.code, finding.message


# --- links to a part of the page ---------------------------------------------------------------


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


def page_anchors(case: Case) -> tuple[set[str], list[str]]:
    """(ids on the case's page, anchors of its links to itself), from its page rendered with the
    site's Markdown settings, as the site engine checks them. The related-cases section (known
    only when the site is built) is there with the case itself standing in for its cases: only its
    heading's id counts here."""
    from ..site import mdsettings, pages, reuse, urls

    path = urls.case_path(case)
    text = pages.case_page(case).markdown + reuse.related_section([case], path)
    md = mdsettings.renderer()
    anchors = _Anchors(md)
    md.treeprocessors.register(anchors, "caselib_anchors", 5)  # after toc (same priority, added later)
    md.convert(text)
    return anchors.ids, anchors.links


def rule_anchor_links(case: Case):
    """A link to a part of the page ("#小节") leads to a heading the page has."""
    if not verdict(case.body).links_to_anchors:
        return
    ids, links = page_anchors(case)
    reported = set()
    for anchor in links:
        if anchor not in ids and anchor not in reported:
            reported.add(anchor)
            problem = missing_anchor(case, anchor)
            yield problem.line, problem.field, problem.code, problem.message


BODY_RULES = (rule_body_renders_safely, rule_anchor_links)


def missing_anchor(case: Case, anchor: str) -> Problem:
    """A link in the body to a part of the page that is not there (rule_anchor_links; the site
    engine finds these too)."""
    target = f"#{anchor}"
    forms = (target, f"#{urllib.parse.quote(anchor)}", f"#{html.escape(anchor)}")
    line = next(
        (
            case.body_line + offset
            for offset, text in enumerate(case.body.split("\n"))
            if any(form in text for form in forms)
        ),
        case.body_line,
    )
    return Problem(
        case.path,
        line,
        FIELD_BODY,
        f"链接“{target}”指向的小节在本页不存在：页内链接只能指向正文里的小节标题"
        "（如小节“## 主要做法”的链接写成 #主要做法）；请改成已有的小节标题，或删掉这个链接",
        "CL083",
    )

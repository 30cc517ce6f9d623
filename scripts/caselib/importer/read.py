"""Read a raw source (.txt in any common Chinese encoding, saved .html, .docx) into lines."""

from __future__ import annotations

import codecs
import re
import zipfile
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from xml.etree import ElementTree

SUFFIXES = (".txt", ".text", ".md", ".html", ".htm", ".docx")


class ImportError_(Exception):
    """A source that cannot be imported; the message is for the contributor (Chinese)."""


@dataclass
class Source:
    lines: list[str]
    kind: str                      # txt | html | docx
    encoding: str = "utf-8"
    url: str = ""                  # canonical or "saved from" address, when the file names one
    title_hint: str = ""           # a web page's <h1>, else the first part of its <title>
    notes: list[str] = field(default_factory=list)


def decode_bytes(raw: bytes) -> tuple[str, str]:
    """Decode text in UTF-8 (with or without BOM), UTF-16 or GB18030/GBK; return (text, encoding)."""
    for bom, name in ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"),
                      (codecs.BOM_UTF16_BE, "utf-16")):
        if raw.startswith(bom):
            return raw.decode(name), name
    try:
        return raw.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    if len(raw) % 2 == 0:  # UTF-16 without BOM: the reading that gives plain Chinese text
        for name in ("utf-16-le", "utf-16-be"):
            try:
                text = raw.decode(name)
            except UnicodeDecodeError:
                continue
            if text and sum(map(_plain, text)) >= 0.95 * len(text):
                return text, name
    for name in ("utf-8", "gb18030", "big5"):
        try:
            return raw.decode(name), name
        except UnicodeDecodeError:
            continue
    raise ImportError_("无法识别文件编码：请用记事本或 Word 把文件另存为 UTF-8 编码后再导入")


def _plain(ch: str) -> bool:
    return ch.isascii() or "\u4e00" <= ch <= "\u9fff" or "\u3000" <= ch <= "\u303f" or \
        "\uff00" <= ch <= "\uffef" or ch in "“”‘’…—·"


def split_lines(text: str) -> list[str]:
    return text.replace("\r\n", "\n").replace("\r", "\n").split("\n")


# --- HTML ---------------------------------------------------------------------------------

_BLOCK = {"p", "div", "br", "li", "ul", "ol", "tr", "table", "section", "article", "header",
          "footer", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "dd", "dt", "nav", "aside",
          "figure", "figcaption", "hr", "main", "form", "pre", "td", "th"}
_SKIP = {"script", "style", "noscript", "template", "head", "svg", "iframe", "select", "button"}


class _TextExtractor(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skip_depth = 0
        self.url = ""
        self.capture = ""          # "h1" or "title" while inside one
        self.h1 = ""
        self.title = ""
        self.done: set[str] = set()

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "link" and (attrs.get("rel") or "").lower() == "canonical" and attrs.get("href"):
            self.url = self.url or attrs["href"]
        if tag == "meta" and attrs.get("property") == "og:url" and attrs.get("content"):
            self.url = self.url or attrs["content"]
        if tag in ("h1", "title"):
            self.capture = tag
        if tag in _SKIP:
            self.skip_depth += 1
        elif tag in _BLOCK:
            self.parts.append("\n")

    def handle_startendtag(self, tag, attrs):
        if tag in _BLOCK:
            self.parts.append("\n")
        else:
            self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag):
        if tag == self.capture:
            self.done.add(tag)
            self.capture = ""
        if tag in _SKIP:
            self.skip_depth = max(0, self.skip_depth - 1)
        elif tag in _BLOCK:
            self.parts.append("\n")

    def handle_data(self, data):
        if self.capture == "h1" and "h1" not in self.done:
            self.h1 += data.strip()
        elif self.capture == "title" and "title" not in self.done:
            self.title += data.strip()
        if not self.skip_depth:
            self.parts.append(re.sub(r"[ \t\r\n]+", " ", data))

    def handle_comment(self, data):
        match = re.search(r"saved from url=\(\d+\)(\S+)", data)
        if match and not self.url:
            self.url = match.group(1)


def _html_charset(raw: bytes) -> str | None:
    match = re.search(rb"""<meta[^>]+charset\s*=\s*["']?([A-Za-z0-9_-]+)""", raw[:4096], re.I)
    return match.group(1).decode("ascii").lower() if match else None


def html_to_lines(raw: bytes) -> tuple[list[str], str, str, str]:
    declared = _html_charset(raw)
    text, encoding = None, ""
    if declared and not raw.startswith((codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        name = {"gbk": "gb18030", "gb2312": "gb18030"}.get(declared, declared)
        try:
            text, encoding = raw.decode(name), name
        except (UnicodeDecodeError, LookupError):
            text = None
    if text is None:
        text, encoding = decode_bytes(raw)
    parser = _TextExtractor()
    parser.feed(text)
    parser.close()
    lines = [line.strip() for line in "".join(parser.parts).split("\n")]
    hint = parser.h1 or re.split(r"\s*[-_|｜—]+\s*", parser.title)[0]
    return lines, encoding, parser.url, hint


# --- DOCX ---------------------------------------------------------------------------------

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def docx_to_lines(raw_path: Path) -> list[str]:
    try:
        with zipfile.ZipFile(raw_path) as archive:
            xml = archive.read("word/document.xml")
    except (zipfile.BadZipFile, KeyError, OSError):
        raise ImportError_("不是有效的 Word 文件（.docx）：请用 Word 打开后另存为 .docx 再导入") from None
    try:
        root = ElementTree.fromstring(xml)
    except ElementTree.ParseError:
        raise ImportError_("Word 文件内容损坏，无法读取：请用 Word 打开后另存为 .docx 再导入") from None
    lines = []
    for para in root.iter(f"{_W}p"):
        parts = []
        for node in para.iter():
            if node.tag == f"{_W}t" and node.text:
                parts.append(node.text)
            elif node.tag == f"{_W}tab":
                parts.append(" ")
            elif node.tag in (f"{_W}br", f"{_W}cr"):
                parts.append("\n")
        lines.extend("".join(parts).split("\n"))
        lines.append("")
    return lines


def read_source(path: Path) -> Source:
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise ImportError_(f"不支持的文件类型“{path.suffix or '无扩展名'}”（支持：.txt、.html、.docx；"
                           "PDF 请先复制文字存成 .txt）")
    if not path.is_file():
        raise ImportError_("找不到这个文件")
    if suffix == ".docx":
        return Source(docx_to_lines(path), "docx", "docx")
    raw = path.read_bytes()
    if suffix in (".html", ".htm"):
        lines, encoding, url, hint = html_to_lines(raw)
        return Source(lines, "html", encoding, url, hint)
    text, encoding = decode_bytes(raw)
    return Source(split_lines(text), "txt", encoding)

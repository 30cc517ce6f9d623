"""Read a raw source (.txt in any common Chinese encoding, saved .html, .docx) into lines.

Whatever the file, reading ends in a Source or in ImportError_ with a Chinese message, in
bounded time and memory: a file over MAX_SOURCE_BYTES is refused before it is read, a Word
file whose text part unpacks to more than MAX_DOCX_XML_BYTES is refused while it is unpacked
(a zip bomb), text over MAX_TEXT_CHARS is refused, and web pages are read in one forward pass
(the standard library's HTMLParser takes quadratic time on some malformed pages).
"""

from __future__ import annotations

import codecs
import html
import io
import re
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from xml.parsers import expat

_LZMAError: type[Exception]
try:
    from lzma import LZMAError as _LZMAError
except ImportError:  # a Python built without lzma

    class _NoLZMAError(Exception):
        pass

    _LZMAError = _NoLZMAError

SUFFIXES = (".txt", ".text", ".md", ".html", ".htm", ".docx")
MAX_SOURCE_BYTES = 20_000_000  # a saved page with inline images is a few MB, a case text 50 KB
MAX_DOCX_XML_BYTES = 50_000_000  # word/document.xml unpacked (Word's markup is verbose)
MAX_TEXT_CHARS = 1_000_000  # characters of text; the longest real case has about 13,000
MAX_LINES = 20_000  # lines with text; a case has about a hundred, a saved page a few thousand
MAX_TITLE_HINT = 200  # characters kept of a page's <h1> and <title>
# The encodings a source that is neither UTF-8 nor UTF-16 is detected among.
DETECT_AMONG = ["gb18030", "big5", "cp950", "big5hkscs"]

UNDECODABLE = "无法识别文件编码：请用记事本或 Word 把文件另存为 UTF-8 编码后再导入"
NOT_DOCX = "不是有效的 Word 文件（.docx）：请用 Word 打开后另存为 .docx 再导入"
BROKEN_DOCX = "Word 文件内容损坏，无法读取：请用 Word 打开后另存为 .docx 再导入"


class ImportError_(Exception):
    """A source that cannot be imported; the message is for the contributor (Chinese)."""


@dataclass
class Source:
    lines: list[str]
    kind: str  # txt | html | docx
    encoding: str = "utf-8"
    url: str = ""  # canonical or "saved from" address, when the file names one
    title_hint: str = ""  # a web page's <h1>, else the first part of its <title>
    notes: list[str] = field(default_factory=list)  # warnings for the contributor's report
    meta: dict[str, str] = field(default_factory=dict)  # a saved page's metadata: title, date, site


def _mb(size: int) -> str:
    return f"{size / 1_000_000:.1f} MB"


# --- text encodings -------------------------------------------------------------------------


def decode_bytes(raw: bytes) -> tuple[str, str]:
    """Decode text; return (text, encoding). See _decode."""
    text, encoding, _ = _decode(raw)
    return text, encoding


def _decode(raw: bytes) -> tuple[str, str, bool]:
    """(text, encoding, guessed): a BOM, else UTF-8, else UTF-16 without BOM that reads as plain
    Chinese, else the encoding charset-normalizer finds most plausible among DETECT_AMONG
    (guessed is then True: the report asks the contributor to check the text)."""
    for bom, name in ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16")):
        if raw.startswith(bom):
            try:
                return raw.decode(name), name, False
            except UnicodeDecodeError:
                raise ImportError_(UNDECODABLE) from None
    try:
        return raw.decode("utf-8"), "utf-8", False
    except UnicodeDecodeError:
        pass
    if len(raw) % 2 == 0:  # UTF-16 without BOM: the reading that gives plain Chinese text
        for name in ("utf-16-le", "utf-16-be"):
            try:
                text = raw.decode(name)
            except UnicodeDecodeError:
                continue
            if text and _mostly_plain(text):
                return text, name, False
    from charset_normalizer import from_bytes

    matches = list(from_bytes(raw, cp_isolation=DETECT_AMONG))
    if not matches:
        raise ImportError_(UNDECODABLE)
    best = matches[0]
    # A text too short to tell the encodings apart: the tie goes to the mainland one.
    gb = next((m for m in matches if m.encoding == "gb18030"), None)
    if gb is not None and gb.chaos <= best.chaos and gb.coherence >= best.coherence:
        best = gb
    try:
        return raw.decode(best.encoding), best.encoding, True
    except (UnicodeDecodeError, LookupError):
        raise ImportError_(UNDECODABLE) from None


_NOT_PLAIN = re.compile(r"[^\x00-\x7f\u4e00-\u9fff\u3000-\u303f\uff00-\uffef“”‘’…—·]")


def _mostly_plain(text: str) -> bool:
    """At least 95% ASCII, common Chinese characters and punctuation (stops counting at 5%)."""
    allowed, found = 0.05 * len(text), 0
    for _ in _NOT_PLAIN.finditer(text):
        found += 1
        if found > allowed:
            return False
    return True


def guessed_note(encoding: str) -> str:
    return (
        f"文件编码是自动识别的（{encoding}），请核对正文没有乱码；如有乱码，"
        "请用记事本或 Word 把文件另存为 UTF-8 编码后再导入"
    )


def split_lines(text: str) -> list[str]:
    return text.replace("\r\n", "\n").replace("\r", "\n").split("\n")


# --- HTML ---------------------------------------------------------------------------------

_BLOCK = {
    "p",
    "div",
    "br",
    "li",
    "ul",
    "ol",
    "tr",
    "table",
    "section",
    "article",
    "header",
    "footer",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "blockquote",
    "dd",
    "dt",
    "nav",
    "aside",
    "figure",
    "figcaption",
    "hr",
    "main",
    "form",
    "pre",
    "td",
    "th",
}
_SKIP = {"script", "style", "noscript", "template", "head", "svg", "iframe", "select", "button"}


class _TextExtractor:
    """Collects a page's text, canonical URL, <h1> and <title> from the events of `tokenize`."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.skip_depth = 0
        self.url = ""
        self.capture = ""  # "h1" or "title" while inside one
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
            self.h1 = (self.h1 + data.strip())[:MAX_TITLE_HINT]
        elif self.capture == "title" and "title" not in self.done:
            self.title = (self.title + data.strip())[:MAX_TITLE_HINT]
        if not self.skip_depth:
            self.parts.append(re.sub(r"[ \t\r\n]+", " ", data))

    def handle_comment(self, data):
        match = re.search(r"saved from url=\(\d+\)(\S+)", data)
        if match and not self.url:
            self.url = match.group(1)


_MARKUP = re.compile(r"<(?:!--|[!?]|/(?=[A-Za-z])|(?=[A-Za-z]))")
_TAG_NAME = re.compile(r"[^\s/>]+")
_ATTR_NAME = re.compile(r"[^\s/>][^\s/>=]*")
_BETWEEN_ATTRS = re.compile(r"[\s/]*")
_EQUALS = re.compile(r"\s*=\s*")
_UNQUOTED = re.compile(r"[^\s>]*")


def _match(pattern: re.Pattern[str], text: str, pos: int) -> re.Match[str]:
    """pattern.match(text, pos) where it cannot fail: the pattern matches the empty string, or
    the character at pos is already known to start a match."""
    match = pattern.match(text, pos)
    assert match is not None, (pattern.pattern, pos)
    return match


_RAW_TEXT_END = {"script": re.compile(r"</script(?=[\s/>])", re.I), "style": re.compile(r"</style(?=[\s/>])", re.I)}


def tokenize(text: str, out: _TextExtractor) -> None:
    """Feed the tags, text and comments of a page to `out` in one forward pass.

    As in a browser, a tag runs to the first ">" outside quoted values, a comment to "-->",
    <script> and <style> to their end tag, and markup still open at the end of the file is
    dropped. Each search starts where the previous one ended and a failed search ends the
    pass, so the time is linear in the length of the page whatever its markup.
    """
    pos, n = 0, len(text)
    while pos < n:
        match = _MARKUP.search(text, pos)
        start = match.start() if match else n
        if start > pos:
            out.handle_data(html.unescape(text[pos:start]))
        if not match:
            return
        opener = match.group(0)
        if opener == "<!--":
            end = text.find("-->", start + 4)
            out.handle_comment(text[start + 4 : end if end != -1 else n])
            pos = end + 3 if end != -1 else n
        elif opener in ("<!", "<?"):  # doctype, CDATA, processing instruction
            end = text.find(">", start + 2)
            pos = end + 1 if end != -1 else n
        elif opener == "</":
            end = text.find(">", start + 2)
            if end == -1:
                return
            out.handle_endtag(_match(_TAG_NAME, text, start + 2).group(0).lower())
            pos = end + 1
        else:
            tag, pos = _start_tag(text, start, out)
            if tag in _RAW_TEXT_END:
                close = _RAW_TEXT_END[tag].search(text, pos)
                end = close.start() if close else n
                if end > pos:
                    out.handle_data(text[pos:end])
                pos = end


def _start_tag(text: str, start: int, out: _TextExtractor) -> tuple[str, int]:
    """Report the start tag at `start`; return (its name if it opens raw text, else "", the
    position after it)."""
    n = len(text)
    name = _match(_TAG_NAME, text, start + 1)
    tag, pos = name.group(0).lower(), name.end()
    attrs: list[tuple[str, str | None]] = []
    while True:
        pos = _match(_BETWEEN_ATTRS, text, pos).end()
        if pos >= n:
            return "", n  # cut off by the end of the file: dropped
        if text[pos] == ">":
            break
        attr = _match(_ATTR_NAME, text, pos)
        key, pos, value = attr.group(0).lower(), attr.end(), None
        equals = _EQUALS.match(text, pos)
        if equals:
            pos = equals.end()
            if pos < n and text[pos] in "\"'":
                close = text.find(text[pos], pos + 1)
                if close == -1:
                    return "", n
                value, pos = text[pos + 1 : close], close + 1
            else:
                unquoted = _match(_UNQUOTED, text, pos)
                value, pos = unquoted.group(0), unquoted.end()
            value = html.unescape(value)
        attrs.append((key, value))
    if text[pos - 1] == "/":
        out.handle_startendtag(tag, attrs)
        return "", pos + 1
    out.handle_starttag(tag, attrs)
    return tag, pos + 1


def _html_charset(raw: bytes) -> str | None:
    """The charset a page declares, if Python knows it as a text encoding for web pages."""
    match = re.search(rb"""<meta[^>]+charset\s*=\s*["']?([A-Za-z0-9_-]+)""", raw[:4096], re.I)
    if not match:
        return None
    declared = match.group(1).decode("ascii").lower()
    declared = {"gbk": "gb18030", "gb2312": "gb18030", "x-gbk": "gb18030"}.get(declared, declared)
    try:
        name = codecs.lookup(declared).name
    except LookupError:
        return None
    # A page whose declaration can be read in ASCII is not UTF-16/32 (browsers ignore that
    # declaration too); the other names are Python's own codecs, not web encodings.
    if name.startswith(("utf-16", "utf-32", "utf-7")) or name in (
        "undefined",
        "idna",
        "punycode",
        "unicode-escape",
        "raw-unicode-escape",
        "mbcs",
        "oem",
    ):
        return None
    return declared


MAX_METADATA_CHARS = 3_000_000  # pages larger than this are read without trafilatura's metadata


def page_metadata(text: str) -> dict[str, str]:
    """A saved page's title, date, site name and address from its <head> and markup
    (og: and other meta tags, JSON-LD, <title>, <h1>, dates by htmldate), by trafilatura.

    trafilatura reads metadata better than a hand-written parser (it knows og:, Dublin Core,
    JSON-LD, the site-name part of <title> and many date tags). Its text extraction is not used:
    the importer keeps its own line pipeline so that every dropped line is listed in the report
    (trafilatura drops what it takes for boilerplate silently). A page it cannot read gives {}."""
    if len(text) > MAX_METADATA_CHARS:
        return {}
    try:
        from trafilatura import extract_metadata

        found = extract_metadata(text)
    except Exception:  # a page lxml cannot parse (too deep, broken): read without metadata
        return {}
    if found is None:
        return {}
    meta = {key: getattr(found, key, None) for key in ("title", "date", "sitename", "url", "author")}
    return {key: str(value)[:MAX_TITLE_HINT] for key, value in meta.items() if value}


def html_to_lines(raw: bytes) -> tuple[list[str], str, str, str, bool]:
    """(lines, encoding, url, title hint, encoding guessed)."""
    lines, encoding, url, hint, guessed, _ = read_html(raw)
    return lines, encoding, url, hint, guessed


def read_html(raw: bytes) -> tuple[list[str], str, str, str, bool, dict[str, str]]:
    """(lines, encoding, url, title hint, encoding guessed, metadata)."""
    declared = _html_charset(raw)
    text, encoding, guessed = None, "", False
    if declared and not raw.startswith((codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            text, encoding = raw.decode(declared), declared
        except (UnicodeError, LookupError):  # UnicodeError: a codec that decodes nothing
            text = None
    if text is None:
        text, encoding, guessed = _decode(raw)
    parser = _TextExtractor()
    tokenize(text, parser)
    lines = [line.strip() for line in "".join(parser.parts).split("\n")]
    meta = page_metadata(text)
    hint = parser.h1 or meta.get("title", "") or re.split(r"\s*[-_|｜—]+\s*", parser.title)[0]
    return lines, encoding, parser.url or meta.get("url", ""), hint, guessed, meta


# --- DOCX ---------------------------------------------------------------------------------

_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main}"  # as expat names it
# Style ids of a headline: built-in Title and Heading 1 ("1" in Chinese Word).
TITLE_STYLES = {"title", "heading1", "1"}


class _DocxText:
    """The paragraphs of word/document.xml, streamed through expat (no tree is built).

    Each <w:p> gives its text (<w:t>, <w:tab> as a space, <w:br>/<w:cr> as a line break) as
    lines followed by an empty line, in the order the paragraphs start; a paragraph nested in
    another (a text box) counts in both, as ElementTree's iter() did.
    """

    def __init__(self) -> None:
        self.parser = expat.ParserCreate(namespace_separator="}")
        self.parser.buffer_text = True
        self.parser.StartElementHandler = self.start
        self.parser.EndElementHandler = self.end
        self.parser.CharacterDataHandler = self.data
        self.parser.StartDoctypeDeclHandler = self.doctype
        self.slots: list[list[str]] = []  # one per paragraph, in start order
        self.open: list[tuple[int, list[str]]] = []  # (slot, parts) of the open paragraphs
        self.stack: list[str] = []
        self.in_text = False  # inside a <w:t>, before any child of it
        self.text: list[str] = []
        self.chars = 0
        self.titled: dict[int, str] = {}  # paragraph slot -> its title or heading 1 style

    def doctype(self, *args) -> None:
        raise ImportError_(BROKEN_DOCX)  # Word never writes one; entities live there

    def feed(self, chunk: bytes, final: bool = False) -> None:
        self.parser.Parse(chunk, final)

    def start(self, name, attrs) -> None:
        if self.in_text:  # a child of <w:t>: its text so far is done
            self.emit("".join(self.text))
        self.in_text = name == _W + "t"
        self.text = []
        self.stack.append(name)
        if name == _W + "p":
            self.slots.append([])
            self.open.append((len(self.slots) - 1, []))
        elif name == _W + "pStyle" and self.open:
            style = (attrs.get(_W + "val") or "").lower()
            if style in TITLE_STYLES:
                self.titled.setdefault(self.open[-1][0], style)
        elif name == _W + "tab":
            self.emit(" ")
        elif name in (_W + "br", _W + "cr"):
            self.emit("\n")

    def data(self, text) -> None:
        if self.in_text:
            self.text.append(text)

    def end(self, name) -> None:
        self.stack.pop()
        if name == _W + "t" and self.in_text:
            self.emit("".join(self.text))
        self.in_text = False
        if name == _W + "p" and self.open:
            slot, parts = self.open.pop()
            self.slots[slot] = "".join(parts).split("\n") + [""]

    def emit(self, part: str) -> None:
        self.chars += len(part) * len(self.open)
        if self.chars > MAX_TEXT_CHARS:
            raise ImportError_(too_much_text())
        for _, parts in self.open:
            parts.append(part)

    def lines(self) -> list[str]:
        return [line for slot in self.slots for line in slot]

    def title(self) -> str:
        """The text of the first paragraph styled Title (else Heading 1): Word's own headline."""
        for wanted in ("title", "heading1", "1"):
            for slot, style in sorted(self.titled.items()):
                if style == wanted and "".join(self.slots[slot]).strip():
                    return " ".join(line.strip() for line in self.slots[slot] if line.strip())[:MAX_TITLE_HINT]
        return ""


def docx_to_lines(raw: bytes) -> list[str]:
    """The lines of a Word file's text, unpacking at most MAX_DOCX_XML_BYTES of it."""
    return read_docx(raw)[0]


def read_docx(raw: bytes) -> tuple[list[str], str]:
    """(lines, the headline: the first paragraph styled Title or Heading 1, else "").

    python-docx and mammoth read the same styles, but unpack word/document.xml whole; this
    reader streams it with a limit, so a zip bomb is refused, and needs no dependency."""
    too_big = (
        f"Word 文件解压后太大（正文部分超过 {MAX_DOCX_XML_BYTES // 1_000_000} MB），"
        "可能已损坏或是恶意构造的文件：请用 Word 打开后另存为 .docx，或把正文复制到 .txt 文件再导入"
    )
    try:
        archive = zipfile.ZipFile(io.BytesIO(raw))
        info = archive.getinfo("word/document.xml")
    except (zipfile.BadZipFile, zipfile.LargeZipFile, KeyError, ValueError, OSError, EOFError):
        raise ImportError_(NOT_DOCX) from None
    if info.file_size > MAX_DOCX_XML_BYTES:
        raise ImportError_(too_big)
    reader = _DocxText()
    unpacked = 0
    try:
        with archive.open(info) as member:
            while chunk := member.read(1 << 20):  # the size declared may lie: count as we go
                unpacked += len(chunk)
                if unpacked > MAX_DOCX_XML_BYTES:
                    raise ImportError_(too_big)
                reader.feed(chunk)
        reader.feed(b"", final=True)
    except RuntimeError:  # zipfile: "File is encrypted"
        raise ImportError_("Word 文件设置了密码，无法读取：请在 Word 里取消密码后另存为 .docx 再导入") from None
    except (
        zipfile.BadZipFile,
        NotImplementedError,
        ValueError,
        OSError,
        EOFError,
        zlib.error,
        _LZMAError,
        expat.ExpatError,
    ):
        raise ImportError_(BROKEN_DOCX) from None
    return reader.lines(), reader.title()


# --- any source ---------------------------------------------------------------------------


def too_much_text() -> str:
    return f"文字太多（超过 {MAX_TEXT_CHARS // 10_000} 万字）：一个案例通常只有几千字，请只保留这个案例的正文后再导入"


def printable(text: str) -> str:
    """Text to show in a message: control and other invisible characters become "?"."""
    return "".join(ch if ch.isprintable() else "?" for ch in text)


def _read_bytes(path: Path) -> bytes:
    """The file's bytes: a missing file, a folder, a device, an unreadable or too big file is
    an ImportError_ (the size is checked before reading, and the reading is bounded too)."""
    try:
        if path.is_dir():
            raise ImportError_("这是一个文件夹，不是文件：请给出要导入的原文文件")
        if not path.exists():
            raise ImportError_("找不到这个文件")
        if not path.is_file():
            raise ImportError_("这不是普通文件（可能是设备或管道）：请给出要导入的原文文件")
        size = path.stat().st_size
        raw = b""
        if size <= MAX_SOURCE_BYTES:
            with path.open("rb") as fh:
                raw = fh.read(size + 1)
                if len(raw) > size:  # it grew, or a size the system does not know
                    raw += fh.read(MAX_SOURCE_BYTES + 1 - len(raw))
    except PermissionError:
        raise ImportError_("没有权限读取这个文件") from None
    except ValueError:  # a name with a NUL character
        raise ImportError_("找不到这个文件") from None
    except OSError as exc:
        raise ImportError_(f"无法读取这个文件（{exc.strerror or type(exc).__name__}）") from None
    if size > MAX_SOURCE_BYTES or len(raw) > MAX_SOURCE_BYTES:
        raise ImportError_(
            f"文件太大（{_mb(max(size, len(raw)))}，导入的原文最多 {MAX_SOURCE_BYTES // 1_000_000} MB）："
            "请只把案例正文复制到一个 .txt 文件再导入"
        )
    return raw


def read_source(path: Path) -> Source:
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise ImportError_(
            f"不支持的文件类型“{printable(path.suffix) or '无扩展名'}”（支持：.txt、.html、.docx；"
            "PDF 请先复制文字存成 .txt）"
        )
    raw = _read_bytes(path)
    if not raw:
        raise ImportError_("文件是空的：没有可导入的文字")
    guessed = False
    if suffix == ".docx":
        lines, hint = read_docx(raw)
        source = Source(lines, "docx", "docx", title_hint=hint)
    elif suffix in (".html", ".htm"):
        lines, encoding, url, hint, guessed, meta = read_html(raw)
        source = Source(lines, "html", encoding, _clean_url(url), hint, meta=meta)
    else:
        text, encoding, guessed = _decode(raw)
        if len(text) > MAX_TEXT_CHARS:
            raise ImportError_(too_much_text())
        lines = split_lines(text)
        source = Source(lines, "txt", encoding, _clean_url(url_line(lines)))
    chars = sum(map(len, source.lines))
    if chars > MAX_TEXT_CHARS:
        raise ImportError_(too_much_text())
    if not any(_WORD.search(line) for line in source.lines):
        raise ImportError_("文件里没有可导入的文字（只有空白、标点或控制字符）")
    if sum(1 for line in source.lines if line and not line.isspace()) > MAX_LINES:
        raise ImportError_(
            f"行数太多（超过 {MAX_LINES // 10_000} 万行有文字的行）：一个案例通常只有几十到几百行，"
            "请只保留这个案例的正文后再导入"
        )
    if guessed:
        source.notes.append(guessed_note(source.encoding))
    return source


_WORD = re.compile(r"[^\W_]")
_URL_LINE = re.compile(
    r"^\s*(?:URL|url|Url|网址|原文网址|原文链接|原文地址|链接)\s*[:：]\s*(https?\s*[:：]\s*//\S+)\s*$"
)


def url_line(lines: list[str]) -> str:
    """The address a saved text names on its first non-empty line ("URL: https://…"), which is
    then blanked (it is neither the title nor body text; line numbers stay); else ""."""
    for i, line in enumerate(lines[:5]):
        if not line.strip():
            continue
        match = _URL_LINE.match(line)
        if not match:
            return ""
        lines[i] = ""
        return re.sub(r"^(https?)\s*[:：]\s*//", r"\1://", match.group(1))
    return ""


_URL_JUNK = re.compile(r"[\x00-\x20\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff]")


def _clean_url(url: str) -> str:
    """A page's own address without spaces and control characters; a long one is not an address."""
    url = _URL_JUNK.sub("", url)
    return url if len(url) <= 2000 else ""

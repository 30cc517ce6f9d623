"""Line rules: page noise, metadata lines, the header above the article and the tail below it.

Each rule is a small function of one line; `noise_reason` returns the Chinese reason a line
is dropped, or None. Only whole lines are dropped, and every dropped line is reported.
"""

from __future__ import annotations

import functools
import re

from .fix import rules

MAX_NOISE_CHARS = 80  # longer lines are never taken for page furniture
SENTENCE_END = "。！？；…!?;"
CLOSERS = "”」』\"'）)"

_NOISE_LABELS = {
    "breadcrumb": "导航路径",
    "share": "分享或翻页按钮",
    "counter": "浏览次数",
    "login": "登录框",
    "copyright": "版权信息",
    "credit": "编辑署名",
    "widget": "页面控件",
    "caption": "图片说明",
    "related": "相关阅读",
}


@functools.cache
def _noise_patterns() -> list[tuple[str, re.Pattern]]:
    return [(_NOISE_LABELS[kind], re.compile(p)) for kind, pats in rules()["noise_lines"].items() for p in pats]


def noise_reason(line: str) -> str | None:
    text = line.strip()
    if not text or len(text) > MAX_NOISE_CHARS or is_paragraph(text):
        return None
    for label, pattern in _noise_patterns():
        if pattern.search(text):
            return label
    return None


# --- metadata lines ------------------------------------------------------------------------

DATE = re.compile(r"((?:19|20)\d{2})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?")
_TIME = re.compile(r"\d{1,2}[:：]\d{2}(?:[:：]\d{2})?")


@functools.cache
def _meta_keys() -> tuple[dict[str, str], re.Pattern]:
    kind_of = {key: kind for kind, keys in rules()["meta_keys"].items() for key in keys}
    names = sorted(kind_of, key=len, reverse=True)
    return kind_of, re.compile(r"(" + "|".join(map(re.escape, names)) + r")\s*[:：]\s*")


def parse_date(text: str) -> str | None:
    match = DATE.search(text)
    if not match:
        return None
    year, month, day = (int(g) for g in match.groups())
    if not (1 <= month <= 12 and 1 <= day <= 31):
        return None
    return f"{year:04d}-{month:02d}-{day:02d}"


_MEDIA_BYLINE = re.compile(
    r"^(?:(?P<media>[\u4e00-\u9fff]{2,12}(?:新闻|网|报|日报|在线|电视台|融媒体|客户端))\s+)?"
    r"(?:[\u4e00-\u9fff]{2,4}\s+){0,3}(?P<date>(?:19|20)\d{2}[-/.年]\d{1,2}[-/.月]\d{1,2}日?)"
    r"(?:\s+\d{1,2}[:：]\d{2}(?:[:：]\d{2})?)?$"
)


def parse_meta_line(line: str) -> dict[str, str] | None:
    """A line made of metadata (dates, 来源:…, 作者:…, counters, widgets), or None.

    Returns {"author": …, "source": …, "date": …} with the keys that were present.
    """
    text = re.sub(r"\[[^\]]{1,12}\]", " ", line.strip())
    text = re.sub(r"^[(（【][^)）】]{1,8}[)）】]", "", text)  # "(整期优先)网络出版时间:2023-02-14"
    if not text or len(text) > 160 or re.search("[，。；！？]", text):
        return None
    kind_of, key_re = _meta_keys()
    found: dict[str, str] = {}
    matches = list(key_re.finditer(text))
    if not matches:
        byline = _MEDIA_BYLINE.match(text)
        if byline:  # "大众新闻 孟令洋 2026-01-13 19:31:35": media, author, date and time
            found = {"date": parse_date(byline.group("date")) or ""}
            if byline.group("media"):
                found["source"] = byline.group("media")
            return found
    lead = text[: matches[0].start()] if matches else text
    lead_date = DATE.match(lead.strip())
    if not matches and not lead_date:
        return None
    if lead.strip():
        rest = DATE.sub("", lead)
        rest = _TIME.sub("", rest).strip(" |｜")
        if not lead_date or rest:
            if matches and not rest:
                pass
            else:
                return None
        found["date"] = parse_date(lead) or ""
    for i, match in enumerate(matches):
        end = matches[i + 1].start() if i + 1 < len(matches) else len(text)
        value = text[match.end() : end].strip(" |｜\u3000")
        kind = kind_of[match.group(1)]
        if kind == "date":
            value = parse_date(value) or ""
        if kind != "ignore" and value and kind not in found:
            found[kind] = value
        elif kind != "ignore":
            found.setdefault(kind, value)
    return found


def date_from_url(url: str) -> str | None:
    """A date in a URL path: /2025/0306/, /2025-03-06/, /20250306/, /230411/, t20230411_."""
    path = re.sub(r"^[a-z]+://[^/]+", "", url)
    for pattern, short in (
        (r"/((?:19|20)\d{2})[/-]?(\d{2})[/-]?(\d{2})(?=[/_.]|$)", False),
        (r"[/_t]((?:19|20)\d{2})(\d{2})(\d{2})(?=[/_.]|$)", False),
        (r"/(\d{2})(\d{2})(\d{2})/", True),
    ):
        for match in re.finditer(pattern, path):  # the first that is a date ("/20000878/" is not)
            year, month, day = (int(g) for g in match.groups())
            year += 2000 if short else 0
            if 1 <= month <= 12 and 1 <= day <= 31:
                return f"{year:04d}-{month:02d}-{day:02d}"
    return None


# --- shapes of lines -----------------------------------------------------------------------


def is_sentence(line: str) -> bool:
    """Ends like a sentence (closing quotes and brackets after the stop are ignored)."""
    text = line.strip().rstrip(CLOSERS)
    return bool(text) and text[-1] in SENTENCE_END


def is_paragraph(line: str) -> bool:
    """A line of running text: long, or ending like a sentence."""
    text = line.strip()
    return len(text) >= 60 or (len(text) >= 15 and is_sentence(text))


AUTHORS_LINE = re.compile(
    r"^[(（]([\u4e00-\u9fff]{2,4}(?:[ 　、，,]+[\u4e00-\u9fff]{2,4})+|[\u4e00-\u9fff]{2,3})[)）]$"
)
ORIGINAL_TITLE = re.compile(r"^[(（【\[]?\s*原标题\s*[:：]\s*(.{4,80}?)\s*[)）】\]]?$")
EDITOR_NOTE = re.compile(r"^[【\[(（]?\s*编者按\s*[】\])）]?\s*[:：]?")

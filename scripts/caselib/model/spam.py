"""Injected gambling and porn spam, by word and by shape: the one place the importer (which
removes it) and `check` (which refuses it) look for it. Pure functions of text.

Hacked school sites replace the school's name with a gambling brand ("2003网站太阳集团",
"bevictor伟德", "英国上市公司官网365", "k8凯发真人") or put a header line stuffed with porn
keywords above the article. A run is found from a core (a known brand word from
data/vocab/spam.yml, or a brand shape below) and grows over the Latin letters, digits and
brand words glued to it ("bv伟德国际体育(中国)-官方网站" is one run).

Shapes are written to leave real party-building text alone: 体育学院, 集团化办学, 文体娱乐活动,
福利彩票 and 金沙江 do not match (tests/test_spam.py runs every real case through them).
"""

from __future__ import annotations

import functools
import re

from .schema import vocab

HAN = "\u4e00-\u9fff"

# Brand shapes (regular expressions, case-insensitive). Each starts at a fixed word or at the
# start of a run of digits, so no pattern backtracks over a long line.
SHAPES = (
    r"(?<![0-9A-Za-z])[0-9]{2,8}vip",  # 35222vip
    r"(?<![0-9A-Za-z])vip[0-9]{2,8}",
    r"官网[0-9]{2,6}(?![0-9])",  # 官网365
    r"(?<![0-9A-Za-z])[0-9]{3,6}(?:官网|官方网站|娱乐|棋牌|彩票)",  # 9159娱乐, 365官网
    r"(?:集团|国际|娱乐|博彩|彩票|棋牌)(?:中国)?(?:官方网站|官方网|官网|网址|登录入口|登录|入口|app|APP)",
    r"(?<![学院校部局委厅馆会队])体育(?:中国)?(?:官方网站|官方网|官网|网址|登录入口|app|APP)",  # 星空·体育中国官方网
    r"(?<=[0-9A-Za-z·])(?:体育|娱乐|真人|棋牌|彩票)",  # k8体育, ky娱乐
    r"(?<=[\u4e00-\u9fff]{2})娱乐城",  # 某某娱乐城: the two characters before join the run
    r"娱乐(?:平台|官网|网址|开户|注册)",
    r"彩票(?:平台|网址|投注|开户|注册)",
    r"(?:真人|线上|网上|在线)(?:娱乐|博彩|赌场|棋牌|百家乐)",
)

# What grows a run on either side of a core: Latin letters and digits, brand words and the
# words that go with them.
_BRAND_GLUE = (
    r"官方网站|官方网|官网|网址|网站|登录入口|登录|入口|平台|娱乐城|娱乐|集团|国际|体育|真人|棋牌|"
    r"中国官方网站|中国官方网|中国官网|[(（]中国[)）]|伟德|凯发|金沙|威尼斯|葡京|新葡的京|星空|太阳|上市公司|英国|澳门|app|APP"
)
# Right of a core: Latin letters (digits only after them: "365" in "best365", never the "5" of
# "5月"), brand words, joining marks. Left of it: Latin letters and digits, brand words (_grow_left).
_RIGHT = rf"[A-Za-z]+[0-9]*|·|[-—_]|{_BRAND_GLUE}"

# Keywords of stuffed header lines (porn and gambling); a short line made mostly of three or
# more of them is spam as a whole.
KEYWORDS = (
    "色情",
    "成人",
    "黄色",
    "毛片",
    "无码",
    "有码",
    "三级片",
    "一级片",
    "av",
    "国产精品",
    "国产",
    "精品",
    "亚洲",
    "欧美",
    "日韩",
    "久久",
    "在线观看",
    "免费观看",
    "在线播放",
    "视频",
    "人妻",
    "偷拍",
    "自拍",
    "福利",
    "午夜",
    "高清",
    "博彩",
    "赌场",
    "娱乐",
    "彩票",
    "棋牌",
    "百家乐",
    "真人",
)
_STUFFED_SPLIT = re.compile(r"[\s,，、|｜_/\-—·.。;；:：]+")


@functools.cache
def _words() -> tuple[str, ...]:
    return tuple(sorted(vocab("spam"), key=len, reverse=True))


@functools.cache
def _core() -> str:
    return "|".join([re.escape(w) for w in _words()] + list(SHAPES))


_LEFT_WORDS = tuple(sorted(_BRAND_GLUE.replace("[(（]中国[)）]|", "").split("|"), key=len, reverse=True))
MAX_GROW = 40  # characters a run grows on each side of its cores


# The characters a core can start with: shapes start with a digit, "v", 官, 集, 国, 娱, 博, 彩, 棋,
# 体, 真, 线, 网 or 在; words with their first character. A lookahead on them lets the scan skip
# every other position at once (about ten times faster on real text than the bare alternation).
_SHAPE_STARTS = "0-9vV官集国娱博彩棋体真线网在"


@functools.cache
def _core_re() -> re.Pattern[str]:
    starts = {w[0].lower() for w in _words()} | {w[0].upper() for w in _words()}
    first = "".join(sorted(re.escape(c) for c in starts)) + _SHAPE_STARTS
    return re.compile(rf"(?=[{first}])(?:{_core()})", re.I)


@functools.cache
def _right_re() -> re.Pattern[str]:
    return re.compile(rf"(?:{_core()})|{_RIGHT}", re.I)


def _grow_left(text: str, start: int) -> int:
    """Where a run starting at `start` really starts: over Latin letters, digits, "·" and
    brand words glued to it (a step at a time, at most MAX_GROW characters: linear time)."""
    limit = max(0, start - MAX_GROW)
    while start > limit:
        ch = text[start - 1]
        if ch.isascii() and ch.isalnum() or ch == "·":
            start -= 1
            continue
        word = next((w for w in _LEFT_WORDS if text.endswith(w, limit, start)), None)
        if not word:
            break
        start -= len(word)
    return start


def _grow_right(text: str, end: int) -> int:
    limit = min(len(text), end + MAX_GROW)
    while end < limit:
        match = _right_re().match(text, end, limit)
        if not match or match.end() == end:
            break
        end = match.end()
    return end


def spans(text: str) -> list[tuple[int, int]]:
    """Where injected spam runs are in text: (start, end), in order, not overlapping. Cores are
    found in one scan; each grows over what is glued to it; runs that touch are one."""
    found: list[list[int]] = []
    for match in _core_re().finditer(text):
        start, end = match.span()
        if found and start < found[-1][1]:
            continue
        if text.startswith("娱乐城", start):
            start -= 2  # the lookbehind saw two characters of the brand name
        start, end = _grow_left(text, start), _grow_right(text, end)
        while start < end and text[start] in "-—_·":
            start += 1
        while end > start and text[end - 1] in "-—_·（(":
            end -= 1
        if found and start <= found[-1][1]:
            found[-1][1] = max(found[-1][1], end)
        elif end > start:
            found.append([start, end])
    return [(s, e) for s, e in found]


def maybe_spam(text: str) -> bool:
    """False when text can have neither a spam run nor a stuffed line (one scan each): a text of
    many lines is checked line by line only when this is True."""
    return bool(_core_re().search(text)) or len(set(_keyword_re().findall(text.lower()))) >= 3


def find(text: str) -> list[str]:
    """The spam runs in text ("" if none); stuffed header lines are not included (see stuffed)."""
    return [text[s:e] for s, e in spans(text)]


def replace(text: str, mark: str) -> tuple[str, list[str]]:
    """text with each spam run replaced by mark; and the runs removed."""
    pieces, runs, at = [], [], 0
    for start, end in spans(text):
        pieces += [text[at:start], mark]
        runs.append(text[start:end])
        at = end
    pieces.append(text[at:])
    return "".join(pieces), runs


def remove(text: str) -> str:
    """text without spam runs (for metadata values, where no gap mark is kept)."""
    return replace(text, "")[0]


@functools.cache
def _keyword_re() -> re.Pattern[str]:
    return re.compile("|".join(re.escape(k) for k in sorted(KEYWORDS, key=len, reverse=True)))


def stuffed(line: str) -> list[str]:
    """The keywords of a line stuffed with porn or gambling keywords, else []: at most 120
    characters, three or more distinct keywords, and the keywords (with separators) making up
    at least 60% of it. Real text that names one of these words in a sentence is not stuffed."""
    text = line.strip()
    if not text or len(text) > 120:
        return []
    lowered = text.lower()
    if len(set(_keyword_re().findall(lowered))) < 3:  # one scan settles nearly every line
        return []
    hits: list[str] = []
    covered = 0
    flat = _STUFFED_SPLIT.sub("", lowered)
    rest = flat
    for word in sorted(KEYWORDS, key=len, reverse=True):
        count = rest.count(word)
        if count:
            hits.append(word)
            covered += count * len(word)
            rest = rest.replace(word, " ")
    brand_chars = sum(len(run) for run in find(flat))
    if len(set(hits)) < 3 or not flat:
        return []
    if (covered + brand_chars) / len(flat) < 0.6:
        return []
    return hits


def why(run: str) -> str:
    """Why a run counts as spam, for a contributor (Chinese)."""
    for word in _words():
        if word.lower() in run.lower():
            return f"“{word}”是赌博或色情网站的名称"
    if re.search(r"[0-9]vip|vip[0-9]", run, re.I):
        return "“数字+vip”是赌博网站名称的写法"
    if re.search(r"官网[0-9]|[0-9]{3}(?:官网|娱乐|棋牌|彩票)", run):
        return "“官网+数字”“数字+娱乐”是赌博网站名称的写法"
    return "“品牌名+官网/集团/娱乐/体育/彩票”是赌博网站名称的写法"

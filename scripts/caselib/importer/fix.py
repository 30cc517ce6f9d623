"""Character-level repairs inside a line: each returns the new text and what it changed.

Nothing here guesses a lost word: spam brands and mojibake become the gap mark 〔原文缺失〕,
stray HTML and pinyin glosses are removed, and every change is reported.
"""

from __future__ import annotations

import functools
import html
import re
from array import array
from collections.abc import Sequence

import yaml

from ..model import spam
from ..model.schema import DATA_DIR
from ..model.text import GAP_MARK


@functools.cache
def rules() -> dict:
    with open(DATA_DIR / "importer.yml", encoding="utf-8") as fh:
        return yaml.safe_load(fh)


def replace_spam(text: str) -> tuple[str, list[str]]:
    """Replace each run of injected spam words by one gap mark; return the removed runs."""
    return spam.replace(text, GAP_MARK)


def strip_spam(text: str) -> tuple[str, list[str]]:
    """Remove spam from a metadata value (titles, bylines), where no gap mark is kept."""
    cleaned, runs = spam.replace(text, "")
    return cleaned.strip(), runs


_TAG_ONLY = re.compile(r"</?[A-Za-z][A-Za-z0-9]*(?:\s[^<>]*)?/?>")
_TAG = re.compile(_TAG_ONLY.pattern + r"|<!--.*?-->")
_ENTITY = re.compile(r"&(?:[A-Za-z]{2,8}|#\d{2,6}|#x[0-9A-Fa-f]{2,5});")


def strip_html(text: str) -> tuple[str, list[str]]:
    """Remove stray HTML tags and decode entities (&nbsp; becomes a space)."""
    # After the last "-->" no comment can close: there, tags alone are looked for, so that each
    # "<!--" does not search to the end of the line (quadratic in a line of many of them).
    cut = text.rfind("-->") + 3 if "-->" in text else 0
    head, tail = text[:cut], text[cut:]
    found = _TAG.findall(head) + _TAG_ONLY.findall(tail) + _ENTITY.findall(text)
    if not found:
        return text, []
    text = _TAG.sub("", head) + _TAG_ONLY.sub("", tail)
    text = html.unescape(text).replace("\xa0", " ")
    return text, found


_TONE = "āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜü"
# Letters with a tone mark among them; the lookahead (the first letter that is not a-z has a
# tone) keeps the time linear where [a-z…]*[…][a-z…]* backtracks quadratically.
_PINYIN_GLOSS = re.compile(rf"(?<=[\u4e00-\u9fff])[(（]((?=[a-z]*[{_TONE}])[a-z{_TONE}]++)[)）]")


def strip_pinyin(text: str) -> tuple[str, list[str]]:
    """Remove pinyin glosses written after a character: 質(zhì) becomes 質."""
    found = [m.group(0) for m in _PINYIN_GLOSS.finditer(text)]
    return _PINYIN_GLOSS.sub("", text), found


# Mojibake: UTF-8 read as Latin-1/CP1252 (Ã¥Â…) or as GBK (鍏氬缓), and U+FFFD.
_LATIN_RUN = re.compile(
    r"[\u00c0-\u00ff][\u0080-\u00ff\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192"
    r"\u02c6\u02dc\u2013-\u2026\u2030\u2039\u203a\u20ac\u2122]{1,}(?:[\u00c0-\u00ff]"
    r"[\u0080-\u00ff\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192\u02c6\u02dc"
    r"\u2013-\u2026\u2030\u2039\u203a\u20ac\u2122]{1,})*"
)
_REPLACEMENT_RUN = re.compile(r"[\ufffd]+(?:[?？]*[\ufffd]+)*[?？]?")
_HAN_RUN = re.compile(r"[\u0391-\u03c9\u0401-\u0451\u3040-\u30ff\u3400-\u9fff\ue000-\uf8ff\uff01-\uffef]{3,}")


def _utf8_reading(run: str, encoding: str) -> str | None:
    try:
        return run.encode(encoding).decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return None


def _decodes_as_utf8(run: str, encoding: str) -> bool:
    fixed = _utf8_reading(run, encoding)
    return fixed is not None and any("\u4e00" <= ch <= "\u9fff" for ch in fixed)


_GBK_READ_OK = "\ufffd，。、；：？！“”"  # besides U+3400-U+9FFF, what a re-read may give
# Where one of those characters may start in UTF-8 (a superset; overlapping matches).
_UTF8_CANDIDATE = re.compile(rb"(?=[\xe3-\xe9][\x80-\xbf]{2}|\xef[\xbc\xbf][\x80-\xbf]|\xe2\x80[\x9c\x9d])")


def _gbk_mojibake_spans(text: str) -> list[tuple[int, int]]:
    """UTF-8 text read as GBK: a run of 3+ characters whose GBK bytes are valid UTF-8 Chinese.

    Normal Chinese text practically never re-reads as UTF-8 Chinese over 3 characters.
    """
    spans = []
    for match in _HAN_RUN.finditer(text):
        spans += _gbk_spans_in_run(match.group(0), match.start())
    return spans


def _gbk_spans_in_run(run: str, offset: int) -> list[tuple[int, int]]:
    """From the left, the longest piece run[s:e] (e - s >= 3) whose GBK bytes decode as UTF-8
    into two or more characters, all Chinese (U+3400-U+9FFF) or _GBK_READ_OK and one of them
    U+4E00-U+9FFF or U+FFFD; after a piece the search goes on at its end, else at s + 1.

    Linear in the run: each character such a reading may give takes three UTF-8 bytes, so from
    byte p the only reading is the chain p, p+3, p+6, ... up to where it breaks, and a piece
    from character s ends at the last character boundary on the chain from its first byte.
    One backward pass over the bytes gives, for every byte, that last boundary (`last`) and how
    many characters (`count`) and U+4E00-U+9FFF/U+FFFD characters (`han`) the chain decodes to
    before it breaks; between two bytes of one chain the counts are differences.
    """
    starts: Sequence[int]
    try:
        data = run.encode("gbk")
        all_two_bytes = len(data) == 2 * len(run)
    except UnicodeEncodeError:
        all_two_bytes = False
    if all_two_bytes:
        starts = range(0, len(data), 2)
    else:
        chunks: list[bytes] = []
        offsets: list[int] = []
        at = 0
        for ch in run:
            offsets.append(at)
            try:
                chunk = ch.encode("gbk")
            except UnicodeEncodeError:  # not in GBK: b"\xff" never occurs in UTF-8
                chunk = b"\xff"
            chunks.append(chunk)
            at += len(chunk)
        data = b"".join(chunks)
        starts = offsets
    candidates = [m.start() for m in _UTF8_CANDIDATE.finditer(data)]
    if len(candidates) < 2:  # a piece decodes to two characters or more
        return []
    size = len(data)
    char_at = array("l", [-1]) * (size + 3)  # byte -> the character starting there, or -1
    last = array("l", [-1]) * (size + 3)
    for index, at in enumerate(starts):
        char_at[at] = index
        last[at] = at  # where no reading starts: the byte itself
    char_at[size], last[size] = len(run), size
    count = array("l", [0]) * (size + 3)
    han = array("l", [0]) * (size + 3)
    for p in reversed(candidates):  # backwards: p + 3 is done before p
        try:
            read = data[p : p + 3].decode("utf-8")
        except UnicodeDecodeError:
            continue
        if len(read) == 1 and ("\u3400" <= read <= "\u9fff" or read in _GBK_READ_OK):
            if last[p + 3] != -1:
                last[p] = last[p + 3]
            count[p] = 1 + count[p + 3]
            han[p] = ("\u4e00" <= read <= "\u9fff" or read == "\ufffd") + han[p + 3]
    spans, start = [], 0
    while start <= len(run) - 3:
        p = starts[start]
        q = last[p]
        end = char_at[q] if q != -1 else -1
        if end >= start + 3 and count[p] - count[q] >= 2 and han[p] - han[q] >= 1:
            spans.append((offset + start, offset + end))
            start = end
        else:
            start += 1
    return spans


def replace_mojibake(text: str) -> tuple[str, list[str]]:
    """Replace runs of garbled characters by one gap mark each; return the garbled runs."""
    spans = [(m.start(), m.end()) for m in _REPLACEMENT_RUN.finditer(text)]
    spans += [
        (m.start(), m.end())
        for m in _LATIN_RUN.finditer(text)
        if _decodes_as_utf8(m.group(0), "cp1252") or _decodes_as_utf8(m.group(0), "latin-1")
    ]
    spans += _gbk_mojibake_spans(text)
    if not spans:
        return text, []
    spans.sort()
    merged: list[list[int]] = []
    for start, end in spans:
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    found = [text[s:e] for s, e in merged]
    pieces, at = [], 0
    for start, end in merged:
        pieces += [text[at:start], GAP_MARK]
        at = end
    return "".join(pieces) + text[at:], found

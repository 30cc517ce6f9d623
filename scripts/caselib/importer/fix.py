"""Character-level repairs inside a line: each returns the new text and what it changed.

Nothing here guesses a lost word: spam brands and mojibake become the gap mark 〔原文缺失〕,
stray HTML and pinyin glosses are removed, and every change is reported.
"""

from __future__ import annotations

import functools
import html
import re

import yaml

from ..schema import DATA_DIR, vocab
from ..text import GAP_MARK


@functools.cache
def rules() -> dict:
    with open(DATA_DIR / "importer.yml", encoding="utf-8") as fh:
        return yaml.safe_load(fh)


@functools.cache
def _spam_re() -> re.Pattern:
    words = sorted(vocab("spam"), key=len, reverse=True)
    brand = "|".join([re.escape(w) for w in words] + rules()["spam_patterns"])
    suffix = "|".join(re.escape(s) for s in sorted(rules()["spam_suffixes"], key=len, reverse=True))
    return re.compile(f"(?:{brand})+(?:{suffix})*", re.I)


def replace_spam(text: str) -> tuple[str, list[str]]:
    """Replace each run of injected spam words by one gap mark; return the removed runs."""
    found = []

    def sub(match):
        found.append(match.group(0))
        return GAP_MARK
    return _spam_re().sub(sub, text), found


def strip_spam(text: str) -> tuple[str, list[str]]:
    """Remove spam from a metadata value (titles, bylines), where no gap mark is kept."""
    found = _spam_re().findall(text)
    return _spam_re().sub("", text).strip(), found


_TAG = re.compile(r"</?[A-Za-z][A-Za-z0-9]*(?:\s[^<>]*)?/?>|<!--.*?-->")
_ENTITY = re.compile(r"&(?:[A-Za-z]{2,8}|#\d{2,6}|#x[0-9A-Fa-f]{2,5});")


def strip_html(text: str) -> tuple[str, list[str]]:
    """Remove stray HTML tags and decode entities (&nbsp; becomes a space)."""
    found = _TAG.findall(text) + _ENTITY.findall(text)
    if not found:
        return text, []
    text = _TAG.sub("", text)
    text = html.unescape(text).replace("\xa0", " ")
    return text, found


_TONE = "āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜü"
_PINYIN_GLOSS = re.compile(rf"(?<=[\u4e00-\u9fff])[(（]([a-z{_TONE}]*[{_TONE}][a-z{_TONE}]*)[)）]")


def strip_pinyin(text: str) -> tuple[str, list[str]]:
    """Remove pinyin glosses written after a character: 質(zhì) becomes 質."""
    found = [m.group(0) for m in _PINYIN_GLOSS.finditer(text)]
    return _PINYIN_GLOSS.sub("", text), found


# Mojibake: UTF-8 read as Latin-1/CP1252 (Ã¥Â…) or as GBK (鍏氬缓), and U+FFFD.
_LATIN_RUN = re.compile(r"[\u00c0-\u00ff][\u0080-\u00ff\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192"
                        r"\u02c6\u02dc\u2013-\u2026\u2030\u2039\u203a\u20ac\u2122]{1,}(?:[\u00c0-\u00ff]"
                        r"[\u0080-\u00ff\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192\u02c6\u02dc"
                        r"\u2013-\u2026\u2030\u2039\u203a\u20ac\u2122]{1,})*")
_REPLACEMENT_RUN = re.compile(r"[\ufffd]+(?:[?？]*[\ufffd]+)*[?？]?")
_HAN_RUN = re.compile(r"[\u0391-\u03c9\u0401-\u0451\u3040-\u30ff\u3400-\u9fff\ue000-\uf8ff\uff01-\uffef]{3,}")


def _utf8_reading(run: str, encoding: str) -> str | None:
    try:
        return run.encode(encoding).decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return None


def _decodes_as_utf8(run: str, encoding: str) -> bool:
    fixed = _utf8_reading(run, encoding)
    return bool(fixed) and any("\u4e00" <= ch <= "\u9fff" for ch in fixed)


def _gbk_mojibake_spans(text: str) -> list[tuple[int, int]]:
    """UTF-8 text read as GBK: a run of 3+ characters whose GBK bytes are valid UTF-8 Chinese.

    Normal Chinese text practically never re-reads as UTF-8 Chinese over 3 characters.
    """
    spans = []
    for match in _HAN_RUN.finditer(text):
        run, start = match.group(0), 0
        while start <= len(run) - 3:
            for end in range(len(run), start + 2, -1):
                fixed = _utf8_reading(run[start:end], "gbk")
                if (fixed and len(fixed) >= 2
                        and all("\u3400" <= c <= "\u9fff" or c in "\ufffd，。、；：？！“”" for c in fixed)
                        and any("\u4e00" <= c <= "\u9fff" or c == "\ufffd" for c in fixed)):
                    spans.append((match.start() + start, match.start() + end))
                    start = end
                    break
            else:
                start += 1
    return spans


def replace_mojibake(text: str) -> tuple[str, list[str]]:
    """Replace runs of garbled characters by one gap mark each; return the garbled runs."""
    spans = [(m.start(), m.end()) for m in _REPLACEMENT_RUN.finditer(text)]
    spans += [(m.start(), m.end()) for m in _LATIN_RUN.finditer(text)
              if _decodes_as_utf8(m.group(0), "cp1252") or _decodes_as_utf8(m.group(0), "latin-1")]
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
    for start, end in reversed(merged):
        text = text[:start] + GAP_MARK + text[end:]
    return text, found

"""Headings: 一、 → ##, （一）/(一) → ###, short "1.…" lines → ####, 【背景】 → ##, unnumbered
subheads → ## (two in a row are joined), lone image captions dropped."""

from __future__ import annotations

import re

from .clean import is_paragraph, is_sentence

CN_NUM = "一二三四五六七八九十"
H2_NUMBERED = re.compile(rf"^[{CN_NUM}]{{1,3}}[、.．]")
H3_NUMBERED = re.compile(rf"^[(（][{CN_NUM}]{{1,3}}[)）]")
H4_NUMBERED = re.compile(r"^\d{1,2}[.．、](?!\d)")
LABEL = re.compile(r"^【([^】]{1,12})】$")
APPENDIX = re.compile(r"^附\s*[:：]")
SHORT = 40


def numbered_level(line: str) -> int | None:
    """Heading level of a numbered or labelled line, or None for running text."""
    text = line.strip()
    if len(text) > SHORT + 20 or is_sentence(text):
        return None
    if LABEL.match(text) or APPENDIX.match(text) or H2_NUMBERED.match(text):
        return 2
    if H3_NUMBERED.match(text):
        return 3
    if H4_NUMBERED.match(text) and len(text) <= SHORT:
        return 4
    return None


def heading_text(line: str) -> str:
    text = line.strip()
    label = LABEL.match(text)
    return label.group(1).strip() if label else text


def is_subhead_shape(line: str) -> bool:
    text = line.strip()
    return bool(text) and len(text) <= SHORT and not is_sentence(text) and numbered_level(text) is None


def build_body(lines: list[str]) -> tuple[list[str], list[tuple[str, str]]]:
    """Markdown body from cleaned body lines; returns (body lines, dropped (line, reason))."""
    numbered = any(numbered_level(line) for line in lines)
    out: list[str] = []
    dropped: list[tuple[str, str]] = []
    previous = ""  # the previous non-empty source line
    pending_subhead = False
    for raw in lines:
        text = raw.strip()
        if not text:
            continue
        level = numbered_level(text)
        if level:
            out.append(f"{'#' * level} {heading_text(text)}")
            pending_subhead = False
        elif is_subhead_shape(text) and is_paragraph(previous) and numbered:
            dropped.append((text, "图片说明（与编号标题并存的孤立短行）"))
            continue
        elif (
            is_subhead_shape(text)
            and not numbered
            and (not previous or not is_subhead_shape(previous) or pending_subhead)
        ):
            if pending_subhead and out and out[-1].startswith("## "):
                out[-1] = f"{out[-1]} {text}"
                pending_subhead = False
            else:
                out.append(f"## {text}")
                pending_subhead = True
        else:
            out.append(text)
            pending_subhead = False
        previous = text
    return out, dropped

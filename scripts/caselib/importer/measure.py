"""Measure the importer on a folder of real pages kept outside the repository.

    python -m caselib.importer.measure FOLDER [--show]

FOLDER holds the saved pages (.txt, .html, .docx; a .txt may start with a line "URL: …") and
`truth.tsv`, tab-separated with a header line: file, institution, title, date, spam. A value may
list several acceptable answers separated by "|"; an empty title means the page shows none (the
importer must leave the title to a person); 未知 means the page does not say. `spam` lists, comma
separated, the injected words that must not be left anywhere in the case file.

For each page it prints the URL host, whether institution, title and date are right, how many
spam words are left and how many body sentences of the source are missing from the case body
(a sentence is compared without punctuation and spaces, traditional characters converted, spam
words and gap marks removed), then the totals. Real pages are never committed: the tests build
their own folder from invented fixtures.
"""

from __future__ import annotations

import argparse
import csv
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from ..model import spam
from ..model.schema import UNKNOWN
from ..model.text import GAP_MARK
from . import fix
from .core import case_text, import_lines, t2s
from .extract import squash
from .read import ImportError_, read_source

_SENTENCE_END = re.compile(r"(?<=[。！？!?；])")
_LEADING_CREDIT = re.compile(r"^[(（][^()（）]{1,24}[)）]")


@dataclass
class Row:
    file: str
    host: str
    institution: bool
    title: bool
    date: bool
    spam_left: int
    lost: int
    got: dict
    lost_sentences: list[str]


def source_sentences(lines: list[str]) -> list[str]:
    """The sentences of the source's running text: lines of 15 characters or more that contain a
    sentence end, split after each end."""
    found = []
    for line in lines:
        text = line.strip()
        if len(text) < 15 or not re.search(r"[。！？!?；]", text) or spam.stuffed(text):
            continue  # not running text, or a line of injected keywords (spam, not the article)
        # The importer's character repairs are not losses: pinyin glosses (網(wǎng)) and mojibake
        # runs are compared without them.
        text, _ = fix.strip_pinyin(text)
        text, _ = fix.replace_mojibake(text)
        text = text.replace(GAP_MARK, " ")
        for part in _SENTENCE_END.split(text):
            part = _LEADING_CREDIT.sub("", part.strip())
            if len(squash(part)) >= 6:
                found.append(part)
    return found


def _flat(text: str) -> str:
    text = t2s().convert(text).replace(GAP_MARK, "")
    text = spam.remove(text)
    return squash(text)


def _accepts(expected: str, got: str) -> bool:
    options = expected.split("|")
    return any(
        squash(t2s().convert(o or "")) == squash(got or "") or (o == UNKNOWN and got in ("", UNKNOWN)) for o in options
    )


def measure_one(path: Path, truth: dict[str, str]) -> Row:
    source = read_source(path)
    result = import_lines(source.lines, source.url, [], title_hint=source.title_hint, source_meta=source.meta)
    meta = result.meta
    text = case_text(result)
    url = meta.get("source_url", "") or source.url
    try:
        host = urlsplit(url).hostname or ""
    except ValueError:
        host = ""
    body = _flat(result.body)
    # A line that became the title (a headline ending in "！", "原标题：…") is not lost.
    to_title = [text for _, reason, text in result.dropped if "title" in reason]
    lost = [s for s in source_sentences(source.lines) if _flat(s) and _flat(s) not in body]
    lost = [s for s in lost if not any(_flat(s) in _flat(t) for t in to_title)]
    words = [w for w in truth.get("spam", "").split(",") if w]
    spam_left = sum(1 for w in words if w in text) + len(spam.find(text))
    return Row(
        file=path.name,
        host=host,
        institution=_accepts(truth["institution"], meta.get("institution", "")),
        title=_accepts(truth["title"], meta.get("title", "")),
        date=_accepts(truth["date"], str(meta.get("published", ""))),
        spam_left=spam_left,
        lost=len(lost),
        got={k: meta.get(k, "") for k in ("institution", "title", "published", "province", "unit")},
        lost_sentences=lost,
    )


def measure(folder: Path) -> list[Row]:
    with open(folder / "truth.tsv", encoding="utf-8") as fh:
        truths = list(csv.DictReader(fh, delimiter="\t"))
    rows = []
    for truth in truths:
        try:
            rows.append(measure_one(folder / truth["file"], truth))
        except ImportError_ as exc:
            print(f"{truth['file']}: {exc}", file=sys.stderr)
    return rows


def table(rows: list[Row], show: bool = False) -> str:
    def mark(ok: bool) -> str:
        return "✓" if ok else "✗"

    out = ["| 文件 | 网址主机 | 院校 | 标题 | 日期 | 残留广告词 | 丢失句子 |", "|---|---|---|---|---|---|---|"]
    for r in rows:
        out.append(
            f"| {r.file} | {r.host} | {mark(r.institution)} | {mark(r.title)} | {mark(r.date)} | {r.spam_left} | {r.lost} |"
        )
        if show:
            out.append(f"|  | {r.got} |  |  |  |  | {'；'.join(s[:30] for s in r.lost_sentences)} |")
    n = len(rows) or 1
    out.append(
        f"| 合计 {len(rows)} 页 |  | {sum(r.institution for r in rows)}/{len(rows)} ({sum(r.institution for r in rows) / n:.0%})"
        f" | {sum(r.title for r in rows)}/{len(rows)} ({sum(r.title for r in rows) / n:.0%})"
        f" | {sum(r.date for r in rows)}/{len(rows)} ({sum(r.date for r in rows) / n:.0%})"
        f" | {sum(r.spam_left for r in rows)} | {sum(r.lost for r in rows)} |"
    )
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="在一个文件夹里的真实网页上衡量导入工具（文件夹里要有 truth.tsv）")
    parser.add_argument("folder", type=Path)
    parser.add_argument("--show", action="store_true", help="同时列出识别结果和丢失的句子")
    args = parser.parse_args(argv)
    print(table(measure(args.folder), args.show))
    return 0


if __name__ == "__main__":
    sys.exit(main())

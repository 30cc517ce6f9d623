"""A GB/T 7714-2015 reference to a case's source, and the "cite this case" section of its page.

The source of a case is a web page, an electronic resource on the network: [EB/OL]. The
standard's order for it (GB/T 7714-2015 4.8.1, 8.8.2) is

    主要责任者. 题名[EB/OL]. 出版者, 出版日期[引用日期]. 获取和访问路径.

- 主要责任者: the authors the source names (more than three: the first three, then "等");
  without authors, the party organisation that reports the case (院校 + 党组织); omitted when
  neither is known.
- 出版者: the medium that published the source (`source`); omitted when unknown.
- 出版日期: the publication date as YYYY-MM-DD (8.8.2 allows the full date for online resources).
- 引用日期: the date the reader accessed the source. A static page cannot know it, so the page is
  built with the build date (deterministic) marked as `cite-accessed`; the page's script replaces
  it with the reader's own date, and the note under the reference says so.
- 获取和访问路径: `source_url`. When the library does not know the source's URL there is no access
  path and no access date; the reference ends after the date and the note asks the reader to add
  them when citing the original online.
"""

from __future__ import annotations

import html

from ..model.cases import Case
from ..model.schema import UNKNOWN

ACCESSED_CLASS = "cite-accessed"


def responsible(case: Case) -> str:
    authors = case.values("authors")
    if authors:
        shown = authors[:3]
        return ", ".join(shown) + (", 等" if len(authors) > 3 else "")
    institution = str(case.meta.get("institution") or "")
    unit = str(case.meta.get("unit") or "")
    institution = "" if institution == UNKNOWN else institution
    unit = "" if unit == UNKNOWN else unit
    if unit and institution and unit.startswith(institution):
        return unit
    return institution + unit


def parts(case: Case) -> tuple[str, str, str]:
    """The reference as (text before the access date, access date slot or "", text after)."""
    head = []
    who = responsible(case)
    if who:
        head.append(f"{who}. ")
    head.append(f"{case.title}[EB/OL]. ")
    source = str(case.meta.get("source") or "")
    if source and source != UNKNOWN:
        head.append(f"{source}, ")
    head.append(case.published)
    url = str(case.meta.get("source_url") or "")
    if not url:
        return "".join(head) + ".", "", ""
    return "".join(head), "slot", f". {url}."


def reference(case: Case, accessed: str) -> str:
    """The reference as plain text; `accessed` is the access date, YYYY-MM-DD."""
    before, slot, after = parts(case)
    return before + (f"[{accessed}]" if slot else "") + after


STYLE_NOTE = "按 GB/T 7714-2015 著录原文（电子资源 [EB/OL]）。"
NO_URL_NOTE = "本库未收录原文网址：在线引用原文时，请在末尾补充引用日期和原文网址。"


def section(case: Case, accessed: str) -> str:
    """The "引用本案例" section of a case page (Markdown with inline HTML, text escaped)."""
    before, slot, after = parts(case)
    text = html.escape(before, quote=False)
    if slot:
        text += f'[<span class="{ACCESSED_CLASS}">{html.escape(accessed)}</span>]'
        note = (
            STYLE_NOTE + "方括号内为引用日期："
            "页面显示今天的日期，未启用脚本时显示本页的生成日期，请改为您访问原文的日期。"
        )
    else:
        note = STYLE_NOTE + NO_URL_NOTE
    text += html.escape(after, quote=False)
    return f'\n## 引用本案例\n\n<p class="case-cite">{text}</p>\n\n<p class="case-cite-note">{note}</p>\n'

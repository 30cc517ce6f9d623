"""What a reader needs to reuse a case, at the end of its page: how to cite it, related cases."""

from __future__ import annotations

import datetime
import os

from ..model.cases import Case
from ..model.schema import UNKNOWN
from . import cite
from .mdtext import html_text
from .urls import case_path, html_link

CHINA = datetime.timezone(datetime.timedelta(hours=8))


def build_date() -> str:
    """The build date (China time) from SOURCE_DATE_EPOCH, so one commit builds identical pages."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    moment = (
        datetime.datetime.fromtimestamp(int(epoch), CHINA)
        if epoch and epoch.isdigit()
        else datetime.datetime.now(CHINA)
    )
    return moment.date().isoformat()


def related_section(related: list[Case], from_path: str) -> str:
    if not related:
        return ""
    items = []
    for other in related:  # HTML as the site's Markdown made it from a Markdown list
        institution = other.meta.get("institution") or UNKNOWN
        items.append(
            f"<li>{html_link(other.title, from_path, case_path(other))} "
            f'<span class="case-meta">{html_text(institution)} · {html_text(other.published)}</span></li>\n'
        )
    return '\n## 相关案例\n\n<div class="case-related">\n<ul>\n' + "".join(items) + "</ul>\n</div>\n"


def case_footer(case: Case, related: list[Case], from_path: str) -> str:
    return cite.section(case, build_date()) + related_section(related, from_path)

"""Open data: every case's metadata as /cases.json and /cases.csv, the newest cases as /feed.xml.

- Fields: every schema field except internal ones (type `todo`), in schema order, then `url`,
  the address of the case's page (absolute when the site's `site_url` is set, otherwise
  relative to the site root, e.g. "cases/2019-swpu-sili/").
- cases.json: {"count": n, "fields": [{"key", "label"}], "cases": [{key: value}]}; list fields
  are JSON arrays, missing fields are null; cases newest first.
- cases.csv: UTF-8 with a BOM (Excel then reads Chinese correctly); the header row holds the
  field keys (the same as in JSON; docs/about.md gives their Chinese names). List values are
  joined with "；".
  A cell starting with = + - @ (a spreadsheet formula) is prefixed with ' so Excel shows it
  as text.
- feed.xml: Atom 1.0 of the FEED_SIZE newest cases. Entry ids are urn:uuid names derived from
  the case id (stable if the site moves). Links are absolute when site_url is set; without
  it they are relative, which Atom resolves against the feed's own address (/feed.xml at the
  site root). Timestamps are the publication dates (00:00 China time), so the feed is the same
  for every build of the same cases.
"""

from __future__ import annotations

import csv
import io
import json
import re
import uuid
import xml.etree.ElementTree as ET

from ..model.cases import Case, newest_first
from ..model.schema import fields
from . import urls

JSON_PATH = "cases.json"
CSV_PATH = "cases.csv"
FEED_PATH = "feed.xml"
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")  # no XML 1.0 document may hold them
FEED_SIZE = 20
LIST_SEPARATOR = "；"
ATOM = "http://www.w3.org/2005/Atom"
ID_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "urn:caselib:cases")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def exported_fields() -> list:
    return [f for f in fields() if f.type != "todo"]


def site_root(site_url: str | None) -> str:
    """The site's address ending in "/", or "" (relative addresses) when it is not set."""
    url = (site_url or "").strip()
    return url if not url or url.endswith("/") else url + "/"


def page_url(case: Case, site_url: str | None) -> str:
    return site_root(site_url) + urls.page_url(urls.case_path(case))


def record(case: Case, site_url: str | None = "") -> dict:
    """One case as a dict of exported fields (lists as lists, missing as None) plus its page url."""
    out: dict = {}
    for spec in exported_fields():
        if spec.is_list:
            out[spec.key] = case.values(spec.key)
        else:
            value = case.meta.get(spec.key)
            out[spec.key] = None if value is None or value == "" else str(value).strip()
    out["url"] = page_url(case, site_url)
    return out


def cases_json(cases: list[Case], site_url: str | None = "") -> str:
    data = {
        "count": len(cases),
        "fields": [{"key": f.key, "label": f.label} for f in exported_fields()] + [{"key": "url", "label": "网址"}],
        "cases": [record(c, site_url) for c in newest_first(cases)],
    }
    return json.dumps(data, ensure_ascii=False, indent=1) + "\n"


def _cell(value) -> str:
    if value is None:
        text = ""
    elif isinstance(value, list):
        text = LIST_SEPARATOR.join(value)
    else:
        text = str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def cases_csv(cases: list[Case], site_url: str | None = "") -> str:
    keys = [f.key for f in exported_fields()] + ["url"]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(keys)
    for case in newest_first(cases):
        row = record(case, site_url)
        writer.writerow([_cell(row[k]) for k in keys])
    return "\ufeff" + buffer.getvalue()


def entry_id(case: Case) -> str:
    return uuid.uuid5(ID_NAMESPACE, case.id).urn


def timestamp(date: str) -> str:
    return f"{date}T00:00:00+08:00"


def atom_feed(cases: list[Case], site_url: str | None, site_name: str, limit: int = FEED_SIZE) -> str:
    root_url = site_root(site_url)
    newest = newest_first(cases)[:limit]

    def sub(parent, tag, text=None, **attrs):
        el = ET.SubElement(parent, tag, attrs)
        if text is not None:
            el.text = _NOT_XML.sub("", text)  # the checker refuses these; the feed stays well-formed regardless
        return el

    # the namespace as a plain attribute: no global ET.register_namespace (other modules use ET too)
    feed = ET.Element("feed", {"xmlns": ATOM, "xml:lang": "zh-CN"})
    sub(feed, "id", uuid.uuid5(ID_NAMESPACE, "feed").urn)
    sub(feed, "title", f"{site_name}：最新案例")
    sub(feed, "updated", timestamp(newest[0].published) if newest else "1970-01-01T00:00:00Z")
    author = sub(feed, "author")
    sub(author, "name", site_name)
    sub(feed, "link", rel="alternate", type="text/html", href=root_url + "cases/" if root_url else "cases/")
    if root_url:
        sub(feed, "link", rel="self", type="application/atom+xml", href=root_url + FEED_PATH)
    for case in newest:
        entry = sub(feed, "entry")
        sub(entry, "id", entry_id(case))
        sub(entry, "title", case.title)
        sub(entry, "link", rel="alternate", type="text/html", href=page_url(case, site_url))
        sub(entry, "published", timestamp(case.published))
        sub(entry, "updated", timestamp(case.published))
        for name in case.values("authors"):
            sub(sub(entry, "author"), "name", name)
        for value in case.values("themes") + case.values("models"):
            sub(entry, "category", term=value)
        summary = str(case.meta.get("summary") or "").strip()
        if summary:
            sub(entry, "summary", summary, type="text")
    ET.indent(feed)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(feed, encoding="unicode") + "\n"


def files(cases: list[Case], site_url: str | None, site_name: str) -> dict[str, str]:
    """The open-data files: path relative to the site root → content."""
    return {
        JSON_PATH: cases_json(cases, site_url),
        CSV_PATH: cases_csv(cases, site_url),
        FEED_PATH: atom_feed(cases, site_url, site_name),
    }

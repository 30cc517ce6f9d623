"""Open data files: JSON and CSV list every case with its metadata; the Atom feed is valid XML."""

from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ET
from pathlib import Path

from caselib.model.cases import Case, load_cases
from caselib.model.schema import fields
from caselib.site import opendata

ROOT = Path(__file__).resolve().parent.parent
ATOM = "{http://www.w3.org/2005/Atom}"


def real_cases():
    cases, problems = load_cases(ROOT / "cases")
    assert problems == []
    return cases


def exported_keys():
    return [f.key for f in fields() if f.type != "todo"] + ["url"]


def test_json_lists_every_case_with_every_field():
    cases = real_cases()
    data = json.loads(opendata.cases_json(cases, ""))
    assert data["count"] == len(cases)
    assert [f["key"] for f in data["fields"]] == exported_keys()
    assert {c["id"] for c in data["cases"]} == {c.id for c in cases}
    by_id = {c["id"]: c for c in data["cases"]}
    sili = by_id["2019-swpu-sili"]
    assert list(sili) == exported_keys()
    assert sili["models"] == ["四力", "百校百企"]
    assert sili["summary"].startswith("西南石油大学创新创业中心党支部")
    assert sili["source_url"] is None
    assert sili["url"] == "cases/2019-swpu-sili/"
    assert "todo" not in sili


def test_csv_has_bom_and_parses_with_utf8_sig():
    cases = real_cases()
    raw = opendata.cases_csv(cases, "https://example.org/lib").encode("utf-8")
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    assert len(rows) == len(cases)
    assert list(rows[0]) == exported_keys()
    by_id = {r["id"]: r for r in rows}
    assert set(by_id) == {c.id for c in cases}
    assert by_id["2019-swpu-sili"]["models"] == "四力；百校百企"
    assert by_id["2019-swpu-sili"]["institution"] == "西南石油大学"
    assert by_id["2019-swpu-sili"]["url"] == "https://example.org/lib/cases/2019-swpu-sili/"


def test_csv_cells_never_start_a_formula():
    c = Case(
        path="x",
        meta={"id": "x", "title": '=HYPERLINK("http://evil")', "published": "2020-01-01", "summary": 'a,b\n"c"'},
        body="",
    )
    rows = list(csv.DictReader(io.StringIO(opendata.cases_csv([c]).removeprefix("\ufeff"))))
    assert rows[0]["title"] == '\'=HYPERLINK("http://evil")'
    assert rows[0]["summary"] == 'a,b\n"c"'


def parse_feed(text):
    return ET.fromstring(text.encode("utf-8"))


def test_feed_is_atom_with_relative_links_without_site_url():
    cases = real_cases()
    feed = parse_feed(opendata.atom_feed(cases, "", "党建创新案例库"))
    assert feed.tag == ATOM + "feed"
    entries = feed.findall(ATOM + "entry")
    assert len(entries) == len(cases)
    assert feed.findtext(ATOM + "updated") == "2023-10-20T00:00:00+08:00"
    assert feed.find(f"{ATOM}link[@rel='self']") is None
    first = entries[0]
    assert first.findtext(ATOM + "title") == "对标“七个有力”，赋能党建与事业高水平发展"
    assert first.find(ATOM + "link").get("href") == "cases/2023-hnde-qigeyouli/"
    assert first.findtext(ATOM + "id").startswith("urn:uuid:")
    for entry in entries:  # required elements of an Atom entry
        for tag in ("id", "title", "updated", "summary"):
            assert entry.findtext(ATOM + tag)
    assert len({e.findtext(ATOM + "id") for e in entries}) == len(entries)


def test_feed_links_are_absolute_with_site_url_and_ids_do_not_change():
    cases = real_cases()
    relative = parse_feed(opendata.atom_feed(cases, "", "库"))
    feed = parse_feed(opendata.atom_feed(cases, "https://example.org/lib/", "库"))
    assert feed.find(f"{ATOM}link[@rel='self']").get("href") == "https://example.org/lib/feed.xml"
    hrefs = [e.find(ATOM + "link").get("href") for e in feed.findall(ATOM + "entry")]
    assert all(h.startswith("https://example.org/lib/cases/") for h in hrefs)
    assert [e.findtext(ATOM + "id") for e in feed.findall(ATOM + "entry")] == [
        e.findtext(ATOM + "id") for e in relative.findall(ATOM + "entry")
    ]


def test_feed_is_newest_first_limited_and_deterministic():
    cases = [
        Case(path="x", meta={"id": f"c{i}", "title": f"<t{i}>&", "published": f"20{10 + i}-01-02"}, body="")
        for i in range(30)
    ]
    text = opendata.atom_feed(cases, None, "库", limit=3)
    assert text == opendata.atom_feed(list(reversed(cases)), None, "库", limit=3)
    entries = parse_feed(text).findall(ATOM + "entry")
    assert [e.findtext(ATOM + "title") for e in entries] == ["<t29>&", "<t28>&", "<t27>&"]
    assert parse_feed(opendata.atom_feed([], "", "库")).findall(ATOM + "entry") == []


def test_files_are_the_three_paths():
    assert set(opendata.files(real_cases(), "", "库")) == {"cases.json", "cases.csv", "feed.xml"}


def test_feed_stays_well_formed_with_control_characters():
    """The checker refuses them; should one reach the feed anyway, it is dropped, not written."""
    c = Case(
        path="x",
        meta={
            "id": "x",
            "title": "示例\x00案例\x1b[31m",
            "published": "2020-01-01",
            "summary": "摘要\x0b\x0c\x1f",
            "authors": ["作者\x08"],
        },
        body="",
    )
    entry = parse_feed(opendata.atom_feed([c], "", "站"))
    assert "示例案例[31m" in ET.tostring(entry, encoding="unicode")

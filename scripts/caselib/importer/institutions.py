"""China's higher-education institutions, from facts: the Ministry of Education's list
(data/institutions.csv: name, province, level) and what it does not say
(data/institution_aliases.yml: web hosts, former names, id codes).

`find_names` scans a text once for every known name (about 3,000 names and former names,
looked up by their first two characters, longest first), so a long body costs a few
milliseconds, not a regular expression of 3,000 alternatives.
"""

from __future__ import annotations

import csv
import functools
import re
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from ..model.schema import DATA_DIR
from ..model.yamlsafe import SafeLoader

HAN = r"\u4e00-\u9fff"


@dataclass(frozen=True)
class Institution:
    name: str
    province: str
    level: str  # 本科 | 专科
    abbr: str = ""
    hosts: tuple[str, ...] = field(default=())
    former: tuple[str, ...] = field(default=())
    short: tuple[str, ...] = field(default=())


@functools.cache
def all_institutions() -> dict[str, Institution]:
    """Every institution by its current name."""
    import yaml

    with open(DATA_DIR / "institutions.csv", encoding="utf-8", newline="") as fh:
        rows = csv.DictReader(line for line in fh if not line.startswith("#"))
        found = {row["name"]: Institution(row["name"], row["province"], row["level"]) for row in rows}
    with open(DATA_DIR / "institution_aliases.yml", encoding="utf-8") as fh:
        extra = yaml.load(fh, Loader=SafeLoader) or []
    # Colleges that became universities of vocational technology keep their codes; cases name
    # them by the old name (深圳职业技术学院 → 深圳职业技术大学). Where the old name is not itself
    # listed, it is taken as a former name (the report asks to check).
    for name, inst in list(found.items()):
        if name.endswith("职业技术大学"):
            old_name = name.removesuffix("职业技术大学") + "职业技术学院"
            if old_name not in found:
                found[name] = Institution(inst.name, inst.province, inst.level, former=(old_name,))
    for entry in extra:
        base = found[entry["name"]]  # a name not in the list is a data error (tests check)
        found[base.name] = Institution(
            base.name,
            base.province,
            base.level,
            entry.get("abbr", ""),
            tuple(entry.get("hosts") or ()),
            tuple(entry.get("former") or ()) + base.former,
            tuple(entry.get("short") or ()),
        )
    return found


@functools.cache
def _by_prefix() -> dict[str, list[tuple[str, Institution]]]:
    """First two characters → (name as written, institution), longest name first."""
    index: dict[str, list[tuple[str, Institution]]] = {}
    for inst in all_institutions().values():
        for written in (inst.name, *inst.former):
            index.setdefault(written[:2], []).append((written, inst))
    for entries in index.values():
        entries.sort(key=lambda e: -len(e[0]))
    return index


# What follows a short name used as a name ("湖大党委", "地大新闻网讯"), not as part of a word.
_AFTER_SHORT = r"(?=党委|党总支|新闻网|新闻中心|师生|学子|校友|校园|附属|官方|[（(]|人[，,、\s])"


@functools.cache
def _short_re() -> re.Pattern[str] | None:
    shorts = sorted({s for inst in all_institutions().values() for s in inst.short}, key=len, reverse=True)
    return re.compile(rf"(?<![{HAN}])(?:{'|'.join(map(re.escape, shorts))}){_AFTER_SHORT}") if shorts else None


def by_short_name(text: str) -> tuple[str, Institution] | None:
    """(the short name as written, the institution) for the first short name used as a name
    whose institution is certain: the only one with that short name, or the only one of them
    whose province the text names."""
    pattern = _short_re()
    if pattern is None:
        return None
    for match in pattern.finditer(text):
        short = match.group(0)
        owners = [inst for inst in all_institutions().values() if short in inst.short]
        if len(owners) > 1:
            owners = [inst for inst in owners if inst.province in text]
        if len(owners) == 1:
            return short, owners[0]
    return None


def by_name(name: str) -> Institution | None:
    return all_institutions().get(name)


@functools.cache
def _by_host() -> dict[str, Institution]:
    return {h: inst for inst in all_institutions().values() for h in inst.hosts}


def by_host(url: str) -> Institution | None:
    """The institution whose web host the address is on (www.hubu.edu.cn, wxy.hubu.edu.cn); of hosts
    under one another (a college with its own subdomain of its university's), the longest."""
    try:
        host = (urlsplit(url).hostname or "").lower()
    except ValueError:  # "http://[x": not an address
        return None
    hosts = _by_host()
    labels = host.split(".")
    for i in range(len(labels)):
        if inst := hosts.get(".".join(labels[i:])):
            return inst
    return None


@dataclass(frozen=True)
class Mention:
    at: int
    written: str  # as the text writes it (a former name, or a longer name that starts with it)
    institution: Institution | None  # None: a college named after a listed one, not listed itself


# After a listed name, a college of it that the list does not name (新乡医学院三全学院,
# 某某大学科技学院): the whole name is what the text means.
_COLLEGE_OF = re.compile(rf"[{HAN}]{{2,6}}?学院(?!党委|党总支|党支部|教工|学生|团委|[0-9])")


def find_names(text: str) -> list[Mention]:
    """Every mention of a listed institution (or a former name of one) in text, in order."""
    index = _by_prefix()
    found: list[Mention] = []
    i, n = 0, len(text)
    while i < n - 1:
        entries = index.get(text[i : i + 2])
        match = next((e for e in entries if text.startswith(e[0], i)), None) if entries else None
        if not match:
            i += 1
            continue
        written, inst = match
        end = i + len(written)
        college = _COLLEGE_OF.match(text, end)
        if college and college.group(0) not in ("学院",) and not by_name(written + college.group(0)):
            tail = college.group(0)
            # "大学马克思主义学院" is a school of the university, "医学院三全学院" a college of its own:
            # only a listed name that itself ends in 学院 gets a college named after it.
            if written.endswith("学院") and "的" not in tail:
                found.append(Mention(i, written + tail, None))
                i = college.end()
                continue
        found.append(Mention(i, written, inst))
        i = end
    return found

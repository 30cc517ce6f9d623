"""Front-matter facts from the text: title, institution, unit, org type, province, standards,
and proposals (models, themes, honours) that a person confirms."""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from urllib.parse import urlsplit

from ..model.schema import UNKNOWN, institutions, vocab
from ..model.text import GAP_MARK
from .fix import rules

HAN = r"\u4e00-\u9fff"
ORG_SUFFIX = r"(?:党委|党总支|党支部)"
HALF_TO_FULL = str.maketrans({",": "，", ":": "：", ";": "；", "?": "？", "!": "！", "(": "（", ")": "）"})


def squash(text: str) -> str:
    """Text without punctuation, spaces and quotes (to compare phrases across styles)."""
    text = unicodedata.normalize("NFKC", text)
    return "".join(ch for ch in text if unicodedata.category(ch)[0] in "LN")


def known_institution(*texts: str, url: str = "") -> dict | None:
    try:
        host = urlsplit(url).hostname or ""
    except ValueError:  # "http://[x": not an address
        host = ""
    for entry in institutions():
        if any(host == h or host.endswith("." + h) for h in entry.get("hosts") or []):
            return entry
    for text in texts:
        for entry in institutions():
            if entry["name"] in text:
                return entry
    return None


_FULL_NAME = re.compile(rf"^([{HAN}]{{2,14}}?(?:职业技术学院|职业学院|大学|学院))")


_BODY_ORG = re.compile(
    rf"(?:^|[，。；：、\s“])([{HAN}]{{2,14}}?(?:职业技术学院|职业学院|大学))[{HAN}]{{0,12}}?{ORG_SUFFIX}", re.M
)


def institution_from(title: str, bylines: list[str], source: str, url: str, body: str) -> tuple[str, str]:
    """(institution, how it was found): a known name or host, else a full name in the title,
    byline or source, else the full name in front of a party organisation in the text."""
    entry = known_institution(title, *bylines, source, body, url=url)
    if entry:
        return entry["name"], "已知院校"
    for text in [title, *bylines, source]:
        for segment in re.split(r"[——:：\s“”《》,，]+", text):
            match = _FULL_NAME.match(segment)
            if match and GAP_MARK not in segment:
                return match.group(1), "从标题或署名推断，请核对"
    match = _BODY_ORG.search(body)
    if match:
        return match.group(1), "从正文里的党组织名称推断，请核对"
    if any(GAP_MARK in line for line in bylines):
        return UNKNOWN, "署名里的校名被植入的广告词替换，无法确定，不要猜测"
    return UNKNOWN, "原文没有写明校名"


_GENERIC_ORG = re.compile(r"^(各|每个|每一个|全体|所有|一批|[一二三四五六七八九十两\d]+个|推动|培育|全校)")
_TOO_GENERIC = {"学院党委", "学校党委", "党委", "党总支", "党支部", "学院党总支", "学校党总支"}
_PREFIX = re.compile(rf"^(?:我校|我院|本校|学校|[{HAN}]{{2,12}}?(?:职业技术学院|职业学院|大学))(?=[{HAN}]{{2,}})")


def unit_from(institution: str, body: str, bylines: list[str]) -> str:
    chain = rf"((?:[{HAN}]{{0,12}}?{ORG_SUFFIX})+)"
    if institution != UNKNOWN:
        match = re.search(re.escape(institution) + chain, body)
        if match:
            unit = match.group(1)
            return institution + unit if unit in ("党委", "党总支") else unit
    for line in bylines:
        match = re.search(rf"([{HAN}]{{2,12}}{ORG_SUFFIX})$", line.replace(GAP_MARK, " "))
        if match:
            return match.group(1)
    if institution != UNKNOWN and re.search(r"(学校|我校|全校)党委", body):
        return institution + "党委"
    counts: Counter = Counter()
    for match in re.finditer(rf"(?:^|[，。；：、\s“])([{HAN}]{{2,20}}?{ORG_SUFFIX})", body, re.M):
        name = _PREFIX.sub("", match.group(1))
        if _GENERIC_ORG.match(name) or name in _TOO_GENERIC or re.search("[了的和与在]", name):
            continue
        counts[name] += 1
    return counts.most_common(1)[0][0] if counts else UNKNOWN


def org_type_from(unit: str) -> str:
    if unit == UNKNOWN:
        return UNKNOWN
    for rule in rules()["org_types"]:
        if any(word in unit for word in rule.get("contains", [])) or any(
            unit.endswith(end) for end in rule.get("ends", [])
        ):
            return rule["type"]
    return UNKNOWN


def province_from(entry_province: str | None, body: str) -> tuple[str, str]:
    if entry_province:
        return entry_province, "已知院校"
    names = sorted(vocab("provinces"), key=len, reverse=True)
    match = re.search("(" + "|".join(names) + r")(?:省|市|自治区|壮族|回族|维吾尔)", body)
    if match:
        return match.group(1), "从正文推断，请核对"
    return UNKNOWN, "原文没有写明"


def _soft(text: str) -> str:
    """Without quotes and spaces, list commas unified: 党建“双创” → 党建双创, 不忘初心,牢记使命 → 不忘初心、牢记使命."""
    text = unicodedata.normalize("NFKC", text)
    text = re.sub(r"[“”‘’\"'\s]", "", text)
    return re.sub(r"[,，、]", "、", text)


def standards_in(text: str) -> list[str]:
    flat = _soft(text)
    return [s for s in vocab("standards") if _soft(s) in flat]


# "1+3+N党建工作法". It starts where the digits start and has at most eight "+" parts: each
# start then reads a bounded stretch (\d+(?:\+[\dN]+)* took quadratic time in a run of digits).
_CODED = re.compile(rf"(?<!\d)\d+(?:\+[\dN]+){{0,8}}[{HAN}]{{0,2}}党建工作法")
_NUMBERISH = re.compile(r"[一二三四五六七八九十百千万两双多N\d+]")
_METHOD_END = re.compile(r"(工作法|模式|机制|工程|体系|品牌|合作社|对子)$")


def model_proposals(title: str, body: str, limit: int = 8) -> list[str]:
    """Named models: quoted, number-coded or ending like a method; national standards excluded."""
    standards = {squash(s) for s in vocab("standards")}
    skip = {squash(s) for s in rules()["not_models"]}
    counts: Counter = Counter()
    first: dict[str, int] = {}
    text = title + "\n" + body
    quoted = [(m.group(1), m.start()) for m in re.finditer(r"[“\"]([^“”\"]{2,12})[”\"]", text)]
    coded = [(m.group(0), m.start()) for m in _CODED.finditer(text)]
    for phrase, pos in quoted + coded:
        phrase = phrase.strip()
        key = squash(phrase)
        if not key or key in standards or key in skip or GAP_MARK in phrase:
            continue
        if not (_NUMBERISH.match(phrase) or "+" in phrase or _METHOD_END.search(phrase)):
            continue
        counts[phrase] += 3 if pos < len(title) else 1
        first.setdefault(phrase, pos)
    ranked = sorted(counts, key=lambda p: (-counts[p], first[p]))
    return ranked[:limit]


def theme_proposals(text: str, limit: int = 4) -> list[str]:
    hints = rules()["theme_hints"]
    scores = {theme: sum(text.count(w) for w in words) for theme, words in hints.items()}
    ranked = sorted((t for t in scores if scores[t] > 0 and t in vocab("themes")), key=lambda t: -scores[t])
    return ranked[:limit]


def honour_candidates(breadcrumbs: list[str], body: str) -> list[str]:
    found = []
    for crumb in breadcrumbs:
        for part in re.split(r"\s*(?:>>|»|＞＞|>|＞)\s*", crumb):
            if re.search(r"(案例|征集|评选|典型)", part) and part not in found:
                found.append(part.strip())
    for match in re.finditer(r"(?:入选|被评为|获评|荣获|评为)[“\"]([^”\"]{4,40})[”\"]", body):
        if match.group(1) not in found:
            found.append(match.group(1))
    return found[:6]


def clean_title(title: str, institution: str, bylines: list[str]) -> str:
    text = re.sub(r"^[(（【\[][^)）】\]]{1,20}[)）】\]]\s*", "", title.strip())  # (简报第154期)
    text = re.sub(
        r"\s*(?:——|--)\s*[^—]{2,40}$",
        lambda m: "" if re.search(rf"(大学|学院|{ORG_SUFFIX}|中心)$", m.group(0)) else m.group(0),
        text,
    )
    prefix = re.match(r"^([^:：“”]{2,30})[:：]\s*(.+)$", text)
    if prefix and institution != UNKNOWN and prefix.group(1).startswith(institution):
        text = prefix.group(2)
    return text.translate(HALF_TO_FULL).strip()

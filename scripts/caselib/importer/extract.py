"""Front-matter facts from the text: title, institution, unit, org type, province, standards,
and proposals (models, themes, honours) that a person confirms."""

from __future__ import annotations

import re
import unicodedata
from collections import Counter

from ..model.schema import UNKNOWN, vocab
from ..model.text import GAP_MARK
from . import institutions
from .fix import rules
from .institutions import Institution

HAN = r"\u4e00-\u9fff"
ORG_SUFFIX = r"(?:党委|党总支|党支部)"
HALF_TO_FULL = str.maketrans({",": "，", ":": "：", ";": "；", "?": "？", "!": "！", "(": "（", ")": "）"})


def squash(text: str) -> str:
    """Text without punctuation, spaces and quotes (to compare phrases across styles)."""
    text = unicodedata.normalize("NFKC", text)
    return "".join(ch for ch in text if unicodedata.category(ch)[0] in "LN")


MAX_SCAN = 200_000  # characters of the body searched for institution names


def institution_from(
    title: str, bylines: list[str], source: str, url: str, body: str
) -> tuple[str, str, Institution | None]:
    """(institution, how it was found, the listed institution or None).

    In order: the web host of the address; a listed name (or former name) in the title, then in
    the bylines and source, then the name the body mentions most (first on a tie); else a full
    name ending in 大学 or 职业(技术)学院 at the start of the title or a byline that the list does
    not have (the report asks to check it); else 未知, saying why (the name may have been
    replaced by spam)."""
    inst = institutions.by_host(url)
    if inst:
        return inst.name, "网址的域名属于该校", inst
    for where, texts in (("标题", [title]), ("署名或来源", [*bylines, source])):
        for text in texts:
            mentions = institutions.find_names(text)
            if mentions:
                return _named(mentions[0], where)
    mentions = institutions.find_names(body[:MAX_SCAN])
    if mentions:
        counts = Counter(m.written for m in mentions)
        best = max(mentions, key=lambda m: (counts[m.written], -m.at))
        return _named(best, "正文")
    short = institutions.by_short_name("\n".join([title, *bylines, source, body[:MAX_SCAN]]))
    if short:
        written, inst = short
        return inst.name, f"原文用简称“{written}”（按原文写明的省份确定），请核对", inst
    for text in [title, *bylines, source]:
        for segment in re.split(r"[——:：\s“”《》,，]+", text):
            match = _FULL_NAME.match(re.sub(r"^[以在对从据由为与和及]", "", segment))
            if match and GAP_MARK not in segment:
                return match.group(1), "从标题或署名推断（不在教育部高校名单中），请核对", None
    match = _BODY_ORG.search(body[:MAX_SCAN])
    if match:
        return match.group(1), "从正文里的党组织名称推断（不在教育部高校名单中），请核对", None
    if any(GAP_MARK in line for line in [*bylines, source]):
        return UNKNOWN, "署名或来源里的校名被植入的广告词替换，无法确定，不要猜测", None
    return UNKNOWN, "原文没有写明校名", None


def _named(mention: institutions.Mention, where: str) -> tuple[str, str, Institution | None]:
    inst = mention.institution
    if inst is None:
        return mention.written, f"{where}写明（教育部名单中没有这个名称，请核对）", None
    if mention.written != inst.name:
        return inst.name, f"{where}写作“{mention.written}”，教育部名单中现名“{inst.name}”，请核对", inst
    return inst.name, f"{where}写明，见教育部高校名单", inst


_FULL_NAME = re.compile(rf"^([{HAN}]{{2,14}}?(?:职业技术学院|职业学院|大学))")
_BODY_ORG = re.compile(
    rf"(?:^|[，。；：、\s“])([{HAN}]{{2,14}}?(?:职业技术学院|职业学院|大学))[{HAN}]{{0,12}}?{ORG_SUFFIX}", re.M
)


_GENERIC_ORG = re.compile(r"^(各|每个|每一个|全体|所有|一批|[一二三四五六七八九十两\d]+个|推动|培育|全校)")
# Words that do not occur inside the name of a party organisation: what a match that contains
# one caught is the end of a sentence ("会议由党支部", "为充分发挥学生党支部").
_NOT_A_NAME = re.compile(
    r"[了的和与在由从为等对把将向及她他其该]|第[一二三四五六七八九十\d]+个|根据|按照|充分|发挥|建立|召开|开展|"
    r"推进|推动|会议|活动|三级|样板|先进|优秀|以|各级|基层|全体|下设|成立|命名|邀请|提升|优化|配强|不断|还|经|请|于|是|被|带领|"
    r"参加|出席|指导|召集|组织|支持|加强|建设|打造"
)


def _org_name(text: str) -> str:
    """The organisation's name at the end of a match: what follows the last word that cannot be
    part of a name ("此次大会还邀请基础医学院党总支" → "基础医学院党总支"); "" if only a bare
    党委/党总支/党支部 or a too generic name is left."""
    name = _NOT_A_NAME.split(text)[-1]
    name = _PREFIX.sub("", name) if _PREFIX.match(name) and len(name) > 6 else name
    if len(re.sub(ORG_SUFFIX + "$", "", name)) < 2 or name in _TOO_GENERIC or _GENERIC_ORG.match(name):
        return ""
    return name


_TOO_GENERIC = {"学院党委", "学校党委", "党委", "党总支", "党支部", "学院党总支", "学校党总支"}
_PREFIX = re.compile(rf"^(?:我校|我院|本校|学校|[{HAN}]{{2,12}}?(?:职业技术学院|职业学院|大学))(?=[{HAN}]{{2,}})")


def unit_from(institution: str, body: str, bylines: list[str]) -> str:
    chain = rf"((?:[{HAN}]{{0,12}}?{ORG_SUFFIX})+)"
    if institution != UNKNOWN:
        match = re.search(re.escape(institution) + chain, body)
        if match:
            unit = match.group(1)
            if unit in ("党委", "党总支"):
                return institution + unit
            if _org_name(unit) == unit:
                return unit
    for line in bylines:
        match = re.search(rf"([{HAN}]{{2,12}}{ORG_SUFFIX})$", line.replace(GAP_MARK, " "))
        if match and _org_name(match.group(1)) == match.group(1):
            return match.group(1)
    if institution != UNKNOWN and re.search(r"(学校|我校|全校)党委", body):
        return institution + "党委"
    counts: Counter = Counter()
    for match in re.finditer(rf"(?:^|[，。；：、\s“])([{HAN}]{{2,20}}?{ORG_SUFFIX})", body, re.M):
        name = _org_name(_PREFIX.sub("", match.group(1)))
        if name:
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


def _honour_re() -> re.Pattern[str]:
    provinces = "|".join(sorted(vocab("provinces"), key=len, reverse=True))
    level = rf"(?:全国|全省|(?:{provinces})(?:省|市|自治区|壮族自治区|回族自治区|维吾尔自治区)?)"
    q = r"[“”\"']?"
    kinds = (
        rf"{q}(?:高校)?{q}(?:党建工作|党建)?{q}(?:样板党支部|样板支部|标杆院系|示范高校){q}",
        rf"(?:高校)?{q}双带头人{q}教师党支部书记工作室",
        r"(?:高校)?先进基层党组织",
    )
    return re.compile(
        rf"(?:第[一二三四五六七八九十]+批)?{q}{level}{q}(?:{'|'.join(kinds)})(?:培育创建单位|培育建设单位|创建单位|建设单位)?"
    )


_HONOUR = _honour_re()


def honour_candidates(breadcrumbs: list[str], body: str) -> list[str]:
    """Titles the text says the unit holds, to propose (a person confirms): the national and
    provincial titles of the MoE's party-building programmes (全国党建工作样板支部, 全国党建工作
    标杆院系, 全国高校“双带头人”教师党支部书记工作室, 全省…), quoted titles after 入选/获评/荣获,
    and list names in the breadcrumb."""
    found: list[str] = []
    for crumb in breadcrumbs:
        for part in re.split(r"\s*(?:>>|»|＞＞|>|＞)\s*", crumb):
            if re.search(r"(案例|征集|评选|典型)", part) and part not in found:
                found.append(part.strip())
    for match in _HONOUR.finditer(body):
        title = re.sub(r"[“”\"']", "", match.group(0))
        if len(title) >= 6 and title not in found and not any(title in f for f in found):
            found = [f for f in found if f not in title] + [title]
    for match in re.finditer(r"(?:入选|被评为|获评|荣获|评为)[“\"]([^”\"]{4,40})[”\"]", body):
        if match.group(1) not in found and not any(match.group(1) in f for f in found):
            found.append(match.group(1))
    return [f[:60] for f in found[:6]]


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

"""The importer: raw lines → front matter + Markdown body + a review report."""

from __future__ import annotations

import functools
import json
import re
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import yaml

from ..model import spam
from ..model.cases import Case, Loader
from ..model.problems import invisible
from ..model.schema import UNKNOWN, fields
from ..model.text import GAP_MARK, t2s_map
from . import clean, extract, fix, institutions
from .dedupe import find_duplicates
from .read import ImportError_
from .structure import APPENDIX, build_body, is_subhead_shape, numbered_level

# Fields a person decides; the importer proposes them and lists them under `todo`.
HUMAN_FIELDS = ("id", "summary", "themes", "models", "honours")
MAX_GAPS = 500  # gap marks in one case; a source with more is too damaged to import
MAX_TITLE = 200  # characters; the title's continuation lines stop joining it there
SPAM_GAP = "原文此处被植入的广告词替换，原词无法确定。"
MOJIBAKE_GAP = "原文此处是乱码，无法确定原文。"


@dataclass
class Result:
    meta: dict
    body: str
    dropped: list[tuple[int, str, str]] = field(default_factory=list)  # (line no, reason, text)
    changes: list[str] = field(default_factory=list)
    found: list[str] = field(default_factory=list)  # how facts were found
    todo: list[str] = field(default_factory=list)
    duplicates: list[tuple[str, float]] = field(default_factory=list)


@functools.cache
def t2s():
    """OpenCC's phrase-aware converter: a traditional page becomes the case's simplified text
    (the char-level `text.t2s_map` folds text for comparison only)."""
    import opencc

    return opencc.OpenCC("t2s")


def _traditional(lines: list[str]) -> bool:
    text = "".join(lines)
    han = sum(1 for ch in text if "\u4e00" <= ch <= "\u9fff")
    mapping = t2s_map()
    changed = sum(1 for ch in text if mapping.get(ch, ch) != ch)
    return changed >= 3 and changed * 100 >= han


# Terminal escape sequences (colours, cursor moves, window titles): removed whole, so that
# neither they nor their visible remainder ("[31m") reach the case or the report.
_ESCAPE = re.compile(
    r"(?:\x1b\[|\x9b)[0-?]*[ -/]*[@-~]|(?:\x1b\]|\x9d)[^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)"
    r"|\x1b[@-Z\\-_]"
)


def _fix_line(no: int, text: str, result: Result) -> tuple[str, list[str]]:
    """Character repairs; returns the text and the gap reasons of its marks, in order."""
    if not text:
        return text, []
    text, escapes = _ESCAPE.subn("", text)
    if escapes:
        result.changes.append(f"第 {no} 行：删去 {escapes} 个终端控制序列")
    # what the checker refuses (control, format, private-use characters), and a newline inside a line
    hidden = set(invisible(text)) | ({"\n"} & set(text))
    if hidden:
        visible = "".join(ch for ch in text if ch not in hidden)
        result.changes.append(f"第 {no} 行：删去 {len(text) - len(visible)} 个不可见的控制字符")
        text = visible.replace("\t", " ")
    text, tags = fix.strip_html(text)
    if tags:
        result.changes.append(f"第 {no} 行：删去 HTML 残留 {'、'.join(tags[:5])}")
    text, glosses = fix.strip_pinyin(text)
    if glosses:
        result.changes.append(f"第 {no} 行：删去拼音注音 {'、'.join(glosses)}")
    text = text.replace(GAP_MARK, "\x03")
    text, garbled = fix.replace_mojibake(text)
    text = text.replace(GAP_MARK, "\x01")
    text, spam = fix.replace_spam(text)
    text = text.replace(GAP_MARK, "\x02")
    for run in garbled:
        result.changes.append(f"第 {no} 行：乱码“{run[:20]}”改为 {GAP_MARK}（不猜测原文）")
    for run in spam:
        result.changes.append(f"第 {no} 行：删去植入的垃圾广告词“{run}”，原位置标记 {GAP_MARK}")
    reasons = [
        {"\x01": MOJIBAKE_GAP, "\x02": SPAM_GAP, "\x03": "原文已标记缺失。"}[ch] for ch in text if ch in "\x01\x02\x03"
    ]
    return re.sub("[\x01\x02\x03]", GAP_MARK, text), reasons


_TITLE_WORDS = re.compile(r"[以在为与和的“:：—]|入选|获|召开|开展|举办|推动|推进|助力|实施|探索|打造|通过")


def _is_byline(text: str) -> bool:
    """An organisation's name on a line of its own (署名), not a headline about it."""
    if _TITLE_WORDS.search(text):
        return False
    return (
        bool(re.search(r"(大学|学院|中心|党委|党总支|党支部|办公室|部|处)$", text))
        and len(text) <= 30
        or institutions.by_name(text) is not None
    )


def _is_affiliation(text: str) -> bool:
    """An author's affiliation line: a listed institution and a place or postcode
    ("新乡医学院三全学院   河南新乡  453003")."""
    return len(text) <= 40 and bool(institutions.find_names(text)) and bool(re.search(r"\d{6}|\s{2,}", text))


_NAME_LIST = re.compile(r"^[\u4e00-\u9fff]{2,4}(?:\s*[,，、;；]\s*[\u4e00-\u9fff]{2,4}|\s+[\u4e00-\u9fff]{2,4}){1,9}$")


def _is_name_list(text: str) -> bool:
    """A line of two to ten personal names and nothing else ("杨卫红 ,成敬斋 ,陈子龙")."""
    return bool(_NAME_LIST.match(text)) and not any(w in text for w in ("学院", "党委", "支部", "大学"))


_COLUMN = re.compile(
    r"^[\u4e00-\u9fff]{2,6}(?:新闻|动态|要闻|公告|通知|概况|资讯|快讯|专题|聚焦|工作|建设|党建|风采)(?:\s*[A-Za-z ]{0,12})?$"
)


_KICKER = re.compile(r"^[■□●◆◇▲★☆►▶]")  # a series banner between the metadata and the article


def _is_column_name(text: str) -> bool:
    """A site's column name above a headline (党总支动态, 新闻动态 news, 建设动态, 党建工作)."""
    return bool(_COLUMN.match(text))


def _headline_index(lines: list[tuple[int, str]], first_para: int) -> int | None:
    """On a news page, the line index of the headline: above the article, the nearest line
    before the first metadata line (发布时间 / 来源 / 作者 / 点击) that could be a headline, or
    else the first such line after a breadcrumb. None when the page has neither (plain text)."""
    anchor = crumb = None
    for i, (_, text) in enumerate(lines[:first_para]):
        if not text:
            continue
        if clean.noise_reason(text) == "导航路径" and crumb is None and anchor is None:
            crumb = i
        elif anchor is None and clean.parse_meta_line(text) is not None and not clean.noise_reason(text):
            anchor = i
            break
    candidates = [
        i
        for i, (_, text) in enumerate(lines[:first_para])
        if text and _could_be_headline(text) and (crumb is None or i > crumb)
    ]
    if anchor is not None:
        before = [i for i in candidates if i < anchor]
        if before:
            return _wrapped(lines, candidates, before[-1])
    if crumb is not None:
        after = [i for i in candidates if i > crumb and (anchor is None or i < anchor)]
        if after:
            return after[0]
    return None


def _wrapped(lines: list[tuple[int, str]], candidates: list[int], last: int) -> int:
    """The first line of a headline wrapped over two lines: the line right above it (no empty
    line between) when that one is long enough to be a headline's start, else `last`."""
    above = last - 1
    if (
        above in candidates
        and len(lines[above][1]) >= 8
        and not clean.is_sentence(lines[above][1])
        and extract.squash(lines[above][1]) != extract.squash(lines[last][1])
    ):
        return above
    return last


def _could_be_headline(text: str) -> bool:
    return (
        len(extract.squash(text)) >= 6
        and clean.noise_reason(text) is None
        and clean.parse_meta_line(text) is None
        and not _is_column_name(text)
        and not _is_byline(text)
        and numbered_level(text) is None
    )


def import_lines(
    raw_lines: list[str],
    url: str = "",
    cases: list[Case] | None = None,
    case_id: str | None = None,
    title_hint: str = "",
    source_meta: dict[str, str] | None = None,
) -> Result:
    """Import the lines of one source. title_hint (a web page's <h1> or <title>) picks the title
    among the short lines above the article, where a saved page also has its menus."""
    cases = cases or []
    result = Result(meta={}, body="")
    previous = next((c for c in cases if case_id and c.id == case_id), None)
    script = "简体"
    if _traditional(raw_lines):
        raw_lines = [t2s().convert(line) for line in raw_lines]
        script = "繁体"
        result.changes.append("原文是繁体字，已用 OpenCC 转换为简体（original_script: 繁体）")

    reasons_of: dict[str, list[str]] = {}
    lines: list[tuple[int, str]] = []
    stuffed: list[tuple[int, str]] = []
    for no, raw in enumerate(raw_lines, 1):
        if spam.stuffed(raw):  # a header line of porn or gambling keywords: spam as a whole
            stuffed.append((no, raw.strip()))
            lines.append((no, ""))
            continue
        text, reasons = _fix_line(no, raw.replace("\u3000", " ").replace("\xa0", " ").strip(), result)
        text = text.strip()
        if reasons:
            reasons_of[text] = reasons
        lines.append((no, text))

    def drop(no: int, reason: str, text: str) -> None:
        result.dropped.append((no, reason, text))

    for no, text in stuffed:
        drop(no, "植入的色情或赌博关键词行（整行删除）", text)

    # Short lines repeated on the page are site or column furniture.
    # A repeated title stays a title: furniture also shows below the article, or is a short name.
    first_para = next((i for i, (_, t) in enumerate(lines) if clean.is_paragraph(t)), len(lines))
    seen: dict[str, list[int]] = {}
    for i, (_, t) in enumerate(lines):
        if t and len(t) <= 30 and not clean.is_sentence(t) and numbered_level(t) is None:
            seen.setdefault(extract.squash(t), []).append(i)
    # Repeated headings inside the article stay; furniture shows above it (and maybe below).
    repeated = {
        s
        for s, at in seen.items()
        if s
        and len(at) > 1
        and min(at) < first_para
        and (max(at) > first_para or not ("“" in lines[at[0]][1] or len(s) >= 10))
    }

    meta: dict[str, str] = {}
    title, bylines, crumbs, editor_note = "", [], [], ""
    page_title = ""
    original_title = ""
    header = True
    title_no = 0
    body: list[tuple[int, str]] = []
    in_related = False
    expect_case_title = False
    headline = _headline_index(lines, first_para) if not title_hint else None
    below_meta = False
    for i, (no, text) in enumerate(lines):
        if not text:
            continue
        reason = clean.noise_reason(text)
        if in_related and not clean.is_paragraph(text):
            drop(no, "相关阅读列表", text)
            continue
        in_related = False
        if reason == "相关阅读":
            in_related = True
            drop(no, reason, text)
            continue
        if reason:
            if reason == "导航路径":
                crumbs.append(text)
            drop(no, reason, text)
            continue
        if clean.EDITOR_NOTE.match(text) and not numbered_level(text):
            editor_note = editor_note or clean.EDITOR_NOTE.sub("", text).strip()
            drop(no, "编者按（不属于案例正文，已作为摘要提议）", text)
            continue
        original = clean.ORIGINAL_TITLE.match(text)
        if original:
            original_title = original_title or original.group(1).strip()
            drop(no, "原标题（没有其他标题时写入 title）", text)
            continue
        parsed = clean.parse_meta_line(text)
        if parsed is not None and (header or len(text) <= 80):
            for key, value in parsed.items():
                if value and not meta.get(key):
                    meta[key] = value
                meta.setdefault(key, value)
            drop(no, "发布信息（已读取日期、来源、作者）", text)
            if headline is not None and i > headline and title:
                below_meta = True  # below a news page's headline and its metadata line: the article
            continue
        if header and headline is not None and i < headline and not clean.is_paragraph(text):
            drop(no, "页面栏目或菜单（新闻页的标题在发布信息上方）", text)
            continue
        if header and headline is not None and i == headline:
            title, title_no = text, no
            drop(no, "标题（新闻页发布信息上方的一行，写入 title）", text)
            continue
        if header and headline is not None and title_no == no - 1 and _could_be_headline(text) and i < first_para:
            if clean.parse_meta_line(lines[i + 1][1] if i + 1 < len(lines) else "") is not None:
                title += text
                title_no = no
                drop(no, "标题折行（已接到 title 后）", text)
                continue
        if title and extract.squash(text) == extract.squash(title):
            drop(no, "标题重复", text)
            continue
        if extract.squash(text) in repeated and not clean.is_paragraph(text):
            drop(no, "重复出现的页面栏目", text)
            continue
        if header and below_meta and not (_KICKER.match(text) or _is_name_list(text) or _is_affiliation(text)):
            header = False  # short lines below the headline's metadata are the article's subheads
        if header and not (numbered_level(text) or clean.is_paragraph(text)):
            hint = extract.squash(title_hint)
            if hint and not title and not _matches_hint(text, hint):
                drop(no, "页面栏目或菜单（网页标题另有所在）", text)
                continue
            if _is_byline(text) or _is_affiliation(text):
                bylines.append(text)
                drop(no, "署名（用于判断院校和党组织）", text)
            elif _is_name_list(text):
                meta.setdefault("author", text)
                drop(no, "作者署名（写入 authors）", text)
            elif not title and _is_column_name(text):
                drop(no, "标题区的栏目名", text)
            elif not title:
                title, title_no = text, no
                drop(no, "标题（写入 title）", text)
            elif title_no == no - 1 and len(title) < MAX_TITLE:
                title += text
                title_no = no
                drop(no, "标题折行（已接到 title 后）", text)
            else:
                drop(no, "标题区的栏目名", text)
            continue
        header = False
        if expect_case_title:
            expect_case_title = False
            if is_subhead_shape(text):
                page_title, title = title, text
                drop(no, "附录案例的标题（写入 title；原页面标题不用）", text)
                continue
        if APPENDIX.match(text):
            expect_case_title = True
        body.append((no, text))
    if not title and original_title:
        title = original_title
    if not title and title_hint and not spam.find(title_hint):
        title = title_hint.strip()
        result.found.append("标题：正文上方没有标题行，取自网页的元数据（og:title、<h1> 或 <title>），请核对")

    # Names in parentheses after the last paragraph are the authors: "(谢骏 刘新朝)".
    authors = []
    for name in re.split(r"[,，、;；\s]+", meta.get("author", "")):
        if not name:
            continue
        if GAP_MARK in name or _is_byline(name) or re.search(r"(办|部|处|科|室|中心|委|站)$", name):
            bylines.append(name)  # an organisation, or a name replaced by spam: not an author
            result.found.append(f"作者栏“{name}”是单位或被广告词替换的名称，未写入 authors")
        else:
            authors.append(name)
    signed: list[list[str]] = []  # the last line first
    while body and (signature := clean.AUTHORS_LINE.match(body[-1][1])):
        no, text = body.pop()
        signed.append(re.split(r"[ 　、，,]+", signature.group(1)))
        drop(no, "作者署名（写入 authors）", text)
    authors = [name for names in reversed(signed) for name in names] + authors
    # Bylines inside the article (after an 附 heading) are kept in the body and read as bylines.
    bylines += [t for _, t in body if len(t) <= 30 and _is_byline(t.replace(GAP_MARK, ""))]

    md_lines, captions = build_body([t for _, t in body])
    gap_count = sum(line.count(GAP_MARK) for line in md_lines)
    if gap_count > MAX_GAPS:
        raise ImportError_(
            f"原文损坏太严重：有 {gap_count} 处乱码、广告词或缺字（最多 {MAX_GAPS} 处），"
            "请找一份完好的原文（换一个网站或另存为 UTF-8）后再导入"
        )
    numbers = {t: n for n, t in body}
    for text, reason in captions:
        drop(numbers.get(text, 0), reason, text)
    result.dropped.sort()
    result.body = "\n\n".join(md_lines) + "\n"
    plain = "\n".join(t for _, t in body)

    title_spam = [GAP_MARK] if GAP_MARK in title else []
    title_clean, more_spam = fix.strip_spam(title.replace(GAP_MARK, ""))
    title_clean = title_clean.strip(" -_|｜—")
    title_spam += more_spam
    source_meta = source_meta or {}
    if GAP_MARK in meta.get("source", ""):
        result.found.append(f"来源：“{meta['source']}”被植入的广告词替换，填 {UNKNOWN}")
        bylines.append(meta.pop("source"))
    site = (source_meta.get("sitename") or "").strip()
    if not meta.get("source") and site and not spam.find(site):
        meta["source"] = site[:60]
        result.found.append(f"来源：{meta['source']}（网页的网站名称）")
    institution, how, entry = extract.institution_from(title, bylines, meta.get("source", ""), url, plain)
    result.found.append(f"院校：{institution}（{how}）")
    unit = extract.unit_from(institution, plain, bylines)
    province, how_p = extract.province_from(entry.province if entry else None, plain)
    result.found.append(f"省份：{province}（{how_p}）")
    published = meta.get("date") or ""
    if not published and source_meta.get("date"):
        published = clean.parse_date(source_meta["date"]) or ""
        if published:
            result.found.append(f"发布日期：{published}（网页的元数据）")
    if not published and url:
        published = clean.date_from_url(url) or ""
        if published:
            result.found.append(f"发布日期：{published}（从网址推断）")
    text_date = False
    if not published:
        for _, line in body[:2]:  # "2023年9月28日中午，……": the event, usually days before publication
            published = clean.parse_date(line) or ""
            if published:
                text_date = True
                result.found.append(f"发布日期：{published}（原文没有发布时间，取自正文开头的日期）")
                break

    m: dict = {}
    m["id"] = case_id or _proposed_id(published, entry, {c.id for c in cases})
    m["title"] = extract.clean_title(title_clean, institution, bylines) if title_clean else UNKNOWN
    m["institution"] = institution
    m["unit"] = unit
    m["org_type"] = extract.org_type_from(unit)
    m["province"] = province
    m["models"] = extract.model_proposals(m["title"], plain)
    m["standards"] = extract.standards_in(plain)
    m["themes"] = extract.theme_proposals(plain)
    m["published"] = published or UNKNOWN
    m["source"] = meta.get("source") or UNKNOWN
    if url and _parses(url) and spam.find(url):
        result.found.append(f"网址：“{url[:80]}”含有赌博网站的名称（网站已被篡改），未写入 source_url")
    elif url and _parses(url):
        m["source_url"] = url
    elif url:
        result.found.append(f"网址：“{url[:80]}”不是有效网址，未写入 source_url")
    m["summary"] = (editor_note or _first_sentence(md_lines))[:200]
    if authors:
        m["authors"] = authors
    m["gaps"] = _gaps(md_lines, reasons_of)
    if script == "繁体":
        m["original_script"] = "繁体"

    honours = extract.honour_candidates(crumbs, plain)
    if previous:
        _keep_hand_fixes(m, previous.meta, result)
    else:
        todo = result.todo
        if not case_id:
            todo.append(
                f"id：编号是自动建议的 {m['id']}，可改成“年份-院校缩写-模式拼音”，发布后不能再改；改了要同时改文件名"
            )
        todo.append("summary：摘要是从正文自动截取的，请改写成一两句话的概括（不超过 200 字）")
        todo.append("themes：主题是按关键词提议的，请从允许值中选定一到四个")
        todo.append("models：模式是从引号和数字编码的说法中提议的，请只保留本单位自己提出的模式")
        if honours:
            m["honours"] = honours
            todo.append("honours：荣誉是从原文里的称号提议的，请只保留本案例党组织自己获得的")
        else:
            todo.append("honours：原文写明的荣誉请写入 honours；候选：无")
    for key, why in (
        ("title", "没有找到标题"),
        ("institution", None),
        ("unit", "没有找到党组织名称"),
        ("org_type", "无法从党组织名称判断组织类型"),
        ("province", None),
        ("published", "没有找到发布日期"),
    ):
        if m[key] == UNKNOWN and why and not previous:
            result.todo.append(f"{key}：{why}，请根据原文填写（原文确实没有时，能填 未知 的字段填 未知）")
    edu_host = _edu_host(url)
    if institution == UNKNOWN and edu_host and not previous:
        result.todo.append(
            f"institution：网址的域名 {edu_host} 是高校网站，但不在导入工具已知的域名里，请按网页填写学校全称"
            "（也可以把这个域名补充到 scripts/caselib/data/institution_aliases.yml）"
        )
    if text_date and not previous:
        result.todo.append("published：原文没有发布时间，日期取自正文开头（通常是活动日期），请按原文网页核对发布日期")
    if title_spam:
        result.todo.append("title：标题里有植入的广告词，已删去，请核对标题")
    if m["published"] == UNKNOWN:
        m["published"] = ""
    if m["title"] == UNKNOWN:
        m["title"] = ""
    if result.todo:
        m["todo"] = result.todo
    if page_title:
        result.found.append(f"标题：取自“附”后的案例标题；页面标题“{page_title}”未使用")
    result.meta = {k: v for k, v in m.items() if v not in ([], None)}
    result.duplicates = [d for d in find_duplicates(result.body, cases)]
    return result


# Fields that follow the body and are always taken from this import.
FROM_BODY = ("gaps", "original_script", "todo")


def _keep_hand_fixes(new: dict, old: dict, result: Result) -> None:
    """Re-import over an existing case (`import --id`): a value a person set is never replaced.

    Fields a person decides (HUMAN_FIELDS) are kept as they are, or stay absent. Every other
    field already in the case with a value other than 未知 counts as set by hand and is kept;
    the report lists each one the importer would now write differently. A field that was 未知
    or absent takes what the importer finds, and the report says so. Gaps follow the new body."""
    for key in HUMAN_FIELDS:
        if key in old:
            new[key] = old[key]
        else:
            new.pop(key, None)
    for key, value in old.items():
        if key in HUMAN_FIELDS or key in FROM_BODY:
            continue
        proposed = new.get(key)
        if value in (UNKNOWN, "", None, []):
            if proposed not in (None, "", UNKNOWN, []) and proposed != value:
                result.found.append(
                    f"重新导入：{key} 原来是 {UNKNOWN}，现在填入导入工具找到的“{_shown(proposed)}”，请核对"
                )
            continue
        new[key] = value
        if proposed is not None and _shown(proposed) != _shown(value):
            result.found.append(
                f"重新导入：保留案例里已有的 {key}“{_shown(value)}”（可能是人工修改的；导入工具这次得到“{_shown(proposed)}”）"
            )


def _shown(value) -> str:
    return "、".join(map(str, value)) if isinstance(value, list) else str(value)


def _edu_host(url: str) -> str:
    """The registrable edu.cn domain of an address ("wxy.example.edu.cn" → "example.edu.cn"), or ""."""
    try:
        host = (urlsplit(url).hostname or "").lower()
    except ValueError:
        return ""
    match = re.search(r"([a-z0-9-]+\.edu\.cn)$", host)
    return match.group(1) if match else ""


def _parses(url: str) -> bool:
    try:
        urlsplit(url)
    except ValueError:  # "http://[x": the checker could not read it either
        return False
    return True


def _matches_hint(text: str, hint: str) -> bool:
    flat = extract.squash(text)
    return len(flat) >= 4 and (flat in hint or hint in flat)


def _first_sentence(md_lines: list[str]) -> str:
    for line in md_lines:
        if not line.startswith("#") and len(line) >= 20:
            return re.split(r"(?<=[。！？])", line)[0]
    return ""


def _proposed_id(published: str, entry: institutions.Institution | None, taken: set[str]) -> str:
    """A free id to start from; the todo list asks a person to choose a memorable one."""
    year = published[:4] if published else "0000"
    base = f"{year}-{(entry.abbr if entry else '') or 'case'}-new"
    n, proposed = 1, base
    while proposed in taken:
        n += 1
        proposed = f"{base}-{n}"
    return proposed


class _Snippets:
    """The words around each gap mark of one line (a quoted phrase of up to 40 characters that
    contains it, else the clause between punctuation marks), from positions found once."""

    def __init__(self, line: str) -> None:
        self.line = line
        self.quotes = [(m.start(), m.end()) for m in re.finditer(r"“[^“”]*”", line)]
        self.quote_starts = [start for start, _ in self.quotes]
        self.starts = [m.start() for m in re.finditer(r"[，,。；;：:]", line)]  # a clause starts after
        self.ends = [m.start() for m in re.finditer(r"[，,。；;]", line)]  # and ends before

    def at(self, at: int) -> str:
        line = self.line
        k = bisect_right(self.quote_starts, at) - 1
        if k >= 0:
            start, end = self.quotes[k]
            if at < end and end - start <= 42:
                return line[start + 1 : end - 1]
        k = bisect_right(self.starts, at - 1) - 1  # the last mark before `at`
        start = self.starts[k] + 1 if k >= 0 else 0
        k = bisect_right(self.ends, at + len(GAP_MARK) - 1)  # the first at or after the mark
        end = self.ends[k] if k < len(self.ends) else len(line)
        text = line[start:end]
        return text if len(text) <= 40 else text[:40] + "……"


def _gaps(md_lines: list[str], reasons_of: dict[str, list[str]]) -> list[str]:
    gaps, section, para = [], "", 0
    for line in md_lines:
        if line.startswith("#"):
            section, para = line.lstrip("#").strip(), 0
            where = f"标题“{section}”"
        else:
            para += 1
            where = f"“{section}”一节第 {para} 段" if section else f"正文开头第 {para} 段"
        if GAP_MARK not in line:
            continue
        source_text = line.lstrip("#").strip()
        reasons = iter(reasons_of.get(source_text, []))
        snippets = _Snippets(source_text)
        count = source_text.count(GAP_MARK)
        at, k = source_text.find(GAP_MARK), 0
        while at != -1:
            k += 1
            reason = next(reasons, "原文缺字，无法确定原文。")
            snippet = snippets.at(at).translate(str.maketrans("<>", "＜＞"))
            nth = f"（本段第 {k} 处）" if count > 1 else ""
            gaps.append(f"{where.translate(str.maketrans('<>', '＜＞'))}{nth}：“{snippet}”，{reason}")
            at = source_text.find(GAP_MARK, at + len(GAP_MARK))
    unique: list[str] = []
    taken: set[str] = set()
    next_n: dict[str, int] = {}  # the first occurrence number not yet known to be taken
    for gap in gaps:  # the same words twice in one article: say which occurrence
        n = next_n.get(gap, 1)
        while (gap if n == 1 else f"{gap}（第 {n} 次出现）") in taken:
            n += 1
        name = gap if n == 1 else f"{gap}（第 {n} 次出现）"
        unique.append(name)
        taken.add(name)
        next_n[gap] = n + 1
    return unique


# --- writing the case file -----------------------------------------------------------------


def _scalar(value: str, flow: bool = False) -> str:
    text = str(value)
    bad = re.search(r"^[\s\-?:,\[\]{}#&*!|>'\"%@`]|[:#]\s|\s$|^$", text) or (flow and re.search(r"[,\[\]{}]", text))
    if not bad:
        try:
            loaded = yaml.load(f"k: {text}", Loader=Loader)
            if isinstance(loaded, dict) and loaded.get("k") == text:
                return text
        except yaml.YAMLError:
            pass
    return json.dumps(text, ensure_ascii=False)


def render(meta: dict) -> str:
    order = [f.key for f in fields()]
    keys = sorted(meta, key=lambda k: order.index(k) if k in order else len(order))
    out = ["---"]
    for key in keys:
        value = meta[key]
        if key in ("gaps", "todo") and isinstance(value, list):
            out.append(f"{key}:")
            out += [f"  - {_scalar(item)}" for item in value]
        elif isinstance(value, list):
            out.append(f"{key}: [{', '.join(_scalar(v, flow=True) for v in value)}]")
        elif key == "summary" and value:
            out.append(f"{key}: >-")
            out.append(f"  {value}")
        else:
            out.append(f"{key}: {_scalar(value)}")
    out.append("---")
    return "\n".join(out) + "\n"


def case_text(result: Result) -> str:
    return render(result.meta) + "\n" + result.body


def report(result: Result, source: str, target: str, encoding: str, kind: str, notes: Sequence[str] = ()) -> str:
    lines = [f"导入报告：{source}", f"  文件类型：{kind}；编码：{encoding}", f"  输出：{target}"]
    lines += [f"  注意：{note}" for note in notes]
    if result.duplicates:
        for case_id, share in result.duplicates:
            lines.append(f"  重复：与已有案例 {case_id} 的文字重合 {share:.0%}，可能是同一篇文章")
    lines.append(f"  删除的行（{len(result.dropped)}）：")
    lines += [f"    第 {no} 行［{reason}］{text[:60]}" for no, reason, text in result.dropped]
    if result.changes:
        lines.append(f"  正文里的修改（{len(result.changes)}）：")
        lines += [f"    {c}" for c in result.changes]
    lines.append("  识别结果：")
    lines += [f"    {f}" for f in result.found]
    for key in ("title", "unit", "org_type", "published", "source", "authors", "standards", "models", "themes", "gaps"):
        if key in result.meta:
            value = result.meta[key]
            shown = "；".join(value) if isinstance(value, list) else value
            lines.append(f"    {key}：{shown}")
    if result.todo:
        lines.append("  需要你来决定（已写在文件的 todo 里；处理完删掉 todo，check 才会通过）：")
        lines += [f"    - {t}" for t in result.todo]
    else:
        lines.append("  没有需要人来决定的事项。")
    return "\n".join(lines) + "\n"

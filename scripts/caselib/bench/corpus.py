"""Synthetic corpus for benchmarks: realistic Chinese case files recombined from the real cases.

Deterministic for a given (n, seed). Every generated case passes `check`, carries varied
institutions, provinces, models, themes and dates, and one unique phrase (`unique_phrase(i)`)
so a search benchmark knows the exact answer for it. Never part of the published site.
"""

from __future__ import annotations

import random
import re
from pathlib import Path

from ..model.cases import load_cases
from ..model.schema import vocab

CITIES = [
    "成都",
    "杭州",
    "长沙",
    "哈尔滨",
    "西安",
    "武汉",
    "南京",
    "济南",
    "郑州",
    "昆明",
    "南宁",
    "兰州",
    "合肥",
    "福州",
    "南昌",
    "太原",
    "石家庄",
    "沈阳",
    "长春",
    "贵阳",
    "重庆",
    "天津",
    "宁波",
    "青岛",
]
FIELDS = [
    "石油",
    "工商",
    "电气",
    "农业",
    "师范",
    "理工",
    "交通",
    "医科",
    "财经",
    "建筑",
    "海洋",
    "航空",
    "信息",
    "轻工",
    "林业",
    "水利",
    "外国语",
    "体育",
    "艺术",
    "机电",
]
KINDS = ["大学", "学院", "职业技术学院", "职业学院"]
NUMS = "一二三四五六七八九"
WORDS = ["力", "化", "领", "联", "融", "心", "先", "强", "带", "育", "红", "建"]
UNITS = ["教工党支部", "学生党支部", "党总支", "党委", "师生混编党支部", "机关党支部"]
ORG_FOR_UNIT = {
    "教工党支部": "教工党支部",
    "学生党支部": "学生党支部",
    "党总支": "党总支",
    "党委": "党委",
    "师生混编党支部": "师生混编党支部",
    "机关党支部": "机关党支部",
}
_NUMBERING = re.compile(r"^(?:[一二三四五六七八九十]+、|[（(][一二三四五六七八九十]+[)）]\s*|\d+[.．、])")
SYLLABLES = "甲乙丙丁戊己庚辛壬癸子丑寅卯辰巳午未申酉戌亥"


def unique_phrase(i: int) -> str:
    """A phrase found in exactly one synthetic case (case number i)."""
    digits = "".join(SYLLABLES[int(d) + 10] for d in f"{i:05d}")
    return f"试点编号{digits}号"


def _model(rng: random.Random) -> str:
    if rng.random() < 0.2:
        return f"{rng.randint(1, 9)}+{rng.randint(2, 9)}+N"
    a, b = rng.sample(NUMS, 2)
    return f"{a}{rng.choice(WORDS)}{b}{rng.choice(WORDS)}"


def _paragraphs(source_cases) -> tuple[list[str], list[str]]:
    headings, paragraphs = [], []
    for case in source_cases:
        for block in case.body.split("\n\n"):
            block = block.strip().replace("〔原文缺失〕", "")
            if block.startswith("#"):
                headings.append(_NUMBERING.sub("", block.lstrip("# ").strip()))
            elif len(block) > 30:
                paragraphs.append(block)
    return headings, paragraphs


def generate(n: int, cases_dir: Path, out_dir: Path, seed: int = 0) -> list[Path]:
    """Write n synthetic case files into out_dir (created), recombined from the cases in cases_dir."""
    rng = random.Random(seed)
    source, _ = load_cases(cases_dir)
    headings, paragraphs = _paragraphs(source)
    provinces = [p for p in vocab("provinces") if p not in ("香港", "澳门", "台湾")]
    themes = list(vocab("themes"))
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for i in range(n):
        institution = f"{rng.choice(CITIES)}{rng.choice(FIELDS)}{rng.choice(KINDS)}"
        unit_kind = rng.choice(UNITS)
        models = sorted({_model(rng) for _ in range(rng.randint(1, 3))})
        year = rng.randint(2015, 2025)
        body = [f"{unique_phrase(i)}：{institution}{unit_kind}以“{models[0]}”推进党建工作。"]
        for section in range(rng.randint(3, 5)):
            body.append(f"## {NUMS[section]}、{rng.choice(headings)}")
            body += rng.sample(paragraphs, rng.randint(2, 4))
        text = "\n".join(
            [
                "---",
                f"id: synthetic-{i:05d}",
                f"title: {institution}以“{models[0]}”推进党建创新（第 {i} 号）",
                f"institution: {institution}",
                f"unit: {rng.choice(['信息工程学院', '机关', '马克思主义学院', '管理学院', '创新创业中心'])}{unit_kind}",
                f"org_type: {ORG_FOR_UNIT[unit_kind]}",
                f"province: {rng.choice(provinces)}",
                f"models: [{', '.join(models)}]",
                f"themes: [{', '.join(sorted(rng.sample(themes, rng.randint(1, 3))))}]",
                f"published: {year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
                "source: 合成语料（仅用于性能测试）",
                f"summary: {institution}{unit_kind}以“{models[0]}”推动党建与业务融合的合成案例，仅用于性能测试。",
                "---",
                "",
                "\n\n".join(body),
                "",
            ]
        )
        path = out_dir / f"synthetic-{i:05d}.md"
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written

"""The importer: seeds re-imported exactly, one fixture per noise/spam rule, encodings, HTML,
Word, duplicates, and a property test that it never crashes.

Rule fixtures are tests/fixtures/import/rules/<rule>.txt with the exact case file the importer
must write in <rule>.expected.md and the reasons its report must give in <rule>.reasons
(CASELIB_REGEN=1 rewrites the .expected.md files for review).
"""

from __future__ import annotations

import codecs
import io
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from caselib.check.validate import check_library
from caselib.importer import clean
from caselib.importer.core import case_text, import_lines, report
from caselib.importer.read import ImportError_, decode_bytes, read_source
from caselib.model.cases import load_cases, parse_case
from caselib.model.text import GAP_MARK

ROOT = Path(__file__).parent.parent
IMPORT = Path(__file__).parent / "fixtures" / "import"
SEEDS = sorted((IMPORT / "seeds").glob("*.txt"))
RULES = sorted((IMPORT / "rules").glob("*.txt"))
CASES, _ = load_cases(ROOT / "cases", ROOT)


def run_import(path: Path, case_id: str | None = None):
    source = read_source(path)
    return import_lines(source.lines, source.url, CASES, case_id=case_id, title_hint=source.title_hint), source


# --- the five seeds ----------------------------------------------------------------------


@pytest.mark.parametrize("seed", SEEDS, ids=lambda p: p.name[:3])
def test_seed_reimports_to_the_committed_case(seed):
    """Each seed is found to be an existing case, and re-importing it gives that file exactly."""
    first, _ = run_import(seed)
    assert len(first.duplicates) == 1 and first.duplicates[0][1] >= 0.95
    case_id = first.duplicates[0][0]
    again, _ = run_import(seed, case_id=case_id)
    assert case_text(again) == (ROOT / "cases" / f"{case_id}.md").read_text(encoding="utf-8")
    assert "todo" not in again.meta


def test_seed_import_without_id_leaves_decisions_to_a_person():
    result, source = run_import(SEEDS[0])
    text = case_text(result)
    case, problems = parse_case(text, "cases/new.md")
    found = [str(p) for p in check_library([case])]
    assert any("todo: 还有待决定的事项：summary" in p for p in found)
    assert result.meta["institution"] == "西南石油大学" and result.meta["published"] == "2019-10-16"
    assert "四力" in result.meta["models"] and "三会一课" not in result.meta["models"]
    rep = report(result, "seed.txt", "cases/x.md", source.encoding, source.kind)
    assert "重复：与已有案例 2019-swpu-sili" in rep and "［导航路径］中国共产党新闻网>>党建" in rep


def test_every_body_sentence_of_a_seed_survives():
    raw = SEEDS[2].read_text(encoding="utf-8")
    result, _ = run_import(SEEDS[2])
    dropped = {text for _, _, text in result.dropped}
    for line in (raw_line.strip() for raw_line in raw.splitlines()):
        if clean.is_paragraph(line) and line not in dropped:
            assert line in result.body


# --- one fixture per rule ----------------------------------------------------------------


@pytest.mark.parametrize("path", RULES, ids=lambda p: p.stem)
def test_rule_fixture(path):
    result, _ = run_import(path)
    got = case_text(result)
    expected_file = path.with_suffix(".expected.md")
    if os.environ.get("CASELIB_REGEN"):
        expected_file.write_text(got, encoding="utf-8")
    assert got == expected_file.read_text(encoding="utf-8")
    reasons = path.with_suffix(".reasons").read_text(encoding="utf-8").split()
    told = " ".join(f"{reason} {text}" for _, reason, text in result.dropped) + " ".join(result.changes)
    for needle in reasons:
        assert needle in told, f"{path.name}: 报告里应当有“{needle}”"


def test_spam_never_published_and_each_mark_explained():
    result, _ = run_import(IMPORT / "rules" / "spam_in_title_marks.txt")
    assert "新葡京" not in result.body and "百家乐" not in result.body
    assert result.body.count(GAP_MARK) == len(result.meta["gaps"]) == 2
    assert "《关于实施〔原文缺失〕“红色领航”计划的通知》" in result.body


def test_date_from_url_shapes():
    assert clean.date_from_url("http://www.example.edu.cn/news/230411/123.html") == "2023-04-11"
    assert clean.date_from_url("https://dj.example.edu.cn/2025/0306/c123a456/page.htm") == "2025-03-06"
    assert clean.date_from_url("https://x.cn/art/2024-05-01/9.html") == "2024-05-01"
    assert clean.date_from_url("https://x.cn/t20230411_99.html") == "2023-04-11"
    assert clean.date_from_url("https://x.cn/list/12/") is None


def test_date_and_institution_from_url():
    lines = ["“三联”工作法", "我校机关党支部实施“三联”工作法，党员联系师生、联系基层、联系项目。"]
    result = import_lines(lines, "https://news.swpu.edu.cn/2025/0306/c1a2/page.htm", [])
    assert result.meta["published"] == "2025-03-06"
    assert result.meta["institution"] == "西南石油大学" and result.meta["province"] == "四川"
    assert result.meta["source_url"].startswith("https://news.swpu.edu.cn/")


def test_meta_line_shapes():
    assert clean.parse_meta_line("发布人:党委宣传部发表时间:2024-04-20点击:") == {"date": "2024-04-20"}
    assert clean.parse_meta_line("2019年10月16日09:41    来源:人民网-中国共产党新闻网") == {
        "date": "2019-10-16",
        "source": "人民网-中国共产党新闻网",
    }
    assert clean.parse_meta_line("发布时间:2025-04-30 14:25:46 作者:张三")["author"] == "张三"
    assert clean.parse_meta_line("学校召开会议，时间:2024-01-01。") is None


# --- encodings, HTML, Word ---------------------------------------------------------------

TEXT = (
    "“一支部一品牌”建设\r\n发布时间：2021-05-12\r\n示例大学党委推进“一支部一品牌”建设，每个党支部凝练一个特色品牌。\r\n"
)


@pytest.mark.parametrize(
    "encoding,raw",
    [
        ("utf-8", TEXT.encode("utf-8")),
        ("utf-8-sig", codecs.BOM_UTF8 + TEXT.replace("\r\n", "\n").encode("utf-8")),
        ("gb18030", TEXT.encode("gb18030")),
        ("gbk", TEXT.encode("gbk")),
        ("utf-16", TEXT.encode("utf-16")),
        ("utf-16-le", TEXT.encode("utf-16-le")),
        ("utf-16-be", TEXT.encode("utf-16-be")),
    ],
)
def test_each_encoding_imports_the_same(tmp_path, encoding, raw):
    path = tmp_path / f"{encoding}.txt"
    path.write_bytes(raw)
    result, _ = run_import(path)
    assert result.meta["title"] == "“一支部一品牌”建设"
    assert result.meta["published"] == "2021-05-12"
    assert result.body == "示例大学党委推进“一支部一品牌”建设，每个党支部凝练一个特色品牌。\n"


def test_undecodable_bytes_give_a_chinese_error():
    with pytest.raises(ImportError_, match="无法识别文件编码"):
        decode_bytes(b"\x81\x20\xfe\x7f\xa1")


def test_saved_web_page(tmp_path):
    page = """<!DOCTYPE html><!-- saved from url=(0047)https://www.swpu.edu.cn/info/1001/230411.htm -->
<html><head><meta charset="gbk"><title>示例</title><style>p{color:red}</style>
<script>var x = "“假标题”";</script></head><body>
<div class="nav">当前位置：首页 &gt; 党建 &gt; 基层动态</div>
<h1>“四个一”工程激发支部活力</h1><div class="info">发布时间：2023-04-11&nbsp;&nbsp;点击：<span>99</span></div>
<div class="content"><p>一、背景</p><p>外国语学院教工党支部实施“四个一”工程，<b>每月</b>开展一次主题党日。</p>
<p>图1 主题党日现场</p></div><div class="share">分享到：微信 微博</div>
<div class="foot">版权所有 &copy; 示例大学</div></body></html>"""
    path = tmp_path / "page.html"
    path.write_bytes(page.encode("gbk"))
    result, source = run_import(path)
    assert source.kind == "html" and source.url.startswith("https://www.swpu.edu.cn/")
    assert result.meta["title"] == "“四个一”工程激发支部活力"
    assert result.meta["institution"] == "西南石油大学" and result.meta["published"] == "2023-04-11"
    assert result.body == ("## 一、背景\n\n外国语学院教工党支部实施“四个一”工程，每月开展一次主题党日。\n")


def _docx(paragraphs: list[str]) -> bytes:
    ns = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
    body = "".join(f'<w:p><w:r><w:t xml:space="preserve">{p}</w:t></w:r></w:p>' for p in paragraphs)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", f"<w:document {ns}><w:body>{body}</w:body></w:document>")
    return buffer.getvalue()


def test_word_file(tmp_path):
    path = tmp_path / "case.docx"
    path.write_bytes(
        _docx(
            [
                "“三进”工作法助力育人",
                "（2023年7月）",
                "一、背景",
                "马克思主义学院党支部推行“三进”工作法，推动理论进课堂、进宿舍、进社团。",
            ]
        )
    )
    result, source = run_import(path)
    assert source.kind == "docx"
    assert result.meta["title"] == "“三进”工作法助力育人"
    assert result.body.startswith("## 一、背景\n\n马克思主义学院党支部推行")


def test_broken_word_file_and_unsupported_type(tmp_path):
    bad = tmp_path / "bad.docx"
    bad.write_bytes(b"not a zip")
    with pytest.raises(ImportError_, match="不是有效的 Word 文件"):
        read_source(bad)
    with pytest.raises(ImportError_, match="不支持的文件类型"):
        read_source(tmp_path / "case.pdf")


# --- duplicates --------------------------------------------------------------------------


def test_traditional_copy_of_an_existing_case_is_a_duplicate():
    import opencc

    simplified = (ROOT / "cases" / "2023-hnde-qigeyouli.md").read_text(encoding="utf-8").split("---\n", 2)[2]
    traditional = opencc.OpenCC("s2t").convert(simplified)
    result = import_lines(["轉載：對標“七個有力”"] + traditional.replace("## ", "").splitlines(), "", CASES)
    assert result.meta.get("original_script") == "繁体"
    assert [d for d, _ in result.duplicates] == ["2023-hnde-qigeyouli"]


def test_unrelated_text_is_not_a_duplicate():
    result, _ = run_import(IMPORT / "rules" / "structure.txt")
    assert result.duplicates == []


def test_cli_refuses_to_write_a_duplicate(tmp_path):
    env = dict(os.environ, PYTHONPATH=str(ROOT / "scripts"))
    work = tmp_path / "lib"
    (work / "cases").mkdir(parents=True)
    for path in (ROOT / "cases").glob("*.md"):
        (work / "cases" / path.name).write_bytes(path.read_bytes())
    run = subprocess.run(
        [sys.executable, "-m", "caselib", "import", str(SEEDS[1])], cwd=work, env=env, capture_output=True, text=True
    )
    assert run.returncode == 1
    assert "未写入：已有案例 2021-swpu-shisheng-hunbian 是同一篇文章" in run.stderr
    assert sorted(p.name for p in (work / "cases").iterdir()) == sorted(p.name for p in (ROOT / "cases").iterdir())


# --- never crashes -----------------------------------------------------------------------

_piece = st.sampled_from(
    [
        "一、背景",
        "（二）做法",
        "1.实施工程",
        "【成效】",
        "发布时间：2024-01-01",
        "来源：示例网",
        "当前位置：首页 > 党建",
        "沙巴体育",
        "15vip",
        "<p>",
        "&nbsp;",
        "質(zhì)",
        "鍏氬缓",
        "\ufffd",
        "图1 现场",
        "相关阅读：",
        "(张三 李四)",
        "示例大学党委推动党建与业务深度融合，成效明显。",
        "“四力”",
        "〔原文缺失〕",
        "附：案例",
        "编者按：说明。",
        "---",
        "# 标题",
        "title: x",
        "\t",
        "  ",
        ":",
        "“",
        "》",
        "\\",
        "%",
        "#",
        "'",
        '"',
    ]
)
_line = st.lists(st.one_of(_piece, st.text(max_size=30)), max_size=4).map("".join)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_line, max_size=25), st.sampled_from(["", "https://www.swpu.edu.cn/2024/0101/a.htm"]))
@example(["一、背景\n示例大学党委推动党建与业务深度融合，成效明显。"], "")  # a newline inside a line
@example(["一、背景\n沙巴体育"], "")
@example(["一、背景沙巴体育\U000f0000"], "")  # a private-use character
def test_importer_never_crashes_and_output_is_checkable(lines, url):
    result = import_lines(lines, url, CASES[:1])
    text = case_text(result)
    case, problems = parse_case(text, "cases/x.md")
    assert case is not None, problems  # the file it writes is always readable
    found = check_library([case])
    for problem in found:  # every complaint is a clear Chinese message
        assert problem.message and any("\u4e00" <= ch <= "\u9fff" for ch in problem.message)
    assert any(p.field == "todo" for p in found)  # an undecided import cannot pass
    for word in ("沙巴体育", "15vip"):
        assert word not in text
    assert not [p for p in found if p.field == "gaps"]  # every gap mark is explained once


def test_saved_page_with_menus_takes_the_title_from_h1(tmp_path):
    page = """<html><head><title>“三联三促”活动纪实-示例大学新闻网</title></head><body>
<ul><li>首页</li><li>学校概况</li><li>新闻中心</li><li>党建思政</li></ul>
<h1>“三联三促”<br>活动纪实</h1><p>发布时间：2024-03-08</p>
<p>机械学院教工党支部以“三联三促”为抓手，推动党建与教学科研深度融合，取得明显成效。</p>
</body></html>"""
    path = tmp_path / "menus.htm"
    path.write_text(page, encoding="utf-8")
    result, source = run_import(path)
    assert source.title_hint == "“三联三促”活动纪实"
    assert result.meta["title"] == "“三联三促”活动纪实"
    reasons = {text: reason for _, reason, text in result.dropped}
    assert reasons["学校概况"].startswith("页面栏目或菜单")
    assert result.body.startswith("机械学院教工党支部")

"""Hostile sources for `python -m caselib import` and `new`: every input ends in a case or a
clear Chinese message, in seconds and bounded memory, and nothing is written outside cases/.

One test per class of input a hostile tester found: an unknown declared charset, a zip bomb
(and other broken Word files), a long run of Chinese without a full stop (a quadratic scan),
an id that leads outside cases/, Big5 text, and everything else (empty, binary, a folder, a
device, 100,000 nested <div>, a 50 MB file, control characters, terminal escapes, ...).
All fixtures are built here, from sentences written for these tests.
"""

from __future__ import annotations

import io
import os
import random
import shutil
import struct
import subprocess
import sys
import time
import tracemalloc
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from caselib.importer import fix
from caselib.importer.core import case_text, import_lines, report
from caselib.importer.read import ImportError_, read_source
from caselib.model.cases import load_cases, parse_case

ROOT = Path(__file__).parent.parent
ENV = dict(os.environ, PYTHONPATH=str(ROOT / "scripts"))
CASES, _ = load_cases(ROOT / "cases", ROOT)
W_NS = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'

SIMPLIFIED = "示例大学机械学院教工党支部推行“三联三促”工作法，党员联系师生、联系专业、联系项目，组织生活更加规范。"
TRADITIONAL = "示範大學機械學院教工黨支部推行「三聯三促」工作法，黨員聯繫師生、聯繫專業、聯繫項目，組織生活更加規範。"


def caselib(*args: str, cwd: Path, timeout: float = 60) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "caselib", *args], cwd=cwd, env=ENV, capture_output=True, text=True, timeout=timeout
    )


def tree(path: Path) -> dict[str, bytes]:
    """Every file under path (symlinks as their target), to show nothing else was written."""
    found = {}
    for p in sorted(path.rglob("*")):
        if p.is_symlink():
            found[str(p.relative_to(path))] = os.readlink(p).encode()
        elif p.is_file():
            found[str(p.relative_to(path))] = p.read_bytes()
    return found


@pytest.fixture
def library(tmp_path):
    """tmp_path/outside/lib: a library (cases/ and a CONTRIBUTING.md) two levels inside tmp_path."""
    lib = tmp_path / "outside" / "lib"
    (lib / "cases").mkdir(parents=True)
    for path in (ROOT / "cases").glob("*.md"):
        shutil.copy(path, lib / "cases" / path.name)
    (lib / "CONTRIBUTING.md").write_text("贡献指南\n", encoding="utf-8")
    return lib


def refused(path: Path) -> str:
    with pytest.raises(ImportError_) as info:
        read_source(path)
    return str(info.value)


def docx(paragraphs: list[str], padding: int = 0) -> bytes:
    body = "".join(f"<w:p><w:r><w:t>{p}</w:t></w:r></w:p>" for p in paragraphs)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("word/document.xml", f"<w:document {W_NS}><w:body>{' ' * padding}{body}</w:body></w:document>")
        archive.writestr("[Content_Types].xml", "<Types/>")
    return buffer.getvalue()


def declare_size(raw: bytes, size: int) -> bytes:
    """The zip with word/document.xml (its first member) declaring `size` bytes unpacked."""
    data = bytearray(raw)
    struct.pack_into("<I", data, 22, size)  # local file header
    central = data.index(b"PK\x01\x02")
    struct.pack_into("<I", data, central + 24, size)  # central directory entry
    return bytes(data)


# --- 1. a declared charset Python does not know ----------------------------------------------


@pytest.mark.parametrize("charset", ["undefined", "no-such-charset", "utf-16", "base64", "rot13"])
def test_unknown_declared_charset_falls_back_to_detection(library, charset):
    page = (
        f'<html><head><meta charset="{charset}"><title>“三联三促”工作法</title></head><body>'
        f"<h1>“三联三促”工作法</h1><p>{SIMPLIFIED}</p></body></html>"
    )
    path = library / "page.html"
    path.write_bytes(page.encode("gbk"))
    source = read_source(path)
    assert source.encoding == "gb18030"
    assert SIMPLIFIED in source.lines
    assert any("文件编码是自动识别的（gb18030）" in note for note in source.notes)
    run = caselib("import", str(path), "--dry-run", cwd=library)
    assert run.returncode == 0 and "Traceback" not in run.stderr
    assert "编码：gb18030" in run.stderr and "注意：文件编码是自动识别的" in run.stderr


# --- 2. zip bombs and broken Word files --------------------------------------------------------


def test_docx_zip_bomb_is_refused_without_unpacking(library):
    before = tree(library.parent.parent)
    bomb = library / "bomb.docx"  # 60 MB of spaces in document.xml, about 60 KB packed
    bomb.write_bytes(docx([SIMPLIFIED], padding=60_000_000))
    assert bomb.stat().st_size < 200_000
    declared = library / "declared.docx"  # a small file that says it unpacks to 3 GiB
    declared.write_bytes(declare_size(docx([SIMPLIFIED]), 3 * 2**30))
    lying = library / "lying.docx"  # the bomb declaring 1 KB: unpacking stops there
    lying.write_bytes(declare_size(bomb.read_bytes(), 1000))
    tracemalloc.start()
    try:
        for path in (bomb, declared):
            assert refused(path).startswith("Word 文件解压后太大（正文部分超过 50 MB），可能已损坏或是恶意构造的文件")
        assert refused(lying).startswith("Word 文件内容损坏，无法读取")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 20_000_000, peak
    run = caselib("import", str(bomb), str(declared), str(lying), cwd=library)
    assert run.returncode == 2 and "Traceback" not in run.stderr
    assert f"{bomb}:1: 文件: Word 文件解压后太大" in run.stderr
    assert f"{declared}:1: 文件: Word 文件解压后太大" in run.stderr
    assert f"{lying}:1: 文件: Word 文件内容损坏" in run.stderr
    for path in (bomb, declared, lying):
        path.unlink()
    assert tree(library.parent.parent) == before


def test_broken_word_files_give_chinese_messages(tmp_path):
    good = docx([SIMPLIFIED])
    cases = {
        "not_a_zip.docx": (b"PK\x03\x04 this is not a zip", "不是有效的 Word 文件（.docx）"),
        "truncated.docx": (good[: len(good) // 2], "不是有效的 Word 文件（.docx）"),
        "no_document.docx": (_zip({"word/other.xml": "<x/>"}), "不是有效的 Word 文件（.docx）"),
        "bad_xml.docx": (_zip({"word/document.xml": "<w:document><w:body>"}), "Word 文件内容损坏"),
        "entities.docx": (
            _zip(
                {
                    "word/document.xml": '<!DOCTYPE d [<!ENTITY a "aaaaaaaaaa">'
                    '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]><d>&b;</d>'
                }
            ),
            "Word 文件内容损坏",
        ),
        "corrupt_data.docx": (good.replace(good[40:60], bytes(20), 1), None),
    }
    for name, (raw, message) in cases.items():
        path = tmp_path / name
        path.write_bytes(raw)
        try:
            source = read_source(path)
        except ImportError_ as exc:
            assert message is None or str(exc).startswith(message), (name, exc)
        else:
            assert message is None, name
            import_lines(source.lines)


def _zip(members: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, text in members.items():
            archive.writestr(name, text)
    return buffer.getvalue()


# --- 3. a long run of Chinese without a full stop ---------------------------------------------


def test_long_run_of_chinese_without_full_stop_imports_in_linear_time(tmp_path):
    run = ("党支部推进党建与业务深度融合取得明显成效" * 10_000)[:200_000]
    # The same words in UTF-8 read as GBK (mojibake) make every byte a candidate of the scan.
    garbled = ("党建工作推进示例大学支部书记" * 20_000).encode("utf-8").decode("gbk", errors="ignore")[:200_000]
    path = tmp_path / "long.txt"
    path.write_text("“三联三促”工作法\n" + run + "\n", encoding="utf-8")
    start = time.perf_counter()
    result = import_lines(read_source(path).lines, "", CASES)
    assert result.body == run + "\n" and result.meta["title"] == "“三联三促”工作法"
    case_text(result)
    assert time.perf_counter() - start < 10  # was more than an hour (cubic in the run)
    path.write_text("“三联三促”工作法\n" + garbled + "\n", encoding="utf-8")
    start = time.perf_counter()
    with pytest.raises(ImportError_, match=r"^原文损坏太严重：有 \d+ 处乱码、广告词或缺字（最多 500 处）"):
        import_lines(read_source(path).lines, "", CASES)
    assert time.perf_counter() - start < 10
    # And the scan itself grows linearly: ten times the text, not a hundred times the time.
    fix.replace_mojibake(garbled[:1000])
    small = min(_timed(fix.replace_mojibake, garbled[:20_000]) for _ in range(3))
    large = min(_timed(fix.replace_mojibake, garbled[:200_000]) for _ in range(3))
    assert large < 30 * small + 0.5, (small, large)


def _timed(function, *args) -> float:
    start = time.perf_counter()
    function(*args)
    return time.perf_counter() - start


@pytest.mark.parametrize(
    "line",
    [
        "党(" + "ā" * 200_000,  # pinyin gloss never closed
        "1" * 200_000,  # a run of digits ("15vip", "3+1党建工作法")
        "1+" * 100_000,
        "<!--" * 50_000,  # comments never closed
        "<a " * 70_000,
        "“党建”" * 40_000,
    ],
    ids=["pinyin", "digits", "plus", "comments", "tags", "quotes"],
)
def test_long_hostile_lines_import_in_seconds(line):
    start = time.perf_counter()
    result = import_lines(["“三联三促”工作法", line], "", CASES)
    case_text(result)
    assert time.perf_counter() - start < 10


# --- 4. an id that leads outside cases/ -------------------------------------------------------

BAD_ID = (
    "编号“../../x”格式不对：只能用小写英文字母、数字和连字符（例如 2019-swpu-sili），不能有斜杠、点、空格或大写字母"
)


@pytest.mark.parametrize("case_id", ["../../x", "../CONTRIBUTING", "/tmp/x", "X", "a/b", "2024-x\n", "a" * 101])
def test_import_and_new_refuse_an_id_outside_the_rule(library, case_id):
    source = library / "source.txt"
    source.write_text(f"“三联三促”工作法\n{SIMPLIFIED}\n", encoding="utf-8")
    before = tree(library.parent.parent)
    imported = caselib("import", str(source), "--id", case_id, cwd=library)
    created = caselib("new", "--id", case_id, "--title", "标题", cwd=library)
    for run in (imported, created):
        assert run.returncode == 2 and "Traceback" not in run.stderr
        assert run.stderr.startswith("--id: 编号“")
    if case_id == "../../x":
        assert imported.stderr.strip() == f"--id: {BAD_ID}"
    if len(case_id) > 100:
        assert "太长：最多 100 个字符" in imported.stderr
    assert tree(library.parent.parent) == before


def test_a_link_in_cases_to_a_file_elsewhere_is_not_written_through(library):
    outside = library / "CONTRIBUTING.md"
    (library / "cases" / "2024-link.md").symlink_to(outside)
    source = library / "source.txt"
    source.write_text(f"“三联三促”工作法\n{SIMPLIFIED}\n", encoding="utf-8")
    before = tree(library.parent.parent)
    run = caselib("import", str(source), "--id", "2024-link", cwd=library)
    assert run.returncode == 2 and "Traceback" not in run.stderr
    assert "未写入：cases/2024-link.md 不是 cases/ 里的普通文件（可能是指向别处的链接）：不写入" in run.stderr
    run = caselib(
        "new",
        "--id",
        "2024-link",
        "--title",
        "标题",
        "--institution",
        "未知",
        "--unit",
        "未知",
        "--org_type",
        "未知",
        "--province",
        "未知",
        "--themes",
        "立德树人",
        "--published",
        "未知",
        "--source",
        "未知",
        "--summary",
        "摘要",
        cwd=library,
    )
    assert run.returncode == 2 and "不是 cases/ 里的普通文件" in run.stderr
    assert tree(library.parent.parent) == before


def test_import_with_a_good_id_writes_only_that_case(library):
    source = library / "source.txt"
    source.write_text(f"“三联三促”工作法\n{SIMPLIFIED}\n", encoding="utf-8")
    before = tree(library.parent.parent)
    run = caselib("import", str(source), "--id", "2024-example-sanlian", cwd=library)
    assert run.returncode == 0, run.stderr
    after = tree(library.parent.parent)
    assert set(after) - set(before) == {"outside/lib/cases/2024-example-sanlian.md"}
    assert {k: v for k, v in after.items() if k in before} == before


# --- 5. Big5 -----------------------------------------------------------------------------------


def test_big5_text_is_detected_and_converted_to_simplified(tmp_path):
    path = tmp_path / "big5.txt"
    path.write_bytes(f"「三聯三促」工作法\n發佈時間：2024-03-08\n{TRADITIONAL}\n".encode("big5"))
    source = read_source(path)
    assert source.encoding in ("big5", "cp950", "big5hkscs")
    assert source.notes and "文件编码是自动识别的" in source.notes[0]
    assert TRADITIONAL in source.lines  # not GB18030 gibberish
    result = import_lines(source.lines, "", CASES)
    assert result.meta["original_script"] == "繁体"
    assert result.meta["published"] == "2024-03-08"
    assert (
        result.body
        == "示范大学机械学院教工党支部推行「三联三促」工作法，党员联系师生、联系专业、联系项目，组织生活更加规范。\n"
    )
    assert "原文是繁体字，已用 OpenCC 转换为简体（original_script: 繁体）" in result.changes
    rep = report(result, "big5.txt", "cases/x.md", source.encoding, source.kind, source.notes)
    assert f"注意：文件编码是自动识别的（{source.encoding}）" in rep

    page = tmp_path / "big5.html"  # a page that declares nothing
    page.write_bytes(f"<html><body><h1>「三聯三促」工作法</h1><p>{TRADITIONAL}</p></body></html>".encode("big5"))
    assert TRADITIONAL in read_source(page).lines

    gbk = tmp_path / "gbk.txt"  # GBK is still read as GBK
    gbk.write_bytes(f"“三联三促”工作法\n{SIMPLIFIED}\n".encode("gbk"))
    assert read_source(gbk).encoding == "gb18030" and SIMPLIFIED in read_source(gbk).lines


# --- 6. anything else ----------------------------------------------------------------------------


def test_other_hostile_files_end_in_a_message_or_a_case(library, tmp_path):
    work = tmp_path / "sources"
    work.mkdir()
    rng = random.Random(16)

    def put(name: str, data: bytes | str) -> Path:
        path = work / name
        path.write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))
        return path

    big = work / "big.txt"
    with big.open("wb") as fh:  # 50 MB (sparse: nothing to read)
        fh.truncate(50_000_000)
    (work / "folder.txt").mkdir()
    os.mkfifo(work / "pipe.txt")  # reading it would wait forever
    expected = {
        put("empty.txt", b""): "文件是空的：没有可导入的文字",
        put("blank.txt", " \n\t\n\x00\x00\n"): "文件里没有可导入的文字（只有空白、标点或控制字符）",
        put(
            "garbage.txt", rng.randbytes(20_000)
        ): "无法识别文件编码：请用记事本或 Word 把文件另存为 UTF-8 编码后再导入",
        put("garbage.html", rng.randbytes(20_000)): "无法识别文件编码",
        put("garbage.docx", rng.randbytes(20_000)): "不是有效的 Word 文件（.docx）",
        work / "folder.txt": "这是一个文件夹，不是文件：请给出要导入的原文文件",
        work / "pipe.txt": "这不是普通文件（可能是设备或管道）：请给出要导入的原文文件",
        work / "missing.txt": "找不到这个文件",
        work / "case.pdf": "不支持的文件类型“.pdf”",
        work / "name.\x1b[31m": "不支持的文件类型“.?[31m”",
        big: "文件太大（50.0 MB，导入的原文最多 20 MB）：请只把案例正文复制到一个 .txt 文件再导入",
        put(
            "long.txt", "党" * 1_000_001
        ): "文字太多（超过 100 万字）：一个案例通常只有几千字，请只保留这个案例的正文后再导入",
        put("lines.txt", "党\n" * 20_001): "行数太多（超过 2 万行有文字的行）",
        put(
            "damaged.txt", "“三联三促”工作法\n" + "党委\ufffd，" * 600
        ): "原文损坏太严重：有 600 处乱码、广告词或缺字（最多 500 处）",
    }
    for path, message in expected.items():
        if path.name == "damaged.txt":
            with pytest.raises(ImportError_, match=message):
                import_lines(read_source(path).lines)
        else:
            assert refused(path).startswith(message), (path.name, refused(path))

    nested = put("nested.html", "<html><body>" + "<div>" * 100_000 + SIMPLIFIED + "</div>" * 100_000 + "</body></html>")
    unclosed = put("unclosed.html", f"<p>{SIMPLIFIED}</p>" + "<a " * 100_000)  # HTMLParser: hours
    controls = put(
        "controls.txt",
        "“三联三促”工作法\n\x00\x1b[31m" + SIMPLIFIED.replace("，", "\x07，\x1b]0;标题\x07") + "\x1b[0m\x9b2J\x0b\n",
    )
    for path in (nested, unclosed):
        start = time.perf_counter()
        assert SIMPLIFIED in read_source(path).lines
        assert time.perf_counter() - start < 10

    before = tree(tmp_path)
    start = time.perf_counter()
    run = caselib(
        "import", *map(str, expected), str(nested), str(unclosed), str(controls), "--dry-run", cwd=library, timeout=120
    )
    assert time.perf_counter() - start < 60
    assert run.returncode == 2 and "Traceback" not in run.stderr
    for path, message in expected.items():
        shown = str(path).replace("\x1b", "?")
        assert f"{shown}:1: 文件: {message}" in run.stderr
    assert run.stderr.count("导入报告：") == 3
    assert "第 2 行：删去 5 个终端控制序列" in run.stderr and "第 2 行：删去 3 个不可见的控制字符" in run.stderr
    assert not any(ch in run.stderr + run.stdout for ch in "\x00\x07\x0b\x1b\x9b")
    stdout = caselib("import", str(controls), "--stdout", cwd=library)
    assert stdout.returncode == 0 and stdout.stdout.endswith(f"\n{SIMPLIFIED}\n")
    assert not any(ch in stdout.stdout + stdout.stderr for ch in "\x00\x07\x0b\x1b\x9b")
    assert tree(tmp_path) == before  # --dry-run and --stdout wrote nothing


def test_a_canonical_address_that_is_not_one_is_not_written(tmp_path):
    page = tmp_path / "page.html"
    page.write_text(
        f'<link rel="canonical" href="http://[x/2024/0308/"><h1>标题</h1><p>{SIMPLIFIED}</p>', encoding="utf-8"
    )
    source = read_source(page)
    result = import_lines(source.lines, source.url, CASES)
    assert "source_url" not in result.meta
    assert "网址：“http://[x/2024/0308/”不是有效网址，未写入 source_url" in result.found


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture]
)
@given(
    st.sampled_from([".txt", ".html", ".docx"]),
    st.one_of(
        st.binary(max_size=3000),
        st.text(alphabet="<>/!-=\"' a党建。\n&;#x1b[mdivp?\x00\ufffd", max_size=400).map(str.encode),
    ),
)
def test_any_bytes_end_in_a_case_or_a_chinese_message(tmp_path, suffix, raw):
    path = tmp_path / f"source{suffix}"
    path.write_bytes(raw)
    try:
        source = read_source(path)
        result = import_lines(source.lines, source.url, CASES[:1], title_hint=source.title_hint)
    except ImportError_ as exc:
        assert any("\u4e00" <= ch <= "\u9fff" for ch in str(exc))
        return
    case, problems = parse_case(case_text(result), "cases/x.md")
    assert case is not None, problems

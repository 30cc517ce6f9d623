"""Load case files: split front matter from body, parse YAML safely, remember line numbers."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from .problems import Problem
from .schema import fields_by_key
from .text import normalize_tag
from .yamlsafe import SafeLoader, error_message

FENCE = "---"
FIELD_FRONT_MATTER = "元数据"
FIELD_FILE = "文件"
CASES_FOLDER = "cases"
MAX_FILE_BYTES = 300_000  # the largest real case is about 13 KB


class Loader(SafeLoader):
    """Safe loader (libyaml when present) that keeps dates as text, so the validator sees exactly
    what was written."""


Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


MAX_NUMBER_CHARS = 30  # a longer number is an error, not a 5,000-digit conversion
SHAPE_HINT = "元数据的值只能是一段文字，或一个列表 [值一, 值二]"


class ShapeError(Exception):
    """Front matter whose shape no field allows, found before any value is built."""

    def __init__(self, line: int, field: str, message: str, code: str):
        super().__init__(message)
        self.line, self.field, self.message, self.code = line, field, message, code


def _check_shape(root: yaml.Node) -> None:
    """Before building values: no alias (`*a` shares a node, so nine levels of them make
    gigabytes), nothing deeper than a mapping of lists of scalars, no huge number. The walk
    visits each node once, whatever the aliases."""
    if not isinstance(root, yaml.MappingNode):
        return
    seen: set[int] = set()
    for key_node, value_node in root.value:
        field = str(key_node.value) if isinstance(key_node, yaml.ScalarNode) else FIELD_FRONT_MATTER
        stack = [(key_node, 2), (value_node, 1)]  # a key is one scalar
        while stack:
            node, depth = stack.pop()
            if id(node) in seen:
                raise ShapeError(
                    node.start_mark.line,
                    field,
                    "不允许使用 YAML 锚点和别名（& 和 * 开头的写法）：请把值直接写出来",
                    "CL010",
                )
            seen.add(id(node))
            if depth > 1 and not isinstance(node, yaml.ScalarNode):
                raise ShapeError(node.start_mark.line, field, "嵌套太深：" + SHAPE_HINT, "CL011")
            if isinstance(node, yaml.ScalarNode):
                if node.tag.endswith((":int", ":float")) and len(node.value) > MAX_NUMBER_CHARS:
                    raise ShapeError(
                        node.start_mark.line,
                        field,
                        f"数字太长（{len(node.value)} 位，最多 {MAX_NUMBER_CHARS} 位）：文字请用引号括起来",
                        "CL012",
                    )
            elif isinstance(node, yaml.SequenceNode):
                stack.extend((item, depth + 1) for item in node.value)
            else:
                stack.extend((part, depth + 1) for pair in node.value for part in pair)


def compose_and_load(text: str):
    """The YAML node tree (for key lines) and the data, from one parse."""
    loader = Loader(text)
    try:
        node = loader.get_single_node()
        if node is not None:
            _check_shape(node)
        return node, (loader.construct_document(node) if node is not None else None)
    finally:
        loader.dispose()


@dataclass
class Case:
    path: str
    meta: dict
    body: str
    lines: dict[str, int] = field(default_factory=dict)
    body_line: int = 1
    # the file's name when it was read from a `cases/` folder, whose files are named <id>.md
    library_file: str = ""

    @property
    def id(self) -> str:
        return str(self.meta.get("id", ""))

    @property
    def title(self) -> str:
        return str(self.meta.get("title", ""))

    @property
    def published(self) -> str:
        return str(self.meta.get("published", ""))

    @property
    def year(self) -> str:
        return self.published[:4]

    def line_of(self, key: str) -> int:
        return self.lines.get(key, 1)

    def values(self, key: str) -> list[str]:
        """A field's values as a list of strings (a scalar field gives one value or none)."""
        value = self.meta.get(key)
        if value is None or value == "":
            return []
        if isinstance(value, list):
            return [str(v) for v in value if v is not None and str(v) != ""]
        return [str(value)]


def display_path(path: Path, root: Path | None = None) -> str:
    root = root or Path.cwd()
    try:
        return os.path.relpath(path, root)
    except ValueError:
        return str(path)


def parse_case(text: str, path: str) -> tuple[Case | None, list[Problem]]:
    """Parse the text of one case file. Returns the case, or None and the problems that stop it."""
    text = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    lines = text.split("\n")
    if not lines or lines[0].strip() != FENCE:
        return None, [
            Problem(
                path,
                1,
                FIELD_FRONT_MATTER,
                "文件必须以一行 --- 开头，后面是元数据，再用一行 --- 结束（参见 CONTRIBUTING.md）",
                "CL006",
            )
        ]
    try:
        end = next(i for i in range(1, len(lines)) if lines[i].strip() == FENCE)
    except StopIteration:
        return None, [Problem(path, 1, FIELD_FRONT_MATTER, "元数据没有结束：在元数据最后加一行 ---，再写正文", "CL007")]
    fm_text = "\n".join(lines[1:end])
    try:
        node, data = compose_and_load(fm_text)
    except ShapeError as exc:
        return None, [Problem(path, 2 + exc.line, exc.field, exc.message, exc.code)]
    except RecursionError:
        return None, [Problem(path, 2, FIELD_FRONT_MATTER, "嵌套太深：" + SHAPE_HINT, "CL011")]
    except yaml.YAMLError as exc:
        line, msg, kind = error_message(exc, fm_text)
        code = {"control": "CL013", "tag": "CL009"}.get(kind, "CL008")
        return None, [Problem(path, 2 + line, FIELD_FRONT_MATTER, msg, code)]
    if not isinstance(data, dict):
        return None, [Problem(path, 2, FIELD_FRONT_MATTER, "元数据应是“字段: 值”的列表，例如 title: 案例标题", "CL014")]

    problems: list[Problem] = []
    key_lines: dict[str, int] = {}
    for key_node, _ in node.value:
        key = str(key_node.value)
        line = 2 + key_node.start_mark.line
        if key in key_lines:
            problems.append(
                Problem(path, line, key, f"字段重复（第 {key_lines[key]} 行已经写过），只保留一个", "CL015")
            )
        key_lines.setdefault(key, line)
    meta = {str(k): normalize_value(str(k), v) for k, v in data.items()}
    body = "\n".join(lines[end + 1 :])
    return Case(path=path, meta=meta, body=body, lines=key_lines, body_line=end + 2), problems


def normalize_value(key: str, value):
    """Tag values get their one normal form at load time; other values are kept as written."""
    spec = fields_by_key().get(key)
    if spec is None or spec.dimension is None:
        return value
    if isinstance(value, str):
        return normalize_tag(value)
    if isinstance(value, list):
        return [normalize_tag(v) if isinstance(v, str) else v for v in value]
    return value


def read_case_file(path: Path, root: Path) -> tuple[Case | None, list[Problem]]:
    shown = display_path(path, root)
    if path.is_symlink():
        target = path.resolve()
        if not target.is_relative_to(root.resolve()):
            return None, [
                Problem(
                    shown, 1, FIELD_FILE, "是指向仓库以外的符号链接，不能作为案例；请把文件本身放进 cases/", "CL003"
                )
            ]
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            return None, [
                Problem(
                    shown,
                    1,
                    FIELD_FILE,
                    f"文件太大（{size // 1000} KB），案例文件最多 {MAX_FILE_BYTES // 1000} KB："
                    "请确认没有把整个网页、图片或附件粘贴进来",
                    "CL002",
                )
            ]
        raw = path.read_bytes()
    except OSError as exc:
        return None, [Problem(shown, 1, FIELD_FILE, f"无法读取（{exc.strerror}）", "CL004")]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        return None, [
            Problem(
                shown,
                line,
                FIELD_FILE,
                "不是 UTF-8 编码；请用 UTF-8 重新保存（或用 python -m caselib import 导入原文）",
                "CL001",
            )
        ]
    case, problems = parse_case(text, shown)
    if case is not None and path.parent.name == CASES_FOLDER:
        case.library_file = path.name
    return case, problems


def case_files(cases_dir: Path) -> list[Path]:
    return sorted(p for p in cases_dir.glob("*.md") if p.name.lower() != "readme.md")


def stray_files(cases_dir: Path, root: Path) -> list[Problem]:
    """Files under cases/ that would not become cases (wrong suffix, in a subfolder): never dropped silently."""
    wanted = set(case_files(cases_dir))
    problems = []
    for path in sorted(cases_dir.rglob("*")):
        if path in wanted or path.name.lower() == "readme.md" or path.name.startswith(".") or path.is_dir():
            continue
        where = "在子目录里" if path.parent != cases_dir else "不是 .md 文件"
        problems.append(
            Problem(
                display_path(path, root),
                1,
                FIELD_FILE,
                f"{where}，不会成为案例：案例文件要直接放在 cases/ 下，文件名以 .md 结尾",
                "CL005",
            )
        )
    return problems


def load_cases(cases_dir: Path, root: Path | None = None) -> tuple[list[Case], list[Problem]]:
    root = root or cases_dir.parent
    cases, problems = [], stray_files(cases_dir, root)
    for path in case_files(cases_dir):
        case, found = read_case_file(path, root)
        problems.extend(found)
        if case is not None:
            cases.append(case)
    return cases, problems


def newest_first(cases: list[Case]) -> list[Case]:
    return sorted(cases, key=lambda c: (c.published, c.id), reverse=True)

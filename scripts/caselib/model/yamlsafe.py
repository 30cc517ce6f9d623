"""The one YAML loader of the library: PyYAML's safe loader, in libyaml's C version when it is
installed (about 8× faster, same results). Safe: no YAML tag constructs a Python object, so a
case file with `!!python/object` is an error message, never code run (tests/test_hostile.py)."""

from typing import TYPE_CHECKING

import yaml

from .problems import char_name

if TYPE_CHECKING:
    # For the type checker the two are one class: CSafeLoader has SafeLoader's interface (its
    # parser in C), and a variable could not be a base class (cases.py subclasses it).
    from yaml import SafeLoader as SafeLoader
else:
    SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


# PyYAML's English problems, said the way a contributor can act on them.
_PROBLEMS = (
    ("quoted scalar", "引号没有配对：值以引号开头，就要以同样的引号结束"),
    ("mapping values are not allowed", "这一行有多余的冒号；值里有冒号时，请用引号把整个值括起来"),
    ("could not find expected ':'", "缺少“字段: 值”中的冒号，或上一行的引号没有配对"),
    ("cannot start any token", "有不能出现在开头的字符（例如 Tab 缩进、@ 或 `）；请改用空格缩进，或用引号括起来"),
    ("expected <block end>", "缩进不一致：同一层的字段要左对齐"),
    ("flow sequence", "方括号列表没有写完整，应写成 [值一, 值二]"),
)


def error_message(exc: yaml.YAMLError, text: str) -> tuple[int, str]:
    """(0-based line in the YAML `text`, Chinese message) for any error of the YAML parser: the
    one way the front matter, the glossary and the data files report a file that does not parse.
    The line is where the broken construct starts (an unclosed quote: the quote)."""
    if isinstance(exc, yaml.reader.ReaderError) and isinstance(exc.character, int):
        char = chr(exc.character)
        return (
            text[: max(0, text.find(char))].count("\n"),
            f"含有不允许的控制字符 {char_name(char)}：请删掉（从网页复制时常会带上）",
        )
    if not isinstance(exc, yaml.MarkedYAMLError):
        return 0, f"YAML 格式错误（{exc}）"
    mark = exc.context_mark or exc.problem_mark
    line = mark.line if mark else 0
    if isinstance(exc, yaml.constructor.ConstructorError):
        return line, "不允许使用 YAML 标签（以 ! 开头的写法），请直接写文字"
    text = f"{exc.context or ''} {exc.problem or ''}"
    for needle, message in _PROBLEMS:
        if needle in text:
            return line, f"YAML 格式错误：{message}"
    return line, f"YAML 格式错误：请检查这一行的冒号、引号和缩进（{(exc.problem or '').strip()}）"

"""The Markdown settings of the site (mkdocs.yml), for rendering case bodies outside MkDocs.

mkdocs.yml stays the one place the settings are written. This reads its `markdown_extensions`
with a safe YAML loader that knows only the two tags the file uses: `!ENV` (its default is
taken) and `!!python/object/apply:` of callables on an allow-list. MkDocs always adds its
built-in extensions (toc, tables, fenced_code); so do we, in the same order.
"""

from __future__ import annotations

import functools
import importlib
from pathlib import Path

import markdown
import yaml

MKDOCS_YML = Path(__file__).resolve().parents[3] / "mkdocs.yml"  # the project's site settings
MKDOCS_BUILTINS = ("toc", "tables", "fenced_code")
ALLOWED_CALLABLES = {"pymdownx.slugs.slugify"}
_APPLY = "tag:yaml.org,2002:python/object/apply:"


class _Loader(yaml.SafeLoader):
    pass


def _apply(loader: _Loader, suffix: str, node: yaml.Node):
    if suffix not in ALLOWED_CALLABLES:
        raise yaml.constructor.ConstructorError(None, None, f"mkdocs.yml 中不允许调用 {suffix}", node.start_mark)
    module, _, name = suffix.rpartition(".")
    func = getattr(importlib.import_module(module), name)
    args = loader.construct_mapping(node, deep=True) if isinstance(node, yaml.MappingNode) else {}
    return func(*args.get("args", ()), **args.get("kwds", {}))


def _env(loader: _Loader, node: yaml.Node):
    """`!ENV [NAME, default]` or `!ENV NAME`: the default (settings must not depend on the shell)."""
    if isinstance(node, yaml.SequenceNode):
        values = loader.construct_sequence(node, deep=True)
        return values[-1] if len(values) > 1 else None
    return None


_Loader.add_multi_constructor(_APPLY, _apply)
_Loader.add_constructor("!ENV", _env)


def settings(mkdocs_yml: Path) -> tuple[list[str], dict[str, dict]]:
    """(extension names, their configs) as MkDocs passes them to Python-Markdown."""
    config = yaml.load(Path(mkdocs_yml).read_text(encoding="utf-8"), Loader=_Loader) or {}
    names, configs = list(MKDOCS_BUILTINS), {}
    for item in config.get("markdown_extensions") or []:
        name, options = next(iter(item.items())) if isinstance(item, dict) else (item, None)
        if name not in names:
            names.append(name)
        if options:
            configs[name] = options
    return names, configs


@functools.cache
def _cached(mkdocs_yml: str) -> tuple[list[str], dict[str, dict]]:
    return settings(Path(mkdocs_yml))


def renderer(mkdocs_yml: Path) -> markdown.Markdown:
    """A Markdown converter with the site's settings (call .reset() between documents)."""
    names, configs = _cached(str(mkdocs_yml))
    return markdown.Markdown(extensions=names, extension_configs=configs)

"""The package's layout shows its architecture (ARCHITECTURE.md): no import cycle between caselib's
modules, no private name imported from another module, MkDocs imported by the plugin alone.

The import graph is read from every module's syntax tree, imports inside functions (lazy ones)
included: a lazy import is still a dependency."""

from __future__ import annotations

import ast
from pathlib import Path

from conftest import ROOT

PACKAGE = ROOT / "scripts" / "caselib"

# Imports that go up the layers on purpose, each with the reason it cannot go down.
ALLOWED_UPWARD = {
    # The checker renders a case's page as the site will show it (its heading ids, the related-cases
    # heading) to check the body's "#anchor" links against it; the field guide page lists the
    # checker's limits from its constants. One of the two has to look up: the checker does, lazily
    # (page_anchors), only for a body with such a link.
    ("caselib.check.markup", "caselib.site.pages"),
}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


MODULES = {module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}


def imports(name: str) -> list[tuple[str, ast.ImportFrom | ast.Import, list[str]]]:
    """(imported caselib module, the statement, the names it takes) for each import in module `name`."""
    path = MODULES[name]
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name == "caselib" or alias.name.startswith("caselib."):
                    found.append((alias.name, node, []))
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                source = ".".join(base + ([node.module] if node.module else []))
            else:
                source = node.module or ""
            if source != "caselib" and not source.startswith("caselib."):
                continue
            names = [alias.name for alias in node.names]
            submodules = [f"{source}.{n}" for n in names if f"{source}.{n}" in MODULES]
            for sub in submodules:  # `from ..site import pages`: the module pages
                found.append((sub, node, []))
            if len(submodules) < len(names):
                found.append((source, node, [n for n in names if f"{source}.{n}" not in MODULES]))
    return found


def graph() -> dict[str, set[str]]:
    edges: dict[str, set[str]] = {name: set() for name in MODULES}
    for name in MODULES:
        for target, _, _ in imports(name):
            assert target in MODULES, f"{name} imports {target}, which is not a module of caselib"
            if target != name and (name, target) not in ALLOWED_UPWARD:
                edges[name].add(target)
    return edges


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """One cycle through each strongly connected component of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    components = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for nxt in sorted(edges[node]):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                components.append(sorted(component))

    for node in sorted(edges):
        if node not in index:
            visit(node)
    return components


def test_the_graph_sees_lazy_and_package_imports():
    """The reader finds what the checks below rely on: imports inside functions, `from ..x import module`."""
    edges = {name: {target for target, _, _ in imports(name)} for name in MODULES}
    assert "caselib.site.pages" in edges["caselib.check.markup"]  # inside page_anchors
    assert "caselib.search.searchindex" in edges["caselib.mkdocs_plugin"]  # inside on_post_build
    assert "caselib.model.glossary" in edges["caselib.site.pages"]  # from ..model import glossary
    assert "caselib.model.cases" in edges["caselib.importer.core"]


def test_no_import_cycle_between_modules():
    assert cycles(graph()) == []


def test_the_allowed_upward_imports_are_still_there():
    """An exception that is no longer needed is removed from the list."""
    for source, target in ALLOWED_UPWARD:
        assert target in {t for t, _, _ in imports(source)}, (source, target)
    # and without the exception it would be a cycle: that is why it is listed
    edges = graph()
    for source, target in ALLOWED_UPWARD:
        edges[source].add(target)
    assert cycles(edges) != []


def test_no_private_name_is_imported_from_another_module():
    taken = sorted(
        f"{name} takes {target}.{imported}"
        for name in MODULES
        for target, _, names in imports(name)
        for imported in names
        if imported.startswith("_") and target != name
    )
    assert taken == []


def test_only_the_plugin_imports_mkdocs():
    importers = []
    for name, path in MODULES.items():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            modules = (
                [alias.name for alias in node.names]
                if isinstance(node, ast.Import)
                else [node.module or ""]
                if isinstance(node, ast.ImportFrom) and not node.level
                else []
            )
            if any(m == "mkdocs" or m.startswith("mkdocs.") for m in modules):
                importers.append(name)
    assert sorted(set(importers)) == ["caselib.mkdocs_plugin"]

"""The core's layout shows its architecture: each module imports only from its own layer or a layer below, and no
import circle remains (issue 18). A new module must be given a layer here, or this test fails."""

from __future__ import annotations

import ast
from pathlib import Path

from conftest import ROOT

PACKAGE = ROOT / "hooks" / "sitedata"

# Lowest first. A module may import from its own layer and from any layer before it.
LAYERS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("base", ("sitedata.constants", "sitedata.text", "sitedata.background", "sitedata.npm")),
    ("data", ("sitedata.data",)),
    ("views", ("sitedata.views",)),
    ("post-build", ("sitedata.postbuild",)),
    ("build", ("sitedata.build", "sitedata.rebuild")),
    ("editor tools and adapters", ("sitedata.tools", "sitedata.adapters")),
    ("command line", ("sitedata.cli", "sitedata.__main__")),
)
# Only the MkDocs adapter may import MkDocs: the rest of the core serves any generator.
GENERATOR_MODULES = ("mkdocs", "material", "mkdocs_macros", "properdocs")
MAY_IMPORT_GENERATOR = ("sitedata.adapters.mkdocs_plugin",)


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def layer_of(name: str) -> int:
    for index, (_label, prefixes) in enumerate(LAYERS):
        if any(name == p or name.startswith(p + ".") for p in prefixes):
            return index
    raise AssertionError(f"{name} has no layer: add it to LAYERS in tests/unit/test_layers.py")


def imports(path: Path) -> set[str]:
    """Every module `path` imports, with `from x import y` counted as x.y when x.y is a module of ours."""
    out: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            out.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            assert node.level == 0, f"{path}: relative import; write it absolute (from {node.module})"
            out.add(node.module)
            out.update(f"{node.module}.{alias.name}" for alias in node.names if (PACKAGE.parent / node.module.replace(".", "/") / f"{alias.name}.py").is_file())
    return out


def ours(names: set[str]) -> set[str]:
    return {n for n in names if n == "sitedata" or n.startswith("sitedata.")} - {"sitedata"}


def graph() -> dict[str, set[str]]:
    return {module_name(p): {n for n in ours(imports(p)) if (PACKAGE.parent / (n.replace(".", "/") + ".py")).is_file() or (PACKAGE.parent / n.replace(".", "/")).is_dir()} for p in sorted(PACKAGE.rglob("*.py"))}


def upward(edges: dict[str, set[str]]) -> list[str]:
    return [
        f"{name} ({LAYERS[layer_of(name)][0]}) imports {target} ({LAYERS[layer_of(target)][0]})"
        for name, targets in edges.items()
        for target in sorted(targets)
        if layer_of(target) > layer_of(name)
    ]


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    found: list[list[str]] = []

    def visit(node: str, path: list[str]) -> None:
        for target in sorted(edges.get(node, ())):
            if target in path:
                found.append(path[path.index(target) :] + [target])
            else:
                visit(target, [*path, target])

    for start in edges:
        visit(start, [start])
    return found


def test_every_module_imports_only_from_its_layer_or_below() -> None:
    assert upward(graph()) == []


def test_no_import_circle() -> None:
    assert cycles(graph()) == []


def test_only_the_mkdocs_adapter_imports_a_generator() -> None:
    found = [
        f"{module_name(p)} imports {n}"
        for p in sorted(PACKAGE.rglob("*.py"))
        if module_name(p) not in MAY_IMPORT_GENERATOR
        for n in sorted(imports(p))
        if n.split(".")[0] in GENERATOR_MODULES
    ]
    assert found == []


def test_the_checks_above_can_fail(tmp_path: Path) -> None:
    """Each check catches what it is for, on made-up modules: load.py reaching up into a view, and the old circle."""
    source = tmp_path / "m.py"
    source.write_text("from sitedata.views.glossary import term_marker\nimport mkdocs.plugins\n", encoding="utf-8")
    assert {"sitedata.views.glossary", "mkdocs.plugins"} <= imports(source)
    old = {"sitedata.data.load": {"sitedata.views.glossary"}, "sitedata.views.glossary": {"sitedata.data.load"}}
    assert upward(old) == ["sitedata.data.load (data) imports sitedata.views.glossary (views)"]
    assert cycles(old) == [["sitedata.data.load", "sitedata.views.glossary", "sitedata.data.load"], ["sitedata.views.glossary", "sitedata.data.load", "sitedata.views.glossary"]]

"""The package's layers, read from the source: every import (inside functions and TYPE_CHECKING blocks
too) goes to the same layer or a lower one, and no modules import each other in a circle.

CLI → TUI → practice → reports → review → store → grading → bank/config → errors/locations.
docs/architecture.md says what each layer owns.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import interviewer

PACKAGE_DIR = Path(interviewer.__file__).resolve().parent
LAYERS: list[tuple[str, tuple[str, ...]]] = [
    ("CLI", ("interviewer.cli", "interviewer.__main__", "interviewer.schemas")),
    ("TUI", ("interviewer.tui",)),
    ("practice", ("interviewer.practice",)),
    ("reports", ("interviewer.reports",)),
    ("review", ("interviewer.review",)),
    ("store", ("interviewer.store",)),
    ("grading", ("interviewer.grading",)),
    ("bank/config", ("interviewer.bank", "interviewer.config", "interviewer.names")),
    ("foundation", ("interviewer.errors", "interviewer.locations", "interviewer")),
]


def module_names() -> dict[str, Path]:
    """Every module of the package by dotted name (a package by its __init__)."""
    modules = {}
    for path in PACKAGE_DIR.rglob("*.py"):
        parts = list(path.relative_to(PACKAGE_DIR.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        modules[".".join(parts)] = path
    return modules


MODULES = module_names()


def _imported(module: str, node: ast.Import | ast.ImportFrom) -> Iterator[str]:
    """The package modules one import statement reaches (a name imported from a package may be a module)."""
    if isinstance(node, ast.Import):
        yield from (alias.name for alias in node.names)
        return
    base = node.module or ""
    if node.level:
        package = module if MODULES[module].name == "__init__.py" else module.rpartition(".")[0]
        for _ in range(node.level - 1):
            package = package.rpartition(".")[0]
        base = f"{package}.{base}" if base else package
    yield base
    yield from (f"{base}.{alias.name}" for alias in node.names)


def imports_of(module: str) -> set[str]:
    """The package modules `module` imports anywhere in its source."""
    tree = ast.parse(MODULES[module].read_text(encoding="utf-8"))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import | ast.ImportFrom):
            found.update(name for name in _imported(module, node) if name in MODULES and name != module)
    return found


GRAPH = {module: imports_of(module) for module in MODULES}


def layer_of(module: str) -> int:
    """Index of the module's layer (0 is the top); the longest matching prefix decides."""
    best: tuple[int, int] | None = None
    for index, (_, prefixes) in enumerate(LAYERS):
        for prefix in prefixes:
            matches = module == prefix or module.startswith(prefix + ".")
            if matches and (best is None or len(prefix) > best[1]):
                best = (index, len(prefix))
    assert best is not None, f"{module} is in no layer: add it to LAYERS and docs/architecture.md"
    return best[0]


def test_every_module_is_in_a_layer() -> None:
    assert "interviewer.review" in MODULES and "interviewer.tui.app" in MODULES
    for module in MODULES:
        layer_of(module)


def test_no_module_imports_a_higher_layer() -> None:
    upward = [
        f"{module} ({LAYERS[layer_of(module)][0]}) imports {target} ({LAYERS[layer_of(target)][0]})"
        for module, targets in GRAPH.items()
        for target in targets
        if layer_of(target) < layer_of(module)
    ]
    assert upward == []


def test_the_store_imports_no_domain_scheduling_and_the_domain_no_textual() -> None:
    store_imports = {
        target for module, targets in GRAPH.items() if module.startswith("interviewer.store") for target in targets
    }
    assert not [target for target in store_imports if target.startswith(("interviewer.review", "interviewer.practice"))]
    assert "interviewer.reports.progress" in MODULES and "interviewer.review" in GRAPH["interviewer.practice"]
    below_the_tui = [module for module in MODULES if layer_of(module) > layer_of("interviewer.tui")]
    textual_users = sorted(
        module
        for module in below_the_tui
        for node in ast.walk(ast.parse(MODULES[module].read_text(encoding="utf-8")))
        if isinstance(node, ast.Import | ast.ImportFrom)
        and any(name == "textual" or name.startswith("textual.") for name in _top_level_names(node))
    )
    assert textual_users == []


def _top_level_names(node: ast.Import | ast.ImportFrom) -> list[str]:
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    return [node.module or ""] if not node.level else []


def test_no_import_circle() -> None:
    """Tarjan's strongly connected components: any component of two or more modules is a circle."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    circles: list[list[str]] = []

    def visit(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        on_stack.add(module)
        for target in GRAPH[module]:
            if target not in index:
                visit(target)
                low[module] = min(low[module], low[target])
            elif target in on_stack:
                low[module] = min(low[module], index[target])
        if low[module] == index[module]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == module:
                    break
            if len(component) > 1:
                circles.append(sorted(component))

    for module in sorted(GRAPH):
        if module not in index:
            visit(module)
    assert circles == []

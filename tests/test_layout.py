"""The package layout: one package per domain, public import paths, and no import cycle inside ocpkit.

The cycle check reads every module's ``import`` statements (at module level and
inside functions; ``if TYPE_CHECKING:`` blocks excluded, since they never run)
and follows them as Python does: importing ``a.b.c`` first imports ``a`` and
``a.b``. An edge from a module to one of its own ancestor packages is not a
cycle (the ancestor is always initialised first); every other loop is.
"""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest

from tests.conftest import ROOT

PACKAGE = ROOT / "ocpkit"

TOP_LEVEL = {
    "__init__.py",
    "__main__.py",  # ``python -m ocpkit``
    "errors.py",
    "findings.py",
    "schemas.py",
    "_model.py",
    "_fsm.py",
    "_version.py",
    "py.typed",
    "_schemas",
}
DOMAINS = {"ocpp", "ocpi", "capture", "tariffs", "energy", "bridge", "cli", "sphinxext", "fleet"}


def test_top_level_holds_the_domains_and_the_shared_modules_only() -> None:
    names = {p.name for p in PACKAGE.iterdir() if p.name != "__pycache__"}
    assert names - TOP_LEVEL - DOMAINS == set()
    for domain in names & DOMAINS:
        assert (PACKAGE / domain / "__init__.py").is_file(), domain


@pytest.mark.parametrize(
    ("module", "name"),
    [
        ("ocpkit.capture", "CaptureReader"),
        ("ocpkit.capture", "CapturedFrame"),
        ("ocpkit.tariffs", "price"),
        ("ocpkit.tariffs", "Pricing"),
        ("ocpkit.energy", "energy_delivered"),
        ("ocpkit.bridge", "read_transaction"),
        ("ocpkit.bridge", "to_cdr"),
        ("ocpkit.cli", "main"),
        ("ocpkit.sphinxext", "setup"),
        ("ocpkit.sphinxext", "describe_model"),
        ("ocpkit.ocpp.validation", "check_frame"),
        ("ocpkit.ocpp.validation", "validate_payload"),
        ("ocpkit.ocpp", "parse_frame"),
        ("ocpkit.ocpp", "actions"),
        ("ocpkit.ocpp.smart_charging", "composite_schedule"),
        ("ocpkit.ocpi", "parse"),
        ("ocpkit.ocpi", "convert"),
        ("ocpkit.schemas", "ocpp_schema"),
    ],
)
def test_public_import_paths(module: str, name: str) -> None:
    assert callable(getattr(importlib.import_module(module), name))


def test_every_package_declares_all() -> None:
    missing = []
    for path in sorted(PACKAGE.rglob("__init__.py")):
        rel = path.relative_to(ROOT)
        if rel.parts[1] in ("_schemas",):
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        if not any(
            isinstance(node, ast.Assign | ast.AnnAssign)
            and any(isinstance(t, ast.Name) and t.id == "__all__" for t in _targets(node))
            for node in tree.body
        ):
            missing.append(str(rel))
    assert missing == []


def test_the_package_lists_its_subpackages() -> None:
    import ocpkit

    for name in ("ocpp", "ocpi", "capture", "tariffs", "energy", "bridge", "schemas", "errors"):
        assert name in ocpkit.__all__
        assert getattr(ocpkit, name).__name__ == f"ocpkit.{name}"


def _targets(node: ast.Assign | ast.AnnAssign) -> list[ast.expr]:
    return list(node.targets) if isinstance(node, ast.Assign) else [node.target]


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imports(tree: ast.AST, here: str, is_package: bool) -> set[str]:
    """Modules named by the import statements of a module (its runtime ones)."""
    found: set[str] = set()

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.If) and _is_type_checking(node.test):
            for child in node.orelse:
                visit(child)
            return
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = here.split(".") if is_package else here.split(".")[:-1]
                anchor = anchor[: len(anchor) - (node.level - 1)]
                base = ".".join([*anchor, *([base] if base else [])])
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names)
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(tree)
    return found


def _graph() -> dict[str, set[str]]:
    modules: dict[str, Path] = {_module_name(p): p for p in PACKAGE.rglob("*.py")}
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        ancestors = {".".join(name.split(".")[:i]) for i in range(1, len(name.split(".")))}
        edges: set[str] = set()
        for target in _imports(tree, name, path.name == "__init__.py"):
            if target not in modules:
                continue  # a name inside a module, or outside ocpkit
            parts = target.split(".")
            # importing a.b.c imports a and a.b first
            for i in range(1, len(parts) + 1):
                step = ".".join(parts[:i])
                if step in modules and step != name and step not in ancestors:
                    edges.add(step)
        graph[name] = edges
    return graph


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    out: list[list[str]] = []
    counter = 0

    def strongconnect(v: str) -> None:
        nonlocal counter
        index[v] = low[v] = counter
        counter += 1
        stack.append(v)
        on_stack.add(v)
        for w in graph.get(v, ()):
            if w not in index:
                strongconnect(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                out.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            strongconnect(v)
    return out


def test_no_import_cycle_inside_the_package() -> None:
    assert _cycles(_graph()) == []


def test_the_cycle_check_sees_a_cycle() -> None:
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    tree = ast.parse("from ocpkit.ocpi._parse import x\ndef f():\n    from . import envelope\n")
    assert {"ocpkit.ocpi._parse", "ocpkit.ocpi.envelope"} <= _imports(tree, "ocpkit.ocpi.session", False)

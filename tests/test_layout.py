"""The package's shape, read from the source: no import cycle, and no upward import.

Every ``import`` / ``from ... import`` of a metdash module in ``metdash/`` counts, at the top
of a module or inside a function (a function-local import is still a dependency); imports
under ``if TYPE_CHECKING:`` do not (they never run). The layers, bottom first:

- ``metdash.errors`` imports no metdash module;
- the store (``metdash.store.*``) imports only the errors and itself, and its
  ``snapshot`` module nothing but the errors;
- the rules (``metdash.coding.*``, ``metdash.carc``, ``metdash.metrics``, ``metdash.privacy``)
  and the charts (``metdash.charts`` and ``metdash.*_charts``, with the values they write,
  ``metdash.chart_labels``) are pure: no store, no Streamlit, nothing built on them;
- only ``metdash.ui.*`` imports Streamlit, and nothing in metdash imports the UI or the
  command line but themselves.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1] / "metdash"


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


MODULES = {_module_name(p): p for p in ROOT.rglob("*.py")}


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _imports(path: Path) -> set[str]:
    """The external and metdash modules ``path`` imports (a name imported from a package
    counts as its submodule when there is one)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    this = _module_name(path)
    package = this if path.name == "__init__.py" else this.rpartition(".")[0]
    found: set[str] = set()

    def visit(node: ast.AST) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and _is_type_checking(child):
                for other in child.orelse:
                    visit(other)
                continue
            if isinstance(child, ast.Import):
                found.update(a.name for a in child.names)
            elif isinstance(child, ast.ImportFrom):
                base = child.module or ""
                if child.level:
                    anchor = package.split(".")
                    anchor = anchor[: len(anchor) - child.level + 1]
                    base = ".".join(anchor + ([base] if base else []))
                for alias in child.names:
                    sub = f"{base}.{alias.name}"
                    found.add(sub if sub in MODULES else base)
            visit(child)

    visit(tree)
    return found


GRAPH = {name: _imports(path) for name, path in MODULES.items()}


def _ours(names: set[str]) -> set[str]:
    return {n for n in names if n == "metdash" or n.startswith("metdash.")}


def _cycles() -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan), or a self-import."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = [0]

    def strong(v: str) -> None:
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on_stack.add(v)
        for w in sorted(_ours(GRAPH.get(v, set())) & MODULES.keys()):
            if w == v:
                continue
            if w not in index:
                strong(w)
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
                found.append(sorted(component))

    for v in sorted(MODULES):
        if v not in index:
            strong(v)
    return found


def test_the_import_graph_was_read():
    # A reader that saw nothing would pass every test below.
    assert "metdash.store.db" in GRAPH["metdash.store.backup"]
    assert "metdash.errors" in GRAPH["metdash.store.db"]
    assert len(MODULES) > 40


def test_no_import_cycle():
    assert _cycles() == []


def _below(module: str, allowed_prefixes: tuple[str, ...]) -> list[str]:
    """The metdash modules ``module`` imports outside ``allowed_prefixes``."""
    return sorted(n for n in _ours(GRAPH[module])
                  if not any(n == p or n.startswith(p + ".") for p in allowed_prefixes))


LAYERS = {
    # module prefix: what it may import from metdash
    "metdash.errors": (),
    "metdash.store.snapshot": ("metdash.errors",),
    "metdash.store": ("metdash.errors", "metdash.store"),
    "metdash.coding": ("metdash.errors", "metdash.coding"),
    "metdash.carc": ("metdash.errors",),
    "metdash.metrics": ("metdash.errors", "metdash.chart_labels"),  # its rounding, a leaf
    "metdash.privacy": ("metdash.errors",),
    "metdash.chart_labels": ("metdash.errors",),
    "metdash.charts": ("metdash.errors", "metdash.charts", "metdash.chart_labels"),
}
CHARTS = sorted(m for m in MODULES if m.endswith("_charts"))


def _layer_of(module: str) -> tuple[str, ...] | None:
    best = None
    for prefix, allowed in LAYERS.items():
        if module == prefix or module.startswith(prefix + "."):
            if best is None or len(prefix) > len(best[0]):
                best = (prefix, allowed)
    if module in CHARTS:
        return LAYERS["metdash.charts"]
    return best[1] if best else None


@pytest.mark.parametrize("module", sorted(m for m in MODULES if _layer_of(m) is not None))
def test_no_upward_import(module):
    assert _below(module, _layer_of(module)) == []


@pytest.mark.parametrize("module", sorted(MODULES))
def test_only_the_ui_imports_streamlit(module):
    streamlit = {n for n in GRAPH[module] if n == "streamlit" or n.startswith("streamlit.")}
    if not (module == "metdash.ui" or module.startswith("metdash.ui.")):
        assert streamlit == set()


@pytest.mark.parametrize("module", sorted(MODULES))
def test_nothing_imports_the_ui_or_the_cli(module):
    if module == "metdash.__main__":   # `python -m metdash`: the command itself
        assert _ours(GRAPH[module]) == {"metdash.cli"}
        return
    for top in ("metdash.ui", "metdash.cli"):
        if module == top or module.startswith(top + "."):
            continue
        assert not any(n == top or n.startswith(top + ".") for n in _ours(GRAPH[module])), top


def test_no_private_name_imported_from_another_module():
    offenders = []
    for name, path in MODULES.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("metdash"):
                offenders += [f"{name}: {node.module}.{a.name}" for a in node.names
                              if a.name.startswith("_")]
    assert offenders == []


def test_no_module_is_too_long():
    # One room per concern: a module past ~600 lines does several jobs (the demo builder,
    # a generator of a whole synthetic practice, is the one exception).
    long = {name: n for name, path in MODULES.items()
            if (n := len(path.read_text(encoding="utf-8").splitlines())) > 650
            and name != "metdash.demo"}
    assert long == {}

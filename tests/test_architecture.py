"""The layers of hcimodel (ARCHITECTURE.md): a module imports only from its own
layer or the layers below, and no two modules import each other."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PKG = Path(__file__).resolve().parent.parent / "hcimodel"

#: top-level module or subpackage -> layer (1 foundations ... 4 applications)
LAYERS = {
    "units": 1, "validation": 1, "twins": 1, "streams": 1, "sweep": 1, "plotting": 1, "_jit": 1,
    "_catalog_kernels": 2,
    "roots": 2, "queueing": 2, "caching": 2, "simulate": 2, "traces": 2, "occupancy": 2,
    "workload": 3, "clonepool": 3, "cluster": 3, "hotspot": 3, "shadowclone": 3, "contentcache": 3,
    "replication": 3, "fullclone": 3, "clones": 3,
    "defaults": 4, "figures": 4, "paper": 4, "sizing": 4, "cli": 4, "__main__": 4,
}


def _top(path: Path) -> str:
    rel = path.relative_to(PKG)
    return rel.parts[0].removesuffix(".py")


def _imports(path: Path, pkg_parts: tuple[str, ...] | None = None):
    """(top-level hcimodel module imported, line) for every import in a file,
    inside functions too; ``pkg_parts`` is the file's package (default: its place)."""
    tree = ast.parse(path.read_text())
    if pkg_parts is None:
        pkg_parts = path.relative_to(PKG.parent).with_suffix("").parts[:-1]
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = pkg_parts[: len(pkg_parts) - node.level + 1]
                parts = list(base) + (node.module.split(".") if node.module else [])
            else:
                parts = node.module.split(".") if node.module else []
            if parts[:1] != ["hcimodel"]:
                continue
            if len(parts) == 1:  # from hcimodel import x, y
                for alias in node.names:
                    yield alias.name, node.lineno
            else:
                yield parts[1], node.lineno
        elif isinstance(node, ast.Import):
            for alias in node.names:
                parts = alias.name.split(".")
                if parts[0] == "hcimodel" and len(parts) > 1:
                    yield parts[1], node.lineno


FILES = sorted(p for p in PKG.rglob("*.py") if p.name != "__init__.py" or p.parent != PKG)


def test_every_module_has_a_layer():
    tops = {_top(p) for p in FILES}
    assert tops <= set(LAYERS), f"modules with no layer in tests/test_architecture.py: {tops - set(LAYERS)}"


@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(PKG)))
def test_imports_go_down(path):
    me = _top(path)
    bad = [(dep, line) for dep, line in _imports(path)
           if dep in LAYERS and LAYERS[dep] > LAYERS[me]]
    assert not bad, f"{path.relative_to(PKG)} (layer {LAYERS[me]}) imports upward: {bad}"


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import cycle of any length (a path that returns to its start), or None."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(a):
        state[a] = 1
        path.append(a)
        for b in sorted(graph.get(a, ())):
            if state.get(b) == 1:
                return path[path.index(b):] + [b]
            if b not in state and (found := visit(b)):
                return found
        state[a] = 2
        path.pop()
        return None

    for a in sorted(graph):
        if a not in state and (found := visit(a)):
            return found
    return None


def test_no_import_cycles_between_modules():
    graph: dict[str, set[str]] = {}
    for path in FILES:
        me = _top(path)
        graph.setdefault(me, set()).update(d for d, _ in _imports(path) if d in LAYERS and d != me)
    cycle = _cycle(graph)
    assert cycle is None, f"modules importing each other in a cycle: {' -> '.join(cycle)}"


def test_the_cycle_check_sees_long_cycles():
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": set()}) is None


def test_the_checker_sees_every_spelling_of_an_import(tmp_path):
    # the contract must be able to fail: relative, absolute and package imports
    probe = tmp_path / "probe.py"
    probe.write_text("from .cli import main\nfrom hcimodel import figures\n"
                     "import hcimodel.sizing.report\nfrom ..paper import build\n"
                     "def f():\n    from hcimodel.clones import compare\n")
    found = [d for d, _ in _imports(probe, pkg_parts=("hcimodel", "simulate"))]
    # ``.cli`` inside hcimodel.simulate is hcimodel.simulate.cli
    assert found == ["simulate", "figures", "sizing", "paper", "clones"]

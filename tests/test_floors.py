"""The floors: model → engine → architecture → renderers → pages; no import runs up a floor, and none forms a cycle.

Imports inside functions count, so a late import can never hide a cycle.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FLOORS = ("explorer.model", "explorer.engine", "explorer.architecture", "explorer.render")  # bottom first


def _imports(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            found.add(node.module)
            found.update(f"{node.module}.{a.name}" for a in node.names)
    return found


def _module(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _floor(name: str) -> int | None:
    for i, floor in enumerate(FLOORS):
        if name == floor or name.startswith(floor + "."):
            return i
    return None


MODULES = sorted(p for p in (ROOT / "explorer").rglob("*.py"))


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_import_runs_up_a_floor(path):
    here = _floor(_module(path))
    if here is None:  # explorer/__init__, cli, __main__: above every floor
        return
    for name in _imports(path):
        assert not name.startswith(("streamlit", "pages", "app")), f"{path.name} imports {name}"
        there = _floor(name)
        assert there is None or there <= here, f"{_module(path)} (floor {FLOORS[here]}) imports {name}"


def test_the_import_graph_has_no_cycle():
    graph = {_module(p): {n for n in _imports(p) if n.startswith("explorer")} for p in MODULES}
    mods = set(graph)

    def resolve(name: str) -> str | None:
        while name and name not in mods:
            name = name.rpartition(".")[0]
        return name or None

    edges = {m: {r for n in names if (r := resolve(n)) and r != m and not m.startswith(r + ".")}
             for m, names in graph.items()}
    state: dict[str, int] = {}

    def visit(m: str, trail: list[str]) -> None:
        state[m] = 1
        for n in edges[m]:
            assert state.get(n) != 1, "import cycle: " + " -> ".join([*trail, m, n])
            if n not in state:
                visit(n, [*trail, m])
        state[m] = 2

    for m in sorted(edges):
        if m not in state:
            visit(m, [])


def test_the_shared_layers_check_passes():
    tool = ROOT.parent / "shared" / "tools" / "layers"
    if not tool.exists():
        pytest.skip("../shared/tools/layers is not beside this checkout")
    done = subprocess.run([sys.executable, str(tool)], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "no cycles" in done.stdout

"""The import graph of the four packages, read from their source with ``ast``: no module imports
itself back through a cycle, and the layers import only downward,
reshape → jacobians → net → derivations.

Every import statement counts, at module level and inside functions (a lazy import that closes a
cycle is still a cycle), relative or absolute, and under ``if TYPE_CHECKING:`` too.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LAYERS = ("reshape", "jacobians", "net", "derivations")  # each may import only those before it


def _modules() -> dict[str, Path]:
    """Dotted module name -> file, for every module of the four packages."""
    out = {}
    for package in LAYERS:
        for path in sorted((ROOT / package).rglob("*.py")):
            parts = list(path.relative_to(ROOT).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            out[".".join(parts)] = path
    return out


MODULES = _modules()


def _imported(name: str, path: Path) -> Iterator[tuple[str, int]]:
    """The modules of the four packages that ``name`` imports, with the line of each import."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            targets = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(anchor + ([node.module] if node.module else []))
            else:
                base = node.module or ""
            # `from pkg import sub` imports the module pkg.sub when there is one, else pkg
            targets = [
                f"{base}.{a.name}" if f"{base}.{a.name}" in MODULES else base for a in node.names
            ]
        else:
            continue
        for target in targets:
            if target.split(".")[0] in LAYERS:
                assert target in MODULES, f"{path}:{node.lineno} imports unknown {target}"
                yield target, node.lineno


GRAPH = {name: sorted(set(_imported(name, path))) for name, path in MODULES.items()}


def _reachable(start: str) -> set[str]:
    seen: set[str] = set()
    todo = [t for t, _ in GRAPH[start]]
    while todo:
        m = todo.pop()
        if m not in seen:
            seen.add(m)
            todo += [t for t, _ in GRAPH[m]]
    return seen


def test_the_graph_is_read():
    """A sanity check on the parser: known edges, relative and absolute, are found."""
    edges = {(a, b) for a, targets in GRAPH.items() for b, _ in targets}
    assert ("derivations._layer", "derivations._build") in edges  # from ._build import …
    assert ("derivations._layer", "jacobians") in edges  # from jacobians import …
    assert ("derivations", "derivations._text") in edges  # from . import _text
    assert len(MODULES) > 40


REACH = {m: _reachable(m) for m in GRAPH}
# each cycle as the set of modules that reach one another
CYCLES = {frozenset({m} | {o for o in REACH[m] if m in REACH[o]}) for m in GRAPH if m in REACH[m]}


@pytest.mark.parametrize("package", LAYERS)
def test_no_import_cycle(package):
    """No cycle through a module of ``package`` (one test per package, so each shows alone)."""
    report = []
    for cycle in sorted(CYCLES, key=sorted):
        if not any(m.split(".")[0] == package for m in cycle):
            continue
        edges = [
            f"  {a} -> {b} (line {line})"
            for a in sorted(cycle)
            for b, line in GRAPH[a]
            if b in cycle
        ]
        report.append(f"modules {', '.join(sorted(cycle))} import each other:\n" + "\n".join(edges))
    assert not report, "\n".join(report)


def test_layers_import_only_downward():
    bad = [
        f"{a} imports {b} (line {line}): {a.split('.')[0]} may import only "
        f"{', '.join(LAYERS[: LAYERS.index(a.split('.')[0]) + 1])}"
        for a, targets in GRAPH.items()
        for b, line in targets
        if LAYERS.index(b.split(".")[0]) > LAYERS.index(a.split(".")[0])
    ]
    assert not bad, "\n".join(bad)

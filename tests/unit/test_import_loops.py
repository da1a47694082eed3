"""No import loop between the modules of `portal/`: each module can be read, and loaded, on its own terms.

An import runs when its module is loaded unless it sits inside a function (a deliberate late import) or
under `if TYPE_CHECKING:`. Those are left out; every other import of a `portal` module is an edge, and the
graph of edges must have no cycle.
"""

from __future__ import annotations

import ast
from pathlib import Path

PORTAL = Path(__file__).resolve().parents[2] / "portal"


def _modules(root: Path) -> dict[str, Path]:
    """Return every module under `root` by dotted name ("portal.staff.review"; a package by its own name)."""
    found = {}
    for path in root.rglob("*.py"):
        parts = list(path.relative_to(root.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


def _load_time_imports(tree: ast.Module):
    """Yield the Import and ImportFrom nodes that run when the module is loaded."""
    pending = list(tree.body)
    while pending:
        node = pending.pop()
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            if isinstance(node, ast.ClassDef):
                pending.extend(node.body)
            continue
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            pending.extend(node.orelse)
            continue
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            yield node
            continue
        for field in ("body", "orelse", "finalbody", "handlers"):
            pending.extend(getattr(node, field, []) or [])


def import_graph(root: Path = PORTAL) -> dict[str, set[str]]:
    """Return, for each module under `root`, the modules under `root` it imports when it is loaded."""
    modules = _modules(root)
    graph: dict[str, set[str]] = {name: set() for name in modules}
    for name, path in modules.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        for node in _load_time_imports(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            else:
                base = package.split(".")[:len(package.split(".")) - (node.level - 1)] if node.level else []
                origin = ".".join(base + ([node.module] if node.module else []))
                submodules = [f"{origin}.{alias.name}" for alias in node.names if f"{origin}.{alias.name}" in modules]
                targets = submodules or [origin]
            graph[name].update(target for target in targets if target in modules and target != name)
    return graph


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """Return one cycle of `graph` as a list of nodes (the first repeated at the end), or None."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    for start in sorted(graph):
        if state.get(start):
            continue
        path, iterators = [start], [iter(sorted(graph[start]))]
        state[start] = 1
        while path:
            following = next(iterators[-1], None)
            if following is None:
                state[path.pop()] = 2
                iterators.pop()
            elif state.get(following) == 1:
                return path[path.index(following):] + [following]
            elif not state.get(following):
                state[following] = 1
                path.append(following)
                iterators.append(iter(sorted(graph[following])))
    return None


def test_portal_has_no_import_loop():
    graph = import_graph()
    assert len(graph) > 100 and sum(map(len, graph.values())) > 300  # it did read the package
    cycle = find_cycle(graph)
    assert cycle is None, "import loop: " + " -> ".join(cycle)


def test_a_loop_is_found_and_late_imports_are_not_edges(tmp_path):
    package = tmp_path / "pkg"
    (package / "area").mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "area" / "__init__.py").write_text("from . import routes\n")
    (package / "area" / "routes.py").write_text("from .views import show\nbp = object()\n")
    (package / "area" / "views.py").write_text("from typing import TYPE_CHECKING\n"
                                               "if TYPE_CHECKING:\n    from .routes import bp\n"
                                               "def show():\n    from .routes import bp\n")
    graph = import_graph(package)
    assert graph["pkg.area"] == {"pkg.area.routes"} and graph["pkg.area.views"] == set()
    assert find_cycle(graph) is None
    (package / "area" / "views.py").write_text("from .routes import bp\n\ndef show():\n    return bp\n")
    assert find_cycle(import_graph(package)) == ["pkg.area.routes", "pkg.area.views", "pkg.area.routes"]

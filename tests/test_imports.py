"""The import graph of lib/gtebench, read from the source with ast: it must have no cycle.

Edges: every import, at module level or inside a function or method (imports under `if TYPE_CHECKING:` never
run and are left out). Relative imports are resolved against the importing module's package. `from pkg import
name` is an edge to the submodule `pkg.name` when that is a module, else to `pkg` (its `__init__`); `import
a.b.c` is an edge to `a.b.c`. Importing a submodule also runs its parent packages' `__init__`, but that edge is
not added: a package `__init__` that imports its own submodules is no cycle unless one of them imports the
package back. Only modules of gtebench count; the standard library and third-party packages are ignored.
"""

from __future__ import annotations

import ast
from pathlib import Path

LIB = Path(__file__).resolve().parents[1] / "lib"
PACKAGE = "gtebench"


def module_names(root: Path, package: str) -> dict[str, Path]:
    """Dotted module name -> file, for every .py file of `package` under `root` (packages by their __init__)."""
    modules = {}
    for path in sorted((root / package).rglob("*.py")):
        parts = list(path.relative_to(root).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        modules[".".join(parts)] = path
    return modules


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


class _Imports(ast.NodeVisitor):
    """(line, absolute-or-relative import) for every import statement that can run."""

    def __init__(self) -> None:
        self.found: list[tuple[int, int, str, list[str]]] = []  # (line, level, module, names)

    def visit_If(self, node: ast.If) -> None:
        if _is_type_checking(node.test):
            for child in node.orelse:
                self.visit(child)
            return
        self.generic_visit(node)

    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            self.found.append((node.lineno, 0, alias.name, []))

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        self.found.append((node.lineno, node.level, node.module or "", [a.name for a in node.names]))


def _longest_known(name: str, modules: dict[str, Path]) -> str | None:
    parts = name.split(".")
    while parts:
        if ".".join(parts) in modules:
            return ".".join(parts)
        parts.pop()
    return None


def module_imports(name: str, path: Path, modules: dict[str, Path]) -> list[tuple[str, int]]:
    """The modules of `modules` that module `name` imports, each with the line of its import statement."""
    visitor = _Imports()
    visitor.visit(ast.parse(path.read_text(encoding="utf-8"), filename=str(path)))
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    edges = []
    for line, level, module, names in visitor.found:
        if level:
            base = package.split(".")
            if level - 1 >= len(base):
                raise ValueError(f"{path}:{line}: relative import beyond the top-level package")
            base = base[: len(base) - (level - 1)]
            target = ".".join(base + ([module] if module else []))
        else:
            target = module
        if names:  # from target import names: a name that is a submodule is an edge to it, else to target
            for imported in names:
                if f"{target}.{imported}" in modules:
                    edges.append((f"{target}.{imported}", line))
                elif (known := _longest_known(target, modules)) is not None:
                    edges.append((known, line))
        elif (known := _longest_known(target, modules)) is not None:
            edges.append((known, line))
    return edges


def import_graph(root: Path = LIB, package: str = PACKAGE) -> dict[str, dict[str, int]]:
    """module -> {imported module: line of the (first) import}, over every module of `package`."""
    modules = module_names(root, package)
    graph: dict[str, dict[str, int]] = {}
    for name, path in modules.items():
        graph[name] = {}
        for target, line in module_imports(name, path, modules):
            graph[name].setdefault(target, line)
    return graph


def strongly_connected(graph: dict[str, dict[str, int]]) -> list[list[str]]:
    """Tarjan's components with a cycle (more than one module, or a module importing itself), sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in graph.get(node, {}):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1 or node in graph.get(node, {}):
                components.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return sorted(components)


def cycles(graph: dict[str, dict[str, int]], limit: int = 200) -> list[list[str]]:
    """The elementary cycles (each starting at its smallest module, listed once), at most `limit` of them."""
    found: list[list[str]] = []

    def walk(start: str, members: set[str], path: list[str]) -> None:
        for nxt in sorted(graph[path[-1]]):
            if len(found) >= limit or nxt not in members or nxt < start:
                continue
            if nxt == start:
                found.append(path + [start])
            elif nxt not in path:
                walk(start, members, path + [nxt])

    for component in strongly_connected(graph):
        for start in component:  # the cycles whose smallest module is `start`
            walk(start, set(component), [start])
    return found


def describe(cycle: list[str], graph: dict[str, dict[str, int]]) -> str:
    """`a (line n) -> b (line m) -> a`: each hop with the line of its import statement."""
    hops = [f"{a} (line {graph[a][b]})" for a, b in zip(cycle, cycle[1:])]
    return " -> ".join(hops + [cycle[-1]])


def test_gtebench_has_no_import_cycle():
    graph = import_graph()
    found = cycles(graph)
    report = "\n".join(describe(c, graph) for c in found)
    assert not found, f"{len(found)} import cycle(s) in lib/gtebench (each hop names the line of its import):\n{report}"


def test_the_graph_resolves_relative_imports_and_finds_cycles(tmp_path):
    files = {
        "pkg/__init__.py": "from .registry import REG\n",  # a package importing its submodules: no cycle by itself
        "pkg/registry.py": "from . import loader\nfrom .types import T\n",
        "pkg/loader.py": "import os\nfrom .types import T\n\ndef load():\n    from pkg import util\n",
        "pkg/types.py": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from .registry import REG\n",
        "pkg/util.py": "from . import helper_name\n",  # not a submodule: an edge to the package __init__
        "pkg/sub/__init__.py": "",
        "pkg/sub/deep.py": "from ..types import T\nimport pkg.sub\n",
    }
    for rel, text in files.items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(text)
    graph = import_graph(tmp_path, "pkg")
    assert graph["pkg"] == {"pkg.registry": 1}
    assert graph["pkg.registry"] == {"pkg.loader": 1, "pkg.types": 2}
    assert graph["pkg.loader"] == {"pkg.types": 2, "pkg.util": 5}  # function-level import counted
    assert graph["pkg.types"] == {}  # TYPE_CHECKING imports never run
    assert graph["pkg.sub.deep"] == {"pkg.types": 1, "pkg.sub": 2}
    assert graph["pkg.util"] == {"pkg": 1}
    assert cycles(graph) == [["pkg", "pkg.registry", "pkg.loader", "pkg.util", "pkg"]]
    assert "pkg.loader (line 5) -> pkg.util" in describe(cycles(graph)[0], graph)


def test_every_package_folder_has_an_init_so_its_public_names_import():
    folders = {p.parent for p in (LIB / "gtebench").rglob("*.py")}
    assert sorted(str(f.relative_to(LIB)) for f in folders if not (f / "__init__.py").is_file()) == []
    from gtebench.encoders import embed, get_encoder

    assert get_encoder("minilm-l6").dim == 384 and callable(embed)

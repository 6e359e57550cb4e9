"""The layout of gtebench.data: registries import loaders, loaders import types and helpers, never the reverse.

Layers, top down: consumers (stats: prepares datasets by key), registries (`__init__`, registry, search), loaders
(one per source), shared modules (types and helpers). A module imports only from the layers below it, except that
shared modules may import each other; a loader imports no other loader.

Read from the source with ast (module-level and function-level imports, relative imports resolved), so an import
hidden inside a function counts as much as one at the top.
"""

from __future__ import annotations

from ..test_imports import import_graph

CONSUMERS = {"gtebench.data.stats"}
REGISTRIES = {"gtebench.data", "gtebench.data.registry", "gtebench.data.search"}
LOADERS = {f"gtebench.data.{name}" for name in ("amazon2018", "amazon2023", "amazon_c4", "custom", "esci", "homedepot",
                                                                       "movielens", "steam")}
SHARED = {f"gtebench.data.{name}" for name in ("amazon2023_sources", "cache", "errors", "files", "recbole_export",
                                               "sequences", "types")}
LAYERS = CONSUMERS | REGISTRIES | LOADERS | SHARED


def _data_graph() -> dict[str, dict[str, int]]:
    return {name: edges for name, edges in import_graph().items() if name.split(".")[:2] == ["gtebench", "data"]}


def test_every_module_of_the_data_layer_is_classified():
    modules = set(_data_graph())
    assert modules == LAYERS, (
        f"new module(s) {sorted(modules - LAYERS)} (add each to a layer of this test); gone: {sorted(LAYERS - modules)}"
    )
    assert len(CONSUMERS) + len(REGISTRIES) + len(LOADERS) + len(SHARED) == len(LAYERS)  # one layer each


def _offenders(importers: set[str], targets: set[str]) -> list[str]:
    return [f"{name} imports {target} (line {line})" for name, edges in sorted(_data_graph().items())
            if name in importers for target, line in sorted(edges.items()) if target in targets and target != name]


def test_no_loader_or_shared_module_imports_a_registry():
    offenders = _offenders(LOADERS | SHARED, REGISTRIES)
    assert not offenders, "\n".join(offenders)


def test_nothing_below_the_consumers_imports_them():
    offenders = _offenders(REGISTRIES | LOADERS | SHARED, CONSUMERS)
    assert not offenders, "\n".join(offenders)


def test_no_loader_imports_another_loader_and_shared_modules_import_no_loader():
    offenders = _offenders(LOADERS | SHARED, LOADERS)
    assert not offenders, "\n".join(offenders)


def test_the_registries_import_the_loaders_at_module_top():
    graph = _data_graph()
    imported = set(graph["gtebench.data.registry"]) | set(graph["gtebench.data.search"])
    assert LOADERS <= imported, f"not imported by a registry: {sorted(LOADERS - imported)}"

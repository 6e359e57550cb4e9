"""What the registries hold, as tables a reader can scan: `gtebench list models` and `gtebench list datasets`.

One row per encoder (key, name, class, dimension, parameters, hub id, licence) and per dataset (key, task, loader,
licence, description), straight from gtebench.encoders.registry and gtebench.data; nothing here is a second copy.
"""

from __future__ import annotations

import argparse

import pandas as pd


def encoder_table() -> pd.DataFrame:
    """Every registered encoder with its licence (BM25 is lexical scoring without an entry)."""
    from .encoders.registry import ENCODERS

    return pd.DataFrame([{"key": s.key, "name": s.name, "class": s.model_class, "dim": s.dim, "params": s.params,
                          "hub_id": s.hub_id or s.offline_source or "-", "licence": s.licence}
                         for s in ENCODERS.values()])


def dataset_table() -> pd.DataFrame:
    """Every registered dataset, recommendation and search, with the licence of its source (Amazon 2023: one
    row per family, not per category)."""
    from .data.registry import DATASETS
    from .data.search import SEARCH_DATASETS

    rows = [{"key": s.key, "task": "sr", "loader": s.loader, "licence": s.licence, "description": s.description}
            for s in DATASETS.values() if not s.key.startswith("amazon2023")]
    families = sorted({s.key.split("/")[0] for s in DATASETS.values() if s.key.startswith("amazon2023")})
    rows += [{"key": f"{family}/<category>", "task": "sr", "loader": "amazon2023",
              "licence": next(s.licence for s in DATASETS.values() if s.key.startswith(family + "/")),
              "description": f"Amazon Reviews 2023, {family} family (gtebench.data.amazon2023_sources.CATEGORIES)"}
             for family in families]
    rows += [{"key": s.key, "task": "search", "loader": s.loader, "licence": s.licence,
              "description": s.description} for s in SEARCH_DATASETS.values()]
    return pd.DataFrame(rows)


def main(argv: list[str] | None = None) -> int:
    """Command line: print the models or the datasets table as Markdown."""
    parser = argparse.ArgumentParser(prog="gtebench list", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("what", choices=["models", "datasets"])
    args = parser.parse_args(argv)
    table = encoder_table() if args.what == "models" else dataset_table()
    print(table.to_markdown(index=False))
    return 0

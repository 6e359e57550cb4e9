"""The paper's published numbers as data files, and ours beside them.

Each CSV in this folder holds one table of the paper in long form (one row per cell, values in percent, with the
name the paper prints), so a notebook can put the paper's number and our delta beside every cell we computed.
"""

from __future__ import annotations

from importlib import resources

import pandas as pd

from ..hints import did_you_mean

TABLES = {"table1": "table1.csv", "table2": "table2.csv"}  # paper table -> file in this folder
TABLE1_KEYS = ["dataset", "backbone", "variant", "model"]


def load_paper_table(name: str) -> pd.DataFrame:
    """The paper's numbers for a table, from the CSV shipped with the package."""
    if name not in TABLES:
        raise KeyError(f"no paper numbers for {name!r}; known tables: {sorted(TABLES)}.{did_you_mean(name, TABLES)}")
    with resources.files(__package__).joinpath(TABLES[name]).open("r", encoding="utf-8") as handle:
        return pd.read_csv(handle, comment="#")


def beside_paper(ours: pd.DataFrame, metrics: tuple[str, ...], table: str = "table1",
                 keys: list[str] = TABLE1_KEYS) -> pd.DataFrame:
    """Our table (one row per `keys`, one column per metric, in percent) with `paper <metric>` and
    `delta <metric>` (ours minus the paper's, in points) beside each metric; NaN where the paper has no cell.

    Args:
        ours: our table; metrics: its metric columns; table: the paper's table name; keys: the row keys.
    """
    paper = load_paper_table(table).pivot_table(index=keys, columns="metric", values="value")
    paper = paper.reindex(columns=list(metrics)).add_prefix("paper ").reset_index()
    merged = ours.merge(paper, on=keys, how="left")
    for metric in metrics:
        merged[f"delta {metric}"] = merged[metric] - merged[f"paper {metric}"]
    return merged


def paper_cells_found(merged: pd.DataFrame, metrics: tuple[str, ...]) -> int:
    """How many of our table's cells have a paper number to compare with."""
    return int(merged[[f"paper {m}" for m in metrics]].notna().to_numpy().sum())

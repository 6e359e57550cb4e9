"""The paper's Table 1 as data, and our numbers beside it."""

import pandas as pd
import pytest

from gtebench.data import DATASETS
from gtebench.encoders.registry import ENCODERS
from gtebench.paper_numbers import beside_paper, load_paper_table, paper_cells_found
from gtebench.recsys.backbones import BACKBONES
from gtebench.tables import SR_METRICS


def test_table1_has_every_cell_of_the_paper_with_keys_this_repository_knows():
    table = load_paper_table("table1")
    assert len(table) == 17 * 3 * 4  # 17 model rows x 3 datasets x 4 metrics
    assert set(table.dataset) <= set(DATASETS)
    assert set(table.model) - {"id"} <= set(ENCODERS)
    assert set(table.backbone) - {"unisrec"} <= set(BACKBONES)
    cell = table.query("dataset == 'amazon2023/Video_Games' and backbone == 'unisrec' and model == 'nv-embed-v2' "
                       "and metric == 'ndcg@10'").iloc[0]
    assert cell.value == 1.65 and cell.marked_significant  # "**1.65***" in the paper


def test_beside_paper_puts_the_delta_next_to_matching_cells_only():
    ours = pd.DataFrame([
        {"dataset": "amazon2023/All_Beauty", "backbone": "sasrec", "variant": "id", "model": "id",
         **dict.fromkeys(SR_METRICS, 0.5)},
        {"dataset": "ml-100k", "backbone": "sasrec", "variant": "id", "model": "id", **dict.fromkeys(SR_METRICS, 5.0)},
    ])
    merged = beside_paper(ours, SR_METRICS)
    beauty, movielens = merged.iloc[0], merged.iloc[1]
    assert beauty["paper recall@10"] == 0.31 and beauty["delta recall@10"] == pytest.approx(0.19)
    assert beauty["delta ndcg@50"] == pytest.approx(0.5 - 0.30)
    assert pd.isna(movielens["paper ndcg@10"]) and pd.isna(movielens["delta ndcg@10"])
    assert paper_cells_found(merged, SR_METRICS) == 4


def test_unknown_table_names_the_known_ones():
    with pytest.raises(KeyError, match="table1"):
        load_paper_table("tabel1")

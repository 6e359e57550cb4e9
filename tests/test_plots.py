"""Figures from tidy results frames."""

import pandas as pd

from gtebench.plots import plot_sr
from gtebench.results import COLUMNS


def sr_rows(backbone: str, variant: str, model: str, model_class: str, value: float) -> list[dict]:
    return [{**dict.fromkeys(COLUMNS), "task": "sr", "dataset": "ml-100k", "backbone": backbone, "variant": variant,
             "model": model, "model_class": model_class, "metric": metric, "split": "test", "value": value, "seed": 1,
             "best_epoch": 1, "epochs": 2, "train_seconds": 1.0} for metric in ("recall@10", "ndcg@10", "recall@50", "ndcg@50")]


def test_each_panel_shows_only_the_representations_its_backbone_has():
    frame = pd.DataFrame(sr_rows("sasrec", "id", "id", "id", 0.02) + sr_rows("sasrec", "text", "tfidf-svd", "lexical", 0.03)
                         + sr_rows("unisrec", "text", "tfidf-svd", "lexical", 0.04), columns=COLUMNS)
    fig = plot_sr(frame)
    ticks = {ax.get_title(): [t.get_text() for t in ax.get_xticklabels()] for ax in fig.axes}
    assert ticks["ml-100k · sasrec · test"] == ["ID", "TF-IDF + SVD"]
    assert ticks["ml-100k · unisrec · test"] == ["TF-IDF + SVD"]  # text only: no empty ID slot

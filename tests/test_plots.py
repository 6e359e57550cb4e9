"""Figures from tidy results frames: bars per item representation, PCA variants labelled, popularity as a line."""

import pandas as pd

from gtebench.plots import CLASS_COLOURS, plot_sr, representation, save_figure
from gtebench.results import COLUMNS


def _rows(model, variant, model_class, value):
    return [{**dict.fromkeys(COLUMNS, ""), "task": "sr", "dataset": "ml-100k", "backbone": "sasrec", "variant": variant,
             "model": model, "model_class": model_class, "metric": metric, "split": "test", "value": value,
             "seed": 1, "best_epoch": 1, "epochs": 2, "train_seconds": 1.0}
            for metric in ("recall@10", "ndcg@10", "recall@50", "ndcg@50")]


def test_representation_labels():
    labels = {"minilm-l6": "all-MiniLM-L6-v2"}
    assert representation(labels, "id", "id") == "ID"
    assert representation(labels, "minilm-l6", "text") == "all-MiniLM-L6-v2"
    assert representation(labels, "minilm-l6", "text-pca80") == "all-MiniLM-L6-v2 PCA 80%"


def test_plot_sr_has_a_bar_per_representation_and_the_popularity_floor(tmp_path):
    frame = pd.DataFrame(_rows("id", "id", "id", 0.04) + _rows("minilm-l6", "text", "generalist-encoder", 0.05)
                         + _rows("minilm-l6", "text-pca80", "generalist-encoder", 0.045)
                         + _rows("popularity", "id", "baseline", 0.01))
    fig = plot_sr(frame)
    axes = fig.axes
    assert len(axes) == 2  # ndcg@10 and recall@10 for the one dataset x backbone
    ticks = [t.get_text() for t in axes[0].get_xticklabels()]
    assert ticks == ["ID", "all-MiniLM-L6-v2", "all-MiniLM-L6-v2 PCA 80%"]  # ID first, then by variant
    heights = [round(p.get_height(), 6) for p in axes[0].patches]
    assert heights == [4.0, 5.0, 4.5]
    assert [line.get_ydata()[0] for line in axes[0].lines if line.get_linestyle() == "--"] == [1.0]
    colours = {tuple(round(c, 3) for c in p.get_facecolor()[:3]) for p in axes[0].patches}
    assert len(colours) == 2  # one colour per model class: generalist encoder and ID
    written = save_figure(fig, tmp_path / "sr")
    assert [p.suffix for p in written] == [".png", ".pdf"] and all(p.stat().st_size > 1000 for p in written)
    assert "generalist-encoder" in CLASS_COLOURS


def sr_rows(backbone: str, variant: str, model: str, model_class: str, value: float) -> list[dict]:
    return [{**dict.fromkeys(COLUMNS), "task": "sr", "dataset": "ml-100k", "backbone": backbone, "variant": variant,
             "model": model, "model_class": model_class, "metric": metric, "split": "test", "value": value, "seed": 1,
             "best_epoch": 1, "epochs": 2, "train_seconds": 1.0}
            for metric in ("recall@10", "ndcg@10", "recall@50", "ndcg@50")]


def test_each_panel_shows_only_the_representations_its_backbone_has():
    rows = (sr_rows("sasrec", "id", "id", "id", 0.02) + sr_rows("sasrec", "text", "tfidf-svd", "lexical", 0.03)
            + sr_rows("unisrec", "text", "tfidf-svd", "lexical", 0.04))
    frame = pd.DataFrame(rows, columns=COLUMNS)
    fig = plot_sr(frame)
    ticks = {ax.get_title(): [t.get_text() for t in ax.get_xticklabels()] for ax in fig.axes}
    assert ticks["ml-100k · sasrec · test"] == ["ID", "TF-IDF + SVD"]
    assert ticks["ml-100k · unisrec · test"] == ["TF-IDF + SVD"]  # text only: no empty ID slot

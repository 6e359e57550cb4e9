"""Figures from tidy results frames: a grid of bars per dataset x backbone and metric, whiskers that say what they
show, popularity as a line, PCA points labelled with their dimension."""

import pandas as pd
import pytest
from matplotlib.container import BarContainer

from gtebench.plots import (
    CLASS_COLOURS,
    metric_label,
    plot_pca_compression,
    plot_ps,
    plot_sr,
    representation,
    save_figure,
)
from gtebench.results import COLUMNS
from gtebench.tables import dataset_label


def sr_rows(backbone: str, variant: str, model: str, model_class: str, value: float, seed: int = 1) -> list[dict]:
    return [{**dict.fromkeys(COLUMNS), "task": "sr", "dataset": "ml-100k", "backbone": backbone, "variant": variant,
             "model": model, "model_class": model_class, "metric": metric, "split": "test", "value": value,
             "seed": seed, "best_epoch": 1, "epochs": 2, "train_seconds": 1.0}
            for metric in ("recall@10", "ndcg@10", "recall@50", "ndcg@50")]


def whiskers(ax) -> list[tuple[float, float]]:
    """Each bar's whisker as (left end, right end), top bar first; [] where the panel has none."""
    container = next(c for c in ax.containers if isinstance(c, BarContainer))
    if container.errorbar is None:
        return []
    segments = container.errorbar.lines[2][0].get_segments()
    return [(round(float(s[0][0]), 6), round(float(s[1][0]), 6)) for s in segments]


def test_labels():
    labels = {"minilm-l6": "all-MiniLM-L6-v2"}
    assert representation(labels, "id", "id") == "ID"
    assert representation(labels, "minilm-l6", "text") == "all-MiniLM-L6-v2"
    assert representation(labels, "minilm-l6", "text-pca80") == "all-MiniLM-L6-v2 PCA 80%"
    assert metric_label("ndcg@10") == "NDCG@10" and metric_label("recall@50") == "Recall@50"
    assert dataset_label("amazon2018/Scientific") == "Amazon 2018 Scientific"
    assert dataset_label("ml-100k") == "MovieLens 100k" and dataset_label("homedepot") == "Home Depot"
    assert dataset_label("my-own") == "my-own"


def test_plot_sr_is_a_grid_of_backbones_by_metrics_with_the_popularity_floor(tmp_path):
    rows = (sr_rows("gru4rec", "id", "id", "id", 0.03) + sr_rows("sasrec", "id", "id", "id", 0.04)
            + sr_rows("sasrec", "text", "minilm-l6", "generalist-encoder", 0.05)
            + sr_rows("sasrec", "text-pca80", "minilm-l6", "generalist-encoder", 0.045)
            + sr_rows("gru4rec", "text", "minilm-l6", "generalist-encoder", 0.02)
            + sr_rows("popularity", "id", "popularity", "baseline", 0.01))
    fig = plot_sr(pd.DataFrame(rows, columns=COLUMNS))
    axes = fig.axes
    assert len(axes) == 4  # 2 backbones (rows) x ndcg@10, recall@10 (columns)
    assert [ax.get_title() for ax in axes] == ["MovieLens 100k · SASRec"] * 2 + ["MovieLens 100k · GRU4Rec"] * 2
    ticks = [t.get_text() for t in axes[0].get_yticklabels()]
    assert ticks == ["ID", "all-MiniLM-L6-v2", "all-MiniLM-L6-v2 PCA 80%"]  # ID first, then by variant
    assert [round(p.get_width(), 6) for p in axes[0].patches] == [4.0, 5.0, 4.5]
    assert [round(p.get_width(), 6) for p in axes[2].patches] == [3.0, 2.0]
    assert all([line.get_xdata()[0] for line in ax.lines if line.get_linestyle() == "--"] == [1.0] for ax in axes)
    assert axes[0].get_shared_x_axes().joined(axes[0], axes[2])  # one x scale per metric column
    assert not axes[1].yaxis.majorTicks[0].label1.get_visible()  # names once per row, in the first column
    colours = {tuple(round(c, 3) for c in p.get_facecolor()[:3]) for p in axes[0].patches}
    assert len(colours) == 2  # one colour per model class: generalist encoder and ID
    assert "popularity" in [t.get_text() for t in fig.legends[0].get_texts()]
    assert whiskers(axes[0]) == []  # one seed and no intervals: no whisker, and the caption says so
    assert "one seed; no interval" in fig.texts[0].get_text()
    written = save_figure(fig, tmp_path / "sr")
    assert [p.suffix for p in written] == [".png", ".pdf"] and all(p.stat().st_size > 1000 for p in written)
    assert "generalist-encoder" in CLASS_COLOURS


def test_sr_whiskers_are_the_sd_over_seeds_or_the_per_user_interval_of_one_seed():
    rows = [r for seed, value in ((1, 0.04), (2, 0.06), (3, 0.05)) for r in sr_rows("sasrec", "id", "id", "id", value,
                                                                                   seed)]
    fig = plot_sr(pd.DataFrame(rows, columns=COLUMNS))
    assert whiskers(fig.axes[0]) == [(4.0, 6.0)]  # mean 5, sd 1 (points)
    assert fig.texts[0].get_text() == "bars: mean over 3 seeds; whiskers: ± 1 sd over seeds"
    one_seed = pd.DataFrame(sr_rows("sasrec", "id", "id", "id", 0.05), columns=COLUMNS)
    intervals = pd.DataFrame([{"dataset": "ml-100k", "backbone": "sasrec", "variant": "id", "model": "id",
                               "metric": m, "mean": 0.05, "low": 0.042, "high": 0.061, "units": 900, "seeds": 1,
                               "confidence": 0.95} for m in ("ndcg@10", "recall@10")])
    fig = plot_sr(one_seed, intervals)
    assert whiskers(fig.axes[0]) == [(4.2, 6.1)]  # asymmetric, as the bootstrap gives it
    assert fig.texts[0].get_text() == "one seed; whiskers: 95% per-user bootstrap interval"


def test_each_row_shows_only_the_representations_its_backbone_has():
    rows = (sr_rows("sasrec", "id", "id", "id", 0.02) + sr_rows("sasrec", "text", "tfidf-svd", "lexical", 0.03)
            + sr_rows("unisrec", "text", "tfidf-svd", "lexical", 0.04))
    fig = plot_sr(pd.DataFrame(rows, columns=COLUMNS))
    ticks = {ax.get_title(): [t.get_text() for t in ax.get_yticklabels()] for ax in fig.axes[::2]}
    assert ticks["MovieLens 100k · SASRec"] == ["ID", "TF-IDF + SVD"]
    assert ticks["MovieLens 100k · UniSRec"] == ["TF-IDF + SVD"]  # text only: no empty ID slot


def ps_rows(model: str, model_class: str, value: float, dim: int = 384, variant: str = "full") -> list[dict]:
    return [{**dict.fromkeys(COLUMNS), "task": "ps", "dataset": "esci-sample200", "domain": "All", "variant": variant,
             "model": model, "model_class": model_class, "metric": "ndcg@100", "split": "test", "value": value,
             "seed": 0, "config": f'{{"dim": {dim}}}'}]


def test_plot_ps_whiskers_are_a_bootstrap_over_queries():
    frame = pd.DataFrame(ps_rows("minilm-l6", "generalist-encoder", 0.5) + ps_rows("bm25", "lexical", 0.4, 0),
                         columns=COLUMNS)
    per_query = pd.DataFrame([{"dataset": "esci-sample200", "model": model, "variant": "full", "qid": str(q),
                               "ndcg@100": value if q % 2 else value - 0.2 * (model == "bm25")}
                              for model, value in (("minilm-l6", 0.5), ("bm25", 0.5)) for q in range(40)])
    fig = plot_ps(frame, per_query)
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["BM25 (bm25s)", "all-MiniLM-L6-v2"]  # best on top
    (bm25_low, bm25_high), (minilm_low, minilm_high) = whiskers(ax)
    assert minilm_low == minilm_high == 50.0  # every query the same: nothing to resample
    assert bm25_low < 40.0 < bm25_high  # half the queries 0.3, half 0.5: the interval straddles the mean
    assert ax.get_title() == "ESCI (200-row sample), 40 queries"
    assert "bootstrap interval over queries" in fig.texts[0].get_text()
    assert whiskers(plot_ps(frame).axes[0]) == []


def test_pca_figure_labels_each_point_with_its_dimension_and_ticks_powers_of_two():
    frame = pd.DataFrame(ps_rows("minilm-l6", "generalist-encoder", 0.5)
                         + ps_rows("minilm-l6", "generalist-encoder", 0.48, 110, "pca80")
                         + ps_rows("minilm-l6", "generalist-encoder", 0.49, 106, "pca95"), columns=COLUMNS)
    ax = plot_pca_compression(frame).axes[0]
    assert sorted(t.get_text() for t in ax.texts) == ["106", "110", "384"]
    assert [t for t in ax.get_xticks() if ax.get_xlim()[0] <= t <= ax.get_xlim()[1]] == [128, 256]
    with pytest.raises(ValueError, match="no dense"):
        plot_pca_compression(pd.DataFrame(ps_rows("bm25", "lexical", 0.4, 0), columns=COLUMNS))

"""Figures as pure functions of tidy results frames; one colour per model class in every figure."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from .io import atomic_path
from .tables import sr_table

CLASS_COLOURS = {  # fixed across figures so a reader learns them once
    "id": "#7f7f7f",
    "baseline": "#bcbcbc",
    "lexical": "#8c564b",
    "classic": "#9467bd",
    "specialised": "#d62728",
    "generalist-encoder": "#1f77b4",
    "generalist-decoder": "#2ca02c",
    "closed": "#ff7f0e",
}


def save_figure(fig, stem: str | Path) -> list[Path]:
    """Write <stem>.png and <stem>.pdf atomically."""
    written = []
    for suffix in (".png", ".pdf"):
        target = Path(stem).with_suffix(suffix)
        with atomic_path(target) as tmp:
            fig.savefig(tmp, format=suffix[1:], dpi=150, bbox_inches="tight", metadata={"CreationDate": None} if suffix == ".pdf" else None)
        written.append(target)
    return written


def plot_sr(frame: pd.DataFrame, split: str = "test", metrics=("ndcg@10", "recall@10")):
    """Bars per item representation (ID and each text encoder), one panel per metric; error bars over seeds.

    The popularity baseline, where present, is a dashed line across each panel of its dataset."""
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt
    import seaborn as sns

    table = sr_table(frame, split)
    part = frame[(frame["task"] == "sr") & (frame["split"] == split) & frame["metric"].isin(metrics)].copy()
    part["value"] *= 100
    floor = part[part["model"] == "popularity"].set_index(["dataset", "metric"])["value"]
    part, table = part[part["model"] != "popularity"], table[table["model"] != "popularity"]
    labels = dict(zip(table["model"], table["encoder"]))
    part["representation"] = [labels[m] if v == "text" else "ID" for m, v in zip(part["model"], part["variant"])]
    order = [labels[m] if v == "text" else "ID" for m, v in zip(table["model"], table["variant"])]
    order = list(dict.fromkeys(order))
    palette = {labels[m] if v == "text" else "ID": CLASS_COLOURS.get(c, "#333333")
               for m, v, c in zip(table["model"], table["variant"], table["model_class"])}
    sns.set_theme(style="whitegrid", context="notebook")
    panels = [(d, b, m) for d, b in part[["dataset", "backbone"]].drop_duplicates().itertuples(index=False) for m in metrics]
    fig, axes = plt.subplots(1, len(panels), figsize=(4.2 * len(panels), 3.6), squeeze=False)
    for ax, (dataset, backbone, metric) in zip(axes[0], panels):
        data = part[(part["dataset"] == dataset) & (part["backbone"] == backbone) & (part["metric"] == metric)]
        present = set(data["representation"])  # a text-only backbone (UniSRec) has no ID bar: no empty slot either
        sns.barplot(data=data, x="representation", y="value", hue="representation",
                    order=[r for r in order if r in present], palette=palette,
                    errorbar="sd", legend=False, ax=ax)
        if (dataset, metric) in floor.index:
            ax.axhline(floor[(dataset, metric)], color="#555555", linestyle="--", linewidth=1.2, label="popularity")
            ax.legend(loc="lower right", frameon=False, fontsize="small")
        ax.set_title(f"{dataset} · {backbone} · {split}")
        ax.set_xlabel("")
        ax.set_ylabel(f"{metric} (%)")
        plt.setp(ax.get_xticklabels(), rotation=30, ha="right", rotation_mode="anchor")
    classes = list(dict.fromkeys(table["model_class"]))
    handles = [plt.Rectangle((0, 0), 1, 1, color=CLASS_COLOURS.get(c, "#333333")) for c in classes]
    fig.legend(handles, classes, loc="upper center", ncol=len(classes), frameon=False, bbox_to_anchor=(0.5, 1.08))
    fig.tight_layout()
    return fig

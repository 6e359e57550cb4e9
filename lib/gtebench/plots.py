"""Figures as pure functions of tidy results frames; one colour per model class in every figure.

The backend is matplotlib's choice: inline in a notebook kernel (an executed notebook shows its figures), Agg
where there is no display (tests, scripts on a server); MPLBACKEND overrides it."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from .io import atomic_path
from .tables import dataset_label, pca_table, ps_table, sr_table

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


def class_colour(model_class: str) -> str:
    """The plot colour of a model class (dark grey for an unknown one)."""
    return CLASS_COLOURS.get(model_class, "#333333")


def class_legend(fig, model_classes, y: float = 1.08, loc: str = "upper center", extra: tuple = ()) -> None:
    """A legend on `fig` of the `model_classes` present (in order of appearance), above the figure: anchored at
    height `y` by its `loc` point, `extra` (handle, label) pairs after the classes (e.g. the popularity line)."""
    import matplotlib.pyplot as plt

    classes = list(dict.fromkeys(model_classes))
    handles = [plt.Rectangle((0, 0), 1, 1, color=class_colour(c)) for c in classes] + [h for h, _ in extra]
    labels = [c.replace("-", " ") for c in classes] + [label for _, label in extra]
    fig.legend(handles, labels, loc=loc, ncol=len(labels), frameon=False, bbox_to_anchor=(0.5, y))


def save_figure(fig, stem: str | Path) -> list[Path]:
    """Write <stem>.png and <stem>.pdf atomically."""
    written = []
    for suffix in (".png", ".pdf"):
        target = Path(stem).with_suffix(suffix)
        with atomic_path(target) as tmp:
            fig.savefig(tmp, format=suffix[1:], dpi=150, bbox_inches="tight",
                        metadata={"CreationDate": None} if suffix == ".pdf" else None)
        written.append(target)
    return written


def representation(labels: dict[str, str], model: str, variant: str) -> str:
    """A bar's label: "ID", the encoder's name, or the name with its PCA level ("text-pca80" -> "... PCA 80%")."""
    if variant == "id":
        return "ID"
    name = labels.get(model, model)
    return f"{name} PCA {variant.rsplit('pca', 1)[1]}%" if "-pca" in variant else name


def metric_label(metric: str) -> str:
    """A metric key as papers print it: "ndcg@10" -> "NDCG@10", "recall@50" -> "Recall@50"."""
    name, _, cutoff = metric.partition("@")
    name = {"ndcg": "NDCG", "recall": "Recall", "mrr": "MRR"}.get(name, name)
    return f"{name}@{cutoff}" if cutoff else name


def whisker_note(seeds: int, has_interval: bool, confidence: float) -> str:
    """What a bar's whisker shows, for the figure's caption."""
    if seeds > 1:
        return f"bars: mean over {seeds} seeds; whiskers: ± 1 sd over seeds"
    if has_interval:
        return f"one seed; whiskers: {confidence:.0%} per-user bootstrap interval"
    return "one seed; no interval (the run's per-user intervals file is absent)"


def plot_sr(frame: pd.DataFrame, intervals: pd.DataFrame | None = None, split: str = "test",
            metrics=("ndcg@10", "recall@10")):
    """Table 1 as a grid: one row per dataset x backbone, one column per metric (shared x per column), a
    horizontal bar per item representation (ID, each text encoder, PCA variants) coloured by model class.

    Args:
        frame: tidy results (task "sr"); the popularity baseline, where present, is a dashed line in each panel
            of its dataset.
        intervals: `<results>_intervals.csv` (gtebench.significance.bootstrap_intervals of the test split): the
            whiskers of one-seed bars. A bar with several seeds shows ± 1 sd over them instead; the caption under
            the figure says which.
        split: "test" or "valid".
        metrics: one column of panels each."""
    import matplotlib.pyplot as plt

    from .recsys.backbones import BACKBONES

    apply_theme()
    table = sr_table(frame, split)
    part = frame[(frame["task"] == "sr") & (frame["split"] == split) & frame["metric"].isin(metrics)].copy()
    part["value"] *= 100
    floor = part[part["model"] == "popularity"].groupby(["dataset", "metric"])["value"].mean()
    table = table[table["model"] != "popularity"]
    keys = ["dataset", "backbone", "variant", "model", "model_class", "metric"]
    bars = part[part["model"] != "popularity"].groupby(keys)["value"].agg(["mean", "std", "count"]).reset_index()
    if intervals is not None and split == "test" and not intervals.empty:
        bounds = intervals.set_index(keys[:4] + ["metric"])[["low", "high"]] * 100
        bars = bars.join(bounds, on=keys[:4] + ["metric"])
    else:
        bars["low"] = bars["high"] = float("nan")
    labels = dict(zip(table["model"], table["encoder"]))
    order = list(dict.fromkeys(zip(table["variant"], table["model"])))  # ID first, then by variant and NDCG@10
    rank = {key: number for number, key in enumerate(BACKBONES)}  # rows in the registry's order: SASRec first
    cells = sorted(dict.fromkeys(zip(table["dataset"], table["backbone"])), key=lambda c: (c[0], rank.get(c[1], 99)))
    heights = [len({(v, m) for d, b, v, m in zip(table["dataset"], table["backbone"], table["variant"], table["model"])
                    if (d, b) == cell}) for cell in cells]
    fig, axes = plt.subplots(len(cells), len(metrics), sharex="col", squeeze=False,
                             figsize=(3.4 * len(metrics) + 2.2, 0.32 * sum(heights) + 0.75 * len(cells) + 0.6),
                             gridspec_kw={"height_ratios": heights})
    notes = set()
    for row, (dataset, backbone) in zip(axes, cells):
        for column, (ax, metric) in enumerate(zip(row, metrics)):
            data = bars[(bars["dataset"] == dataset) & (bars["backbone"] == backbone) & (bars["metric"] == metric)]
            data = data.set_index(["variant", "model"])
            data = data.loc[[o for o in order if o in data.index]]
            several = data["count"] > 1
            low = (data["mean"] - data["low"]).where(~several, data["std"]).fillna(0).clip(lower=0)
            high = (data["high"] - data["mean"]).where(~several, data["std"]).fillna(0).clip(lower=0)
            spread = several.any() or data["low"].notna().any()  # else no whiskers (not zero-width caps)
            ax.barh(range(len(data)), data["mean"], xerr=[low, high] if spread else None,
                    color=[class_colour(c) for c in data["model_class"]],
                    error_kw={"elinewidth": 1.2, "capsize": 2.5, "ecolor": "#222222"})
            notes.add(whisker_note(int(data["count"].max()), bool(data["low"].notna().any()),
                                   float(intervals["confidence"].iloc[0]) if intervals is not None
                                   and not intervals.empty else 0.95))
            ax.set_yticks(range(len(data)), [representation(labels, m, v) for v, m in data.index])
            ax.tick_params(axis="y", labelleft=column == 0)
            ax.invert_yaxis()
            ax.grid(axis="y", visible=False)
            if (dataset, metric) in floor.index:
                ax.axvline(floor[(dataset, metric)], color="#555555", linestyle="--", linewidth=1.2)
            name = BACKBONES[backbone].name if backbone in BACKBONES else backbone
            ax.set_title(f"{dataset_label(dataset)} · {name}", fontsize="medium")
            ax.set_xlabel(f"{split} {metric_label(metric)} (%)" if row is axes[-1] else "")
    popularity = () if floor.empty else ((plt.Line2D([], [], color="#555555", linestyle="--"), "popularity"),)
    class_legend(fig, table["model_class"], y=1.0, loc="lower center", extra=popularity)
    fig.tight_layout()
    fig.text(0.5, 0.0, "; ".join(sorted(notes)), ha="center", va="top", fontsize="small", color="#444444")
    return fig


LINESTYLES = ("-", "--", ":", "-.")  # tell apart models of one class, which share its colour


def apply_theme() -> None:
    """Seaborn's white-grid theme at notebook scale, for every figure."""
    import seaborn as sns

    sns.set_theme(style="whitegrid", context="notebook")


def plot_ps(frame: pd.DataFrame, per_query: pd.DataFrame | None = None, metric: str = "ndcg@100"):
    """Table 2 as bars: the metric per model ("All"), one panel per dataset, coloured by model class; with
    `per_query` (the `<results>_per_query.csv` frame), whiskers are 95% bootstrap intervals over the queries."""
    apply_theme()
    import matplotlib.pyplot as plt

    from .significance import bootstrap_intervals

    table = ps_table(frame)
    if per_query is not None and not per_query.empty:
        bounds = bootstrap_intervals(per_query[per_query["variant"] == "full"], (metric,), ("dataset",), unit="qid")
        table = table.join(bounds.set_index(["dataset", "model"])[["low", "high"]] * 100, on=["dataset", "model"])
    datasets = list(dict.fromkeys(table["dataset"]))
    fig, axes = plt.subplots(1, len(datasets), figsize=(5.5 * len(datasets), 0.45 * table["model"].nunique() + 1.5),
                             squeeze=False)
    for ax, dataset in zip(axes[0], datasets):
        part = table[table["dataset"] == dataset].sort_values(metric)
        whiskers = None
        if "low" in part and part["low"].notna().any():
            whiskers = [(part[metric] - part["low"]).fillna(0).clip(lower=0),
                        (part["high"] - part[metric]).fillna(0).clip(lower=0)]
        ax.barh(part["encoder"], part[metric], xerr=whiskers, color=[class_colour(c) for c in part["model_class"]],
                error_kw={"elinewidth": 1.2, "capsize": 2.5, "ecolor": "#222222"})
        ax.grid(axis="y", visible=False)
        queries = f", {int(per_query[per_query['dataset'] == dataset]['qid'].nunique())} queries" if whiskers else ""
        ax.set_title(f"{dataset_label(dataset)}{queries}", fontsize="medium")
        ax.set_xlabel(f"{metric_label(metric)} (%)")
    class_legend(fig, table["model_class"], y=1.0, loc="lower center")
    fig.tight_layout()
    note = "whiskers: 95% bootstrap interval over queries" if "low" in table else "no interval (no per-query file)"
    fig.text(0.5, 0.0, note, ha="center", va="top", fontsize="small", color="#444444")
    return fig


def plot_pca_compression(frame: pd.DataFrame, metric: str = "ndcg@100"):
    """Figure 1: the metric against the number of PCA components kept (d(0.80), d(0.95), full; log x-axis), one
    line per model, coloured by model class (line style tells models of one class apart), one panel per dataset;
    each point is labelled with its dimension, the axis ticks at powers of two (the dimensions themselves crowd)."""
    apply_theme()
    import matplotlib.pyplot as plt
    from matplotlib.ticker import FixedLocator, NullLocator


    points = pca_table(frame, metric)
    if points.empty:
        raise ValueError("no dense product-search rows with a dimension to plot")
    datasets = list(dict.fromkeys(points["dataset"]))
    fig, axes = plt.subplots(1, len(datasets), figsize=(5.2 * len(datasets), 4), squeeze=False)
    markers = "osD^vP*Xh<>"
    for ax, dataset in zip(axes[0], datasets):
        part = points[points["dataset"] == dataset]
        seen: dict[str, int] = {}
        for number, (model, line) in enumerate(part.groupby("model", sort=True)):
            line = line.sort_values("dim")
            model_class = line["model_class"].iloc[0]
            style = LINESTYLES[seen.get(model_class, 0) % len(LINESTYLES)]
            seen[model_class] = seen.get(model_class, 0) + 1
            ax.plot(line["dim"], line[metric], marker=markers[number % len(markers)], linestyle=style,
                    label=line["encoder"].iloc[0], color=class_colour(model_class))
            for place, (dim, value) in enumerate(zip(line["dim"], line[metric])):  # above, below, above: close
                ax.annotate(str(dim), (dim, value), textcoords="offset points", ha="center",  # points stay legible
                            xytext=(0, 7 if place % 2 == 0 else -13), fontsize="x-small", color="#444444")
        ax.set_xscale("log", base=2)
        low, high = part["dim"].min(), part["dim"].max()
        ax.xaxis.set_major_locator(FixedLocator([2 ** k for k in range(int(low).bit_length() - 1,
                                                                        int(high).bit_length() + 1)]))
        ax.xaxis.set_minor_locator(NullLocator())
        ax.xaxis.set_major_formatter(lambda value, _: f"{value:g}")
        ax.set_xlim(low / 1.25, high * 1.25)
        ax.margins(y=0.12)
        ax.set_title(dataset_label(dataset), fontsize="medium")
        ax.set_xlabel("PCA components kept (log): d(0.80), d(0.95), full")
        ax.set_ylabel(f"{metric_label(metric)} (%)")
    legend = {label: handle for ax in axes[0] for handle, label in zip(*ax.get_legend_handles_labels())}
    fig.legend(list(legend.values()), list(legend), loc="center left", bbox_to_anchor=(1.0, 0.5), frameon=False,
               fontsize="small")
    fig.tight_layout()
    return fig

"""Figures as pure functions of tidy results frames; one colour per model class in every figure.

The backend is matplotlib's choice: inline in a notebook kernel (an executed notebook shows its figures), Agg
where there is no display (tests, scripts on a server); MPLBACKEND overrides it."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from .io import atomic_path
from .tables import pca_table, ps_table, sr_table

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


def class_legend(fig, model_classes, y: float = 1.08) -> None:
    """A legend of the model classes present (in order of appearance), above the figure."""
    import matplotlib.pyplot as plt

    classes = list(dict.fromkeys(model_classes))
    handles = [plt.Rectangle((0, 0), 1, 1, color=class_colour(c)) for c in classes]
    fig.legend(handles, classes, loc="upper center", ncol=len(classes), frameon=False, bbox_to_anchor=(0.5, y))


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


def plot_sr(frame: pd.DataFrame, split: str = "test", metrics=("ndcg@10", "recall@10")):
    """Bars per item representation (ID and each text encoder), one panel per metric; error bars over seeds.

    The popularity baseline, where present, is a dashed line across each panel of its dataset."""
    import matplotlib.pyplot as plt
    import seaborn as sns

    table = sr_table(frame, split)
    part = frame[(frame["task"] == "sr") & (frame["split"] == split) & frame["metric"].isin(metrics)].copy()
    part["value"] *= 100
    floor = part[part["model"] == "popularity"].set_index(["dataset", "metric"])["value"]
    part, table = part[part["model"] != "popularity"], table[table["model"] != "popularity"]
    labels = dict(zip(table["model"], table["encoder"]))
    part["representation"] = [representation(labels, m, v) for m, v in zip(part["model"], part["variant"])]
    order = list(dict.fromkeys(representation(labels, m, v) for m, v in zip(table["model"], table["variant"])))
    palette = {representation(labels, m, v): CLASS_COLOURS.get(c, "#333333")
               for m, v, c in zip(table["model"], table["variant"], table["model_class"])}
    sns.set_theme(style="whitegrid", context="notebook")
    panels = [(d, b, m) for d, b in part[["dataset", "backbone"]].drop_duplicates().itertuples(index=False)
              for m in metrics]
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
    class_legend(fig, table["model_class"])
    fig.tight_layout()
    return fig


LINESTYLES = ("-", "--", ":", "-.")  # tell apart models of one class, which share its colour
ISOTROPY_PANELS = (  # (metric, axis label); effective rank is shown relative to D so models of any size compare
    ("isoscore", "IsoScore (1 = isotropic)"),
    ("effective_rank", "effective rank / D"),
    ("mean_cosine", "mean pairwise cosine"),
)


def plot_spectra(spectrum: pd.DataFrame, measures: pd.DataFrame):
    """Cumulative explained variance against the number of principal components (log x), one line per model and
    one panel per dataset; d(alpha) of each model marked on its curve, alpha as dotted lines (the paper's Fig. 1
    x-positions)."""
    import matplotlib.pyplot as plt
    import seaborn as sns

    from .analysis import TASK, measure_info
    from .tables import model_label

    part = measures[(measures["task"] == TASK) & (measures["metric"] != "dim")]
    dims = part[[measure_info(m)[1] == "paper" for m in part["metric"]]]
    sns.set_theme(style="whitegrid", context="notebook")
    datasets = list(dict.fromkeys(spectrum["dataset"]))
    fig, axes = plt.subplots(1, len(datasets), figsize=(5.8 * len(datasets), 4.2), squeeze=False)
    markers = {}
    for ax, dataset in zip(axes[0], datasets):
        data = spectrum[spectrum["dataset"] == dataset]
        seen: dict[str, int] = {}
        for model, curve in data.groupby("model", sort=False):
            model_class = curve["model_class"].iloc[0]
            style = LINESTYLES[seen.get(model_class, 0) % len(LINESTYLES)]
            seen[model_class] = seen.get(model_class, 0) + 1
            colour = class_colour(model_class)
            ax.plot(curve["component"], curve["cumulative"], color=colour, linestyle=style, linewidth=1.8,
                    label=model_label(model))
            cumulative = curve.set_index("component")["cumulative"]
            marks = dims[(dims["dataset"] == dataset) & (dims["model"] == model)][["metric", "value"]]
            for metric, value in marks.itertuples(index=False):
                marker = markers.setdefault(metric, "os^vD"[len(markers) % 5])
                ax.plot([value], [cumulative[int(value)]], marker=marker, color=colour, markersize=7,
                        markeredgecolor="white", linestyle="none", zorder=3)
        for metric in markers:
            ax.axhline(int(metric[1:]) / 100, color="#777777", linestyle=":", linewidth=1)
        ax.set_xscale("log")
        ax.set_ylim(0, 1.02)
        ax.set_title(dataset)
        ax.set_xlabel("principal components (log)")
        ax.set_ylabel("cumulative explained variance")
        handles, labels = ax.get_legend_handles_labels()
        handles += [plt.Line2D([], [], marker=m, color="#555555", linestyle="none") for m in markers.values()]
        labels += [f"{measure_info(metric)[0]}" for metric in markers]
        ax.legend(handles, labels, loc="lower right", fontsize="small", frameon=True)
    class_legend(fig, spectrum["model_class"], y=1.1)
    fig.tight_layout()
    return fig


def plot_isotropy(measures: pd.DataFrame):
    """The isotropy measures added beyond the paper, one bar per model coloured by its class: one row of panels
    per dataset, one panel per measure (ISOTROPY_PANELS)."""
    import matplotlib.pyplot as plt
    import seaborn as sns

    from .analysis import TASK
    from .tables import model_label

    part = measures[measures["task"] == TASK]
    wide = part.pivot_table(index=["dataset", "model", "model_class"], columns="metric", values="value").reset_index()
    wide["effective_rank"] = wide["effective_rank"] / wide["dim"]
    wide["encoder"] = wide["model"].map(model_label)
    wide = wide.sort_values(["model_class", "encoder"])
    palette = {e: class_colour(c) for e, c in zip(wide["encoder"], wide["model_class"])}
    sns.set_theme(style="whitegrid", context="notebook")
    datasets = list(dict.fromkeys(wide["dataset"]))
    width = max(3.6, 0.5 * wide["model"].nunique() + 1.5)
    fig, axes = plt.subplots(len(datasets), len(ISOTROPY_PANELS),
                             figsize=(width * len(ISOTROPY_PANELS), 3.6 * len(datasets)), squeeze=False)
    for row, dataset in zip(axes, datasets):
        data = wide[wide["dataset"] == dataset]
        for ax, (metric, label) in zip(row, ISOTROPY_PANELS):
            sns.barplot(data=data, x="encoder", y=metric, hue="encoder", palette=palette, legend=False, ax=ax)
            for container in ax.containers:
                ax.bar_label(container, fmt="%.3f", fontsize="x-small", padding=2)
            ax.set_title(f"{label} · {dataset}", fontsize="medium")
            ax.set_xlabel("")
            ax.set_ylabel("")
            ax.margins(y=0.15)  # room for the value labels under the title
            ax.axhline(0, color="#333333", linewidth=0.8)
            plt.setp(ax.get_xticklabels(), rotation=30, ha="right", rotation_mode="anchor")
    class_legend(fig, wide["model_class"])
    fig.tight_layout()
    return fig


def _theme():
    import seaborn as sns

    sns.set_theme(style="whitegrid", context="notebook")


def plot_ps(frame: pd.DataFrame, metric: str = "ndcg@100"):
    """Table 2 as bars: the metric per model ("All"), one panel per dataset, coloured by model class."""
    _theme()
    import matplotlib.pyplot as plt

    table = ps_table(frame)
    datasets = list(dict.fromkeys(table["dataset"]))
    fig, axes = plt.subplots(1, len(datasets), figsize=(5.5 * len(datasets), 0.45 * table["model"].nunique() + 1.5),
                             squeeze=False)
    for ax, dataset in zip(axes[0], datasets):
        part = table[table["dataset"] == dataset].sort_values(metric)
        ax.barh(part["encoder"], part[metric], color=[CLASS_COLOURS.get(c, "#333333") for c in part["model_class"]])
        ax.set_title(dataset)
        ax.set_xlabel(f"{metric} (%)")
    classes = list(dict.fromkeys(table["model_class"]))
    handles = [plt.Rectangle((0, 0), 1, 1, color=CLASS_COLOURS.get(c, "#333333")) for c in classes]
    fig.legend(handles, classes, loc="upper center", ncol=len(classes), frameon=False, bbox_to_anchor=(0.5, 1.06))
    fig.tight_layout()
    return fig


def plot_pca_compression(frame: pd.DataFrame, metric: str = "ndcg@100"):
    """Figure 1: the metric against the number of PCA components kept (d(0.80), d(0.95), full; log x-axis), one
    line per model, coloured by model class, one panel per dataset."""
    _theme()
    import matplotlib.pyplot as plt

    points = pca_table(frame, metric)
    if points.empty:
        raise ValueError("no dense product-search rows with a dimension to plot")
    datasets = list(dict.fromkeys(points["dataset"]))
    fig, axes = plt.subplots(1, len(datasets), figsize=(5.5 * len(datasets), 4), squeeze=False)
    markers = "osD^vP*Xh<>"
    for ax, dataset in zip(axes[0], datasets):
        part = points[points["dataset"] == dataset]
        for number, (model, line) in enumerate(part.groupby("model", sort=True)):
            line = line.sort_values("dim")
            ax.plot(line["dim"], line[metric], marker=markers[number % len(markers)], label=line["encoder"].iloc[0],
                    color=CLASS_COLOURS.get(line["model_class"].iloc[0], "#333333"))
        ax.set_xscale("log")
        ticks = sorted(set(part["dim"]))
        ax.minorticks_off()
        ax.set_xticks(ticks, [str(t) for t in ticks], rotation=45)
        ax.set_title(dataset)
        ax.set_xlabel("PCA components (log scale): d(0.80), d(0.95), full")
        ax.set_ylabel(f"{metric} (%)")
        ax.legend(frameon=False, fontsize="small")
    fig.tight_layout()
    return fig


def plot_specialisation(comparison: pd.DataFrame, scale: float = 100.0, alpha: float = 0.05):
    """What specialisation buys: each model's difference from its base generalist (points) per task x dataset,
    one row of dots per cell; filled where the Holm-corrected Wilcoxon p-value is below `alpha`, hollow otherwise."""
    _theme()
    import matplotlib.pyplot as plt

    cells = list(dict.fromkeys(zip(comparison["task"], comparison["dataset"])))
    models = list(dict.fromkeys(comparison["model"]))
    fig, ax = plt.subplots(figsize=(7.5, 0.5 * len(cells) + 1.8))
    colours = plt.get_cmap("tab10")
    for number, model in enumerate(models):
        part = comparison[comparison["model"] == model]
        y = [cells.index(cell) + (number - (len(models) - 1) / 2) * 0.12 for cell in zip(part["task"], part["dataset"])]
        significant = (part["p_wilcoxon_holm"] < alpha).to_numpy()
        colour = colours(number % 10)
        ax.scatter(part["delta"] * scale, y, s=40, label=model, edgecolors=colour,
                   facecolors=[colour if s else "none" for s in significant])
    ax.axvline(0, color="black", linewidth=0.8)
    ax.set_yticks(range(len(cells)), [f"{task}  {dataset}" for task, dataset in cells])
    ax.invert_yaxis()
    ax.set_xlabel(f"difference from the base generalist ({comparison['metric'].iloc[0]}, points; filled: p < {alpha})")
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1), frameon=False)
    fig.tight_layout()
    return fig

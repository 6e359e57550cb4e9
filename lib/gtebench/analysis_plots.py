"""Figures of the embedding-space analysis (spectra, isotropy) and of what specialisation buys, as pure functions
of tidy results frames, in the colours and theme of gtebench.plots."""

from __future__ import annotations

import pandas as pd

from .plots import LINESTYLES, apply_theme, class_colour, class_legend
from .tables import dataset_label

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

    from .analysis import TASK, measure_info
    from .tables import model_label

    part = measures[(measures["task"] == TASK) & (measures["metric"] != "dim")]
    dims = part[[measure_info(m)[1] == "paper" for m in part["metric"]]]
    apply_theme()
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
        ax.set_title(dataset_label(dataset))
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
    apply_theme()
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
            ax.set_title(f"{label} · {dataset_label(dataset)}", fontsize="medium")
            ax.set_xlabel("")
            ax.set_ylabel("")
            ax.margins(y=0.15)  # room for the value labels under the title
            ax.axhline(0, color="#333333", linewidth=0.8)
            plt.setp(ax.get_xticklabels(), rotation=30, ha="right", rotation_mode="anchor")
    class_legend(fig, wide["model_class"])
    fig.tight_layout()
    return fig


def plot_specialisation(comparison: pd.DataFrame, scale: float = 100.0, alpha: float = 0.05):
    """What specialisation buys: each model's difference from its base generalist (points) per task x dataset,
    one row of dots per cell; filled where the Holm-corrected Wilcoxon p-value is below `alpha`, hollow otherwise."""
    apply_theme()
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

"""What specialisation buys: each specialised model and each classic model against the generalist it started from,
paired per user (recommendation) or per query (search), and the one table that answers the paper's title question.

against_base() takes per-unit values (one row per group x model x seed x unit, the unit a user or a query), averages
each unit over seeds, pairs it with the same unit under the base model, and tests the difference (Wilcoxon
signed-rank and paired t-test; Holm over the comparisons of one group and metric). title_table() lays the result out
with rows = task x dataset (marked in-domain or out-of-domain for each recipe) and columns = models, each cell the
mean with the difference from the base and its Holm-corrected Wilcoxon p-value.
"""

from __future__ import annotations

import pandas as pd

from ..significance import TESTS, holm, paired_p_values

COMPARISON_COLUMNS = ["metric", "model", "base", "mean", "base_mean", "delta", "units",
                      *(f"p_{t}" for t in TESTS), *(f"p_{t}_holm" for t in TESTS)]  # after the group keys


def against_base(per_unit: pd.DataFrame, metric: str, base: str, group_keys: tuple[str, ...] = ("task", "dataset"),
                 unit: str = "user") -> pd.DataFrame:
    """Every model of each group against `base` on `metric`, paired on the units both were evaluated on.

    Args:
        per_unit: one row per group x model x seed x unit (columns: the group keys, model, seed, `unit`, `metric`).
        metric: the column compared; base: the model every other model is compared with (the generalist).
        group_keys: the columns that make a group (one Holm family per group); unit: "user" or "qid".
    """
    missing = {*group_keys, "model", "seed", unit, metric} - set(per_unit.columns)
    if missing:
        raise ValueError(f"per-unit frame lacks columns {sorted(missing)}")
    rows = []
    for group, part in per_unit.groupby(list(group_keys)):
        group = group if isinstance(group, tuple) else (group,)
        means = part.groupby(["model", unit])[metric].mean()
        if base not in means.index.get_level_values("model"):
            raise ValueError(f"{dict(zip(group_keys, group))}: the base model {base!r} has no values; models: "
                             f"{sorted(set(means.index.get_level_values('model')))}")
        reference = means.loc[base]
        family = []
        for model in sorted(set(means.index.get_level_values("model")) - {base}):
            a, b = means.loc[model].align(reference, join="inner")
            family.append({**dict(zip(group_keys, group)), "metric": metric, "model": model, "base": base,
                           "mean": float(a.mean()), "base_mean": float(b.mean()), "delta": float(a.mean() - b.mean()),
                           "units": len(a), **{f"p_{t}": p for t, p in paired_p_values(a.to_numpy(),
                                                                                       b.to_numpy()).items()}})
        for test in TESTS:
            for row, value in zip(family, holm([row[f"p_{test}"] for row in family])):
                row[f"p_{test}_holm"] = float(value)
        rows += family
    return pd.DataFrame(rows, columns=[*group_keys, *COMPARISON_COLUMNS])


def title_table(comparisons: pd.DataFrame, in_domain: dict[str, set[str]], scale: float = 100.0,
                alpha: float = 0.05) -> pd.DataFrame:
    """Rows task x dataset, columns the base and every other model: "mean (delta, p)" with a '*' where the Holm-
    corrected Wilcoxon p-value is below `alpha`; a column "in-domain for" names the recipes whose training data
    come from that dataset's domain or task.

    Args:
        comparisons: against_base() rows; in_domain: recipe -> the datasets it is in-domain (or in-task) for;
        scale: multiplies means and deltas (100: percent); alpha: the significance level of the star.
    """
    rows = []
    for (task, dataset), part in comparisons.groupby(["task", "dataset"], sort=False):
        base = part["base"].iloc[0]
        row = {"task": task, "dataset": dataset, "metric": part["metric"].iloc[0],
               "in-domain for": ", ".join(sorted(r for r, sets in in_domain.items() if dataset in sets)) or "-",
               base: f"{part['base_mean'].iloc[0] * scale:.2f}"}
        for record in part.itertuples():
            star = "*" if record.p_wilcoxon_holm < alpha else ""
            row[record.model] = (f"{record.mean * scale:.2f} ({record.delta * scale:+.2f}, "
                                 f"p={record.p_wilcoxon_holm:.3f}{star})")
        rows.append(row)
    return pd.DataFrame(rows).fillna("-")


def describe_specialisation(comparisons: pd.DataFrame, in_domain: dict[str, set[str]], alpha: float = 0.05) -> str:
    """The reading of the table in sentences: for each specialised model, in how many cells it is significantly
    better, worse or not distinguishable from its base, in-domain and out-of-domain apart.

    Args:
        comparisons: against_base() rows; in_domain: recipe -> datasets it is in-domain for; alpha: the level.
    """
    from .recipes import PREFIX, parse_key

    lines = []
    for model, part in comparisons[comparisons["model"].str.startswith(PREFIX)].groupby("model", sort=False):
        recipe = parse_key(model).recipe.key
        counts = []
        for label, inside in (("in-domain", True), ("out-of-domain", False)):
            cells = part[part["dataset"].isin(in_domain.get(recipe, set())) == inside]
            if cells.empty:
                continue
            better = int(((cells["p_wilcoxon_holm"] < alpha) & (cells["delta"] > 0)).sum())
            worse = int(((cells["p_wilcoxon_holm"] < alpha) & (cells["delta"] < 0)).sum())
            counts.append(f"{label}: better in {better}, worse in {worse}, indistinguishable in "
                          f"{len(cells) - better - worse} of {len(cells)} cells (mean change "
                          f"{cells['delta'].mean() * 100:+.2f} points)")
        lines.append(f"- **{model}** ({'; '.join(counts)}).")
    if not lines:
        return "No specialised model has a comparison row."
    return (f"Against its base generalist, paired per user or query, Holm-corrected Wilcoxon at {alpha}:\n"
            + "\n".join(lines))

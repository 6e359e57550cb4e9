"""Does all-positions training train as well as prefix rows? Issue 16, point 3: same protocol, same seeds.

For each dataset, backbone (SASRec, GRU4Rec) and item variant (ID, MiniLM text), three seeds are trained twice
under one protocol, the default profile's model sizes on the paper's data protocol (max length 50, every training
target, patience 10 on validation NDCG@10, batch 256 targets): once on RecBole's prefix rows
(training_targets "prefix", the paper's code) and once on all-positions windows. Both modes train on the same set
of (history, target) pairs per epoch (tests/recsys/test_all_positions.py); what differs is the batch composition
(a user's head targets share a window and a batch) and so the order of the gradient steps.

Printed per cell: test NDCG@10 and Recall@10 as mean +- sd over seeds for each mode, the difference, and two paired
tests of all-positions against prefix rows: a Wilcoxon signed-rank test on per-user test metrics averaged over the
seeds (the users are the sample) and a paired t-test over the seeds' means (n = 3, weak; printed for completeness).
Epochs to the best validation epoch and training seconds show what each mode costs to reach its result.

Runs are cached under $GTEBENCH_HOME/runs like any other (a rerun reuses them); the tidy results go to --out
(default /tmp/gtebench-quality), never to results/.

    python benchmarks/bench_training_quality.py [--datasets amazon2018/Scientific ml-100k] [--seeds 2020 2021 2022]
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats

from gtebench.recsys.experiment import SRExperimentConfig, per_user_frame, run_sr_experiment
from gtebench.significance import paired_p_values

MODES = ("prefix", "all-positions")
PROTOCOL = dict(max_seq_len=50, train_prefixes_per_user=None, stopping_step=10)  # the paper's data protocol
METRICS = ("ndcg@10", "recall@10")
CELL = ["dataset", "backbone", "variant", "model"]


def mode_config(mode: str, args: argparse.Namespace) -> SRExperimentConfig:
    """The experiment of one training mode: SASRec and GRU4Rec, ID and MiniLM items, under PROTOCOL (a smoke run
    may cap users and epochs, args.max_users and args.max_epochs)."""
    smoke = {k: v for k, v in (("max_users", args.max_users), ("max_epochs", args.max_epochs)) if v}
    return SRExperimentConfig.from_params(
        datasets=args.datasets, backbones=args.backbones, seeds=args.seeds, include_id="id" in args.variants,
        encoders=["minilm-l6"] if "text" in args.variants else [],
        profile_overrides={**PROTOCOL, **smoke, "training_targets": mode}, include_popularity=False,
        results_file=str(args.out / f"quality_{mode}.csv"))


def compare(results: dict[str, pd.DataFrame], per_user: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """One row per cell and metric: each mode's mean and sd over seeds, the difference and the paired p-values."""
    rows = []
    first, second = (results[m][(results[m].split == "test") & results[m].metric.isin(METRICS)] for m in MODES)
    both = first.merge(second[CELL + ["metric"]].drop_duplicates(), on=CELL + ["metric"])  # cells of both modes
    for key, a in both.groupby(CELL + ["metric"]):
        b = second.set_index(CELL + ["metric", "seed"]).loc[key]
        a = a.set_index("seed")
        seeds = sorted(set(a.index) & set(b.index))
        users = {m: per_user[m][(per_user[m][CELL] == list(key[:-1])).all(axis=1)].groupby("user")[key[-1]].mean()
                 for m in MODES}
        common = users[MODES[0]].index.intersection(users[MODES[1]].index)
        p = paired_p_values(users[MODES[1]].loc[common].to_numpy(), users[MODES[0]].loc[common].to_numpy())
        seed_t = stats.ttest_rel(b.loc[seeds, "value"], a.loc[seeds, "value"]).pvalue if len(seeds) > 1 else np.nan
        rows.append({**dict(zip(CELL + ["metric"], key)), "seeds": len(seeds),
                     "prefix_mean": a.loc[seeds, "value"].mean(), "prefix_sd": a.loc[seeds, "value"].std(),
                     "all_mean": b.loc[seeds, "value"].mean(), "all_sd": b.loc[seeds, "value"].std(),
                     "difference": b.loc[seeds, "value"].mean() - a.loc[seeds, "value"].mean(),
                     "wilcoxon_users": p["wilcoxon"], "ttest_seeds": seed_t, "users": len(common),
                     "prefix_best_epoch": a.loc[seeds, "best_epoch"].mean(), "all_best_epoch": b.loc[seeds,
                                                                                                   "best_epoch"].mean(),
                     "prefix_seconds": a.loc[seeds, "train_seconds"].mean(),
                     "all_seconds": b.loc[seeds, "train_seconds"].mean()})
    return pd.DataFrame(rows)


def markdown(table: pd.DataFrame) -> str:
    """The comparison as a Markdown table (metrics x 100)."""
    lines = ["| data | backbone | items | metric | prefix rows | all-positions | diff | p (users, Wilcoxon) | "
             "p (seeds, t) | best epoch (prefix / all) | train s (prefix / all) |", "|" + "---|" * 11]
    for r in table.itertuples():
        lines.append(f"| {r.dataset} | {r.backbone} | {r.model} | {r.metric} | {100 * r.prefix_mean:.2f} ± "
                     f"{100 * r.prefix_sd:.2f} | {100 * r.all_mean:.2f} ± {100 * r.all_sd:.2f} | "
                     f"{100 * r.difference:+.2f} | {r.wilcoxon_users:.3g} | {r.ttest_seeds:.3g} | "
                     f"{r.prefix_best_epoch:.1f} / {r.all_best_epoch:.1f} | {r.prefix_seconds:.0f} / "
                     f"{r.all_seconds:.0f} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--datasets", nargs="+", default=["amazon2018/Scientific", "ml-100k"])
    parser.add_argument("--seeds", nargs="+", type=int, default=[2020, 2021, 2022])
    parser.add_argument("--modes", nargs="+", default=list(MODES), choices=MODES,
                        help="train only these modes now (the comparison needs both; runs are cached)")
    parser.add_argument("--backbones", nargs="+", default=["sasrec", "gru4rec"])
    parser.add_argument("--variants", nargs="+", default=["id", "text"], choices=["id", "text"],
                        help="ID items, MiniLM text items, or both")
    parser.add_argument("--out", type=Path, default=Path("/tmp/gtebench-quality"))
    parser.add_argument("--max-users", type=int, default=None, help="smoke runs only: the first N users")
    parser.add_argument("--max-epochs", type=int, default=None, help="smoke runs only: an epoch cap")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    configs = {mode: mode_config(mode, args) for mode in MODES}
    for mode in args.modes:
        print(f"training: {mode}", flush=True)
        run_sr_experiment(configs[mode])
    if set(args.modes) != set(MODES):
        return
    results = {mode: pd.read_csv(configs[mode].results_file) for mode in MODES}
    per_user = {mode: per_user_frame(configs[mode].run_specs()) for mode in MODES}
    table = compare(results, per_user)
    table.to_csv(args.out / "quality_comparison.csv", index=False)
    print(markdown(table))


if __name__ == "__main__":
    main()

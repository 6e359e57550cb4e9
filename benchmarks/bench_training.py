"""Training speed: this repository's RecBole set-up against stock RecBole, same model, data and settings.

Part 1, seconds per training epoch over the same training targets (max length 50, every target, each user's last
two items held out), SASRec ID and text (MiniLM), the default profile's model sizes and batch of 256 targets, on
MovieLens-100k (long sequences) and Amazon 2018 Scientific (short; skipped with a message when its files are
absent), four ways:
- stock RecBole prefix rows: RecBole 1.2.1 as imported (anomaly detection on, hand-written GELU, nn.Dropout), its
  TrainDataLoader (one row per target, padded to MAX_ITEM_LIST_LENGTH), the model's calculate_loss;
- ours, prefix rows: the same rows with the speed fixes (gtebench.recsys.speedups, compat);
- ours, prefix rows bucketed: one window per target as well, but batched by length and padded to each batch's
  longest (gtebench.recsys.all_positions, every_position=False): the padding saving alone;
- ours, all-positions: a user's first 50 targets in one causal pass, one window per later target (the exact
  histories of the prefix rows), bucketed (training_targets "all-positions").
Beside each time it prints the tokens computed per epoch (batch x padded length, summed over batches) and the
real ones, so the ratio is explained, not only measured. The two bucketed modes are timed over whole epochs
(their batches range from a few hundred tokens to 12,800, so a few steps cannot sample the mix; an epoch is
seconds to a minute); the RecBole-row modes, whose batches all hold batch x 50 tokens, as mean s/step over
--max-steps timed steps after 3 warm-up steps x steps per epoch (the batches come in the epoch's shuffled order,
so the timed ones are a random sample; --max-steps 0 times whole epochs).

Part 2 (skip with --epochs-only), per step on the default profile's data (max length 20, each user's 20 most
recent prefixes): the speed fixes alone against stock RecBole, the text variant's step time against the ID
variant's (the goal is <= 1.2x), the text adaptor alone, and the full-ranking test evaluation of a run (one
per-user pass, gtebench.recsys.evaluation) against RecBole's own `Trainer.evaluate` (goal <= 1.0x).

The text/ID bound: the adaptor alone (its forward over every item's text row, the backward into its weights, the
optimiser step on them) timed on the same model. The text step does the ID step's work less the ID table's
gradient plus this, so 1 + adaptor / ID step is about the lowest text/ID ratio this model can reach on this
machine whatever the rest of the step costs.

    python benchmarks/bench_training.py [--max-steps 40] [--steps 20] [--threads 1] [--epochs-only]
"""

from __future__ import annotations

import argparse
import dataclasses
import functools
import resource
import time

import torch

from gtebench.hardware import synchronise
from gtebench.profiles import get_training_profile
from gtebench.recsys import speedups
from gtebench.recsys.run import TOPK, RunSpec, build_run


def mean_seconds(step, inputs: list, warmup: int = 3) -> float:
    """Mean seconds of `step(x)` over inputs[warmup:], after `step` on the first `warmup` (GPU synchronised)."""
    for x in inputs[:warmup]:
        step(x)
    synchronise()
    start = time.perf_counter()
    for x in inputs[warmup:]:
        step(x)
    synchronise()
    return (time.perf_counter() - start) / (len(inputs) - warmup)


EPOCH_MODES = ("stock RecBole prefix rows", "ours, prefix rows", "ours, prefix rows bucketed", "ours, all-positions")


def epoch_profile():
    """The default profile's model sizes and batch, on the paper's data protocol: max length 50, every target."""
    return get_training_profile("default").with_overrides(max_seq_len=50, train_prefixes_per_user=None)


def epoch_seconds(spec: RunSpec, mode: str, max_steps: int) -> dict:
    """Seconds per training epoch and tokens per epoch (computed, real) of one mode (EPOCH_MODES)."""
    import contextlib

    from gtebench.recsys.all_positions import AllPositionsLoader, all_positions_loss

    stock = mode == EPOCH_MODES[0]
    profile = spec.profile.with_overrides(fast_dropout=not stock,
                                          training_targets="all-positions" if mode == EPOCH_MODES[3] else "prefix")
    spec = dataclasses.replace(spec, profile=profile)
    with speedups.stock_recbole() if stock else contextlib.nullcontext():
        config, model, trainer, (train_data, _, _), _ = build_run(spec, spec.run_dir())
        if "bucketed" in mode:
            train_data = AllPositionsLoader.from_dataset(config, train_data.dataset, every_position=False)
        model.train()
        if isinstance(train_data, AllPositionsLoader):
            loss_of = functools.partial(all_positions_loss, model)
            index = train_data.batches()
            lengths = train_data.windows.lengths
            tokens, real = sum(len(b) * int(lengths[b].max()) for b in index), int(lengths.sum())
            n_steps = len(index)
            batches = [train_data.collate(b) for b in index]  # whole epochs (module docstring)
        else:
            loss_of = model.calculate_loss
            feat = train_data.dataset.inter_feat
            tokens, real = feat["item_id_list"].numel(), int(feat["item_length"].sum())
            n_steps = len(train_data)
            batches = [b for _, b in zip(range(max_steps + 3 if max_steps else n_steps), train_data)]
        optimizer = trainer.optimizer

        def step(batch):
            loss = loss_of(batch)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()

        seconds = mean_seconds(step, batches) * n_steps
    return {"seconds": seconds, "steps": n_steps, "tokens": tokens, "real_tokens": real,
            "targets": len(train_data.dataset.inter_feat)}


def epoch_benchmark(max_steps: int) -> None:
    """Part 1 (see the module docstring): prints one table per dataset and variant."""
    from gtebench.data.amazon2018 import scientific_files

    datasets = ["ml-100k"]
    try:
        scientific_files()
        datasets.append("amazon2018/Scientific")
    except Exception as exc:  # the files are not bundled; the message says where to put them
        print(f"amazon2018/Scientific skipped: {exc}")
    for dataset in datasets:
        per_variant = {}
        for variant, encoder in (("id", None), ("text", "minilm-l6")):
            spec = RunSpec(dataset, "sasrec", variant, encoder, 2020, epoch_profile())
            rows = {mode: epoch_seconds(spec, mode, max_steps) for mode in EPOCH_MODES}
            per_variant[variant] = rows
            first = rows[EPOCH_MODES[0]]
            print(f"\n{dataset}, SASRec-{variant}: {first['targets']:,} training targets, max length 50, "
                  f"batch {spec.profile.train_batch_size} targets")
            print(f"  {'mode':<28} {'s/epoch':>8} {'vs stock':>9} {'steps':>6} {'tokens/epoch':>13} {'real':>11}")
            for mode, row in rows.items():
                print(f"  {mode:<28} {row['seconds']:8.1f} {first['seconds'] / row['seconds']:8.2f}x "
                      f"{row['steps']:6d} {row['tokens']:13,} {row['real_tokens']:11,}")
        ratio = per_variant["text"][EPOCH_MODES[-1]]["seconds"] / per_variant["id"][EPOCH_MODES[-1]]["seconds"]
        print(f"  {dataset}: text / ID epoch time, all-positions: {ratio:.2f}x (goal <= 1.2x)")


def seconds_per_step(spec: RunSpec, steps: int, stock: bool) -> tuple[float, int]:
    import contextlib

    if stock:
        spec = dataclasses.replace(spec, profile=spec.profile.with_overrides(fast_dropout=False))
    context = speedups.stock_recbole() if stock else contextlib.nullcontext()
    with context:
        _, model, trainer, (train_data, _, _), _ = build_run(spec, spec.run_dir())
        model.train()
        optimizer = trainer.optimizer
        batches = [batch for _, batch in zip(range(steps + 3), train_data)]

        def step(batch):
            loss = model.calculate_loss(batch)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()

        return mean_seconds(step, batches), len(train_data)


def adaptor_seconds(spec: RunSpec, steps: int) -> float:
    """Seconds per step of the text adaptor alone: the adapted table of all items, a loss on it, the backward
    and an Adam step over the adaptor's parameters."""
    _, model, _, _, _ = build_run(spec, spec.run_dir())
    model.train()
    table = model.item_embedding
    optimizer = torch.optim.Adam(table.adaptor.parameters(), lr=1e-3)

    def step(_):
        loss = table.weight.square().mean()
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()

    return mean_seconds(step, [None] * (steps + 3))


def evaluation_seconds(spec: RunSpec, repeats: int) -> tuple[float, float]:
    """Best-of-`repeats` seconds of RecBole's full-ranking test evaluation and of a run's per-user pass."""
    from gtebench.recsys.evaluation import per_user_metrics

    _, _, trainer, (_, _, test_data), _ = build_run(spec, spec.run_dir())
    timings = {"recbole": [], "ours": []}
    for _ in range(repeats):
        start = time.perf_counter()
        trainer.evaluate(test_data, load_best_model=False, show_progress=False)
        timings["recbole"].append(time.perf_counter() - start)
        start = time.perf_counter()
        per_user_metrics(trainer, test_data, TOPK)
        timings["ours"].append(time.perf_counter() - start)
    return min(timings["recbole"]), min(timings["ours"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--steps", type=int, default=20)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--max-steps", type=int, default=40, help="timed steps per epoch measurement; 0 = all")
    parser.add_argument("--epochs-only", action="store_true", help="part 1 only")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    profile = get_training_profile("default").with_overrides(
        backbone_overrides={"sasrec": {"id": {"hidden_size": 64}, "text": {"adaptor_per_position": True}}}
    )
    device = torch.cuda.get_device_name() if torch.cuda.is_available() else "CPU"
    print(f"torch {torch.__version__}, {device}, {args.threads} CPU thread(s), "
          f"{args.steps} timed steps per measurement")
    epoch_benchmark(args.max_steps)
    if args.epochs_only:
        print(f"peak resident memory {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")
        return
    print("\nper step, the default profile's data (max length 20, 20 most recent prefixes per user):")
    ours_step = {}
    for variant, encoder in (("id", None), ("text", "minilm-l6")):
        spec = RunSpec("ml-100k", "sasrec", variant, encoder, 2020, profile)
        stock, n_steps = seconds_per_step(spec, args.steps, stock=True)
        ours, _ = seconds_per_step(spec, args.steps, stock=False)
        ours_step[variant] = ours
        print(f"SASRec-{variant:<4}  stock RecBole {stock:.3f} s/step ({stock * n_steps:5.1f} s/epoch)   "
              f"ours {ours:.3f} s/step ({ours * n_steps:5.1f} s/epoch)   speed-up {stock / ours:.2f}x")
    default_text = RunSpec("ml-100k", "sasrec", "text", "minilm-l6", 2020, get_training_profile("default"))
    per_item, _ = seconds_per_step(default_text, args.steps, stock=False)
    print(f"text / ID step time (ours): {ours_step['text'] / ours_step['id']:.2f}x with the per-position adaptor, "
          f"{per_item / ours_step['id']:.2f}x with the default per-item dropout mask (goal <= 1.2x)")
    adaptor = adaptor_seconds(default_text, args.steps)
    print(f"the adaptor alone ({default_text.profile.name} text model, all items): {adaptor:.3f} s/step = "
          f"{adaptor / ours_step['id']:.2f} of the ID step, so text/ID >= ~{1 + adaptor / ours_step['id']:.2f}x here")
    recbole_eval, ours_eval = evaluation_seconds(RunSpec("ml-100k", "sasrec", "id", None, 2020, profile), repeats=3)
    print(f"full-ranking test evaluation, 943 users x 1,682 items: RecBole {recbole_eval:.3f} s, "
          f"ours (per-user pass) {ours_eval:.3f} s, ratio {ours_eval / recbole_eval:.2f}x (goal <= 1.0x)")
    print(f"peak resident memory {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")
    if torch.cuda.is_available():
        print(f"CUDA peak allocated {torch.cuda.max_memory_allocated() / 2**20:.0f} MiB")


if __name__ == "__main__":
    main()

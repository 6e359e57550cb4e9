"""Training speed: this repository's RecBole set-up against stock RecBole, same model, data and settings.

Prints seconds per training step (mean of timed steps after warm-up) and the ratio, measured in one process and
one run, for SASRec-ID and SASRec-Text on MovieLens-100k with the default profile's data (max length 20, each
user's 20 most recent prefixes, batch 256). "stock" = RecBole 1.2.1 as imported (autograd anomaly detection on,
hand-written GELU, nn.Dropout); "ours" = anomaly off + fused GELU + RandDropout (gtebench.recsys.speedups). Both run fp32 on the same thread count, and both use
the per-position adaptor of the paper's code, so only the speed fixes differ.

    python benchmarks/bench_training.py [--steps 20] [--threads 1]
"""

from __future__ import annotations

import argparse
import dataclasses
import resource
import time

import torch

from gtebench.profiles import get_training_profile
from gtebench.recsys import speedups
from gtebench.recsys.runner import RunSpec, _build


def seconds_per_step(spec: RunSpec, steps: int, stock: bool) -> tuple[float, int]:
    import contextlib

    if stock:
        spec = dataclasses.replace(spec, profile=spec.profile.with_overrides(fast_dropout=False))
    context = speedups.stock_recbole() if stock else contextlib.nullcontext()
    with context:
        _, model, trainer, (train_data, _, _), _ = _build(spec, spec.run_dir())
        model.train()
        optimizer = trainer.optimizer
        batches = [batch for _, batch in zip(range(steps + 3), train_data)]

        def step(batch):
            loss = model.calculate_loss(batch)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()

        for batch in batches[:3]:
            step(batch)
        start = time.perf_counter()
        for batch in batches[3:]:
            step(batch)
        return (time.perf_counter() - start) / (len(batches) - 3), len(train_data)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--steps", type=int, default=20)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    profile = get_training_profile("default").with_overrides(
        backbone_overrides={"sasrec": {"id": {"hidden_size": 64}, "text": {"adaptor_per_position": True}}}
    )
    print(f"torch {torch.__version__}, {args.threads} thread(s), {args.steps} timed steps per measurement")
    for variant, encoder in (("id", None), ("text", "minilm-l6")):
        spec = RunSpec("ml-100k", "sasrec", variant, encoder, 2020, profile)
        stock, n_steps = seconds_per_step(spec, args.steps, stock=True)
        ours, _ = seconds_per_step(spec, args.steps, stock=False)
        print(f"SASRec-{variant:<4}  stock RecBole {stock:.3f} s/step ({stock * n_steps:5.1f} s/epoch)   "
              f"ours {ours:.3f} s/step ({ours * n_steps:5.1f} s/epoch)   speed-up {stock / ours:.2f}x")
    print(f"peak resident memory {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")


if __name__ == "__main__":
    main()

"""Encoding throughput of gtebench's engine against plain SentenceTransformer.encode, on real item texts.

    PYTHONPATH=lib python benchmarks/bench_encoding.py [--n-texts 5000] [--model minilm-l6]

Texts: real Amazon 2018 item texts built inline as "title description" (the paper's search-side item text:
title + description): the 4,344 Industrial & Scientific items (shared/data/amazon2018_scientific_seq) by id,
then Office_Products items (shared/data/amazon2018_industrial_office_seq) by index until N texts (5,000).
Phases, all in one process, same model folder, same texts, warm models:
  reference   SentenceTransformer(folder).encode(texts) with its defaults (fp32, batch 32)
  engine      gtebench.encoders.cache.embed (auto precision: fp32 on a CPU without AMX), batch 64
  engine-bf16 the engine under bf16 autocast (CPU with native bf16 only) / bf16 weights (CUDA)
  cached      the same embed() call again: memory-mapped .npy + sidecar validation
Peak memory: the largest resident set size (VmRSS) sampled every 20 ms during each phase; on CUDA also
torch.cuda.max_memory_allocated. The CUDA phases run only when a GPU is present and are skipped otherwise.

GPU phases (CUDA only): the same phases for the small model, then a 7B-shaped model: GTE-Qwen2-7B-instruct's
architecture (Qwen2, 28 layers, hidden 3584, grouped-query attention with 4 KV heads, ~7.1B parameters) built
with *random weights* in bf16 -- the timing depends on the shapes only, and the real weights are not on the
machine. Its inputs are the same texts tokenised by the small model's tokenizer (ids folded into Qwen2's
vocabulary), truncated at 512, batched by the engine's length-sorted loop. Each GPU phase prints tokens per
second and its matmul TFLOP/s as a fraction of the bf16 peak: the datasheet's dense peak for the GPU's name
(gtebench.hardware.BF16_DENSE_TFLOPS) and an 8192^3 bf16 matmul measured in the same run. `--smoke` runs the
GPU phases' code on the CPU with a 2-layer Qwen2 of the same layout, to check it without a GPU.

Roofline (CPU): the encoder's matmul work for these texts (2 x the layers' weight-matrix products per real token,
plus attention's two L x L products, from the model's config and the truncated token counts; padding not counted)
divided by the reference's seconds, against the fastest fp32 matmul in this process (torch's MKL or numpy's
OpenBLAS) measured in the same run on the encoder's own shapes. Their ratio bounds what any fp32 implementation
can gain over the reference.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("GTEBENCH_SHARED_DATA", ROOT.parent / "shared" / "data"))
DATA = SHARED / "amazon2018_scientific_seq" / "Scientific.item.json.gz"
MORE = SHARED / "amazon2018_industrial_office_seq" / "Office_Products.item.json.gz"


def item_texts(path: Path, n: int, more: Path = MORE) -> pd.Series:
    texts = {}
    for prefix, source in (("sci", path), ("office", more)):
        if len(texts) >= n or not source.is_file():
            continue
        items = json.load(gzip.open(source))
        for i in sorted(items, key=int)[: n - len(texts)]:
            texts[f"{prefix}-{i}"] = f"{items[i]['title']} {items[i]['description']}".strip()
    return pd.Series(texts)


class PeakRSS:
    """Largest VmRSS (MiB) of this process while the block runs, sampled by a thread (Linux /proc)."""

    def __enter__(self):
        self.peak, self._stop = self._rss(), threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, self._rss())

    def _sample(self):
        while not self._stop.wait(0.02):
            self.peak = max(self.peak, self._rss())

    @staticmethod
    def _rss() -> float:
        try:
            for line in Path("/proc/self/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
        except OSError:
            pass
        return float("nan")


def timed(label: str, n: int, fn, results: list, reference: float | None = None):
    with PeakRSS() as rss:
        start = time.perf_counter()
        out = fn()
        seconds = time.perf_counter() - start
    row = {"phase": label, "seconds": seconds, "texts_per_s": n / seconds, "peak_rss_mib": rss.peak}
    row["vs_reference"] = (reference / seconds) if reference else 1.0
    results.append(row)
    print(f"{label:<22} {seconds:9.2f} s {n / seconds:10.1f} texts/s  x{row['vs_reference']:8.2f}  "
          f"peak RSS {rss.peak:7.0f} MiB", flush=True)
    return out, seconds


def cosine_min(a: np.ndarray, b: np.ndarray) -> float:
    a = a / np.linalg.norm(a, axis=1, keepdims=True)
    b = b / np.linalg.norm(b, axis=1, keepdims=True)
    return float((a * b).sum(axis=1).min())


def encoder_gflop(config, lengths: np.ndarray) -> float:
    """Matmul GFLOP of a BERT-style encoder over texts of the given token counts (no padding)."""
    h, ffn, layers = config.hidden_size, config.intermediate_size, config.num_hidden_layers
    per_token = 2 * (4 * h * h + 2 * h * ffn)  # Q, K, V, output projections and the two feed-forward matrices
    attention = 2 * 2 * h * lengths.astype(np.float64) ** 2  # scores and the weighted sum, per text
    return float(layers * (per_token * lengths.sum() + attention.sum()) / 1e9)


# GTE-Qwen2-7B-instruct's config.json: the shapes of the 7B-shaped model (weights random).
GTE_QWEN2_7B_SHAPE = dict(hidden_size=3584, intermediate_size=18944, num_hidden_layers=28, num_attention_heads=28,
                          num_key_value_heads=4, vocab_size=151646, max_position_embeddings=32768,
                          rope_theta=1000000.0, rms_norm_eps=1e-6)
SMOKE_SHAPE = dict(GTE_QWEN2_7B_SHAPE, hidden_size=224, intermediate_size=448, num_hidden_layers=2,
                   num_attention_heads=7, num_key_value_heads=1, vocab_size=1024)


def decoder_gflop(config, lengths: np.ndarray) -> float:
    """Matmul GFLOP of a Qwen2-style decoder over texts of the given token counts (no padding; full L x L
    attention, as a padded batch computes it)."""
    h, ffn, layers = config.hidden_size, config.intermediate_size, config.num_hidden_layers
    kv = config.num_key_value_heads * (h // config.num_attention_heads)
    per_token = 2 * (2 * h * h + 2 * h * kv + 3 * h * ffn)  # Q and O, grouped K and V, gate/up/down
    attention = 2 * 2 * h * lengths.astype(np.float64) ** 2
    return float(layers * (per_token * lengths.sum() + attention.sum()) / 1e9)


class GPUPeak:
    """The bf16 peaks a GPU phase is measured against: the datasheet's and an 8192^3 matmul's, this run."""

    def __init__(self, device: str):
        import torch

        from gtebench.hardware import bf16_matmul_tflops, datasheet_bf16_tflops

        self.name = torch.cuda.get_device_name() if device.startswith("cuda") else "cpu"
        self.datasheet = datasheet_bf16_tflops(self.name)
        size = 8192 if device.startswith("cuda") else 256  # a CPU smoke run only checks the code
        self.measured = bf16_matmul_tflops(device, n=size, repeats=10)
        sheet = f"{self.datasheet:.0f} TFLOP/s datasheet" if self.datasheet else "not in the datasheet table"
        print(f"    {self.name}: bf16 peak {sheet}, {self.measured:.3g} TFLOP/s measured ({size}^3 matmul)", flush=True)

    def report(self, row: dict, gflop: float, tokens: int) -> None:
        achieved = gflop / row["seconds"] / 1e3
        row.update(tokens=int(tokens), tokens_per_s=tokens / row["seconds"], tflops=achieved,
                   of_measured_peak=achieved / self.measured,
                   of_datasheet_peak=achieved / self.datasheet if self.datasheet else None)
        sheet = f", {row['of_datasheet_peak']:.0%} of the datasheet's" if self.datasheet else ""
        print(f"    {tokens / row['seconds']:,.0f} tokens/s, {achieved:.1f} TFLOP/s: "
              f"{row['of_measured_peak']:.0%} of the measured bf16 peak{sheet}", flush=True)


def random_decoder_phase(device: str, texts: pd.Series, tokenizer, peak: GPUPeak, results: list, shape: dict,
                         batch_size: int = 16, max_length: int = 512) -> None:
    """Time a Qwen2-architecture model with random bf16 weights through the engine's batching loop."""
    import torch
    from transformers import AutoModel, Qwen2Config

    from gtebench.encoders.engine import pool, run_batches, token_lengths

    config = Qwen2Config(**shape)
    with torch.device(device):
        model = AutoModel.from_config(config, dtype=torch.bfloat16, attn_implementation="sdpa").eval()
    billions = sum(p.numel() for p in model.parameters()) / 1e9
    values = texts.tolist()
    lengths = np.minimum(token_lengths(tokenizer, values), max_length)

    def run(batch: list[str]):
        inputs = tokenizer(batch, padding=True, truncation=True, max_length=max_length, return_tensors="pt").to(device)
        ids = inputs["input_ids"] % config.vocab_size  # another tokenizer's ids, folded into this vocabulary
        return pool(model(input_ids=ids, attention_mask=inputs["attention_mask"]), inputs["attention_mask"], "mean")

    label = f"{device} {billions:.2f}B random bf16"
    print(f"--- {label}: Qwen2 layout, {config.num_hidden_layers} layers, hidden {config.hidden_size}, "
          f"{len(values)} texts, batch {batch_size}", flush=True)
    with torch.inference_mode():
        run(values[:batch_size])  # warm-up: kernels chosen, memory pools grown
        timed(label, len(values), lambda: run_batches(run, values, lengths, batch_size=batch_size,
                                                      show_progress=False), results)
    peak.report(results[-1], decoder_gflop(config, lengths), lengths.sum())
    model = None  # frees the weights; `run` shares this name, so rebinding, not del
    if device.startswith("cuda"):
        print(f"    CUDA peak allocated {torch.cuda.max_memory_allocated() / 2**20:.0f} MiB", flush=True)
        torch.cuda.empty_cache()


def run(device: str, texts: pd.Series, model_key: str, batch_size: int, results: list) -> None:
    import torch
    from sentence_transformers import SentenceTransformer

    from gtebench.encoders.cache import embed
    from gtebench.encoders.engine import encode, token_lengths
    from gtebench.encoders.offline import resolve_model_path
    from gtebench.encoders.registry import get_encoder
    from gtebench.hardware import fp32_matmul_rates

    spec = get_encoder(model_key)
    values, n = texts.tolist(), len(texts)
    reference_model = SentenceTransformer(resolve_model_path(spec), device=device)
    reference_model.max_seq_length = spec.max_length  # the same truncation as the engine
    # Warm-up: load both models and run a few texts, so no phase pays for first-call setup.
    reference_model.encode(values[:8])
    encode(spec, values[:8], device=device, precision="fp32", show_progress=False)
    if device == "cuda":
        torch.cuda.reset_peak_memory_stats()
    print(f"--- {device}: {model_key}, {n} texts, engine batch {batch_size}", flush=True)
    ref_vectors, ref_s = timed(f"{device} reference fp32", n,
                               lambda: reference_model.encode(values), results)
    config = reference_model[0].auto_model.config
    lengths = np.minimum(token_lengths(reference_model.tokenizer, values), reference_model.max_seq_length)
    if device == "cpu":
        achieved = encoder_gflop(config, lengths) / ref_s
        peak = max(fp32_matmul_rates(64 * 256, config.hidden_size, config.intermediate_size).values())
        print(f"    roofline: the reference does {achieved:.1f} GFLOP/s of matmul work, "
              f"the fastest fp32 matmul here does "
              f"{peak:.1f} GFLOP/s ({achieved / peak:.0%}); no fp32 implementation can be more than "
              f"{peak / achieved:.2f}x faster here", flush=True)
    emb, _ = timed(f"{device} engine auto", n, lambda: embed(spec, texts, dataset="bench", recipe_hash="bench",
                   device=device, batch_size=batch_size, show_progress=False), results, ref_s)
    print(f"    engine precision {emb.meta['key']['precision']}, min cosine to reference "
          f"{cosine_min(emb.vectors, ref_vectors):.6f}, truncated texts {emb.meta['truncated_texts']}")
    cached, _ = timed(f"{device} cached rerun", n, lambda: embed(spec, texts, dataset="bench", recipe_hash="bench",
                      device=device, batch_size=batch_size, show_progress=False), results, ref_s)
    assert cached.from_cache, "the second embed() call should have come from the cache"
    from gtebench.hardware import cpu_has_bf16_dot

    if device == "cpu" and not cpu_has_bf16_dot():
        print("    cpu bf16: skipped (this CPU has no native bf16: torch emulates it, several times slower than fp32)")
    peak = GPUPeak(device) if device == "cuda" else None
    for precision in ("bf16", "fp16") if device == "cuda" else ("bf16",) if cpu_has_bf16_dot() else ():
        vectors, _ = timed(f"{device} engine {precision}", n, lambda: encode(spec, values, device=device,
                           precision=precision, batch_size=batch_size, show_progress=False)[0], results, ref_s)
        print(f"    {precision}: min cosine to reference {cosine_min(vectors, ref_vectors):.6f}")
        if peak is not None:
            peak.report(results[-1], encoder_gflop(config, lengths), lengths.sum())
    if device == "cuda":
        print(f"    CUDA peak allocated {torch.cuda.max_memory_allocated() / 2**20:.0f} MiB")
        random_decoder_phase(device, texts, reference_model.tokenizer, peak, results, GTE_QWEN2_7B_SHAPE)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n-texts", type=int, default=5000,
                        help="real item texts: Scientific first, then Office_Products")
    parser.add_argument("--model", default="minilm-l6", help="a registry key with offline weights")
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--out", type=Path, default=None, help="write the result rows as JSON here")
    parser.add_argument("--smoke", action="store_true",
                        help="only the GPU phases' code, on the CPU, with a 2-layer Qwen2 (checks it without a GPU)")
    args = parser.parse_args(argv)
    if not args.data.is_file():
        print(f"item file {args.data} not found; pass --data", file=sys.stderr)
        return 2
    import torch

    texts = item_texts(args.data, args.n_texts)
    print(f"{len(texts)} texts (title + description), mean {texts.str.len().mean():.0f} characters; "
          f"torch {torch.__version__}, {torch.get_num_threads()} threads, "
          f"started {time.strftime('%Y-%m-%d %H:%M:%S %Z')}", flush=True)
    results: list[dict] = []
    if args.smoke:
        from transformers import AutoTokenizer

        from gtebench.encoders.offline import resolve_model_path
        from gtebench.encoders.registry import get_encoder

        tokenizer = AutoTokenizer.from_pretrained(resolve_model_path(get_encoder(args.model)))
        random_decoder_phase("cpu", texts, tokenizer, GPUPeak("cpu"), results, SMOKE_SHAPE, max_length=128)
    else:
        run_all(texts, args, results)
    if args.out:
        args.out.write_text(json.dumps(results, indent=2) + "\n")
    return 0


def run_all(texts: pd.Series, args, results: list) -> None:
    import torch

    # A throwaway cache, so the engine phase really encodes and nothing is left in the user's GTEBENCH_HOME.
    with tempfile.TemporaryDirectory(prefix="gtebench-bench-") as home:
        os.environ["GTEBENCH_HOME"] = home
        run("cpu", texts, args.model, args.batch_size, results)
        if torch.cuda.is_available():
            run("cuda", texts, args.model, args.batch_size, results)
        else:
            print("--- cuda: skipped (no CUDA device)")


if __name__ == "__main__":
    sys.exit(main())

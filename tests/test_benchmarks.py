"""The benchmarks' own arithmetic and the code of the GPU phases, which no CPU run of the benchmark reaches."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest

BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"


def load(name: str):
    spec = importlib.util.spec_from_file_location(name, BENCHMARKS / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_decoder_flops_by_hand():
    bench = load("bench_encoding")
    # hidden 4, 2 heads of 2, 1 KV head (width 2), ffn 8, one layer; texts of 1 and 2 tokens
    config = SimpleNamespace(hidden_size=4, intermediate_size=8, num_hidden_layers=1, num_attention_heads=2,
                             num_key_value_heads=1)
    per_token = 2 * (2 * 16 + 2 * 4 * 2 + 3 * 4 * 8)  # 288: Q and O, K and V, gate/up/down
    attention = 2 * 2 * 4 * (1 + 4)  # 80: scores and weighted sum, L^2 per text
    assert bench.decoder_gflop(config, np.array([1, 2])) == pytest.approx((per_token * 3 + attention) / 1e9)


def test_encoder_flops_by_hand():
    bench = load("bench_encoding")
    config = SimpleNamespace(hidden_size=2, intermediate_size=4, num_hidden_layers=2)
    per_token = 2 * (4 * 4 + 2 * 2 * 4)  # 64
    assert bench.encoder_gflop(config, np.array([3])) == pytest.approx(2 * (per_token * 3 + 2 * 2 * 2 * 9) / 1e9)


def test_seven_billion_shape_has_seven_billion_parameters():
    shape = load("bench_encoding").GTE_QWEN2_7B_SHAPE
    h, ffn, kv = shape["hidden_size"], shape["intermediate_size"], 4 * (shape["hidden_size"] // 28)
    per_layer = 2 * h * h + 2 * h * kv + 3 * h * ffn
    total = shape["num_hidden_layers"] * per_layer + shape["vocab_size"] * h
    assert 7.0e9 < total < 7.2e9  # gte-Qwen2-7B-instruct: 7.07B


def test_gpu_phases_run_on_the_cpu_in_smoke_mode(shared_data, tmp_path):
    bench = load("bench_encoding")
    out = tmp_path / "rows.json"
    data = shared_data / "amazon2018_scientific_seq" / "Scientific.item.json.gz"
    assert bench.main(["--smoke", "--n-texts", "24", "--data", str(data), "--out", str(out)]) == 0
    (row,) = json.loads(out.read_text())
    assert row["tokens"] > 24 and row["tokens_per_s"] > 0 and row["of_measured_peak"] > 0
    assert row["of_datasheet_peak"] is None  # a CPU is not in the GPU datasheet table


def test_the_training_quality_comparison_pairs_modes_by_cell_seed_and_user():
    import pandas as pd

    bench = load("bench_training_quality")
    cell = dict(dataset="d", backbone="sasrec", variant="id", model="id", split="test", best_epoch=3,
                train_seconds=10.0)
    results = {
        "prefix": pd.DataFrame([{**cell, "metric": "ndcg@10", "seed": s, "value": v} for s, v in ((1, 0.10),
                                                                                                 (2, 0.20))]),
        # all-positions also has a text cell that prefix rows lack: compared only where both modes ran
        "all-positions": pd.DataFrame([{**cell, "metric": "ndcg@10", "seed": s, "value": v} for s, v in
                                       ((1, 0.30), (2, 0.45))] + [{**cell, "model": "minilm-l6", "variant": "text",
                                                                  "metric": "ndcg@10", "seed": 1, "value": 0.5}]),
    }
    users = [f"u{i}" for i in range(6)]
    per_user = {mode: pd.DataFrame([{"dataset": "d", "backbone": "sasrec", "variant": "id", "model": "id",
                                     "seed": seed, "user": u, "ndcg@10": base + i * step}
                                    for seed in (1, 2) for i, u in enumerate(users)])
                for mode, base, step in (("prefix", 0.1, 0.01), ("all-positions", 0.3, 0.02))}
    table = bench.compare(results, per_user)
    assert len(table) == 1
    row = table.iloc[0]
    assert row.prefix_mean == pytest.approx(0.15) and row.all_mean == pytest.approx(0.375)
    assert row.difference == pytest.approx(0.225) and row.seeds == 2 and row.users == 6
    assert row.wilcoxon_users == pytest.approx(0.03125)  # 6 users, all ahead: the exact two-sided 2 / 2^6
    assert "| d | sasrec | id | ndcg@10 | 15.00 ± 7.07 | 37.50 ± 10.61 | +22.50 |" in bench.markdown(table)

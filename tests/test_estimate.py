"""GPU-hour estimates: hand-computed encoding cost, training cost, and clear errors."""

import pytest

from gtebench import estimate as est


def test_parameter_labels():
    assert est.parameter_count("22M") == 22e6
    assert est.parameter_count("1.5B") == 1.5e9
    assert est.parameter_count("-") == 0 and est.parameter_count("?") == 0


def test_encoding_and_training_hours_hand_computed():
    # 2 FLOPs x 0.5e9 parameters x 1e6 texts x 100 tokens at 30% of 989 TFLOP/s
    expected = 2 * 0.5e9 * 1e6 * 100 / (989e12 * 0.30) / 3600
    assert est.encoding_hours("kalm", 1_000_000, 100) == pytest.approx(expected)
    assert est.encoding_hours("text-embedding-3-large", 1_000_000, 100) == 0  # an API: no GPU time
    assert est.training_hours(20_000, runs=3) == pytest.approx(40 * 3 / 3600)


def test_estimate_sums_cells_and_names_unknown_datasets():
    estimate = est.estimate(sr={"datasets": ["amazon2023/All_Beauty"], "encoders": ["kalm"], "runs_per_dataset": 2},
                            search={"datasets": ["esci"], "encoders": ["blair-base"]})
    assert set(estimate.encoding) == {("amazon2023/All_Beauty", "kalm"), ("esci", "blair-base")}
    assert estimate.total == pytest.approx(sum(estimate.encoding.values()) + estimate.training["amazon2023/All_Beauty"])
    assert "Estimated GPU time" in estimate.report() and "esci" in estimate.report()
    with pytest.raises(KeyError, match="known"):
        est.estimate(sr={"datasets": ["ml-1m"], "encoders": []})


def test_precision_memory_and_disk_of_an_entry():
    from gtebench.encoders.registry import get_encoder

    # the precision a GPU run uses: the entry's dtype, else bf16 on CUDA; none for the API and TF-IDF
    assert [est.run_precision(get_encoder(k)) for k in ("roberta-base", "jasper", "minilm-l6", "text-embedding-3-large",
                                                        "tfidf-svd")] == ["fp32", "bf16", "bf16", "api", "fp64"]
    # BLaIR-large in fp32: 354M x 4 B + 64 texts x 512 tokens x 1,024 hidden x 4 B x 16 live tensors
    blair = get_encoder("blair-large")
    assert est.peak_memory_bytes(blair) == pytest.approx(354e6 * 4 + 64 * 512 * 1024 * 4 * 16)
    assert est.weights_bytes(get_encoder("tfidf-svd")) == 0 == est.peak_memory_bytes(get_encoder("tfidf-svd"))
    assert est.vectors_bytes(1_000_000, 4096) == 16_384_000_000  # 16.4 GB, 15.3 GiB


def test_sizes_of_the_local_data_and_training_per_model():
    assert est.data_size("ml-100k") == {"items": 1_682, "rows": 100_000} and est.data_size("ml-1m") is None
    estimate = est.estimate(sr={"datasets": ["ml-100k"], "encoders": [],
                                "runs_by_model": {("ml-100k", "id"): 3, ("ml-100k", "minilm-l6"): 6}})
    assert estimate.training_by_model[("ml-100k", "minilm-l6")] == pytest.approx(100_000 * 40 * 6 / 20_000 / 3600)
    assert estimate.training["ml-100k"] == pytest.approx(100_000 * 40 * 9 / 20_000 / 3600)


def test_the_estimate_reports_prefix_rows_and_all_positions_training():
    estimate = est.estimate(sr={"datasets": ["amazon2023/All_Beauty", "ml-100k"], "encoders": [],
                                "runs_per_dataset": 2})
    prefix = estimate.training
    both = estimate.training_all_positions
    assert both["ml-100k"] == pytest.approx(prefix["ml-100k"] * est.ALL_POSITIONS_EPOCH_RATIO["long"])
    assert both["amazon2023/All_Beauty"] == pytest.approx(
        prefix["amazon2023/All_Beauty"] * est.ALL_POSITIONS_EPOCH_RATIO["short"])
    report = estimate.report()
    assert f"{prefix['ml-100k']:.2f} h on prefix rows, {both['ml-100k']:.2f} h all-positions" in report
    saved = sum(prefix.values()) - sum(both.values())
    assert f"profile paper-all-positions, the same training targets): {estimate.total - saved:.1f} h" in report


def test_specialisation_hours_by_hand_and_a_pairs_file_counted_in_the_batch_estimate(tmp_path):
    from gtebench.batch_plan import plan_estimate, resolve_notebooks
    from gtebench.batches import NotebookRun, select_runs

    per_gpu_second = est.GPU_BF16_PEAK_TFLOPS * 1e12 * est.ENCODING_EFFICIENCY
    assert est.specialisation_hours("mpnet-base", 1000, 2, 64, 3) == pytest.approx(
        6 * 110e6 * 1000 * 2 * 64 * 3 / per_gpu_second / 3600)
    pairs = tmp_path / "pairs.jsonl"
    pairs.write_text("".join(f'{{"anchor": "a{i}", "positive": "p{i}"}}\n' for i in range(500)))
    run = NotebookRun("specialisation.ipynb", {"bases": ["mpnet-base"], "recipes": [f"pairs:{pairs}", "next-item"],
                                              "sr_datasets": [], "search_datasets": []})
    estimate = plan_estimate(resolve_notebooks(select_runs([run])))
    file_key, named_key = f"specialised:mpnet-base@pairs:{pairs}", "specialised:mpnet-base@next-item"
    assert estimate.specialisation[file_key] == pytest.approx(est.specialisation_hours("mpnet-base", 500, 2, 64, 1))
    assert estimate.specialisation[named_key] == pytest.approx(  # the recipe's CPU sample of 6,400 pairs
        est.specialisation_hours("mpnet-base", 6_400, 2, 64, 1))
    assert f"specialise {file_key}" in estimate.report()
    missing = NotebookRun("specialisation.ipynb", {"bases": ["mpnet-base"], "recipes": ["pairs:/no/such.jsonl"],
                                                  "sr_datasets": [], "search_datasets": []})
    plans = resolve_notebooks(select_runs([missing]))
    assert plan_estimate(plans).specialisation == {}
    assert any("pairs file /no/such.jsonl not here" in f.text for p in plans for f in p.problems)

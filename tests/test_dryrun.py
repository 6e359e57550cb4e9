"""The paper batch's dry run: every problem found before a kernel starts, with the plan's hours, memory and disk."""

import pytest

from gtebench import dryrun, reproduce
from gtebench.encoders.registry import get_encoder


def test_disk_and_memory_arithmetic_by_hand():
    assert dryrun.vectors_disk_gb(1_000_000, 4096) == pytest.approx(16.384)  # 1M x 4,096 x 4 B
    # GTE-Qwen2: 7e9 fp32 parameters x 4 B = 28 GB, + 64 x 512 x 3,584 x 4 B x 4 = 1.88 GB of activations
    assert dryrun.peak_memory_gb(get_encoder("gte-qwen2")) == pytest.approx(28 + 64 * 512 * 3584 * 16 / 1e9)
    assert dryrun.peak_memory_gb(get_encoder("nv-embed-v2")) == pytest.approx(22 + 64 * 512 * 4096 * 16 / 1e9)  # bf16
    assert dryrun.peak_memory_gb(get_encoder("text-embedding-3-large")) == 0.0


def test_the_paper_batch_lists_every_problem_and_exits_non_zero(monkeypatch, capsys):
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    monkeypatch.setattr("gtebench.encoders.requirements.unmet_requirements",
                        lambda spec: ["transformers<4.48 (installed 9)"] if spec.key == "nv-embed-v2" else [])
    assert reproduce.main(["--batch", "paper", "--dry-run"]) == 1
    out = capsys.readouterr().out
    assert "problem: nv-embed-v2: needs transformers<4.48 (installed 9)" in out and "make paper-env" in out
    assert "problem: text-embedding-3-large: OPENAI_API_KEY is not set" in out
    assert "dry run: 2 problem(s); nothing was run" in out
    nv = next(line for line in out.splitlines() if line.startswith("nv-embed-v2 "))
    # NV-Embed-v2 vectors: Table 1's three Amazon 2023 item sets, ESCI and Amazon-C4 pools and queries, x 4,096 x 4 B
    texts = 112_590 + 137_269 + 217_724 + 1_367_729 + 27_643 + 1_058_417 + 21_223
    assert nv.split()[-1] == f"{texts * 4096 * 4 / 1e9:.1f}"


def test_a_complete_set_up_is_ready(monkeypatch, capsys):
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test")
    monkeypatch.setattr("gtebench.encoders.requirements.unmet_requirements", lambda spec: [])
    assert reproduce.main(["--batch", "paper", "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "dry run: ready" in out and "problem:" not in out
    total = next(line for line in out.splitlines() if line.startswith("total"))
    assert float(total.split()[1]) > 50  # encoding + training: the ~89 GPU-hours of the README


def test_an_unknown_encoder_or_a_floating_revision_is_reported(monkeypatch):
    monkeypatch.setattr("gtebench.encoders.requirements.unmet_requirements", lambda spec: [])
    cells = {"sr": {"datasets": [], "encoders": [], "runs_per_dataset": 0},
             "search": {"datasets": ["esci"], "encoders": ["no-such-model", "hf:org/model@main"]}}
    result = dryrun.dry_run(cells)
    assert not result.ok and any("unknown encoder 'no-such-model'" in p for p in result.problems)
    assert any("'main' is not a commit" in w for w in result.warnings)

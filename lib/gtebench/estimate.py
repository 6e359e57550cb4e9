"""A rough GPU-hour estimate for a batch of runs, printed before a long profile starts.

Encoding cost is counted in FLOPs (2 x parameters per token, a forward pass) at a stated fraction of the GPU's
bf16 peak; training cost in RecBole rows per second. Both rates are assumptions, stated here and printed with the
estimate; the point is the order of magnitude (minutes, hours or days) and which cells dominate, before anything
is downloaded. Catalogue sizes come from the official dataset pages where the data is not on disk.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .encoders.registry import get_encoder

# Approximate sizes of the paper's data: items to encode and training rows (interactions) per dataset.
# Amazon Reviews 2023 items: the official statistics of each category's metadata; interactions: the paper gives
# the range 104,766 (All_Beauty) to 3,583,323 (Video_Games); Baby_Products taken between them. Search pools and
# queries: the sizes the paper reports for ESCI and Amazon-C4.
PAPER_DATA_SIZES: dict[str, dict[str, int]] = {
    "amazon2023/All_Beauty": {"items": 112_590, "rows": 104_766},
    "amazon2023/Video_Games": {"items": 137_269, "rows": 3_583_323},
    "amazon2023/Baby_Products": {"items": 217_724, "rows": 1_200_000},
    "esci": {"items": 1_367_729, "queries": 27_643},
    "amazon-c4": {"items": 1_058_417, "queries": 21_223},
}

GPU_BF16_PEAK_TFLOPS = 989.0  # H100 SXM dense bf16
ENCODING_EFFICIENCY = 0.30  # fraction of the peak a batched, length-sorted transformer forward reaches
TOKENS_PER_ITEM = 256  # Amazon item text (title, features, categories, description) capped at 512
TOKENS_PER_QUERY = 24
TRAINING_ROWS_PER_SECOND = 20_000  # RecBole SASRec/GRU4Rec, max length 50, full softmax, on one GPU
EPOCHS_PER_RUN = 40  # early stopping with patience 10 ends most runs well before the 300-epoch cap


def parameter_count(label: str) -> float:
    """'22M' -> 2.2e7, '1.5B' -> 1.5e9; '-' or '?' (an API, a lexical model, an unknown hub id) -> 0."""
    match = re.fullmatch(r"([\d.]+)\s*([MB])", label.strip())
    if not match:
        return 0.0
    return float(match.group(1)) * (1e6 if match.group(2) == "M" else 1e9)


def encoding_hours(encoder: str, texts: int, tokens_per_text: int) -> float:
    """Rough GPU hours to encode the texts: 2 x parameters x tokens FLOPs at the assumed efficiency."""
    flops = 2 * parameter_count(get_encoder(encoder).params) * texts * tokens_per_text
    return flops / (GPU_BF16_PEAK_TFLOPS * 1e12 * ENCODING_EFFICIENCY) / 3600


def training_hours(rows: int, runs: int) -> float:
    """Rough GPU hours for the training runs at the assumed rows per second and epochs per run."""
    return rows * EPOCHS_PER_RUN * runs / TRAINING_ROWS_PER_SECOND / 3600


@dataclass(frozen=True)
class Estimate:
    encoding: dict[tuple[str, str], float]  # (dataset, encoder) -> GPU hours
    training: dict[str, float]  # dataset -> GPU hours

    @property
    def total(self) -> float:
        return sum(self.encoding.values()) + sum(self.training.values())

    def report(self) -> str:
        lines = [f"Estimated GPU time: {self.total:.1f} h (rough: encoding at {ENCODING_EFFICIENCY:.0%} of a "
                 f"{GPU_BF16_PEAK_TFLOPS:.0f} TFLOP/s bf16 peak, training at {TRAINING_ROWS_PER_SECOND:,} rows/s and "
                 f"{EPOCHS_PER_RUN} epochs per run; finished runs and cached embeddings are skipped, so a resumed "
                 f"batch costs less)"]
        for (dataset, encoder), hours in sorted(self.encoding.items(), key=lambda kv: -kv[1]):
            lines.append(f"  encode {dataset:<26} {encoder:<24} {hours:7.2f} h")
        for dataset, hours in sorted(self.training.items(), key=lambda kv: -kv[1]):
            lines.append(f"  train  {dataset:<26} {'all runs':<24} {hours:7.2f} h")
        return "\n".join(lines)


def estimate(sr: dict | None = None, search: dict | None = None) -> Estimate:
    """GPU hours for SR cells {"datasets", "encoders", "runs_per_dataset"} and search cells {"datasets",
    "encoders"}, on datasets of PAPER_DATA_SIZES."""
    encoding: dict[tuple[str, str], float] = {}
    training: dict[str, float] = {}
    for dataset in (sr or {}).get("datasets", []):
        size = _size(dataset)
        for encoder in sr.get("encoders", []):
            encoding[(dataset, encoder)] = encoding_hours(encoder, size["items"], TOKENS_PER_ITEM)
        training[dataset] = training_hours(size["rows"], sr.get("runs_per_dataset", 1))
    for dataset in (search or {}).get("datasets", []):
        size = _size(dataset)
        for encoder in search.get("encoders", []):
            encoding[(dataset, encoder)] = (encoding_hours(encoder, size["items"], TOKENS_PER_ITEM)
                                            + encoding_hours(encoder, size["queries"], TOKENS_PER_QUERY))
    return Estimate(encoding, training)


def _size(dataset: str) -> dict[str, int]:
    if dataset not in PAPER_DATA_SIZES:
        raise KeyError(f"no size known for {dataset!r} to estimate from; known: {sorted(PAPER_DATA_SIZES)}")
    return PAPER_DATA_SIZES[dataset]

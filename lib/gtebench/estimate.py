"""A rough GPU-hour, GPU-memory and disk estimate for a batch of runs, printed before a long profile starts.

Encoding cost is counted in FLOPs (2 x parameters per token, a forward pass) at a stated fraction of the GPU's
bf16 peak; training cost in RecBole rows per second. Both rates are assumptions, stated here and printed with the
estimate; the point is the order of magnitude (minutes, hours or days) and which cells dominate, before anything
is downloaded. Catalogue sizes come from the official dataset pages where the data is not on disk.

Memory of one encoding run: the weights at the precision the run uses (parameters x bytes per parameter) plus an
activation allowance (a batch of texts x max tokens x hidden size x bytes x the live tensors of one layer).
Disk: the cached vectors are float32, texts x dim x 4 bytes. Both in bytes here; the printers say GB (1e9 bytes).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .encoders.precision import resolve_encoding_precision
from .encoders.registry import get_encoder
from .encoders.spec import EncoderSpec

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

# Sizes of the data that ships here (results/dataset_statistics.csv), so smaller batches are estimated too.
LOCAL_DATA_SIZES: dict[str, dict[str, int]] = {
    "ml-100k": {"items": 1_682, "rows": 100_000},
    "ml-latest-small": {"items": 9_066, "rows": 100_004},
    "amazon2018/Scientific": {"items": 4_344, "rows": 58_492},
    "amazon2018-samples/Industrial_and_Scientific": {"items": 3_541, "rows": 9_725},
    "amazon2018-samples/Office_Products": {"items": 3_317, "rows": 10_550},
    "esci-sample200": {"items": 200, "queries": 138},
    "esci-sample200-graded": {"items": 200, "queries": 188},
    "homedepot": {"items": 54_667, "queries": 1_958},  # test queries with a relevant product
    "homedepot-binary": {"items": 54_667, "queries": 1_622},
    "steam-au": {"items": 2_270, "rows": 18_110},
}

GPU_BF16_PEAK_TFLOPS = 989.0  # H100 SXM dense bf16
ENCODING_EFFICIENCY = 0.30  # fraction of the peak a batched, length-sorted transformer forward reaches
TOKENS_PER_ITEM = 256  # Amazon item text (title, features, categories, description) capped at 512
TOKENS_PER_QUERY = 24
TRAINING_ROWS_PER_SECOND = 20_000  # RecBole SASRec/GRU4Rec, max length 50, full softmax, on one GPU
EPOCHS_PER_RUN = 40  # early stopping with patience 10 ends most runs well before the 300-epoch cap
# Seconds per epoch of all-positions training over prefix rows (the same training targets, max length 50), as
# measured on CPU with the default profile's sizes: short sequences (Amazon: every item of a user's sequence in
# one window) and long ones (MovieLens: a target beyond position 50 keeps a 50-item window of its own). The
# Amazon value stands for the paper's Amazon 2023 sets; on a GPU at the paper's widths the ratio will differ.
ALL_POSITIONS_EPOCH_RATIO = {
    "short": 0.08,  # Amazon 2018 Scientific, SASRec ID, 1 thread: 4.0 s (whole epoch) against 49.5 s, 2026-12-03
    "long": 0.57,  # ml-100k, SASRec ID, 1 thread: 40.5 s (whole epoch) against 70.7 s, 2026-12-03
}

BYTES_PER_VALUE = {"fp32": 4, "bf16": 2, "fp16": 2}
MEMORY_BATCH = 64  # texts per forward pass (gtebench.encoders.cache.embed's default)
MEMORY_TOKENS = 512  # the paper's max length, the longest batch the engine forms
LIVE_TENSORS = 16  # hidden-sized tensors alive at once in one layer's forward (QKV, MLP intermediate, residuals)
VECTOR_BYTES = 4  # the embedding cache stores float32
# Hidden size of the transformer (the activation width), from each model's config.json where it differs from the
# output dimension: Jasper is Stella-1.5B (Qwen2-1.5B), INSTRUCTOR-XL and Sentence-T5-XXL are T5 encoders (d_model
# 1024, ../shared/models/instructor-xl/config.json). Other entries: the output dimension.
HIDDEN_SIZES = {"instructor-xl": 1024, "sentence-t5-xxl": 1024, "jasper": 1536}


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


def run_precision(spec: EncoderSpec) -> str:
    """The precision a GPU encoding run uses: the entry's dtype, else the engine's choice on CUDA (bf16);
    "api" for the OpenAI API and "fp64" for TF-IDF + SVD, which use no GPU."""
    if spec.loader == "openai":
        return "api"
    if spec.loader == "tfidf-svd":
        return "fp64"
    return resolve_encoding_precision("auto", "cuda", spec.dtype)


def weights_bytes(spec: EncoderSpec) -> float:
    """Parameters (the entry's label) x bytes per parameter at the run's precision; 0 without GPU weights."""
    return parameter_count(spec.params) * BYTES_PER_VALUE.get(run_precision(spec), 0)


def activation_bytes(spec: EncoderSpec) -> float:
    """The allowance for one batch: MEMORY_BATCH texts x MEMORY_TOKENS x hidden x bytes x LIVE_TENSORS."""
    hidden = HIDDEN_SIZES.get(spec.key, spec.dim or 0)
    bytes_per_value = BYTES_PER_VALUE.get(run_precision(spec), 0)
    return MEMORY_BATCH * min(MEMORY_TOKENS, spec.max_length) * hidden * bytes_per_value * LIVE_TENSORS


def peak_memory_bytes(spec: EncoderSpec) -> float:
    """Peak GPU memory of encoding with `spec`: weights plus the activation allowance (0 for an API or TF-IDF)."""
    return weights_bytes(spec) + activation_bytes(spec)


def vectors_bytes(texts: int, dim: int) -> int:
    """Disk of `texts` cached fp32 vectors of `dim` dimensions: 1M x 4,096 x 4 B = 16.4 GB (15.3 GiB)."""
    return texts * dim * VECTOR_BYTES


def training_hours(rows: int, runs: int) -> float:
    """Rough GPU hours for the training runs at the assumed rows per second and epochs per run."""
    return rows * EPOCHS_PER_RUN * runs / TRAINING_ROWS_PER_SECOND / 3600


def specialisation_hours(encoder: str, pairs: int, texts_per_pair: int, tokens_per_text: int, epochs: int) -> float:
    """Rough GPU hours of contrastive fine-tuning: a forward and a backward pass (6 x parameters FLOPs per token)
    over every text of every pair, at the encoding efficiency.

    Args:
        encoder: the base encoder's key; pairs: training pairs; texts_per_pair: 2, or 3 with a hard negative.
        tokens_per_text: the recipe's max_seq_length (an upper bound); epochs: passes over the pairs.
    """
    flops = 6 * parameter_count(get_encoder(encoder).params) * pairs * texts_per_pair * tokens_per_text * epochs
    return flops / (GPU_BF16_PEAK_TFLOPS * 1e12 * ENCODING_EFFICIENCY) / 3600


def all_positions_ratio(dataset: str) -> float:
    """ALL_POSITIONS_EPOCH_RATIO for the dataset's sequences: long for MovieLens, short for the rest."""
    return ALL_POSITIONS_EPOCH_RATIO["long" if dataset.startswith("ml-") else "short"]


@dataclass(frozen=True)
class Estimate:
    encoding: dict[tuple[str, str], float]  # (dataset, encoder) -> GPU hours
    training: dict[str, float]  # dataset -> GPU hours
    training_by_model: dict[tuple[str, str], float] = field(default_factory=dict)  # (dataset, "id" or encoder)
    specialisation: dict[str, float] = field(default_factory=dict)  # specialised encoder key -> GPU hours

    @property
    def total(self) -> float:
        return sum(self.encoding.values()) + sum(self.training.values()) + sum(self.specialisation.values())

    @property
    def training_all_positions(self) -> dict[str, float]:
        """dataset -> GPU hours of the same runs trained all-positions (profile paper-all-positions)."""
        return {dataset: hours * all_positions_ratio(dataset) for dataset, hours in self.training.items()}

    def report(self) -> str:
        lines = [f"Estimated GPU time: {self.total:.1f} h (rough: encoding at {ENCODING_EFFICIENCY:.0%} of a "
                 f"{GPU_BF16_PEAK_TFLOPS:.0f} TFLOP/s bf16 peak, training at {TRAINING_ROWS_PER_SECOND:,} rows/s and "
                 f"{EPOCHS_PER_RUN} epochs per run; finished runs and cached embeddings are skipped, so a resumed "
                 f"batch costs less)"]
        for (dataset, encoder), hours in sorted(self.encoding.items(), key=lambda kv: -kv[1]):
            lines.append(f"  encode {dataset:<26} {encoder:<24} {hours:7.2f} h")
        for key, hours in sorted(self.specialisation.items(), key=lambda kv: -kv[1]):
            lines.append(f"  specialise {key:<46} {hours:7.2f} h")
        all_positions = self.training_all_positions
        for dataset, hours in sorted(self.training.items(), key=lambda kv: -kv[1]):
            lines.append(f"  train  {dataset:<26} {'all runs':<24} {hours:7.2f} h on prefix rows, "
                         f"{all_positions[dataset]:.2f} h all-positions")
        if self.training:
            saved = sum(self.training.values()) - sum(all_positions.values())
            lines.append(f"With all-positions training (profile paper-all-positions, the same training targets): "
                         f"{self.total - saved:.1f} h (epoch-time ratios measured on CPU: "
                         f"{ALL_POSITIONS_EPOCH_RATIO['short']:.2f} on short Amazon sequences, "
                         f"{ALL_POSITIONS_EPOCH_RATIO['long']:.2f} on MovieLens)")
        return "\n".join(lines)


def estimate(sr: dict | None = None, search: dict | None = None) -> Estimate:
    """GPU hours for SR cells {"datasets", "encoders", "runs_per_dataset"} and search cells {"datasets",
    "encoders"}, on datasets of PAPER_DATA_SIZES or LOCAL_DATA_SIZES. SR cells may give "runs_by_model"
    {(dataset, model): runs} instead of runs_per_dataset; training hours are then also kept per model."""
    encoding: dict[tuple[str, str], float] = {}
    training: dict[str, float] = {}
    by_model: dict[tuple[str, str], float] = {}
    for dataset in (sr or {}).get("datasets", []):
        size = _size(dataset)
        for encoder in sr.get("encoders", []):
            encoding[(dataset, encoder)] = encoding_hours(encoder, size["items"], TOKENS_PER_ITEM)
        if "runs_by_model" in sr:
            for (where, model), runs in sr["runs_by_model"].items():
                if where == dataset:
                    by_model[(dataset, model)] = training_hours(size["rows"], runs)
            training[dataset] = sum(h for (where, _), h in by_model.items() if where == dataset)
        else:
            training[dataset] = training_hours(size["rows"], sr.get("runs_per_dataset", 1))
    for dataset in (search or {}).get("datasets", []):
        size = _size(dataset)
        for encoder in search.get("encoders", []):
            encoding[(dataset, encoder)] = (encoding_hours(encoder, size["items"], TOKENS_PER_ITEM)
                                            + encoding_hours(encoder, size["queries"], TOKENS_PER_QUERY))
    return Estimate(encoding, training, by_model)


def data_size(dataset: str) -> dict[str, int] | None:
    """Items (and training rows or queries) of a dataset, from PAPER_DATA_SIZES or LOCAL_DATA_SIZES; None if unknown."""
    return PAPER_DATA_SIZES.get(dataset) or LOCAL_DATA_SIZES.get(dataset)


def _size(dataset: str) -> dict[str, int]:
    size = data_size(dataset)
    if size is None:
        raise KeyError(f"no size known for {dataset!r} to estimate from; known: "
                       f"{sorted(PAPER_DATA_SIZES) + sorted(LOCAL_DATA_SIZES)}")
    return size

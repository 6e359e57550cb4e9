"""What a batch needs, checked before GPU-hours are spent (`python -m gtebench.reproduce --batch paper --dry-run`).

No kernel starts and nothing is downloaded. Per encoder of the batch: its registry entry, the versions and packages
its code needs (`EncoderSpec.requires`), its pinned revision, the API key where it is an API, and three figures:
GPU hours (gtebench.estimate), peak GPU memory (weights at the precision the run uses plus an activation
allowance) and the disk its cached fp32 vectors take. Per dataset: that the name is known. A problem is one line
naming the fix; any problem makes the dry run exit non-zero.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field

from .estimate import PAPER_DATA_SIZES, parameter_count

BYTES_PER_PARAMETER = {"fp32": 4, "bf16": 2, "fp16": 2}
BATCH_FOR_MEMORY = 64  # texts per forward pass assumed for the activation allowance
MAX_TOKENS = 512  # every paper encoder's max length
VECTOR_BYTES = 4  # cached vectors are float32


@dataclass
class ModelNeeds:
    encoder: str
    gpu_hours: float
    peak_memory_gb: float  # GPU memory: weights + activation allowance (GB = 1e9 bytes)
    disk_gb: float  # cached fp32 vectors over the batch's datasets (GB = 1e9 bytes)


@dataclass
class DryRun:
    models: list[ModelNeeds]
    training_hours: float
    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def report(self) -> str:
        """The plan as text: one line per model, totals, the assumptions, then warnings and problems."""
        lines = [f"{'encoder':<24} {'GPU h':>7} {'peak GPU GB':>11} {'disk GB':>8}"]
        for m in sorted(self.models, key=lambda m: -m.gpu_hours):
            lines.append(f"{m.encoder:<24} {m.gpu_hours:7.2f} {m.peak_memory_gb:11.1f} {m.disk_gb:8.1f}")
        encode_hours = sum(m.gpu_hours for m in self.models)
        lines.append(f"{'total':<24} {encode_hours + self.training_hours:7.2f} "
                     f"{max((m.peak_memory_gb for m in self.models), default=0):11.1f} "
                     f"{sum(m.disk_gb for m in self.models):8.1f}   (training {self.training_hours:.2f} h)")
        lines.append(f"assumptions: GB = 1e9 bytes; memory = parameters x bytes at the entry's precision + "
                     f"activations of {BATCH_FOR_MEMORY} texts x {MAX_TOKENS} tokens x hidden x 4 B x 4; disk = "
                     f"(items + queries) x dim x {VECTOR_BYTES} B per dataset; hours as gtebench.estimate")
        lines += [f"warning: {w}" for w in self.warnings]
        lines += [f"problem: {p}" for p in self.problems]
        lines.append("dry run: ready" if self.ok else f"dry run: {len(self.problems)} problem(s); nothing was run")
        return "\n".join(lines)


def peak_memory_gb(spec) -> float:
    """Weights at the entry's precision plus an allowance for the activations of one batch (0 for an API)."""
    if spec.loader == "openai":
        return 0.0
    weights = parameter_count(spec.params) * BYTES_PER_PARAMETER.get(spec.dtype, 4)
    activations = BATCH_FOR_MEMORY * MAX_TOKENS * (spec.dim or 0) * 4 * 4
    return (weights + activations) / 1e9


def vectors_disk_gb(rows: int, dim: int) -> float:
    """fp32 vectors of `rows` texts at `dim` dimensions, in GB (1e9 bytes): 1M x 4,096 is 16.4 GB."""
    return rows * dim * VECTOR_BYTES / 1e9


def check_encoder(key: str) -> tuple[object | None, list[str], list[str]]:
    """(spec or None, problems, warnings) for one encoder of the batch."""
    from .encoders.registry import EncoderError, get_encoder
    from .encoders.requirements import PAPER_ENV_HINT, unmet_requirements

    try:
        spec = get_encoder(key)
    except EncoderError as exc:
        return None, [str(exc)], []
    problems, warnings = [], []
    unmet = unmet_requirements(spec)
    if unmet:
        problems.append(f"{key}: needs {'; '.join(unmet)}; {PAPER_ENV_HINT}")
    if spec.loader == "openai":
        if not os.environ.get("OPENAI_API_KEY"):
            problems.append(f"{key}: OPENAI_API_KEY is not set; export it, or drop {key} from the encoders")
    elif spec.hub_id and not spec.offline_source and not re.fullmatch(r"[0-9a-f]{40}", spec.revision or ""):
        warnings.append(f"{key}: revision {spec.revision!r} is not a commit; the weights may change under you")
    return spec, problems, warnings


def dry_run(cells: dict) -> DryRun:
    """Check the cells of a batch ({"sr": {...}, "search": {...}} as reproduce.batch_cells gives them)."""
    from .data.registry import get_dataset
    from .data.search import get_search_dataset
    from .estimate import estimate

    sr, search = cells["sr"], cells["search"]
    problems, warnings = [], []
    named = [(d, get_dataset) for d in sr["datasets"]] + [(d, get_search_dataset) for d in search["datasets"]]
    for dataset, lookup in named:
        try:
            lookup(dataset)
        except Exception as exc:  # an unknown name: the message lists the valid ones
            problems.append(f"dataset {dataset}: {exc}")
        if dataset not in PAPER_DATA_SIZES:
            problems.append(f"dataset {dataset}: no size known to estimate from ({sorted(PAPER_DATA_SIZES)})")
    if problems:
        return DryRun([], 0.0, problems, warnings)
    specs = {}
    for key in sorted(set(sr["encoders"]) | set(search["encoders"])):
        spec, bad, warned = check_encoder(key)
        problems += bad
        warnings += warned
        if spec is not None:
            specs[key] = spec
    # the estimate counts only encoders that resolved; the others are already problems
    sr = {**sr, "encoders": [e for e in sr["encoders"] if e in specs]}
    search = {**search, "encoders": [e for e in search["encoders"] if e in specs]}
    hours = estimate(sr=sr, search=search)
    models = []
    for key, spec in specs.items():
        rows = [PAPER_DATA_SIZES[d]["items"] for d in sr["datasets"] if key in sr["encoders"]]
        rows += [PAPER_DATA_SIZES[d]["items"] + PAPER_DATA_SIZES[d]["queries"] for d in search["datasets"]
                 if key in search["encoders"]]
        gpu_hours = sum(h for (_, encoder), h in hours.encoding.items() if encoder == key)
        models.append(ModelNeeds(key, gpu_hours, peak_memory_gb(spec), vectors_disk_gb(sum(rows), spec.dim or 0)))
    return DryRun(models, sum(hours.training.values()), problems, warnings)


"""Everything a batch needs, checked before GPU-hours are spent: `python -m gtebench.reproduce --batch paper --dry-run`.

No kernel starts, nothing is downloaded and no model is loaded. The dry run
- resolves every notebook of the batch (its defaults, then the batch's parameters, then -p) into its cells, with
  the notebooks' own config classes (SRExperimentConfig, SearchExperimentConfig), so a parameter the notebook
  would refuse is refused here;
- checks every dataset's location (gtebench.dryrun_checks): local files where the registry looks for them, else
  the hub repository it would download from;
- checks every encoder: registry entry, the loader's packages, `requires`, a pinned revision, OPENAI_API_KEY, and,
  when the hub answers, that the repository, revision and files exist;
- estimates per model GPU hours, peak GPU memory and the disk of its cached vectors (gtebench.estimate).

dry_run() returns a DryRun (plain data, testable); format_dry_run() turns it into the printed plan, a table per
notebook, dataset and model with totals and the assumptions stated once. A DryRun is ok when it has no problem;
each problem is one line naming its fix. A warning (a revision that is not a commit, a dataset only the statistics
notebook wants) does not fail it, and neither does an offline hub.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from . import estimate as est
from .batch_plan import NotebookPlan, plan_estimate, resolve_notebooks
from .batches import OUTPUT_PARAMETERS
from .dryrun_checks import Finding, check_encoder, dataset_sources, describe_sources, hub_online

OPTIONAL_DATA_NOTEBOOKS = ("dataset_statistics",)  # notebooks that list a missing dataset instead of failing


@dataclass
class DatasetNeeds:
    key: str
    kind: str  # "sr" or "search"
    size: dict | None  # items and rows or queries (gtebench.estimate.data_size); None: not known
    sources: list[str]  # where the files come from, one line each; empty where the key or a configured file is wrong


@dataclass
class ModelNeeds:
    key: str
    precision: str  # of the GPU run (fp32, bf16, fp16), or "api" / "fp64" for the API and TF-IDF
    params: str  # the registry's label ("?" for an ad-hoc hub model)
    dim: int | None  # None: known only after the first vectors (an ad-hoc entry)
    source: str  # where the weights come from
    weights_bytes: float
    activation_bytes: float
    encode_hours: float
    train_hours: float
    runs: int  # Table 1 training runs whose item table this model encodes
    disk_bytes: dict[str, int]  # dataset -> bytes of cached fp32 vectors (items and queries)

    @property
    def peak_bytes(self) -> float:
        return self.weights_bytes + self.activation_bytes

    @property
    def gpu_hours(self) -> float:
        return self.encode_hours + self.train_hours


@dataclass
class DryRun:
    batch: str
    online: bool
    hub: str  # why the hub is offline, or "reachable"
    notebooks: list[NotebookPlan]
    datasets: list[DatasetNeeds]
    models: list[ModelNeeds]  # encoders and "id" (the ID-item training runs)
    findings: list[Finding]

    @property
    def problems(self) -> list[str]:
        return [f.line() for f in self.findings if f.level == "problem"]

    @property
    def warnings(self) -> list[str]:
        return [f.line() for f in self.findings if f.level == "warning"]

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def gpu_hours(self) -> float:
        return sum(m.gpu_hours for m in self.models)

    @property
    def peak_bytes(self) -> float:
        return max((m.peak_bytes for m in self.models), default=0.0)

    @property
    def disk_bytes(self) -> int:
        return sum(sum(m.disk_bytes.values()) for m in self.models)


# ---------------------------------------------------------------- the dry run


def dry_run(batch: str, overrides: dict | None = None, only: list[str] | None = None,
            online: bool | None = None) -> DryRun:
    """Check a batch (a name in gtebench.batches.BATCHES or a YAML file) as it would run with these overrides and
    --only.

    online: whether to ask the Hugging Face hub; None probes it (hub_online). A bad batch name, --only or -p raises
    ValueError, as the real run would before any kernel starts.
    """
    from .batches import load_batch, select_runs

    plans = resolve_notebooks(select_runs(load_batch(batch), overrides, only))
    hub = "not asked"
    if online is None:
        online, hub = hub_online()
    findings = [f for p in plans for f in p.problems]
    datasets = _check_datasets(plans, online, findings)
    models = _check_models(plans, online, findings)
    return DryRun(batch, online, "reachable" if online else hub, plans, datasets, models, findings)


def _check_datasets(plans: list[NotebookPlan], online: bool, findings: list[Finding]) -> list[DatasetNeeds]:
    needed = {}  # (dataset, kind) -> required (False: only a notebook that lists a missing dataset uses it)
    for plan in plans:
        for pair in plan.datasets:
            needed[pair] = needed.get(pair, False) or not plan.notebook.startswith(OPTIONAL_DATA_NOTEBOOKS)
    result = []
    for (key, kind), required in needed.items():
        subject, level = f"dataset {key}", "problem" if required else "warning"
        try:
            sources, missing = describe_sources(dataset_sources(key, kind), online)
        except ValueError as exc:  # DataError: an unknown key, or a configured folder without a file
            findings.append(Finding(level, subject, str(exc) if required else f"{exc} (dataset_statistics lists it)"))
            result.append(DatasetNeeds(key, kind, est.data_size(key), []))
            continue
        findings += [Finding(level, subject, f"{m} is missing on the hub: put the files in a local folder (see "
                             "gtebench/data) or fix the dataset's source") for m in missing]
        if est.data_size(key) is None and required:
            findings.append(Finding("warning", subject, "size unknown, so its cells are not in the estimate"))
        result.append(DatasetNeeds(key, kind, est.data_size(key), sources))
    return result


def _check_models(plans: list[NotebookPlan], online: bool, findings: list[Finding]) -> list[ModelNeeds]:
    estimate = plan_estimate(plans)
    encodings = set().union(*(p.encodings for p in plans))
    runs = sum((p.runs for p in plans), Counter())
    models = []
    for key in sorted({key for p in plans for key in p.wanted}):
        spec, found, source = check_encoder(key, online)
        findings += found
        if spec is None:
            continue
        if spec.dim is None:
            findings.append(Finding("warning", f"encoder {key}", "dimension known only after the first vectors, so "
                                    "its disk is not in the estimate"))
        disk: dict[str, int] = {}
        for dataset, encoder, role in encodings:
            size = est.data_size(dataset)
            if encoder == key and size is not None:
                texts = size["items"] if role == "item" else size.get("queries", 0)
                disk[dataset] = disk.get(dataset, 0) + est.vectors_bytes(texts, spec.dim or 0)
        models.append(ModelNeeds(
            key, est.run_precision(spec), spec.params, spec.dim, source, est.weights_bytes(spec),
            est.activation_bytes(spec),
            sum(h for (_, e), h in estimate.encoding.items() if e == key),
            sum(h for (_, m), h in estimate.training_by_model.items() if m == key),
            sum(n for (_, m), n in runs.items() if m == key), dict(sorted(disk.items()))))
    if any(m == "id" for _, m in runs):
        models.append(ModelNeeds("id", "-", "-", None, "learned item IDs (no encoder)", 0.0, 0.0, 0.0,
                                 sum(h for (_, m), h in estimate.training_by_model.items() if m == "id"),
                                 sum(n for (_, m), n in runs.items() if m == "id"), {}))
    return models


def _gb(value: float) -> str:
    return "<0.1" if 0 < value < 5e7 else f"{value / 1e9:.1f}"


def _h(hours: float) -> str:
    return "<0.01" if 0 < hours < 0.005 else f"{hours:.2f}"


def _assumptions() -> list[str]:
    return [
        f"GPU hours: encoding at 2 x parameters FLOPs per token, {est.ENCODING_EFFICIENCY:.0%} of a "
        f"{est.GPU_BF16_PEAK_TFLOPS:.0f} TFLOP/s bf16 peak (H100), {est.TOKENS_PER_ITEM} tokens per item and "
        f"{est.TOKENS_PER_QUERY} per query, each (dataset, model) encoded once for every notebook; training at "
        f"{est.TRAINING_ROWS_PER_SECOND:,} rows/s, {est.EPOCHS_PER_RUN} epochs per run. A rerun skips finished runs "
        "and cached vectors.",
        "Peak GPU memory (encoding): parameters (the registry's label) x bytes at the run's precision (fp32 4, bf16 "
        f"and fp16 2) + activations of {est.MEMORY_BATCH} texts x {est.MEMORY_TOKENS} tokens x hidden size x bytes x "
        f"{est.LIVE_TENSORS} live tensors; the API and TF-IDF use none. NV-Embed-v2 and Sentence-T5-XXL are labelled "
        "11B (about 7.9B and 4.9B are loaded), so theirs are upper bounds.",
        f"Disk: cached vectors are fp32, (items + queries) x dim x {est.VECTOR_BYTES} B per dataset, full dimension. "
        "GB = 1e9 bytes throughout (1M x 4,096 x 4 B = 16.4 GB = 15.3 GiB).",
    ]


def format_dry_run(result: DryRun) -> str:
    """The dry run as text: notebooks, datasets, models with totals, the assumptions, warnings and problems."""
    hub = "reachable: repositories, revisions and files checked" if result.online else (
        f"offline ({result.hub}): hub repositories, revisions and files not checked")
    out = [f"Dry run of batch {result.batch!r}: no kernel starts, nothing is downloaded.", f"Hugging Face hub: {hub}.",
           "", "Notebooks (their defaults, then the batch's parameters, then -p)"]
    width = max((len(p.notebook) for p in result.notebooks), default=0)
    for plan in result.notebooks:
        out.append(f"  {plan.notebook:<{width}}  {plan.summary}")
        written = [f"{name} {plan.parameters[name]}" for name in (*OUTPUT_PARAMETERS, "results_dir")
                   if plan.parameters.get(name)]
        if written:
            out.append(f"  {'':<{width}}  writes: {', '.join(written)}")
    key = max([len(d.key) for d in result.datasets] + [7])
    out += ["", "Datasets (each with where its files come from)",
            f"  {'dataset':<{key}} {'task':<6} {'items':>10} {'rows/queries':>14}"]
    for d in result.datasets:
        size = d.size or {}
        other = (f"{size['rows']:,} rows" if "rows" in size else f"{size['queries']:,} q") if size else "?"
        items = f"{size['items']:,}" if size else "?"
        out.append(f"  {d.key:<{key}} {d.kind:<6} {items:>10} {other:>14}")
        out += [f"      {line}" for line in d.sources or ["see the problems below"]]
    name = max([len(m.key) for m in result.models] + [22])
    out += ["", "Models (GB = 1e9 bytes; memory: encoding on one GPU; disk: cached fp32 vectors)",
            f"  {'model':<{name}} {'prec':<5} {'params':>6} {'runs':>5} {'encode h':>9} {'train h':>8} {'GPU h':>8} "
            f"{'weights':>8} {'activ.':>7} {'peak GB':>8} {'disk GB':>8}"]
    for m in sorted(result.models, key=lambda m: -m.gpu_hours):
        gpu, unknown = m.precision in est.BYTES_PER_VALUE, not est.parameter_count(m.params)
        memory = [("?" if unknown else _gb(v)) if gpu else "-" for v in (m.weights_bytes, m.activation_bytes,
                                                                          m.peak_bytes)]
        encode = "?" if gpu and unknown else _h(m.encode_hours)
        disk = "-" if m.key == "id" else _gb(sum(m.disk_bytes.values())) if m.dim else "?"
        out.append(f"  {m.key:<{name}} {m.precision:<5} {m.params:>6} {m.runs:>5} {encode:>9} "
                   f"{_h(m.train_hours):>8} {_h(m.gpu_hours):>8} {memory[0]:>8} {memory[1]:>7} {memory[2]:>8} "
                   f"{disk:>8}")
    models = result.models
    out.append(f"  {'total':<{name}} {'':<5} {'':>6} {sum(m.runs for m in models):>5} "
               f"{_h(sum(m.encode_hours for m in models)):>9} {_h(sum(m.train_hours for m in models)):>8} "
               f"{_h(result.gpu_hours):>8} {'':>8} {'':>7} {'max ' + _gb(result.peak_bytes):>8} "
               f"{_gb(result.disk_bytes):>8}")
    datasets = [d.key for d in result.datasets if any(d.key in m.disk_bytes for m in models)]
    if datasets:
        short = [d.split("/")[-1] for d in datasets]
        labels = short if len(set(short)) == len(short) else datasets
        out += ["", "Disk of cached vectors per dataset (GB; - where the model does not encode it)",
                f"  {'model':<{name}}" + "".join(f" {label:>{max(len(label), 8)}}" for label in labels)]
        for m in sorted(models, key=lambda m: -sum(m.disk_bytes.values())):
            if m.disk_bytes:
                cells = [(_gb(m.disk_bytes[d]) if m.dim else "?") if d in m.disk_bytes else "-" for d in datasets]
                out.append(f"  {m.key:<{name}}" + "".join(f" {c:>{max(len(label), 8)}}" for c, label in
                                                          zip(cells, labels)))
    out += ["", "Weights"] + [f"  {m.key:<{name}} {m.source}" for m in models if m.key != "id"]
    out += ["", "Assumptions"] + [f"  - {line}" for line in _assumptions()]
    if result.warnings:
        out += ["", f"Warnings ({len(result.warnings)})"] + [f"  - {w}" for w in result.warnings]
    if result.problems:
        out += ["", f"Problems ({len(result.problems)}), each with its fix"] + [f"  - {p}" for p in result.problems]
    out += ["", "dry run: ready, every check passed" if result.ok else
            f"dry run: {len(result.problems)} problem(s); nothing was run"]
    return "\n".join(out)

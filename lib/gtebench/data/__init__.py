"""Datasets: a registry (plain data), loaders per source, splits, and the RecBole benchmark export.

    prepared = prepare("ml-100k")                 # interactions, items, split rows, manifest
    texts = prepared.item_texts()                 # item_id -> text, by the dataset's recipe
    data_path, name = prepared.recbole_benchmark(max_history=20, train_prefixes_per_user=20)

Sequential-recommendation keys: `ml-100k`, `ml-latest-small`, `amazon2018/Scientific`,
`amazon2018-samples/<Industrial_and_Scientific|Office_Products>`, `amazon2023/<Category>` (the paper's
0-core absolute-timestamp benchmark), `amazon2023-5core/...`, `amazon2023-lastout/...`,
`amazon2023-5core-lastout/...`, and `custom:<folder>` (data/custom.py). Splits: "leave_one_out" (from
interactions) or "given" (rows that come split from the source, with their histories). Product-search
datasets (`esci`, `amazon-c4`, ...) have their own interface in data/search.py.

Real files are read from $GTEBENCH_SHARED_DATA (default `<checkout>/../shared/data`) or a per-dataset folder
variable (GTEBENCH_AMAZON2023_DIR, GTEBENCH_AMAZON2018_SCIENTIFIC_DIR, ..., named in each loader module); the
paper's sets fall back to the Hugging Face hub. Prepared artefacts and exports carry a manifest (source
checksums, parameters, counts of everything removed) and are reused only while it matches.

Layout: types.py holds the types (DatasetSpec, Loaded, PreparedDataset, SearchSpec, SearchDataset); one loader
module per source; shared helpers in files.py (local folder or HF hub, readers), cache.py and sequences.py; the
registries registry.py (sequential recommendation) and search.py (product search) import the loaders, and no
loader imports a registry or another loader (tests/data/test_layout.py checks it).
"""

from __future__ import annotations

from .errors import DataError
from .registry import DATASETS, get_dataset, prepare
from .types import DatasetSpec, Loaded, PreparedDataset

__all__ = ["DATASETS", "DatasetSpec", "Loaded", "PreparedDataset", "DataError", "get_dataset", "prepare"]

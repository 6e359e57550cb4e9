"""Helpers of the data tests (imported, not a conftest): hand-made Amazon Reviews 2023 files in the official layout
and formats."""

import gzip
import json

from gtebench.data.amazon2023 import T1, T2

HEADER = "user_id,parent_asin,rating,timestamp,history\n"
TR, VA, TE = T1 - 1000, T1 + 1000, T2 + 1000  # one timestamp inside each window

# u1 buys a, b, x (x has no metadata), c; u2 buys b then d; u3's only history item has no metadata
SPLITS = {
    "train": [("u1", "b", TR - 3, "a"), ("u1", "x", TR - 2, "a b"), ("u2", "b", TR - 1, ""), ("u3", "a", TR, "x")],
    "valid": [("u1", "c", VA, "a b x")],
    "test": [("u2", "d", TE, "b"), ("u1", "d", TE + 1, "a b x c")],
}
META = [
    {"parent_asin": "a", "title": "Alpha", "features": ["f1"], "categories": [], "description": ["Soft &amp; light"]},
    {"parent_asin": "b", "title": "Beta", "features": [], "categories": ["Beauty"], "description": []},
    {"parent_asin": "c", "title": "Gamma", "features": [], "categories": [], "description": []},
    {"parent_asin": "d", "title": "Delta", "features": [], "categories": [], "description": []},
]


def write_official(folder, splits=SPLITS, meta=META, fmt="csv", gz=True, benchmark=("0core", "timestamp_w_his")):
    bench = folder / "benchmark" / benchmark[0] / benchmark[1]
    bench.mkdir(parents=True)
    opener = gzip.open if gz else open
    for split, rows in splits.items():
        path = bench / f"All_Beauty.{split}.{fmt}{'.gz' if gz else ''}"
        with opener(path, "wt") as handle:
            if fmt == "csv":
                handle.write(HEADER + "".join(f"{u},{i},5.0,{t},{h}\n" for u, i, t, h in rows))
            else:
                handle.writelines(json.dumps({"user_id": u, "parent_asin": i, "rating": 5.0, "timestamp": t,
                                              "history": h}) + "\n" for u, i, t, h in rows)
    meta_dir = folder / "raw" / "meta_categories"
    meta_dir.mkdir(parents=True, exist_ok=True)
    with opener(meta_dir / f"meta_All_Beauty.jsonl{'.gz' if gz else ''}", "wt") as handle:
        handle.writelines(line if isinstance(line, str) else json.dumps(line) + "\n" for line in meta)
    return folder

"""Peak memory and time of data preparation at the paper's largest sizes, on GENERATED data (not real reviews).

    python benchmarks/bench_data_prep.py [--scale 1.0] [--workdir DIR]

1. A generated Amazon Reviews 2023 category the size of Video_Games (3.6M benchmark rows, 137k items with
   metadata; 0core_timestamp_w_his CSV + meta JSONL in the official layout) is prepared through
   prepare("amazon2023/Video_Games") (filtering, timestamp split, id maps, parquet cache), exported to RecBole
   benchmark files, and its item texts rendered; then prepared again (reuse from the manifest).
2. A generated Amazon-C4 pool of 1,058,417 items (+ 21,223 queries) is prepared through prepare_search.

Each measurement runs in a fresh child process; its peak resident memory (ru_maxrss) and wall time are printed.
The target is <= 4 GB peak. --scale shrinks everything (e.g. 0.01 for a quick check).
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

T1, T2 = 1628643414042, 1658002729837
START, END = 1_400_000_000_000, 1_690_000_000_000  # ms; 2014 .. 2023
WORDS = ("controller wireless console game edition deluxe black adapter charging cable headset racing adventure "
         "classic remastered bundle pack digital code collector steel case memory card stand cooling fan").split()


def words(rng: random.Random, n: int) -> str:
    return " ".join(rng.choices(WORDS, k=n))


def generate_amazon(folder: Path, rows_target: int, n_items: int, seed: int = 0) -> int:
    """Write benchmark/0core/timestamp_w_his/Video_Games.{split}.csv and raw/meta_categories/meta_Video_Games.jsonl."""
    rng = random.Random(seed)
    bench = folder / "benchmark" / "0core" / "timestamp_w_his"
    bench.mkdir(parents=True, exist_ok=True)
    handles = {s: open(bench / f"Video_Games.{s}.csv", "w") for s in ("train", "valid", "test")}
    for handle in handles.values():
        handle.write("user_id,parent_asin,rating,timestamp,history\n")
    items = [f"B{i:09d}" for i in range(n_items)]
    cum_weights = list(itertools.accumulate(1.0 / (i + 10) for i in range(n_items)))  # popularity skew
    written, user = 0, 0
    while written < rows_target:
        length = min(int(rng.paretovariate(1.6)), 300)  # most users 1-2 items, a long tail
        stamps = sorted(rng.randrange(START, END) for _ in range(length))
        bought = rng.choices(items, cum_weights=cum_weights, k=length)
        uid = f"AG{user:026d}"
        for k in range(length):
            split = "train" if stamps[k] < T1 else "valid" if stamps[k] < T2 else "test"
            handles[split].write(f"{uid},{bought[k]},5.0,{stamps[k]},{' '.join(bought[:k])}\n")
        written += length
        user += 1
    for handle in handles.values():
        handle.close()
    meta = folder / "raw" / "meta_categories"
    meta.mkdir(parents=True, exist_ok=True)
    with open(meta / "meta_Video_Games.jsonl", "w") as handle:
        for i, item in enumerate(items):
            if i % 50 == 49:
                continue  # 2% of items without metadata, as in the real files
            handle.write(json.dumps({"parent_asin": item, "title": words(rng, 8), "features": [words(rng, 6)] * 3,
                                     "categories": ["Video Games", "Accessories"], "description": [words(rng, 30)],
                                     "main_category": "Video Games"}) + "\n")
    return written


def generate_c4(folder: Path, n_items: int, n_queries: int, seed: int = 0) -> None:
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    categories = ["Office_Products", "Sports_and_Outdoors", "Video_Games", "Home_and_Kitchen"]
    with open(folder / "sampled_item_metadata_1M.jsonl", "w") as handle:
        for i in range(n_items):
            handle.write(json.dumps({"item_id": f"C{i:09d}", "category": categories[i % 4],
                                     "metadata": words(rng, 60) + "."}) + "\n")
    with open(folder / "test.csv", "w") as handle:
        handle.write("qid,query,item_id,user_id,ori_rating,ori_review\n")
        for q in range(n_queries):
            handle.write(f"{q},{words(rng, 20)},C{rng.randrange(n_items):09d},U{q},5,{words(rng, 20)}\n")


CHILD = {
    "amazon": """
from gtebench.data import prepare
p = prepare("amazon2023/Video_Games")
data_path, name = p.recbole_benchmark(max_history=50, train_prefixes_per_user=None)
texts = p.item_texts()
print(f"rows {len(p.rows):,} items {len(p.items):,} texts {len(texts):,} report {p.report}")
""",
    "amazon-reuse": """
from gtebench.data import prepare
p = prepare("amazon2023/Video_Games")
print(f"rows {len(p.rows):,} (reused from {p.folder})")
""",
    "c4": """
from gtebench.data.search import prepare_search
ds = prepare_search("amazon-c4")
texts = ds.item_texts()
print(f"queries {len(ds.queries):,} pool {len(ds.items):,} texts {len(texts):,} domains {ds.domains()}")
""",
}


PEAK = "\nimport resource\nprint('PEAK_KIB', resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)\n"


def measure(label: str, code: str, env: dict) -> None:
    """Run `code` in a fresh interpreter; its own peak RSS (ru_maxrss of the child, KiB on Linux) and wall time."""
    start = time.perf_counter()
    result = subprocess.run([sys.executable, "-c", code + PEAK], env=env, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if result.returncode != 0:
        raise SystemExit(f"{label} failed:\n{result.stderr[-3000:]}")
    lines = result.stdout.strip().splitlines()
    peak_kib = int(lines[-1].split()[1])
    summary = "\n    ".join(lines[:-1])
    print(f"{label:<28} {seconds:7.1f} s   peak RSS {peak_kib / 2**20:5.2f} GiB\n    {summary}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--workdir", type=Path, default=None)
    args = parser.parse_args()
    work = args.workdir or Path(tempfile.mkdtemp(prefix="gtebench-bench-data-"))
    lib = Path(__file__).resolve().parents[1] / "lib"
    env = {**os.environ, "PYTHONPATH": f"{lib}{os.pathsep}{os.environ.get('PYTHONPATH', '')}",
           "GTEBENCH_HOME": str(work / "home"), "GTEBENCH_AMAZON2023_DIR": str(work / "amazon2023"),
           "GTEBENCH_AMAZON_C4_DIR": str(work / "c4")}
    print(f"GENERATED data (not real reviews) in {work}; scale {args.scale}")
    start = time.perf_counter()
    rows = generate_amazon(work / "amazon2023", int(3_583_323 * args.scale), max(int(137_269 * args.scale), 100))
    generate_c4(work / "c4", int(1_058_417 * args.scale), max(int(21_223 * args.scale), 10))
    print(f"generated {rows:,} benchmark rows and a {int(1_058_417 * args.scale):,}-item pool in "
          f"{time.perf_counter() - start:.0f} s")
    measure("amazon2023 prepare+export", CHILD["amazon"], env)
    measure("amazon2023 reuse", CHILD["amazon-reuse"], env)
    measure("amazon-c4 prepare+texts", CHILD["c4"], env)


if __name__ == "__main__":
    main()

"""Worker processes of run_many."""

import os
import subprocess
import sys
import time

from gtebench.recsys.run import run_many

ORPHAN_SCRIPT = """
import concurrent.futures as cf, multiprocessing, os, sys, time
from gtebench.recsys.run.pool import worker_init

def busy():
    time.sleep(60)

if __name__ == "__main__":
    with cf.ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn"), initializer=worker_init,
                                initargs=(1,)) as pool:
        print(pool.submit(os.getpid).result(), flush=True)
        pool.submit(busy)
        time.sleep(1)
        os._exit(0)  # the parent dies mid-run, as a killed notebook kernel does
"""


def test_workers_die_with_their_parent(tmp_path):
    script = tmp_path / "orphan.py"
    script.write_text(ORPHAN_SCRIPT)
    output = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=120).stdout
    child = int(output.split()[0])
    for _ in range(50):
        try:
            os.kill(child, 0)
        except ProcessLookupError:
            return
        time.sleep(0.1)
    os.kill(child, 9)
    raise AssertionError(f"worker {child} outlived its parent")


def test_no_specs_no_records():
    assert run_many([]) == []


def test_isolated_runs_train_id_runs_before_any_encoding_and_a_broken_encoder_costs_its_runs(monkeypatch):
    from gtebench.encoders.registry import EncoderError
    from gtebench.profiles import get_training_profile
    from gtebench.recsys.run import pool
    from gtebench.recsys.run.spec import RunSpec

    profile = get_training_profile("default").with_overrides(parallel_runs=1)
    specs = [RunSpec("ml-100k", "sasrec", "text", "minilm-l6", 1, profile),
             RunSpec("ml-100k", "sasrec", "text", "tfidf-svd", 1, profile),
             RunSpec("ml-100k", "sasrec", "id", None, 1, profile)]
    events = []

    def encode(spec, show_progress=False, client=None):
        events.append(f"encode {spec.encoder}")
        if spec.encoder == "tfidf-svd":
            raise EncoderError("tfidf-svd: broken on purpose")

    monkeypatch.setattr(pool, "run_embeddings", encode)
    monkeypatch.setattr(pool, "finished_record", lambda spec: None)
    monkeypatch.setattr(pool, "train_and_evaluate", lambda spec: events.append(f"train {spec.model}") or {"s": spec})
    failures = []
    records = run_many(specs, progress=False, failures=failures)
    assert events == ["train id", "encode minilm-l6", "encode tfidf-svd", "train minilm-l6"]
    assert [r["s"] for r in records] == [specs[0], specs[2]]  # spec order, the broken encoder's run left out
    assert [(f.cell, f.model, f.error_type) for f in failures] == [("encode", "tfidf-svd", "EncoderError")]

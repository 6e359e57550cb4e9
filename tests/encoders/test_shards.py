"""Sharded encoding into the one cache: shards written by separate processes assemble into the same bytes as one
process's file; a killed shard costs only its unfinished chunk; nothing half-written is read."""

import multiprocessing

import numpy as np
import pandas as pd
import pytest

from gtebench import paths
from gtebench.encoders import chunks
from gtebench.encoders.cache import embed, embed_shard
from gtebench.encoders.registry import EncoderError

CHUNK = 24  # rows per chunk: the 200 packaged ESCI items make 9 chunks


def esci_items() -> tuple[pd.Series, str]:
    from gtebench.analysis import item_texts

    return item_texts("esci-sample200")  # packaged real product texts: no shared data needed


def _one_thread():
    import torch

    torch.set_num_threads(1)  # the same thread count in every process: CPU floats depend on it


def _shard(args):
    home, shard, shards = args
    import os

    os.environ["GTEBENCH_HOME"] = home
    texts, recipe = esci_items()
    return embed_shard("minilm-l6", texts, shard=shard, shards=shards, dataset="esci-sample200", recipe_hash=recipe,
                       precision="fp32", chunk_size=CHUNK)


def test_two_shard_processes_give_the_bytes_of_one(tmp_path, monkeypatch):
    texts, recipe = esci_items()
    homes = {"one": tmp_path / "one", "two": tmp_path / "two"}
    context = multiprocessing.get_context("spawn")
    with context.Pool(1, initializer=_one_thread) as pool:  # one process encodes every chunk
        pool.map(_shard, [(str(homes["one"]), 0, 1)])
    with context.Pool(2, initializer=_one_thread) as pool:  # two processes, one shard each, at the same time
        covered = pool.map(_shard, [(str(homes["two"]), 0, 2), (str(homes["two"]), 1, 2)])
    assert covered == [5, 4]  # chunks 0, 2, 4, 6, 8 and 1, 3, 5, 7
    files = {}
    for name, home in homes.items():
        monkeypatch.setenv("GTEBENCH_HOME", str(home))
        monkeypatch.setattr(chunks, "encode", lambda *a, **k: pytest.fail("every chunk was encoded by a shard"))
        done = embed("minilm-l6", texts, dataset="esci-sample200", recipe_hash=recipe, precision="fp32",
                     chunk_size=CHUNK, show_progress=False)
        assert not done.from_cache and done.vectors.shape == (200, 384)
        files[name] = done.path.read_bytes()
        assert not done.path.with_suffix(".parts").exists()  # the parts are gone once the file is whole
    assert files["one"] == files["two"]


def test_a_killed_shard_costs_only_its_unfinished_chunk(tmp_path, monkeypatch):
    from gtebench.encoders.engine import EncodeReport

    monkeypatch.setenv("GTEBENCH_HOME", str(tmp_path))  # no vectors cached by other tests

    texts, recipe = esci_items()
    calls = []

    def encode_then_die(spec, batch, role, **kwargs):
        calls.append(len(batch))
        if len(calls) == 2:
            raise KeyboardInterrupt  # kill -9 in the middle of the shard's second chunk
        return np.ones((len(batch), 384), dtype=np.float32) * len(calls), EncodeReport(len(batch), 0, "fp32", "cpu")

    monkeypatch.setattr(chunks, "encode", encode_then_die)
    arguments = dict(dataset="esci-sample200", recipe_hash=recipe, precision="fp32", chunk_size=CHUNK)
    with pytest.raises(KeyboardInterrupt):
        embed_shard("minilm-l6", texts, shard=1, shards=2, **arguments)
    parts = next((paths.home() / "embeddings" / "esci-sample200" / "minilm-l6").glob("item-*.parts"))
    assert sorted(p.name for p in parts.glob("*.json")) == ["part-00001.json"]  # one finished chunk, no more
    (parts / "part-00003.npy").write_bytes(b"half-written")  # a torn write without its sidecar: never read
    calls.clear()
    monkeypatch.setattr(chunks, "encode", lambda spec, batch, role, **k: (
        np.full((len(batch), 384), 7.0, dtype=np.float32), EncodeReport(len(batch), 0, "fp32", "cpu")))
    assert embed_shard("minilm-l6", texts, shard=1, shards=2, **arguments) == 4  # the retry redoes chunks 3, 5, 7
    assert len(list(parts.glob("*.json"))) == 4


def test_shards_need_one_resolved_precision_and_a_valid_index():
    texts, recipe = esci_items()
    with pytest.raises(EncoderError, match="give the shards one resolved precision"):
        embed_shard("minilm-l6", texts, shard=0, shards=2, dataset="esci-sample200", recipe_hash=recipe,
                    precision="auto", device="cpu")
    with pytest.raises(EncoderError, match=r"shard must lie in \[0, shards\)"):
        embed_shard("minilm-l6", texts, shard=2, shards=2, dataset="esci-sample200", recipe_hash=recipe,
                    precision="fp32")

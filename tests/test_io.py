import numpy as np
import pytest

from gtebench.io import atomic_open, file_name, read_json, save_npy, stable_hash, write_json


def test_atomic_open_leaves_nothing_when_the_writer_dies(tmp_path):
    target = tmp_path / "out.txt"
    with pytest.raises(RuntimeError):
        with atomic_open(target) as handle:
            handle.write("half")
            raise RuntimeError("killed")
    assert not target.exists()
    assert list(tmp_path.iterdir()) == []


def test_atomic_open_replaces_the_old_file_only_when_complete(tmp_path):
    target = tmp_path / "out.json"
    write_json(target, {"a": 1})
    with pytest.raises(RuntimeError):
        with atomic_open(target) as handle:
            handle.write("{broken")
            raise RuntimeError("killed")
    assert read_json(target) == {"a": 1}


def test_save_npy_round_trip(tmp_path):
    array = np.arange(6, dtype=np.float32).reshape(2, 3)
    save_npy(tmp_path / "a.npy", array)
    assert np.array_equal(np.load(tmp_path / "a.npy"), array)


def test_stable_hash_ignores_key_order():
    assert stable_hash({"a": 1, "b": [1, 2]}) == stable_hash({"b": [1, 2], "a": 1})
    assert stable_hash({"a": 1}) != stable_hash({"a": 2})


def test_atomic_files_get_ordinary_permissions(tmp_path):
    import os

    write_json(tmp_path / "p.json", {})
    mask = os.umask(0)
    os.umask(mask)
    assert (tmp_path / "p.json").stat().st_mode & 0o777 == 0o666 & ~mask


def test_file_names_of_keys():
    assert file_name("minilm-l6") == "minilm-l6" and file_name("hf:org/name@v1") == "hf_org_name_v1"
    mean, cls = file_name('minilm-l6?{"pooling":"mean"}'), file_name('minilm-l6?{"pooling":"cls"}')
    assert mean.startswith("minilm-l6-") and mean != cls  # settings never share a name, whatever they sanitise to
    assert all(c.isalnum() or c in "._-" for c in mean + cls)

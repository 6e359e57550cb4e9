"""mteb's model metadata fills an ad-hoc hub entry (revision, licence, prompts), with a stand-in for mteb's registry
so the test runs without mteb installed; without mteb, nothing changes."""

import sys
from types import SimpleNamespace

import pytest

from gtebench.encoders.mteb_meta import mteb_settings, parameter_label
from gtebench.encoders.registry import get_encoder

BGE = SimpleNamespace(name="BAAI/bge-small-en-v1.5", revision="5c38ec7c405ec4b44b94cc5a9bb96e735b38267a",
                      license="mit", n_parameters=33_400_000,
                      loader_kwargs={"model_prompts": {"query": "Represent this sentence for searching relevant "
                                                                "passages: ", "BrightBiologyRetrieval-query": "x"}})


@pytest.fixture
def fake_mteb(monkeypatch):
    def get_model_meta(name):
        if name != BGE.name:
            raise ValueError(f"Model '{name}' not found in MTEB registry.")
        return BGE

    monkeypatch.setitem(sys.modules, "mteb", SimpleNamespace(get_model_meta=get_model_meta))


def test_a_model_mteb_knows_takes_its_revision_licence_and_prompts(fake_mteb):
    spec = get_encoder("BAAI/bge-small-en-v1.5")
    assert spec.revision == BGE.revision and spec.licence == "mit (mteb's model metadata)" and spec.params == "33M"
    assert spec.query_prompt == "Represent this sentence for searching relevant passages: "
    assert spec.item_prompt is None  # mteb gives bge no document prompt
    assert "mteb" in spec.notes
    pinned = get_encoder("hf:BAAI/bge-small-en-v1.5@abc")  # another revision than mteb's: the user's pin, no prompts
    assert pinned.revision == "abc" and pinned.query_prompt is None
    assert get_encoder("hf:org/unknown").revision == "main"  # mteb does not know it


def test_without_mteb_nothing_changes(monkeypatch):
    monkeypatch.setitem(sys.modules, "mteb", None)  # import mteb raises ImportError
    assert mteb_settings("BAAI/bge-small-en-v1.5") == {}
    spec = get_encoder("BAAI/bge-small-en-v1.5")
    assert spec.revision == "main" and spec.query_prompt is None and spec.own_prompts


def test_parameter_labels():
    assert [parameter_label(n) for n in (33_400_000, 7_100_000_000, 2_000_000_000, None)] == ["33M", "7.1B", "2B", "?"]


def test_without_its_own_prompts_a_model_also_drops_mteb_s(fake_mteb):
    from gtebench.evaluate import resolved_overrides

    spec = get_encoder("BAAI/bge-small-en-v1.5")
    assert resolved_overrides(spec, {"own_prompts": False}) == {"own_prompts": False, "query_prompt": None}
    assert resolved_overrides(spec, {"own_prompts": False, "query_prompt": "q: "})["query_prompt"] == "q: "
    assert resolved_overrides(get_encoder("minilm-l6"), {"own_prompts": False}) == {"own_prompts": False}

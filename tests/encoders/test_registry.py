import pytest

from gtebench.encoders.registry import DEFAULT_ENCODERS, ENCODERS, EncoderError, EncoderSpec, get_encoder


def test_every_entry_is_valid():
    for key, spec in ENCODERS.items():
        assert spec.key == key
        assert spec.dim > 0 and spec.max_length > 0
        assert spec.hub_id or spec.offline_source or spec.loader == "tfidf-svd"
    assert set(DEFAULT_ENCODERS) <= set(ENCODERS)


def test_unknown_encoder_suggests_the_closest_names():
    with pytest.raises(EncoderError, match=r"Did you mean \['minilm-l6'"):
        get_encoder("minilm-l12")


def test_invalid_entries_are_refused():
    with pytest.raises(EncoderError, match="model_class"):
        EncoderSpec(key="x", name="x", model_class="nope", loader="tfidf-svd", dim=8, params="-")
    with pytest.raises(EncoderError, match="hub_id or an offline_source"):
        EncoderSpec(key="x", name="x", model_class="classic", loader="sentence-transformers", dim=8, params="-")


def test_prompts_belong_to_their_role():
    spec = EncoderSpec(key="p", name="p", model_class="generalist-encoder", loader="sentence-transformers", dim=8,
                       params="-", hub_id="h", query_prompt="query: ", item_prompt=None)
    assert spec.prompt("query") == "query: "
    assert spec.prompt("item") is None
    with pytest.raises(EncoderError, match="role"):
        spec.prompt("document")

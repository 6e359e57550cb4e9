import pytest

from gtebench.encoders.registry import (
    DEFAULT_ENCODERS,
    ENCODERS,
    PAPER_ENCODERS,
    EncoderError,
    EncoderSpec,
    encoder_key,
    get_encoder,
)

# The paper's Table 2 and the authors' scripts: key -> (hub id, dim, class, pooling, normalised)
PAPER_TABLE = {
    "roberta-base": ("roberta-base", 768, "classic", "cls", False),
    "colbertv2": ("colbert-ir/colbertv2.0", 768, "classic", "pooler", False),
    "blair-base": ("hyp1231/blair-roberta-base", 768, "specialised", "cls", False),
    "blair-large": ("hyp1231/blair-roberta-large", 1024, "specialised", "cls", False),
    "mgte": ("Alibaba-NLP/gte-multilingual-base", 768, "generalist-encoder", "cls", True),
    "instructor-xl": ("hkunlp/instructor-xl", 768, "generalist-encoder", "model", False),
    "sentence-t5-xxl": ("sentence-transformers/sentence-t5-xxl", 768, "generalist-encoder", "model", False),
    "kalm": ("HIT-TMG/KaLM-embedding-multilingual-mini-v1", 896, "generalist-decoder", "model", True),
    "jasper": ("infgrad/jasper_en_vision_language_v1", 1024, "generalist-decoder", "model", False),
    "gte-qwen2": ("Alibaba-NLP/gte-Qwen2-7B-instruct", 3584, "generalist-decoder", "model", False),
    "nv-embed-v2": ("nvidia/NV-Embed-v2", 4096, "generalist-decoder", "model", True),
    "text-embedding-3-large": (None, 3072, "closed", "model", False),
}
# key -> (query prompt or prompt name, item prompt); None = no prompt
PAPER_PROMPTS = {
    "instructor-xl": ("Represent these questions for retrieving supporting documents:",
                      "Represent these documents for retrieval: "),
    "jasper": ("name:s2p_query", None),
    "gte-qwen2": ("name:query", None),
    "nv-embed-v2": ("Instruct: Given a question, retrieve passages that answer the question\nQuery: ", None),
}


def test_every_entry_is_valid():
    for key, spec in ENCODERS.items():
        assert spec.key == key
        assert spec.dim > 0 and spec.max_length > 0
        assert spec.hub_id or spec.offline_source or spec.loader in ("tfidf-svd", "openai")
        assert spec.revision or spec.offline_source or spec.loader == "tfidf-svd", key
    assert set(DEFAULT_ENCODERS) <= set(ENCODERS)


def test_paper_entries_match_the_paper():
    assert {s.key for s in PAPER_ENCODERS} == set(PAPER_TABLE)
    for key, (hub_id, dim, model_class, pooling, normalise) in PAPER_TABLE.items():
        spec = get_encoder(key)
        assert (spec.hub_id, spec.dim, spec.model_class, spec.pooling, spec.normalize) == (
            hub_id, dim, model_class, pooling, normalise), key
        assert spec.max_length == 512
        query, item = PAPER_PROMPTS.get(key, (None, None))
        got_query = spec.prompt("query") or (spec.prompt_name("query") and "name:" + spec.prompt_name("query"))
        assert got_query == query, key
        assert spec.prompt("item") == item and spec.prompt_name("item") is None, key
    assert get_encoder("nv-embed-v2").dtype == get_encoder("jasper").dtype == "bf16"
    # the authors ran every other model in fp32 (sentence-transformers' and transformers' default): bf16 on a GPU
    # only by an explicit precision, which the cache key records
    others = {spec.key: spec.dtype for spec in PAPER_ENCODERS if spec.loader != "openai"}
    assert {key for key, dtype in others.items() if dtype != "fp32"} == {"nv-embed-v2", "jasper"}
    from gtebench.encoders.precision import effective_precision

    assert effective_precision(get_encoder("gte-qwen2"), "auto", "cuda") == "fp32"
    assert effective_precision(get_encoder("gte-qwen2"), "bf16", "cuda") == "bf16"


def test_every_paper_model_is_pinned_to_a_hub_commit_with_its_source():
    import re

    from gtebench.encoders.registry import REVISION_SOURCES

    neural = [spec for spec in PAPER_ENCODERS if spec.loader != "openai"]
    assert {spec.key for spec in neural} == set(REVISION_SOURCES)
    for spec in neural:
        assert re.fullmatch(r"[0-9a-f]{40}", spec.revision), spec.key
    assert get_encoder("nv-embed-v2").loader == "nv-embed" and get_encoder("mgte").trust_remote_code


def test_unknown_encoder_suggests_the_closest_names():
    with pytest.raises(EncoderError, match=r"Did you mean \['minilm-l6'"):
        get_encoder("minilm-l12")
    with pytest.raises(EncoderError, match=r"blair-base"):
        get_encoder("blair_base")


def test_hub_ids_and_folders_become_entries_with_overridable_defaults():
    spec = get_encoder("hf:org/model@0123abc")
    assert (spec.hub_id, spec.revision, spec.loader, spec.pooling, spec.dim) == (
        "org/model", "0123abc", "sentence-transformers", "model", None)
    cls = get_encoder("hf:org/model", pooling="cls", normalize=False)
    assert (cls.loader, cls.pooling, cls.normalize, cls.revision) == ("transformers", "cls", False, "main")
    folder = get_encoder("path:/models/mine", max_length=128)
    assert folder.offline_source == "path:/models/mine" and folder.max_length == 128
    with pytest.raises(EncoderError, match="unknown encoder field"):
        get_encoder("minilm-l6", pooloing="cls")
    with pytest.raises(EncoderError, match="hub id after"):
        get_encoder("hf:")


def test_a_bare_hub_id_or_folder_needs_no_prefix(tmp_path):
    bare = get_encoder("BAAI/bge-small-en-v1.5@abc123")
    assert (bare.key, bare.hub_id, bare.revision) == ("hf:BAAI/bge-small-en-v1.5@abc123", "BAAI/bge-small-en-v1.5",
                                                      "abc123")
    assert get_encoder(str(tmp_path)).offline_source == f"path:{tmp_path}"
    with pytest.raises(EncoderError, match="unknown encoder 'not a model'"):
        get_encoder("not a model")
    with pytest.raises(EncoderError, match="unknown encoder 'minilm-l12'"):  # no slash: a registry typo, not a hub id
        get_encoder("minilm-l12")


def test_invalid_entries_are_refused():
    with pytest.raises(EncoderError, match="model_class"):
        EncoderSpec(key="x", name="x", model_class="nope", loader="tfidf-svd", dim=8, params="-")
    with pytest.raises(EncoderError, match="hub_id or an offline_source"):
        EncoderSpec(key="x", name="x", model_class="classic", loader="sentence-transformers", dim=8, params="-")
    with pytest.raises(EncoderError, match="needs loader='transformers'"):
        get_encoder("minilm-l6", pooling="cls", loader="sentence-transformers")
    with pytest.raises(EncoderError, match="not both"):
        get_encoder("minilm-l6", query_prompt="q: ", query_prompt_name="query")


def test_prompts_belong_to_their_role():
    spec = EncoderSpec(key="p", name="p", model_class="generalist-encoder", loader="sentence-transformers", dim=8,
                       params="-", hub_id="h", query_prompt="query: ", item_prompt=None)
    assert spec.prompt("query") == "query: "
    assert spec.prompt("item") is None
    with pytest.raises(EncoderError, match="role"):
        spec.prompt("document")


def test_the_registry_as_a_table():
    from gtebench.tables import encoders_table

    table = encoders_table()
    assert list(table.index) == list(ENCODERS)
    assert table.loc["gte-qwen2", "query_prompt"] == "<query>" and table.loc["gte-qwen2", "dim"] == 3584
    assert table.loc["instructor-xl", "item_prompt"] == "Represent these documents for retrieval: "
    assert list(encoders_table(["kalm"]).index) == ["kalm"]


def test_an_encoders_mapping_is_a_key_any_process_resolves_to_the_same_entry():
    entry = {"model": "minilm-l6", "query_prompt": "query: ", "pooling": "mean", "normalize": False}
    key = encoder_key(entry)
    assert key == 'minilm-l6?{"normalize":false,"pooling":"mean","query_prompt":"query: "}'  # sorted: one spelling
    assert encoder_key(dict(reversed(list(entry.items())))) == key
    spec = get_encoder(key)  # no registration: the key itself says what to change
    assert (spec.key, spec.pooling, spec.loader, spec.normalize, spec.query_prompt) == (
        key, "mean", "transformers", False, "query: ")
    assert spec.name == "all-MiniLM-L6-v2 (normalize=False, pooling='mean', query_prompt='query: ')"
    assert key not in ENCODERS and get_encoder(key) == spec
    assert encoder_key({"model": "minilm-l6"}) == "minilm-l6" and encoder_key("mpnet-base") == "mpnet-base"
    assert encoder_key({"model": "BAAI/bge-small-en-v1.5", "own_prompts": False}).startswith("hf:BAAI/bge-small")


def test_a_bad_encoders_mapping_names_the_entry_and_the_fix():
    with pytest.raises(EncoderError, match=r"unknown setting\(s\) \['polling'\].*Did you mean.*pooling"):
        encoder_key({"model": "minilm-l6", "polling": "mean"})
    with pytest.raises(EncoderError, match="pooling 'maen' not in"):
        encoder_key({"model": "minilm-l6", "pooling": "maen"})
    with pytest.raises(EncoderError, match="needs 'model'"):
        encoder_key({"pooling": "mean"})
    with pytest.raises(EncoderError, match="unknown encoder 'minilm-l7'"):
        encoder_key({"model": "minilm-l7", "pooling": "mean"})
    with pytest.raises(EncoderError, match="a key or a mapping"):
        encoder_key(3)
    with pytest.raises(EncoderError, match="not JSON"):
        get_encoder("minilm-l6?{pooling: mean}")

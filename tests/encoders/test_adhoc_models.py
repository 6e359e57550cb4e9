"""Any local folder or hub id works as an encoder: tested on a tiny random-weight BERT saved locally (no hub)."""

import numpy as np
import pandas as pd
import pytest

from gtebench.encoders.cache import embed
from gtebench.encoders.engine import encode
from gtebench.encoders.registry import get_encoder

TEXTS = ["a small red lamp", "an oak desk with drawers and brass handles", "cable"]


@pytest.fixture(scope="module")
def tiny_bert(tmp_path_factory):
    import torch
    from transformers import AutoTokenizer, BertConfig, BertModel

    from gtebench.encoders.offline import resolve_model_path

    folder = tmp_path_factory.mktemp("tiny-bert")
    torch.manual_seed(0)
    config = BertConfig(vocab_size=30522, hidden_size=32, num_hidden_layers=2, num_attention_heads=2,
                        intermediate_size=64, max_position_embeddings=128)
    BertModel(config).save_pretrained(folder)
    AutoTokenizer.from_pretrained(resolve_model_path(get_encoder("minilm-l6"))).save_pretrained(folder)
    return folder


def test_a_plain_checkpoint_defaults_to_normalised_mean_pooling(tiny_bert):
    default = get_encoder(f"path:{tiny_bert}", max_length=64)
    by_st, _ = encode(default, TEXTS, precision="fp32", show_progress=False)
    ours, _ = encode(get_encoder(f"path:{tiny_bert}", max_length=64, pooling="mean"), TEXTS, precision="fp32",
                     show_progress=False)
    assert by_st.shape == (3, 32)
    assert np.allclose(by_st, ours, atol=1e-5)  # sentence-transformers' fallback for a plain model = our mean


def test_cls_override_and_the_cache_learn_the_dimension(tiny_bert):
    spec = get_encoder(f"path:{tiny_bert}", max_length=64, pooling="cls", normalize=False)
    emb = embed(spec, pd.Series(TEXTS, index=["a", "b", "c"]), dataset="tiny", recipe_hash="r", precision="fp32",
                show_progress=False)
    assert emb.meta["dim"] == 32 and emb.meta["revision"].startswith("path-")
    assert not np.allclose(np.linalg.norm(emb.vectors, axis=1), 1.0)


@pytest.fixture(scope="module")
def tiny_st_with_prompts(tiny_bert, tmp_path_factory):
    """The tiny BERT as a sentence-transformers folder that ships E5-style role prompts and a default prompt."""
    from sentence_transformers import SentenceTransformer, models

    folder = tmp_path_factory.mktemp("tiny-st-prompts")
    word = models.Transformer(str(tiny_bert), max_seq_length=64)
    model = SentenceTransformer(modules=[word, models.Pooling(word.get_word_embedding_dimension(), "mean")],
                                prompts={"query": "query: ", "document": "passage: "}, default_prompt_name="query")
    model.save(str(folder))
    return folder, model


def test_an_adhoc_model_uses_its_own_role_prompts(tiny_st_with_prompts):
    folder, model = tiny_st_with_prompts
    spec = get_encoder(f"path:{folder}", max_length=64)
    queries, report = encode(spec, TEXTS, role="query", precision="fp32", show_progress=False)
    items, _ = encode(spec, TEXTS, role="item", precision="fp32", show_progress=False)

    def reference(prompt):
        vectors = model.encode(TEXTS, prompt=prompt, convert_to_numpy=True)
        return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)

    assert np.allclose(queries, reference("query: "), atol=1e-5)
    assert np.allclose(items, reference("passage: "), atol=1e-5)  # the document prompt, not the default (query)
    assert not np.allclose(queries, items, atol=1e-3)
    plain = get_encoder(f"path:{folder}", max_length=64, own_prompts=False)
    assert np.allclose(encode(plain, TEXTS, role="query", precision="fp32", show_progress=False)[0], reference(""),
                       atol=1e-5)
    explicit = get_encoder(f"path:{folder}", max_length=64, query_prompt="find: ")
    assert np.allclose(encode(explicit, TEXTS, role="query", precision="fp32", show_progress=False)[0],
                       reference("find: "), atol=1e-5)  # a prompt the call gives wins over the model's


def test_own_prompts_enter_the_cache_key_and_leave_with_plain_transformers(tiny_st_with_prompts):
    from gtebench.encoders.cache import cache_key

    folder, _ = tiny_st_with_prompts
    texts = pd.Series(TEXTS, index=["a", "b", "c"])
    own = cache_key(get_encoder(f"path:{folder}"), "d", "r", "query", "fp32", texts)
    plain = cache_key(get_encoder(f"path:{folder}", own_prompts=False), "d", "r", "query", "fp32", texts)
    assert own["own_prompts"] is True and "own_prompts" not in plain
    assert get_encoder(f"path:{folder}", pooling="cls").own_prompts is False  # plain transformers reads no prompts

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

"""The offline encoders on real item texts of ../shared/data, through the engine and the cache."""

import numpy as np
import pytest

from gtebench.data import prepare
from gtebench.encoders.cache import embed
from gtebench.text import get_recipe


@pytest.mark.shared_data
@pytest.mark.parametrize("encoder,dim", [("minilm-l6", 384), ("tfidf-svd", 256)])
def test_offline_encoders_on_amazon2018_scientific(shared_data, encoder, dim):
    prepared = prepare("amazon2018/Scientific")
    texts = prepared.item_texts().iloc[:48]
    assert texts.str.len().min() > 10
    recipe = get_recipe(prepared.spec.text_recipe).hash
    first = embed(encoder, texts, dataset=prepared.key, recipe_hash=recipe, show_progress=False)
    assert first.vectors.shape == (48, dim) and not first.from_cache
    assert np.allclose(np.linalg.norm(first.vectors, axis=1), 1.0, atol=1e-4)
    assert len({v.tobytes() for v in first.vectors}) == len({*texts})  # distinct texts, distinct vectors
    again = embed(encoder, texts, dataset=prepared.key, recipe_hash=recipe, show_progress=False)
    assert again.from_cache and np.array_equal(again.vectors, first.vectors)
    assert first.meta["rows"] == 48 and first.meta["key"]["dataset"] == "amazon2018/Scientific"

"""The engine with the real offline model (all-MiniLM-L6-v2 from its PyPI package) and the TF-IDF baseline."""

from dataclasses import replace

import numpy as np
import pytest

from gtebench.encoders.engine import encode
from gtebench.encoders.registry import EncoderError, get_encoder

TEXTS = ["Toy Story (1995). Genres: Animation, Children's, Comedy.",
         "GoldenEye (1995). Genres: Action, Adventure, Thriller."]


def test_minilm_gives_unit_vectors_of_the_registered_dimension():
    vectors, report = encode(get_encoder("minilm-l6"), TEXTS, precision="fp32", show_progress=False)
    assert vectors.shape == (2, 384) and vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert report.truncated == 0 and report.precision == "fp32"


def test_query_prompt_changes_queries_and_never_items():
    spec = replace(get_encoder("minilm-l6"), query_prompt="Represent this query: ")
    items, _ = encode(spec, TEXTS, role="item", precision="fp32", show_progress=False)
    plain, _ = encode(get_encoder("minilm-l6"), TEXTS, role="item", precision="fp32", show_progress=False)
    queries, _ = encode(spec, TEXTS, role="query", precision="fp32", show_progress=False)
    assert np.allclose(items, plain, atol=1e-6)
    assert not np.allclose(queries, items, atol=1e-3)


def test_truncation_is_counted():
    spec = replace(get_encoder("minilm-l6"), max_length=8)
    _, report = encode(spec, TEXTS + ["short"], precision="fp32", show_progress=False)
    assert report.truncated == 2


def test_tfidf_svd_is_deterministic_and_normalised():
    corpus = [f"item {i} of colour {c}" for i, c in enumerate(["red", "blue", "green", "red"] * 5)]
    spec = get_encoder("tfidf-svd")
    first, _ = encode(spec, corpus)
    second, _ = encode(spec, corpus)
    assert first.shape == (20, spec.dim)
    assert np.array_equal(first, second)
    assert np.allclose(np.linalg.norm(first, axis=1), 1.0, atol=1e-5)


def test_blank_texts_are_encoded_as_the_authors_did_and_counted(caplog):
    vectors, report = encode(get_encoder("minilm-l6"), ["fine", "  ", ""], precision="fp32", show_progress=False)
    assert report.empty == 2 and "2 of 3 item texts are empty or whitespace-only" in caplog.text
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)  # special tokens still give a vector
    assert np.allclose(vectors[1], vectors[2], atol=1e-5)  # blank is blank: the tokenizer drops the spaces


def test_missing_texts_and_bad_settings_are_errors():
    with pytest.raises(EncoderError, match="not text .* positions \\[1\\]"):
        encode(get_encoder("tfidf-svd"), ["fine", float("nan")])
    with pytest.raises(EncoderError, match="empty"):
        encode(get_encoder("tfidf-svd"), [])


# ------------------------------------------------------------ the transformers loader, against hand-computed pooling

VARIED = ["A red lamp.", "A long description of a very sturdy oak desk with three drawers and brass handles.",
          "Headphones", "USB-C cable, 2 m, braided"]


@pytest.fixture(scope="module")
def hand_pooled():
    """CLS, mean and pooler vectors computed one text at a time (no padding at all) from the real MiniLM weights."""
    import torch
    from transformers import AutoModel, AutoTokenizer

    from gtebench.encoders.offline import resolve_model_path

    folder = resolve_model_path(get_encoder("minilm-l6"))
    tokenizer, model = AutoTokenizer.from_pretrained(folder), AutoModel.from_pretrained(folder).eval()
    out = {"cls": [], "mean": [], "pooler": []}
    with torch.inference_mode():
        for text in VARIED:
            result = model(**tokenizer(text, return_tensors="pt"))
            hidden = result.last_hidden_state[0].numpy()
            out["cls"].append(hidden[0])
            out["mean"].append(hidden.mean(axis=0))
            out["pooler"].append(result.pooler_output[0].numpy())
    return {k: np.stack(v) for k, v in out.items()}


@pytest.mark.parametrize("pooling", ["cls", "mean", "pooler"])
def test_transformers_pooling_equals_hand_computed(hand_pooled, pooling):
    spec = get_encoder("minilm-l6", pooling=pooling, normalize=False)
    assert spec.loader == "transformers"
    vectors, _ = encode(spec, VARIED, precision="fp32", batch_size=3, show_progress=False)
    assert np.allclose(vectors, hand_pooled[pooling], atol=1e-4)


def test_mean_pooling_normalised_equals_the_sentence_transformers_model(hand_pooled):
    mine, _ = encode(get_encoder("minilm-l6", pooling="mean"), VARIED, precision="fp32", show_progress=False)
    theirs, _ = encode(get_encoder("minilm-l6"), VARIED, precision="fp32", show_progress=False)
    assert np.allclose(mine, theirs, atol=1e-5)
    expected = hand_pooled["mean"] / np.linalg.norm(hand_pooled["mean"], axis=1, keepdims=True)
    assert np.allclose(mine, expected, atol=1e-5)


def test_cls_stand_in_is_unnormalised_and_prompts_go_to_queries_only(hand_pooled):
    spec = get_encoder("minilm-l6-cls")
    items, _ = encode(spec, VARIED, role="item", precision="fp32", show_progress=False)
    assert np.allclose(items, hand_pooled["cls"], atol=1e-4)
    prompted = get_encoder("minilm-l6-cls", query_prompt="query: ")
    queries, _ = encode(prompted, VARIED, role="query", precision="fp32", show_progress=False)
    items_again, _ = encode(prompted, VARIED, role="item", precision="fp32", show_progress=False)
    assert np.allclose(items_again, items, atol=1e-5)
    assert not np.allclose(queries, items, atol=1e-2)


def test_batches_are_length_sorted_and_rows_come_back_in_input_order():
    from gtebench.encoders.engine import run_batches

    seen = []

    def run(batch):
        seen.append(list(batch))
        return np.array([[len(t), 1.0] for t in batch])

    texts = ["bb", "a", "dddd", "ccc", "eeeee"]
    out = run_batches(run, texts, np.array([len(t) for t in texts]), batch_size=2, show_progress=False)
    assert seen == [["eeeee", "dddd"], ["ccc", "bb"], ["a"]]
    assert out[:, 0].tolist() == [2, 1, 4, 3, 5]


def test_prompt_names_resolve_through_the_model_and_unknown_names_fail():
    spec = get_encoder("minilm-l6", query_prompt_name="nope")
    with pytest.raises(EncoderError, match="no prompt named 'nope'"):
        encode(spec, TEXTS, role="query", precision="fp32", show_progress=False)
    items, _ = encode(spec, TEXTS, role="item", precision="fp32", show_progress=False)  # items take no prompt
    assert items.shape == (2, 384)


def test_nv_embed_passes_the_instruction_to_its_own_encode(monkeypatch):
    from transformers import AutoTokenizer

    from gtebench.encoders import engine
    from gtebench.encoders.offline import resolve_model_path

    calls = []

    class FakeNVEmbed:
        def encode(self, texts, instruction, max_length):
            calls.append((instruction, max_length, len(texts)))
            return np.array([[float(len(t)), 1.0, 0.0] for t in texts])

    tokenizer = AutoTokenizer.from_pretrained(resolve_model_path(get_encoder("minilm-l6")))
    monkeypatch.setattr(engine, "_load_nv_embed", lambda spec, device, precision: (tokenizer, FakeNVEmbed()))
    spec = get_encoder("nv-embed-v2", dim=3, requires=())  # the fake needs none of the real code's versions
    queries, report = encode(spec, ["abc", "de"], role="query", device="cpu", show_progress=False)
    items, _ = encode(spec, ["abc"], role="item", device="cpu", show_progress=False)
    assert calls[0][0].startswith("Instruct: Given a question") and calls[0][1] == 512
    assert calls[1][0] == ""
    assert report.precision == "bf16"  # the paper's dtype for NV-Embed-v2
    assert np.allclose(np.linalg.norm(queries, axis=1), 1.0)
    assert np.allclose(queries[0], np.array([3.0, 1.0, 0.0]) / np.sqrt(10), atol=1e-6)


def test_an_entry_whose_requirements_are_unmet_fails_before_loading_with_the_fix(monkeypatch):
    from gtebench.encoders import engine

    def never(*args):
        raise AssertionError("the loader must not run")

    monkeypatch.setattr(engine, "_load_nv_embed", never)
    spec = get_encoder("nv-embed-v2", requires=("transformers<1", "no-such-package-xyz"))
    with pytest.raises(EncoderError) as error:
        encode(spec, ["abc"], device="cpu", show_progress=False)
    message = str(error.value)
    assert "transformers<1 (installed " in message and "no-such-package-xyz (not installed)" in message
    assert "make paper-env" in message


def test_prompt_tokens_can_be_left_out_of_the_pooling_as_instructor_does():
    import torch
    from transformers import AutoModel, AutoTokenizer

    from gtebench.encoders.offline import resolve_model_path

    prompt = "Represent these questions for retrieval: "
    text = VARIED[1]
    folder = resolve_model_path(get_encoder("minilm-l6"))
    tokenizer, model = AutoTokenizer.from_pretrained(folder), AutoModel.from_pretrained(folder).eval()
    with torch.inference_mode():
        hidden = model(**tokenizer(prompt + text, return_tensors="pt")).last_hidden_state[0].numpy()
    skip = len(tokenizer(prompt)["input_ids"]) - 1  # [CLS] and the prompt's tokens, not its [SEP]
    by_hand = hidden[skip:].mean(axis=0)
    by_hand /= np.linalg.norm(by_hand)

    spec = get_encoder("minilm-l6", query_prompt=prompt, pool_prompt=False)
    excluded, _ = encode(spec, [text], role="query", precision="fp32", show_progress=False)
    included, _ = encode(get_encoder("minilm-l6", query_prompt=prompt), [text], role="query", precision="fp32",
                         show_progress=False)
    assert np.allclose(excluded[0], by_hand, atol=1e-5)
    assert not np.allclose(included[0], by_hand, atol=1e-3)
    assert get_encoder("instructor-xl").pool_prompt is False
    with pytest.raises(EncoderError, match="pool_prompt=False needs"):
        get_encoder("minilm-l6-cls", pool_prompt=False)


def test_a_default_prompt_of_the_model_never_reaches_items():
    from gtebench.encoders.engine import _load_sentence_transformer

    plain, _ = encode(get_encoder("minilm-l6"), TEXTS, precision="fp32", show_progress=False)
    spec = get_encoder("minilm-l6", notes="a model whose config sets a default prompt")
    model = _load_sentence_transformer(spec, "cpu", "fp32")
    model.prompts["query"] = "query: "
    model.default_prompt_name = "query"
    items, _ = encode(spec, TEXTS, precision="fp32", show_progress=False)
    assert np.allclose(items, plain, atol=1e-6)
    prompted = model.encode(TEXTS, normalize_embeddings=True)  # what a bare encode() call would have done
    assert not np.allclose(prompted, plain, atol=1e-3)

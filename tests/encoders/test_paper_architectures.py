"""Every paper encoder loads and pools as intended: a tiny random-weight build of each (paper_model_builds.py) goes
through its own registry entry and the engine exactly as the paper batch runs it (prompts, pooling, normalisation,
precision), only the weights' location changed, and the vectors are checked against a pooling computed here.

In the paper environment (`make paper-env`; `make test` runs this file there too) every model must load. In an
environment that does not meet an entry's `requires` (the default .venv, for NV-Embed-v2, GTE-Qwen2, Jasper and
mGTE), the test checks instead that the engine refuses it before loading, naming the fix.
"""

import os

import numpy as np
import pytest

from gtebench.encoders.engine import encode
from gtebench.encoders.registry import PAPER_ENCODERS, EncoderError, get_encoder
from gtebench.encoders.requirements import unmet_requirements

from .paper_model_builds import BUILDERS, DENSE_OUT, HIDDEN, SHARED_FOLDER, SHARED_MODELS, build_tiny

TEXTS = ["red lamp", "an oak desk with drawers and brass handles", "usb-c cable"]
NEURAL = [spec.key for spec in PAPER_ENCODERS if spec.loader != "openai"]
# Models whose output the model itself L2-normalises (a Normalize module, NV-Embed's encode) or the entry does.
NORMALISED = {"mgte", "instructor-xl", "sentence-t5-xxl", "kalm", "jasper", "gte-qwen2", "nv-embed-v2"}


def test_every_paper_encoder_has_a_tiny_build():
    assert set(BUILDERS) == set(NEURAL)


def test_the_paper_environment_meets_every_paper_entry():
    """`make test-paper-models` sets GTEBENCH_PAPER_ENV: there, no entry may take the refusal branch below."""
    if not os.environ.get("GTEBENCH_PAPER_ENV"):
        pytest.skip("runs in the paper environment only (make test-paper-models)")
    unmet = {key: unmet_requirements(get_encoder(key)) for key in NEURAL}
    assert not any(unmet.values()), unmet


@pytest.fixture(scope="module")
def builds(tmp_path_factory):
    made = {}

    def build(key):
        if key in SHARED_FOLDER and not (SHARED_MODELS / SHARED_FOLDER[key]).is_dir():
            pytest.skip(f"{SHARED_MODELS / SHARED_FOLDER[key]} (real hub files) is absent; CI has ../shared/models")
        if key not in made:
            made[key] = build_tiny(key, tmp_path_factory.mktemp(key))
        return made[key]

    return build


def _cosine(a, b):
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    return (a * b).sum(1) / np.linalg.norm(a, axis=1) / np.linalg.norm(b, axis=1)


def _unit(vectors):
    return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)


def _hidden_states(folder, texts, **tokenizer_kwargs):
    """Last hidden states of the plain model in `folder`, one text at a time (no padding), fp32."""
    import torch
    from transformers import AutoConfig, AutoModel, AutoTokenizer, T5EncoderModel

    tokenizer = AutoTokenizer.from_pretrained(folder)
    # AutoModel makes a T5 folder an encoder-decoder; the T5 embedders use the encoder alone
    t5 = AutoConfig.from_pretrained(folder, trust_remote_code=True).model_type == "t5"
    model_class = T5EncoderModel if t5 else AutoModel
    model = model_class.from_pretrained(folder, trust_remote_code=True).eval()
    out = []
    with torch.inference_mode():
        for text in texts:
            inputs = tokenizer([text], return_tensors="pt", **tokenizer_kwargs)
            output = model(**inputs)
            out.append((output, inputs["input_ids"][0], tokenizer))
    return out


def reference(key, folder, role):
    """The vectors the paper's pooling gives, computed here without the engine."""
    spec = get_encoder(key)
    prompt = spec.prompt(role) or ""
    if key in ("roberta-base", "blair-base", "blair-large", "colbertv2", "mgte"):
        states = _hidden_states(folder, TEXTS)
        field = "pooler_output" if key == "colbertv2" else None
        vectors = np.stack([(o[field][0] if field else o.last_hidden_state[0, 0]).numpy() for o, _, _ in states])
        return _unit(vectors) if key == "mgte" else vectors
    if key in ("kalm", "jasper", "gte-qwen2", "instructor-xl"):
        from sentence_transformers import SentenceTransformer

        st = SentenceTransformer(str(folder), device="cpu")
        if spec.prompt_name(role):
            prompt = st.prompts[spec.prompt_name(role)]
        n_prompt = 0
        if key == "instructor-xl":  # the prompt's tokens without the closing </s> stay out of the mean
            n_prompt = len(st.tokenizer(prompt, add_special_tokens=False)["input_ids"])
        vectors = []
        for (output, ids, tokenizer) in _hidden_states(folder, [prompt + t for t in TEXTS]):
            hidden = output.last_hidden_state[0].numpy()
            if key == "gte-qwen2":  # the last token, the <|endoftext|> its tokenizer appends
                assert ids[-1] == tokenizer.eos_token_id
                vectors.append(hidden[-1])
            else:
                vectors.append(hidden[n_prompt:].mean(0))
        vectors = np.stack(vectors)
        if key == "instructor-xl":
            dense = st[2].linear.weight.detach().numpy()
            vectors = vectors @ dense.T
        return _unit(vectors)
    if key == "sentence-t5-xxl":
        from sentence_transformers import SentenceTransformer

        return SentenceTransformer(str(folder), device="cpu").encode(TEXTS, prompt="")
    if key == "nv-embed-v2":
        from transformers import AutoModel

        model = AutoModel.from_pretrained(folder, trust_remote_code=True).eval()
        return _unit(model.encode(TEXTS, instruction=prompt, max_length=512).float().numpy())
    raise AssertionError(key)


@pytest.mark.parametrize("key", NEURAL)
def test_a_tiny_build_loads_and_pools_through_its_registry_entry(key, builds):
    unmet = unmet_requirements(get_encoder(key))
    if unmet:  # this environment cannot run the model's code: the engine says so before loading anything
        with pytest.raises(EncoderError, match="make paper-env"):
            encode(get_encoder(key, offline_source="path:/nonexistent"), TEXTS, device="cpu", show_progress=False)
        return
    folder = builds(key)
    spec = get_encoder(key, offline_source=f"path:{folder}")
    items, report = encode(spec, TEXTS, role="item", device="cpu", show_progress=False)
    queries, _ = encode(spec, TEXTS, role="query", device="cpu", show_progress=False)
    assert report.precision == spec.dtype  # the authors' precision: fp32, bf16 for NV-Embed-v2 and Jasper
    assert items.shape == (len(TEXTS), DENSE_OUT if key in ("instructor-xl", "sentence-t5-xxl") else HIDDEN)
    assert np.isfinite(items).all() and np.isfinite(queries).all()
    norms = np.linalg.norm(items, axis=1)
    assert np.allclose(norms, 1.0, atol=1e-3) == (key in NORMALISED)
    # a role prompt (INSTRUCTOR, Jasper, GTE-Qwen2, NV-Embed-v2 queries) changes the vectors; no prompt, no change
    prompted = bool(spec.prompt("query") or spec.prompt_name("query")) or spec.prompt("item") is not None
    assert (not np.allclose(queries, items, atol=1e-4)) == prompted
    tolerance = 0.999 if spec.dtype == "fp32" else 0.99  # bf16 runs under autocast on CPU
    for role, vectors in (("item", items), ("query", queries)):
        assert _cosine(vectors, reference(key, folder, role)).min() > tolerance, role


def test_instructor_pools_without_its_prompt_tokens(builds):
    """The prompt-excluded mean differs from the mean that includes the prompt (what INSTRUCTOR was not trained on)."""
    from sentence_transformers import SentenceTransformer

    spec = get_encoder("instructor-xl")
    if unmet_requirements(spec):
        pytest.skip(f"needs {unmet_requirements(spec)}")
    folder = builds("instructor-xl")
    ours, _ = encode(get_encoder("instructor-xl", offline_source=f"path:{folder}"), TEXTS, role="query",
                     device="cpu", show_progress=False)
    with_prompt = SentenceTransformer(str(folder), device="cpu").encode(TEXTS, prompt=spec.prompt("query"))
    assert _cosine(ours, with_prompt).max() < 0.9999

"""The encoding engine: texts -> float32 vectors for one registry entry and one role (item or query).

Every neural loader reduces to a *batch function* (a list of texts -> a tensor of vectors) plus a tokenizer; one
shared loop then does what must be identical for all of them: count texts longer than max_length, sort by token
length (long first, so padding is small and an out-of-memory error shows on the first batch), batch, show
progress, restore the input order, L2-normalise when the entry says so.
"""

from __future__ import annotations

import functools
import logging
from dataclasses import dataclass
from typing import Callable, Sequence

import numpy as np

from ..hardware import resolve_device
from ..quiet import quiet
from .precision import _autocast, _weights_dtype, effective_precision
from .requirements import check_requirements, transformers_dtype_kwarg
from .spec import EncoderError, EncoderSpec
from .weights import model_path

log = logging.getLogger(__name__)
# Names under which sentence-transformers models ship their role prompts, tried in this order (own_prompts=True).
OWN_PROMPT_NAMES = {"query": ("query", "search_query"), "item": ("document", "passage", "search_document", "corpus")}


@dataclass
class EncodeReport:
    n_texts: int
    truncated: int  # texts longer than max_length tokens (cut by the tokenizer)
    precision: str
    device: str
    empty: int = 0  # empty or whitespace-only texts, encoded as they are (as the authors' scripts did)


# ---------------------------------------------------------------- pooling (the "transformers" loader)


def pool(output, attention_mask, how: str):
    """One vector per text from a transformers model output.

    cls: the first token's last hidden state (BLaIR, RoBERTa, mGTE); mean: the average of the last hidden states
    over real tokens only (padding masked out); pooler: the model's pooler_output (ColBERTv2 in the paper).
    """
    hidden = output.last_hidden_state
    if how == "cls":
        return hidden[:, 0]
    if how == "mean":
        mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
        return (hidden * mask).sum(dim=1) / mask.sum(dim=1).clamp(min=1e-9)
    if how == "pooler":
        pooled = getattr(output, "pooler_output", None)
        if pooled is None:
            raise EncoderError("pooling 'pooler': this model has no pooler_output; use pooling='cls' or 'mean'")
        return pooled
    raise EncoderError(f"pooling {how!r} is not computed by the engine; use one of cls, mean, pooler")


# ---------------------------------------------------------------- loaders: spec -> (tokenizer, batch function)


def _kwargs(pairs) -> dict:
    return dict(pairs)


@functools.lru_cache(maxsize=2)
def _load_sentence_transformer(spec: EncoderSpec, device: str, precision: str):
    from sentence_transformers import SentenceTransformer

    model_kwargs = _kwargs(spec.model_kwargs)
    if precision != "fp32" and device.startswith("cuda"):
        model_kwargs[transformers_dtype_kwarg()] = _weights_dtype(precision, device)
    model = SentenceTransformer(
        model_path(spec),
        device=device,
        trust_remote_code=spec.trust_remote_code,
        revision=None if spec.offline_source else spec.revision,
        model_kwargs=model_kwargs or None,
        config_kwargs=_kwargs(spec.config_kwargs) or None,
    )
    model.max_seq_length = spec.max_length
    if not spec.pool_prompt:
        poolers = [module for module in model if hasattr(module, "include_prompt")]
        if not poolers:
            raise EncoderError(f"{spec.key}: pool_prompt=False but the model has no Pooling module to tell")
        for module in poolers:
            module.include_prompt = False
    model.eval()
    return model


@functools.lru_cache(maxsize=2)
def _load_transformers(spec: EncoderSpec, device: str, precision: str):
    from transformers import AutoModel, AutoTokenizer

    path = model_path(spec)
    revision = None if spec.offline_source else spec.revision
    tokenizer = AutoTokenizer.from_pretrained(path, revision=revision, trust_remote_code=spec.trust_remote_code)
    model = AutoModel.from_pretrained(
        path,
        revision=revision,
        trust_remote_code=spec.trust_remote_code,
        **{transformers_dtype_kwarg(): _weights_dtype(precision, device)},
        **_kwargs(spec.model_kwargs),
        **_kwargs(spec.config_kwargs),
    )
    return tokenizer, model.to(device).eval()


def _st_batches(spec: EncoderSpec, role: str, device: str, precision: str):
    model = _load_sentence_transformer(spec, device, precision)
    prompt, name = spec.prompt(role), spec.prompt_name(role)
    if spec.own_prompts and prompt is None and name is None:
        name = next((n for n in OWN_PROMPT_NAMES[role] if n in model.prompts), None)
    if name is not None:
        if name not in model.prompts:
            raise EncoderError(f"{spec.key}: the model ships no prompt named {name!r}; it has {sorted(model.prompts)}")
        prompt = model.prompts[name]  # the literal text, for counting tokens; encode gets the name

    # "" rather than None when there is no prompt: None would let a model's default_prompt_name slip in.
    literal = None if name else (prompt or "")

    def run(batch: list[str]):
        return model.encode(batch, prompt=literal, prompt_name=name, batch_size=len(batch),
                            convert_to_tensor=True, show_progress_bar=False, normalize_embeddings=False)

    return model.tokenizer, prompt, run


def _transformers_batches(spec: EncoderSpec, role: str, device: str, precision: str):
    tokenizer, model = _load_transformers(spec, device, precision)
    prompt = spec.prompt(role) or ""

    def run(batch: list[str]):
        inputs = tokenizer([prompt + t for t in batch], padding=True, truncation=True, max_length=spec.max_length,
                           return_tensors="pt")
        inputs = inputs.to(device)
        return pool(model(**inputs), inputs["attention_mask"], spec.pooling)

    return tokenizer, prompt, run


@functools.lru_cache(maxsize=1)
def _load_nv_embed(spec: EncoderSpec, device: str, precision: str):
    """NV-Embed-v2's remote code: its own tokenizer handling, latent-attention pooling and encode method."""
    from transformers import AutoModel, AutoTokenizer

    path = model_path(spec)
    revision = None if spec.offline_source else spec.revision
    tokenizer = AutoTokenizer.from_pretrained(path, revision=revision)
    model = AutoModel.from_pretrained(path, revision=revision, trust_remote_code=True,
                                      **{transformers_dtype_kwarg(): _weights_dtype(precision, device)})
    return tokenizer, model.to(device).eval()


def _nv_embed_batches(spec: EncoderSpec, role: str, device: str, precision: str):
    import torch

    tokenizer, model = _load_nv_embed(spec, device, precision)
    instruction = spec.prompt(role) or ""  # the paper passes "" for items

    def run(batch: list[str]):
        vectors = model.encode(batch, instruction=instruction, max_length=spec.max_length)
        return torch.as_tensor(vectors)

    return tokenizer, instruction, run


def _openai_batches(spec: EncoderSpec, role: str, device: str, precision: str):
    from .openai_api import OpenAIEmbedder

    embedder = OpenAIEmbedder.from_spec(spec)
    return embedder.tokenizer, None, embedder.embed_batch


BATCH_LOADERS: dict[str, Callable] = {
    "sentence-transformers": _st_batches,
    "transformers": _transformers_batches,
    "nv-embed": _nv_embed_batches,
    "openai": _openai_batches,
}


# ---------------------------------------------------------------- the shared loop


def token_lengths(tokenizer, texts: Sequence[str]) -> np.ndarray:
    """Token counts with special tokens, before truncation (one fast-tokenizer call over all texts)."""
    # verbose=False: lengths over the model limit are the point here, not a mistake worth a warning.
    ids = tokenizer(list(texts), add_special_tokens=True, truncation=False, verbose=False)["input_ids"]
    return np.fromiter((len(row) for row in ids), dtype=np.int64, count=len(ids))


def run_batches(
    run: Callable[[list[str]], object],
    texts: Sequence[str],
    lengths: np.ndarray,
    *,
    batch_size: int,
    show_progress: bool = True,
    description: str = "encoding",
) -> np.ndarray:
    """Call `run` on batches of texts sorted by token length (long first); rows come back in input order.

    Args:
        run: a batch function (list of texts -> tensor of vectors).
        texts: the texts; lengths: their token lengths (the sort key).
        batch_size: texts per call; show_progress, description: the progress bar.
    """
    import torch

    order = np.argsort(-lengths, kind="stable")
    out: np.ndarray | None = None
    starts = range(0, len(texts), batch_size)
    if show_progress and not quiet():
        from tqdm.auto import tqdm

        starts = tqdm(starts, desc=description, unit="batch")
    for start in starts:
        rows = order[start : start + batch_size]
        vectors = run([texts[i] for i in rows])
        vectors = torch.as_tensor(vectors).detach().float().cpu().numpy()
        if out is None:
            out = np.empty((len(texts), vectors.shape[1]), dtype=np.float32)
        out[rows] = vectors
    return out


def l2_normalise(vectors: np.ndarray) -> np.ndarray:
    """Rows scaled to unit L2 norm (all-zero rows stay zero)."""
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors / np.maximum(norms, 1e-12)


def encode(
    spec: EncoderSpec,
    texts: Sequence[str],
    role: str = "item",
    *,
    batch_size: int = 64,
    precision: str = "auto",
    device: str | None = None,
    fit_corpus: Sequence[str] | None = None,
    show_progress: bool = True,
) -> tuple[np.ndarray, EncodeReport]:
    """Encode `texts` in the given role: the role's prompt (literal or by name) goes before every text of that
    role only, so a query and an item with the same text get different vectors when the entry has a prompt.

    Args:
        spec: the encoder's registry entry; texts: the texts; role: "item" or "query".
        batch_size: texts per forward pass.
        precision: "auto", "fp32", "bf16" or "fp16" (see resolve_encoding_precision).
        device: "cuda", "cpu" or None (the GPU when there is one).
        fit_corpus: for corpus-fitted encoders (tfidf-svd): they are fitted on the item texts and then transform
            queries; for the item role the texts themselves are the corpus.
        show_progress: a progress bar over batches.
    """
    spec.prompt(role)  # validates role
    texts = list(texts)
    if not texts:
        raise EncoderError(f"nothing to encode for {spec.key!r} ({role}): the text list is empty")
    not_text = [i for i, t in enumerate(texts) if not isinstance(t, str)]
    if not_text:
        raise EncoderError(f"{len(not_text)} value(s) that are not text for {spec.key!r} ({role}) at positions "
                           f"{not_text[:5]} (e.g. {texts[not_text[0]]!r}); fill missing texts before encoding")
    # An item without any metadata renders as blank text; the authors' scripts encoded it as it is, so do we, and
    # count it (EncodeReport.empty, the cache's empty_texts) so that it is reported, never silent.
    empty = sum(1 for t in texts if not t.strip())
    if empty:
        log.warning("%s: %d of %d %s texts are empty or whitespace-only; encoded as they are",
                    spec.key, empty, len(texts), role)
    if spec.loader == "tfidf-svd":
        from .tfidf import encode_tfidf_svd

        vectors = encode_tfidf_svd(spec, texts, fit_corpus if fit_corpus is not None else texts)
        return vectors, EncodeReport(len(texts), 0, "fp64", "cpu", empty)
    if spec.loader not in BATCH_LOADERS:
        raise EncoderError(f"encoder {spec.key!r}: loader {spec.loader!r} is not implemented")
    check_requirements(spec)
    device = "cpu" if spec.loader == "openai" else resolve_device(device)
    precision = effective_precision(spec, precision, device)
    tokenizer, prompt, run = BATCH_LOADERS[spec.loader](spec, role, device, precision)
    if spec.loader == "openai":  # the API's request size (100 in the paper), not a memory-bound GPU batch
        batch_size = int(dict(spec.model_kwargs).get("batch_size", batch_size))
    # Lengths as the model sees them: prompt included (NV-Embed adds its instruction the same way).
    lengths = token_lengths(tokenizer, [(prompt or "") + t for t in texts])
    truncated = int((lengths > spec.max_length).sum())
    if truncated:
        log.info("%s: %d of %d %s texts exceed %d tokens and are truncated",
                 spec.key, truncated, len(texts), role, spec.max_length)
    import torch

    with torch.inference_mode(), _autocast(device, precision):
        vectors = run_batches(run, texts, lengths, batch_size=batch_size, show_progress=show_progress,
                              description=f"{spec.key} {role}s")
    if spec.normalize:
        vectors = l2_normalise(vectors)
    return vectors.astype(np.float32, copy=False), EncodeReport(len(texts), truncated, precision, device, empty)

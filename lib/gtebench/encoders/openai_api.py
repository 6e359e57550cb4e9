"""text-embedding-3-large through the OpenAI embeddings API (needs OPENAI_API_KEY).

As in the paper, every input is first cut to 512 RoBERTa-base tokens (tokenise, truncate, detokenise) so the
closed model sees the same text budget as BLaIR. Unlike the authors' script, a batch that still fails after the
retries raises: a zero vector would silently rank as "no similarity" and corrupt every metric downstream.
The HTTP call and the tokenizer are injectable, so the tests run without a network or the hub.
"""

from __future__ import annotations

import json
import logging
import os
import time
import urllib.error
import urllib.request
from typing import Callable, Sequence

import numpy as np

from .spec import EncoderError, EncoderSpec

log = logging.getLogger(__name__)
API_KEY_ENV = "OPENAI_API_KEY"
BASE_URL_ENV = "OPENAI_BASE_URL"
DEFAULT_BASE_URL = "https://api.openai.com/v1"
RETRY_STATUS = {408, 409, 429, 500, 502, 503, 504}

# post(url, headers, payload) -> (HTTP status, parsed JSON body)
Post = Callable[[str, dict, dict], tuple[int, dict]]


class OpenAIError(EncoderError):
    """The embeddings API refused or failed a batch after every retry, or answered something malformed."""


def urllib_post(url: str, headers: dict, payload: dict, timeout: float = 120.0) -> tuple[int, dict]:
    """POST `payload` as JSON to `url` with `headers`, waiting `timeout` seconds: (HTTP status, JSON body)."""
    request = urllib.request.Request(url, data=json.dumps(payload).encode(), headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        body = error.read()
        try:
            return error.code, json.loads(body)
        except ValueError:
            return error.code, {"error": body.decode(errors="replace")[:500]}


def load_tokenizer(name: str):
    """The Hugging Face tokenizer used to truncate texts before an API call."""
    from transformers import AutoTokenizer

    return AutoTokenizer.from_pretrained(name)


class OpenAIEmbedder:
    def __init__(
        self,
        *,
        api_key: str,
        tokenizer,
        model: str = "text-embedding-3-large",
        dim: int = 3072,
        max_tokens: int = 512,
        batch_size: int = 100,
        base_url: str = DEFAULT_BASE_URL,
        post: Post | None = None,
        retries: int = 5,
        backoff_s: float = 2.0,
        sleep: Callable[[float], None] | None = None,
    ) -> None:
        self.api_key, self.tokenizer, self.model, self.dim = api_key, tokenizer, model, dim
        self.max_tokens, self.batch_size, self.base_url = max_tokens, batch_size, base_url.rstrip("/")
        # Looked up at call time, so a test (or a proxy shim) can replace the module's urllib_post.
        self.post = post or (lambda url, headers, payload: urllib_post(url, headers, payload))
        self.retries, self.backoff_s = retries, backoff_s
        self.sleep = sleep or (lambda seconds: time.sleep(seconds))

    @classmethod
    def from_spec(cls, spec: EncoderSpec, **overrides) -> "OpenAIEmbedder":
        settings = dict(spec.model_kwargs)
        api_key = overrides.pop("api_key", None) or os.environ.get(API_KEY_ENV)
        if not api_key:
            raise EncoderError(
                f"encoder {spec.key!r} calls the OpenAI API: set {API_KEY_ENV} (and {BASE_URL_ENV} for a proxy or "
                f"Azure-compatible endpoint), or pick an open model"
            )
        tokenizer = (overrides.pop("tokenizer", None)
                     or load_tokenizer(settings.get("truncation_tokenizer", "roberta-base")))
        return cls(
            api_key=api_key,
            tokenizer=tokenizer,
            model=settings.get("api_model", spec.name),
            dim=spec.dim,
            max_tokens=spec.max_length,
            batch_size=int(settings.get("batch_size", 100)),
            base_url=os.environ.get(BASE_URL_ENV, DEFAULT_BASE_URL),
            **overrides,
        )

    def truncate(self, texts: Sequence[str]) -> list[str]:
        """Texts longer than max_tokens tokens are cut and decoded back; shorter ones are passed unchanged
        (a decode round trip could alter their spacing)."""
        full = self.tokenizer(list(texts), add_special_tokens=True, truncation=False)["input_ids"]
        cut = list(texts)
        long = [i for i, ids in enumerate(full) if len(ids) > self.max_tokens]
        if long:
            ids = self.tokenizer([texts[i] for i in long], truncation=True, max_length=self.max_tokens)["input_ids"]
            for i, decoded in zip(long, self.tokenizer.batch_decode(ids, skip_special_tokens=True)):
                cut[i] = decoded
        return cut

    def _request(self, texts: list[str]) -> np.ndarray:
        url = f"{self.base_url}/embeddings"
        headers = {"Authorization": f"Bearer {self.api_key}", "Content-Type": "application/json"}
        payload = {"model": self.model, "input": texts, "encoding_format": "float"}
        last = ""
        for attempt in range(self.retries + 1):
            if attempt:
                self.sleep(self.backoff_s * 2 ** (attempt - 1))  # 2, 4, 8, ... seconds
            try:
                status, body = self.post(url, headers, payload)
            except (OSError, ValueError) as error:  # network errors and unreadable bodies are retried
                last = f"{type(error).__name__}: {error}"
                continue
            if status == 200:
                return self._parse(body, len(texts))
            last = f"HTTP {status}: {str(body.get('error', body))[:300]}"
            if status not in RETRY_STATUS:
                break
            log.warning("OpenAI embeddings: %s (attempt %d of %d)", last, attempt + 1, self.retries + 1)
        raise OpenAIError(f"OpenAI embeddings failed for a batch of {len(texts)} texts: {last}. Check the key, "
                          f"quota and {BASE_URL_ENV}; rerun to resume from the last finished chunk")

    def _parse(self, body: dict, n: int) -> np.ndarray:
        data = sorted(body.get("data", []), key=lambda row: row["index"])
        if len(data) != n:
            raise OpenAIError(f"OpenAI embeddings answered {len(data)} vectors for {n} texts")
        vectors = np.asarray([row["embedding"] for row in data], dtype=np.float32)
        if vectors.shape != (n, self.dim):
            raise OpenAIError(f"OpenAI embeddings have shape {vectors.shape}, expected ({n}, {self.dim})")
        if not np.isfinite(vectors).all() or not vectors.any(axis=1).all():
            raise OpenAIError("OpenAI embeddings contain NaN or all-zero vectors")
        return vectors

    def embed_batch(self, texts: Sequence[str]) -> np.ndarray:
        texts = self.truncate(texts)
        parts = [self._request(texts[i : i + self.batch_size]) for i in range(0, len(texts), self.batch_size)]
        return np.concatenate(parts)

"""text-embedding-3-large with a fake HTTP client and a local tokenizer: no network, no hub."""

import pytest

from gtebench.encoders import openai_api
from gtebench.encoders.engine import encode
from gtebench.encoders.openai_api import OpenAIEmbedder, OpenAIError
from gtebench.encoders.registry import get_encoder


@pytest.fixture(scope="module")
def tokenizer():
    from transformers import AutoTokenizer

    from gtebench.encoders.offline import resolve_model_path

    return AutoTokenizer.from_pretrained(resolve_model_path(get_encoder("minilm-l6")))


class FakeAPI:
    """Answers like the embeddings endpoint; fails the first `failures` calls with `status`."""

    def __init__(self, dim=4, failures=0, status=429):
        self.dim, self.failures, self.status, self.calls = dim, failures, status, []

    def __call__(self, url, headers, payload):
        self.calls.append(payload["input"])
        if len(self.calls) <= self.failures:
            return self.status, {"error": {"message": "slow down"}}
        data = [{"index": i, "embedding": [float(len(t)), 1.0] + [0.5] * (self.dim - 2)}
                for i, t in enumerate(payload["input"])]
        return 200, {"data": data[::-1]}  # out of order on purpose: rows are matched by index


def embedder(tokenizer, api, **kw):
    sleeps = []
    settings = dict(api_key="k", tokenizer=tokenizer, dim=4, post=api, sleep=sleeps.append, batch_size=2)
    settings.update(kw)
    return OpenAIEmbedder(**settings), sleeps


def test_batches_rows_and_retries_with_backoff(tokenizer):
    api = FakeAPI(failures=2)
    client, sleeps = embedder(tokenizer, api)
    vectors = client.embed_batch(["a", "bbb", "cc"])
    assert vectors[:, 0].tolist() == [1, 3, 2]
    assert sleeps == [2.0, 4.0]  # exponential backoff before the 2nd and 3rd attempts
    assert [len(batch) for batch in api.calls] == [2, 2, 2, 1]


def test_a_failed_batch_is_an_error_never_a_zero_vector(tokenizer):
    client, sleeps = embedder(tokenizer, FakeAPI(failures=99), retries=3)
    with pytest.raises(OpenAIError, match="HTTP 429"):
        client.embed_batch(["a", "b"])
    assert len(sleeps) == 3
    client, sleeps = embedder(tokenizer, FakeAPI(failures=99, status=401))
    with pytest.raises(OpenAIError, match="HTTP 401"):
        client.embed_batch(["a"])
    assert sleeps == []  # a refused key is not retried

    def zeros(url, headers, payload):
        return 200, {"data": [{"index": i, "embedding": [0.0] * 4} for i in range(len(payload["input"]))]}

    with pytest.raises(OpenAIError, match="all-zero"):
        embedder(tokenizer, zeros)[0].embed_batch(["a"])


def test_long_inputs_are_cut_to_the_token_budget(tokenizer):
    client, _ = embedder(tokenizer, FakeAPI(), max_tokens=8)
    long = "one two three four five six seven eight nine ten eleven twelve"
    cut = client.truncate([long, "short text"])
    assert cut[1] == "short text"
    assert cut[0] == "one two three four five six"  # 8 tokens = [CLS] + 6 words + [SEP]
    assert len(tokenizer(cut[0])["input_ids"]) == 8


def test_through_the_engine_needs_a_key_and_counts_truncation(tokenizer, monkeypatch):
    spec = get_encoder("text-embedding-3-large", dim=4, max_length=6)
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    with pytest.raises(ValueError, match="OPENAI_API_KEY"):
        encode(spec, ["a"], show_progress=False)
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test")
    monkeypatch.setattr(openai_api.time, "sleep", lambda s: pytest.fail("no retry expected"))
    api = FakeAPI()
    monkeypatch.setattr(openai_api, "urllib_post", api)
    monkeypatch.setattr(openai_api, "load_tokenizer", lambda name: tokenizer)
    vectors, report = encode(spec, ["a b c d e f g h", "x"], role="query", show_progress=False)
    assert report.truncated == 1 and vectors.shape == (2, 4)
    calls = len(api.calls)
    encode(spec, [f"text number {i}" for i in range(150)], show_progress=False, batch_size=16)
    assert [len(batch) for batch in api.calls[calls:]] == [100, 50]  # the paper's request size, not batch_size
    assert api.calls and all(len(tokenizer(t)["input_ids"]) <= 6 for batch in api.calls for t in batch)

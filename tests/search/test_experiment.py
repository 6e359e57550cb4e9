"""The search experiment: validated parameters, roles kept apart, and a real run on the ESCI sample."""

import json

import pandas as pd
import pytest

from gtebench.data import DataError
from gtebench.encoders.registry import EncoderError
from gtebench.results import read_results
from gtebench.search import experiment
from gtebench.search.experiment import SearchConfigError, SearchExperimentConfig
from gtebench.search.runfile import read_run

GOOD = dict(datasets=["esci-sample200"], encoders=["bm25", "tfidf-svd"])


@pytest.mark.parametrize("change,error,match", [
    ({"datasets": "esci"}, SearchConfigError, "non-empty list"),
    ({"datasets": ["esci-smal"]}, DataError, "known"),
    ({"encoders": ["nv-embed"]}, EncoderError, "known encoders"),
    ({"pca_alphas": [95]}, SearchConfigError, "explained-variance fractions"),
    ({"precision": "fp16"}, SearchConfigError, "precision must be one of"),
    ({"results_file": "x.parquet"}, SearchConfigError, ".csv"),
    ({"domains": "Office_Products"}, SearchConfigError, "list of category names"),
])
def test_bad_parameters_say_what_is_valid(change, error, match):
    with pytest.raises(error, match=match):
        SearchExperimentConfig.from_params(**{**GOOD, **change})


def test_queries_and_items_are_encoded_in_their_own_roles(monkeypatch, tmp_path):
    calls = []

    class Vectors:
        def __init__(self, n):
            import numpy as np

            self.vectors = np.random.default_rng(n).standard_normal((n, 8)).astype("float32")

    def fake_embed(model, texts, *, dataset, recipe_hash, role, fit_corpus, show_progress):
        calls.append((role, list(texts.index)[:2], fit_corpus is not None))
        return Vectors(len(texts))

    monkeypatch.setattr("gtebench.encoders.cache.embed", fake_embed)
    queries = pd.Series({"q1": "red shoes", "q2": "desk"})
    ds = type("DS", (), {"key": "toy", "text_recipe": "amazon-ps", "queries": queries,
                         "item_texts": lambda self: pd.Series({"a": "x", "b": "y", "c": "z"})})()
    runs = experiment.dense_runs("minilm-l6", ds, (), "fp32")
    assert [c[0] for c in calls] == ["item", "query"]
    assert calls[1] == ("query", ["q1", "q2"], True)  # queries: their own ids, the items as the fitting corpus
    assert runs[0][0] == "full" and runs[0][3].shape == (2, 3)


@pytest.mark.slow
def test_a_real_run_on_the_esci_sample(tmp_path):
    config = SearchExperimentConfig.from_params(datasets=["esci-sample200"],
                                                encoders=["bm25", "bm25-paper", "tfidf-svd"], pca_alphas=[0.9],
                                                results_file=str(tmp_path / "ps.csv"))
    frame = experiment.run_search_experiment(config, progress=False)
    assert read_results(tmp_path / "ps.csv").shape[0] == len(frame)
    ndcg = frame[(frame.metric == "ndcg@100") & (frame.domain == "All")].set_index(["model", "variant"])["value"]
    assert set(ndcg.index) == {("bm25", "full"), ("bm25-paper", "full"), ("tfidf-svd", "full"), ("tfidf-svd", "pca90")}
    assert ndcg[("bm25", "full")] > ndcg[("bm25-paper", "full")] > 0.5  # 200 items: easy, and the fix helps
    run = read_run(config.runs_dir / "esci-sample200" / "tfidf-svd-pca90.trec")
    assert len(run) == 138 and all(len(items) == 100 for items in run.values())
    dims = {json.loads(c)["dim"] for c in frame[frame.model == "tfidf-svd"]["config"]}
    assert dims == {256} | {d for d in dims if d < 256} and len(dims) == 2
    tests = pd.read_csv(config.significance_file)
    assert tests.empty and "p_value" in tests.columns  # no generalist model in this run: a header only
    bm25 = {json.loads(c)["bm25"]["tokenizer"] for c in frame[frame.model == "bm25-paper"]["config"]}
    assert bm25 == {"nltk-paper"}  # the tokeniser (and its versions) stay with the numbers it made
    assert all("bm25" not in json.loads(c) for c in frame[frame.model == "tfidf-svd"]["config"])
    # the saved runs and qrels, rescored by ranx from disk (its own parsers, its own tie-break), give every number
    from ranx import Qrels, Run, evaluate

    qrels = Qrels.from_file(str(config.runs_dir / "esci-sample200" / "qrels.txt"))
    for (model, variant), value in ndcg.items():
        run = Run.from_file(str(config.runs_dir / "esci-sample200" / f"{model}-{variant}.trec"))
        assert evaluate(qrels, run, "ndcg@100", make_comparable=True) == pytest.approx(value, abs=1e-12), model
        scores = read_run(config.runs_dir / "esci-sample200" / f"{model}-{variant}.trec")
        assert all(len(set(items.values())) == len(items) for items in scores.values())  # no tie for a reader


def test_one_model_that_cannot_load_costs_only_its_own_cells(monkeypatch, tmp_path):
    """A model with an unmet requirement between two that work, and a dataset that cannot be prepared: every
    other cell is written, the failures listed beside the results, and the run raises with both at the end."""
    import pandas as pd

    from gtebench.encoders import registry
    from gtebench.failures import CellsFailed, failures_file, raise_recorded_failures

    monkeypatch.setitem(registry.ENCODERS, "kalm", registry.get_encoder("kalm", requires=("transformers<1",)))
    real_prepare = experiment.prepare_search

    def prepare(key):
        if key == "esci":
            raise DataError("esci: the official files are not here (stands in for a dataset that cannot be prepared)")
        return real_prepare(key)

    monkeypatch.setattr(experiment, "prepare_search", prepare)
    config = SearchExperimentConfig.from_params(datasets=["esci-sample200", "esci"],
                                                encoders=["bm25", "kalm", "tfidf-svd"],
                                                results_file=str(tmp_path / "ps.csv"))
    with pytest.raises(CellsFailed) as error:
        experiment.run_search_experiment(config, progress=False)
    assert "esci-sample200 / kalm (search): EncoderError" in str(error.value)
    written = pd.read_csv(config.results_file)
    assert set(written["model"]) == {"bm25", "tfidf-svd"} and set(written["dataset"]) == {"esci-sample200"}
    failed = pd.read_csv(failures_file(config.results_file))
    assert ("esci-sample200", "search", "kalm") in set(map(tuple, failed[["dataset", "cell", "model"]].values))
    assert (failed["cell"] == "prepare").sum() == 3  # the unpreparable dataset fails each of its cells
    # as a notebook runs it: the finished cells come back to be drawn, and its last cell raises the same failures
    frame = experiment.run_search_experiment(config, progress=False, raise_failures=False)
    assert set(frame["model"]) == {"bm25", "tfidf-svd"}
    with pytest.raises(CellsFailed, match="esci-sample200 / kalm"):
        raise_recorded_failures(config.results_file)


def test_shallow_judgments_add_condensed_metrics_and_per_query_values(tmp_path, monkeypatch):
    """A synthetic Home Depot folder: query i ('w<i>') is judged for product i (rated 3) and product i+1 (1)."""
    names = [f"w{i}" for i in range(20)]
    (tmp_path / "products.csv").write_text("product_uid,product_title\n" + "".join(
        f"p{i},{names[i % 20]} tool {i}\n" for i in range(30)))
    (tmp_path / "train.csv").write_text("id,product_uid,product_title,search_term,relevance\n" + "".join(
        f"{2 * i},p{i},x,{names[i]},3\n{2 * i + 1},p{i + 1},x,{names[i]},1\n" for i in range(20)))
    monkeypatch.setenv("GTEBENCH_HOMEDEPOT_DIR", str(tmp_path))
    config = SearchExperimentConfig.from_params(datasets=["homedepot"], encoders=["bm25", "bm25-paper"],
                                                results_file=str(tmp_path / "hd.csv"))
    frame = experiment.run_search_experiment(config, progress=False)
    means = frame[frame.model == "bm25"].set_index("metric")["value"]
    assert set(means.index) >= {"ndcg@10", "ndcg@100", "ndcg@10_condensed", "ndcg@100_condensed", "recall@100_high"}
    assert means["recall@100_high"] == 1.0  # 'w<i>' retrieves p<i> (and p<i+20>, unjudged)
    assert means["ndcg@100_condensed"] >= means["ndcg@100"]  # removing unjudged products can only raise it here
    per_query = pd.read_csv(config.per_query_file)
    assert list(per_query.columns[:4]) == ["dataset", "model", "variant", "qid"]
    assert len(per_query) == 2 * 4  # two models x the 4 test queries (20% of 20)
    assert per_query.groupby("model")["ndcg@100"].mean()["bm25"] == pytest.approx(means["ndcg@100"])


def test_paired_tests_in_both_views():
    from gtebench.data.types import SearchDataset, SearchSpec

    qrels = pd.DataFrame({"qid": ["q1", "q1", "q2", "q2", "q3"], "item_id": ["a", "b", "c", "d", "e"],
                          "relevance": [2.0, 0.0, 1.0, 2.0, 2.0]})
    spec = SearchSpec("toy", "toy", "custom", "title", {"shallow_judgments": True, "high_relevance": 2.67})
    ds = SearchDataset(spec, pd.Series({"q1": "x", "q2": "y", "q3": "z"}), qrels, pd.DataFrame(), pd.Series())
    runs = {"minilm-l6": {"q1": {"u": 1.0, "a": 0.5}, "q2": {"c": 1.0, "u": 0.9, "d": 0.8}, "q3": {"e": 1.0}},
            "bm25": {"q1": {"b": 1.0, "a": 0.5}, "q2": {"u": 1.0, "c": 0.9}, "q3": {"u": 1.0}}}
    standard = experiment.best_generalist_tests(ds, runs)
    condensed = experiment.best_generalist_tests(ds, runs, "ndcg@100_condensed")
    assert list(standard["metric"]) == ["ndcg@100"] and list(condensed["metric"]) == ["ndcg@100_condensed"]
    assert condensed.iloc[0]["mean"] > standard.iloc[0]["mean"]  # minilm's unjudged 'u' no longer costs it
    assert condensed.iloc[0]["reference"] == "bm25" and 0 < condensed.iloc[0]["p_value"] <= 1

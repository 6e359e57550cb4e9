"""Run records as rows of the tidy results frame."""

from gtebench.encoders.registry import get_encoder
from gtebench.recsys.run import records_to_frame
from gtebench.results import validate


def record(backbone, variant, encoder, pca_alpha=None):
    spec = {"dataset": "ml-100k", "backbone": backbone, "variant": variant, "encoder": encoder, "seed": 3,
            "profile": {"name": "default"}, "pca_alpha": pca_alpha}
    metrics = {"recall@10": 0.1, "recall@50": 0.3, "ndcg@10": 0.05, "ndcg@50": 0.08}
    return {"run_id": f"{backbone}-{variant}-{pca_alpha}", "spec": spec, "recbole_config": {"seed": 3},
            "best_epoch": 1, "epochs": 3, "train_seconds": 2.5, "threads": 1, "valid": metrics, "test": metrics,
            "embedding": None, "versions": {"recbole": "1.2.1"}, "git_commit": "abc"}


def test_rows_per_metric_and_split_with_variant_model_and_class():
    frame = validate(records_to_frame([record("sasrec", "id", None), record("popularity", "id", None),
                                       record("sasrec", "text", "minilm-l6", 0.8)]))
    assert len(frame) == 3 * 4 * 2
    labels = set(frame[["backbone", "variant", "model", "model_class"]].itertuples(index=False, name=None))
    assert labels == {("sasrec", "id", "id", "id"), ("popularity", "id", "popularity", "baseline"),
                      ("sasrec", "text-pca80", "minilm-l6", get_encoder("minilm-l6").model_class)}
    assert set(frame.split) == {"valid", "test"} and set(frame.task) == {"sr"}

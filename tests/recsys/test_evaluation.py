"""Per-user metrics against hand-computed values (RecBole's definitions of Recall@k and NDCG@k)."""

import math

import numpy as np
import pytest

from gtebench.recsys.evaluation import metrics_from_hits


def test_hand_computed_recall_and_ndcg():
    hits = np.array([
        [0, 1, 0, 0],  # one positive, found at rank 2
        [0, 0, 0, 0],  # one positive, not in the top 4
        [1, 0, 1, 0],  # two positives, found at ranks 1 and 3
    ])
    out = metrics_from_hits(hits, np.array([1, 1, 2]), topk=(2, 4))
    assert out["recall@2"].tolist() == [1.0, 0.0, 0.5]
    assert out["recall@4"].tolist() == [1.0, 0.0, 1.0]
    ideal_two = 1 + 1 / math.log2(3)
    assert out["ndcg@2"] == pytest.approx([1 / math.log2(3), 0.0, 1 / ideal_two])
    assert out["ndcg@4"] == pytest.approx([1 / math.log2(3), 0.0, (1 + 1 / math.log2(4)) / ideal_two])


def test_bad_shapes_and_users_without_positives_are_errors():
    with pytest.raises(ValueError, match="largest k"):
        metrics_from_hits(np.zeros((2, 3)), np.ones(2), topk=(10,))
    with pytest.raises(ValueError, match="at least one positive"):
        metrics_from_hits(np.zeros((2, 10)), np.array([1, 0]), topk=(10,))


@pytest.mark.slow
@pytest.mark.parametrize("backbone", ["sasrec", "popularity"])
def test_per_user_means_equal_recboles_evaluator(backbone):
    from gtebench.profiles import get_training_profile
    from gtebench.recsys.evaluation import per_user_metrics
    from gtebench.recsys.run import TOPK, RunSpec, build_run

    profile = get_training_profile("default").with_overrides(max_users=200, parallel_runs=1)
    spec = RunSpec("ml-100k", backbone, "id", None, 3, profile)
    _, _, trainer, (_, valid_data, test_data), _ = build_run(spec, spec.run_dir())
    for loader in (valid_data, test_data):
        ours = per_user_metrics(trainer, loader, TOPK)
        recbole = trainer.evaluate(loader, load_best_model=False, show_progress=False)
        assert len(ours) == 200 and ours["user"].is_unique
        assert set(recbole) == {c for c in ours.columns if "@" in c}
        for metric, value in recbole.items():  # RecBole rounds to 4 decimals
            assert ours[metric].mean() == pytest.approx(value, abs=5e-5), metric
        assert ((ours["first_hit_rank"] > 0) == (ours["recall@50"] > 0)).all()

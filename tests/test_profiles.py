import pytest

from gtebench.profiles import TRAINING_PROFILES, ProfileError, get_training_profile


def test_paper_profile_is_the_papers_protocol():
    paper = get_training_profile("paper")
    assert (paper.max_seq_len, paper.stopping_step, paper.max_epochs, paper.train_batch_size) == (50, 10, 300, 2048)
    assert paper.train_prefixes_per_user is None and paper.backbone_overrides == {}


def test_overrides_are_validated():
    default = get_training_profile("default")
    assert default.with_overrides(max_epochs=2).max_epochs == 2
    with pytest.raises(ProfileError, match="unknown profile setting"):
        default.with_overrides(epochs=2)
    with pytest.raises(ProfileError, match="max_epochs=0"):
        default.with_overrides(max_epochs=0)
    with pytest.raises(ProfileError, match="backbone_overrides"):
        default.with_overrides(backbone_overrides={"sasrec": {"bert": {}}})
    with pytest.raises(ProfileError, match=r"Did you mean \['default'"):
        get_training_profile("defualt")
    assert set(TRAINING_PROFILES) == {"default", "paper", "paper-all-positions"}


def test_paper_all_positions_differs_from_paper_only_in_its_training_targets():
    paper, switched = get_training_profile("paper"), get_training_profile("paper-all-positions")
    assert paper.training_targets == "prefix" and switched.training_targets == "all-positions"
    differing = {k for k, v in switched.as_dict().items() if paper.as_dict()[k] != v}
    assert differing == {"name", "training_targets"}

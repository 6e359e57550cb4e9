"""The `tiny` specialisation recipe shared by the training and experiment tests."""

import pandas as pd
import pytest

from gtebench.specialise import RECIPES, Recipe
from gtebench.specialise import train as specialise_train

# reviews and item titles that share few words, so the in-batch task is not trivially solved by token overlap
PAIRS = [("bright enough to read in bed at night", "LED desk lamp, warm white"),
         ("kept us dry through two days of storms", "4-person dome tent"),
         ("boils water in under three minutes", "portable gas camping stove"),
         ("held my weight on the crag without fraying", "dynamic climbing rope 60 m"),
         ("still sharp after a season of whittling", "folding pocket knife"),
         ("no blisters on a twenty-mile trek", "waterproof hiking boots"),
         ("we never got lost in the old town", "folded city street map"),
         ("keeps my espresso hot all morning", "insulated travel mug"),
         ("my neck stayed cool at the beach", "wide-brim straw sun hat"),
         ("plenty of room for two monitors", "standing office desk"),
         ("my back no longer hurts after work", "ergonomic mesh office chair"),
         ("ink flows smoothly and never smudges", "gel rollerball pen set"),
         ("the green tea tastes better from it", "ceramic teapot with infuser"),
         ("fits all my textbooks and a laptop", "canvas school backpack"),
         ("put up the shelves in ten minutes", "cordless drill driver kit"),
         ("cut through the oak branch easily", "pruning hand saw")]


@pytest.fixture
def tiny(monkeypatch, tmp_path):
    """A recipe `tiny` over a 16-pair file: 4 steps of 4 pairs, 16 tokens; a fresh home and specialise() cache."""
    path = tmp_path / "pairs.jsonl"
    pd.DataFrame(PAIRS, columns=["anchor", "positive"]).to_json(path, orient="records", lines=True)
    monkeypatch.setitem(RECIPES, "tiny", Recipe(key="tiny", kind="domain", builder="pairs_file",
                                                options=(("path", str(path)),), batch_size=4, max_seq_length=16))
    monkeypatch.setenv("GTEBENCH_HOME", str(tmp_path / "home"))
    specialise_train.specialise.cache_clear()
    yield "specialised:minilm-l6@tiny"
    specialise_train.specialise.cache_clear()



"""Specialisation recipes as plain data, and the encoder keys that name a specialised model.

A key `specialised:<base encoder>@<recipe>` (e.g. `specialised:minilm-l6@blair-reviews`, or
`specialised:hf:roberta-base@pairs:/data/pairs.jsonl` for any pairs file) names the base encoder fine-tuned with the
recipe; `~<seed>` after the recipe picks another training seed (`...@next-item~2021`).

BLaIR's published settings (hyp1231/AmazonReviews2023, blair/base.sh and train.py, SimCSE's trainer): one epoch,
batch 384 per GPU on 2 GPUs (768 pairs per step, in-batch negatives), learning rate 5e-5 with linear decay and no
warm-up, max length 64 tokens, CLS pooling, InfoNCE at temperature 0.05, an auxiliary MLM loss, fp16. Here, on a
CPU: batch 64 (a 768-pair step costs minutes on 2 cores; fewer in-batch negatives make the task easier, not
different), the base model's own pooling (a sentence-transformers model is trained as it encodes), no MLM loss
(the small generalist bases ship no MLM head), fp32, and a seeded sample of 6,400 pairs per recipe (100 steps:
about 10 minutes for MiniLM on 2 cores, measured 5-10 s a step). Temperature, learning rate, epochs and max length
are BLaIR's.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace

from ..hints import did_you_mean

PREFIX = "specialised:"
KINDS = ("domain", "task")


class SpecialisationError(ValueError):
    """An unknown recipe or base model, a malformed key, or bad training settings."""


@dataclass(frozen=True)
class Recipe:
    key: str
    kind: str  # "domain" (BLaIR: in-domain text) or "task" (the task's own signal)
    builder: str  # a function of gtebench.specialise.pairs
    options: tuple = ()  # (name, value) arguments of the builder
    description: str = ""
    temperature: float = 0.05  # InfoNCE; sentence-transformers' MultipleNegativesRankingLoss scale = 1/temperature
    epochs: int = 1
    batch_size: int = 64
    learning_rate: float = 5e-5
    warmup_ratio: float = 0.0
    max_seq_length: int = 64
    max_pairs: int | None = None  # a seeded sample of the pairs when there are more (the CPU budget)
    seed: int = 2020
    in_domain: tuple = ()  # evaluation datasets from the domain (or task) of the training data: marked in tables
    version: int = 1  # bump when the builder's output changes for the same inputs

    def __post_init__(self) -> None:
        problems = []
        if self.kind not in KINDS:
            problems.append(f"kind {self.kind!r} not in {KINDS}")
        if not 0 < self.temperature <= 1:
            problems.append(f"temperature must be in (0, 1], got {self.temperature}")
        if self.epochs < 1 or self.batch_size < 2 or self.max_seq_length < 8:
            problems.append("epochs >= 1, batch_size >= 2 (in-batch negatives) and max_seq_length >= 8 required")
        if not 0 < self.learning_rate < 1 or not 0 <= self.warmup_ratio < 1:
            problems.append("learning_rate in (0, 1) and warmup_ratio in [0, 1) required")
        if self.max_pairs is not None and self.max_pairs < self.batch_size:
            problems.append(f"max_pairs ({self.max_pairs}) must be at least one batch ({self.batch_size})")
        if problems:
            raise SpecialisationError(f"recipe {self.key!r}: " + "; ".join(problems))

    def settings(self) -> dict:
        """The fields that change the trained weights, for the manifest and the model folder's hash (the
        description and the in-domain marks do not)."""
        fields = {k: v for k, v in asdict(self).items() if k not in ("description", "in_domain")}
        return {**fields, "options": [list(o) for o in self.options]}


RECIPES: dict[str, Recipe] = {
    "blair-reviews": Recipe(
        key="blair-reviews", kind="domain", builder="review_item_pairs", max_pairs=6_400,
        in_domain=("amazon2018/Scientific", "esci-sample200", "esci-sample200-graded", "esci"),  # Amazon products
        description="BLaIR's pretraining objective: a review against the reviewed item's metadata text, from the "
        "small real Amazon review sets (MDSD 2007, Amazon 2018 Gift Cards and Magazine Subscriptions)"),
    "next-item": Recipe(
        key="next-item", kind="task", builder="next_item_pairs", options=(("dataset", "amazon2018/Scientific"),),
        in_domain=("amazon2018/Scientific",),
        max_pairs=6_400,
        description="an item's text against the next item's text in a user's training sequence (Amazon 2018 "
        "Scientific), the signal of recommendation-specific text pretraining; a seeded sample of the pairs"),
    "search-queries": Recipe(
        key="search-queries", kind="task", builder="query_product_pairs",
        options=(("dataset", "homedepot-train"), ("high", 2.67), ("low", 2.0)),
        in_domain=("homedepot", "homedepot-binary"), max_pairs=6_400,
        description="a customer's query against a product judged relevant (mean rating >= 2.67), with the query's "
        "lowest-rated judged product (<= 2.0) as hard negative, from the Home Depot training queries only"),
}
PAIRS_RECIPE = "pairs:"  # `pairs:<file>`: every pair of a file (pairs.PAIRS_FORMAT), the blair-reviews settings


def get_recipe(key: str) -> Recipe:
    """A named recipe, or `pairs:<file>` (the file's pairs with BLaIR's training settings)."""
    if key.startswith(PAIRS_RECIPE):
        path = key[len(PAIRS_RECIPE):]
        if not path:
            raise SpecialisationError(f"{key!r}: give a pairs file after 'pairs:'")
        # every pair of the file (the CPU sample size of the named recipes would cut a GPU user's corpus)
        return replace(RECIPES["blair-reviews"], key=key, kind="domain", builder="pairs_file", max_pairs=None,
                       options=(("path", path),), description=f"the pairs of {path}")
    if key not in RECIPES:
        raise SpecialisationError(f"unknown specialisation recipe {key!r}; known: {sorted(RECIPES)} or "
                                  f"'pairs:<file>'.{did_you_mean(key, RECIPES)}")
    return RECIPES[key]


@dataclass(frozen=True)
class SpecialisedKey:
    base: str  # the base encoder's key
    recipe: Recipe
    seed: int

    @property
    def key(self) -> str:
        seed = "" if self.seed == self.recipe.seed else f"~{self.seed}"
        return f"{PREFIX}{self.base}@{self.recipe.key}{seed}"


def parse_key(key: str) -> SpecialisedKey:
    """`specialised:<base>@<recipe>[~seed]` -> its parts; the recipe follows the last '@' (a hub base may hold one)."""
    if not key.startswith(PREFIX):
        raise SpecialisationError(f"{key!r} is not a specialised encoder key ({PREFIX}<base>@<recipe>)")
    base, at, recipe = key[len(PREFIX):].rpartition("@")
    if not at or not base or not recipe:
        raise SpecialisationError(f"{key!r}: expected {PREFIX}<base encoder>@<recipe>, e.g. "
                                  f"{PREFIX}minilm-l6@blair-reviews; recipes: {sorted(RECIPES)} or 'pairs:<file>'")
    seed = None
    if "~" in recipe and not recipe.startswith(PAIRS_RECIPE):
        recipe, _, seed_text = recipe.partition("~")
        if not seed_text.isdigit():
            raise SpecialisationError(f"{key!r}: the seed after '~' must be an integer, got {seed_text!r}")
        seed = int(seed_text)
    if base.startswith(PREFIX):
        raise SpecialisationError(f"{key!r}: a specialised model cannot be the base of another")
    found = get_recipe(recipe)
    return SpecialisedKey(base, found, found.seed if seed is None else seed)

"""Training a specialised encoder: sentence-transformers' own Trainer, InfoNCE with in-batch negatives, resumable.

specialise(key) builds the recipe's pairs, and trains the base model on them unless a finished model of the same
inputs is on disk: the folder `$GTEBENCH_HOME/specialised/<base>@<recipe>-<hash>` is named by a hash of the base
model (key and weights), the recipe's settings, the seed and the pairs' checksum, so a changed input trains a new
model and the embedding cache (which keys on the folder name) never reuses vectors of another. The manifest
`gtebench_manifest.json` in the folder records all of it with the measured time and versions.

Training checkpoints to `<folder>.partial/` several times per epoch (the Trainer saves optimizer, scheduler and
random states); a killed run resumes from its last checkpoint. The finished model is saved inside the partial
folder and renamed into place, so a half-written model is never read.
"""

from __future__ import annotations

import functools
import logging
import os
import shutil
import time
from pathlib import Path

from .. import paths
from ..io import stable_hash, write_json
from ..quiet import quiet
from . import pairs as pair_builders
from .recipes import SpecialisationError, SpecialisedKey, parse_key

log = logging.getLogger(__name__)
MANIFEST = "gtebench_manifest.json"
CHECKPOINTS_PER_EPOCH = 4  # how much a kill can cost: a quarter of an epoch


def build_pairs(recipe, seed: int) -> pair_builders.Pairs:
    """The recipe's pairs, sampled to recipe.max_pairs with `seed` when there are more (the report says so)."""
    builder = getattr(pair_builders, recipe.builder, None)
    if builder is None:
        raise SpecialisationError(f"recipe {recipe.key!r}: no pairs builder {recipe.builder!r} in gtebench.specialise"
                                  ".pairs")
    built = builder(**dict(recipe.options))
    if len(built.frame) < recipe.batch_size:
        raise SpecialisationError(f"recipe {recipe.key!r}: {len(built.frame)} pairs, fewer than one batch "
                                  f"({recipe.batch_size}); report: {built.report}")
    if recipe.max_pairs is not None and len(built.frame) > recipe.max_pairs:
        built.report["sampled_from"] = len(built.frame)
        built.frame = built.frame.sample(n=recipe.max_pairs, random_state=seed).reset_index(drop=True)
    return built


def _base_spec(base: str):
    from ..encoders.registry import get_encoder

    spec = get_encoder(base)
    if spec.loader != "sentence-transformers":
        raise SpecialisationError(f"base encoder {base!r} loads with {spec.loader!r}; specialisation trains "
                                  "sentence-transformers models (e.g. minilm-l6, mpnet-base, hf:<hub id>)")
    return spec


def model_folder(parsed: SpecialisedKey, checksum: str) -> Path:
    """Where the model of these inputs lives; its name hashes every input."""
    from ..encoders.offline import weights_version

    base = _base_spec(parsed.base)
    inputs = {"base": parsed.base, "base_weights": weights_version(base), "recipe": parsed.recipe.settings(),
              "seed": parsed.seed, "pairs_sha256": checksum}
    slug = f"{parsed.base}@{parsed.recipe.key.split(':')[0]}".replace("/", "_").replace(":", "_")
    return paths.subdir("specialised") / f"{slug}-{stable_hash(inputs)}"


@functools.lru_cache(maxsize=16)
def specialise(key: str, progress: bool = True) -> Path:
    """The folder of the specialised model named by `key` (gtebench.specialise.recipes), trained if missing."""
    parsed = parse_key(key)
    built = build_pairs(parsed.recipe, parsed.seed)
    folder = model_folder(parsed, built.checksum)
    if (folder / MANIFEST).is_file():
        return folder
    return train(parsed, built, folder, progress)


def _losses_and_samplers():
    try:  # sentence-transformers >= 5.2 moved them; the paper environment has 3.3
        from sentence_transformers.sentence_transformer import losses
        from sentence_transformers.sentence_transformer.training_args import BatchSamplers
    except ImportError:
        from sentence_transformers import losses
        from sentence_transformers.training_args import BatchSamplers
    return losses, BatchSamplers


def train(parsed: SpecialisedKey, built: pair_builders.Pairs, folder: Path, progress: bool = True) -> Path:
    """Fine-tune the base on the pairs (InfoNCE, in-batch negatives; a `negative` column adds hard negatives),
    resuming from `<folder>.partial` checkpoints; returns `folder` once the model and its manifest are in place.

    Args:
        parsed: the specialised key; built: its pairs; folder: where the model goes (model_folder);
        progress: the Trainer's progress bar.
    """
    import torch
    from datasets import Dataset
    from sentence_transformers import (
        SentenceTransformer,
        SentenceTransformerTrainer,
        SentenceTransformerTrainingArguments,
    )

    from ..encoders.offline import resolve_model_path, weights_version
    from ..hardware import resolve_device
    from ..results import git_commit, package_versions

    recipe, base = parsed.recipe, _base_spec(parsed.base)
    partial = folder.with_name(folder.name + ".partial")
    device = resolve_device()
    model = SentenceTransformer(resolve_model_path(base), device=device, trust_remote_code=base.trust_remote_code,
                                revision=None if base.offline_source else base.revision,
                                model_kwargs=dict(base.model_kwargs) or None,
                                config_kwargs=dict(base.config_kwargs) or None)
    model.max_seq_length = recipe.max_seq_length
    losses, samplers = _losses_and_samplers()
    steps = -(-len(built.frame) // recipe.batch_size) * recipe.epochs
    args = SentenceTransformerTrainingArguments(
        output_dir=str(partial), num_train_epochs=recipe.epochs, per_device_train_batch_size=recipe.batch_size,
        learning_rate=recipe.learning_rate, warmup_steps=round(recipe.warmup_ratio * steps), lr_scheduler_type="linear",
        seed=parsed.seed, data_seed=parsed.seed, save_strategy="steps",
        save_steps=max(1, steps // (CHECKPOINTS_PER_EPOCH * recipe.epochs)), save_total_limit=1,
        logging_steps=max(1, steps // 20), report_to="none", disable_tqdm=not progress or quiet(),
        # the default sampler, as BLaIR's SimCSE trainer: sentence-transformers 6.3's NO_DUPLICATES sampler was
        # measured here to yield batches of one pair (loss 0, nothing learned); tests check the loss is positive
        batch_sampler=samplers.BATCH_SAMPLER,
        use_cpu=not device.startswith("cuda"), dataloader_drop_last=False)
    loss = losses.MultipleNegativesRankingLoss(model, scale=1.0 / recipe.temperature)
    trainer = SentenceTransformerTrainer(model=model, args=args, train_dataset=Dataset.from_pandas(built.frame),
                                         loss=loss)
    checkpoints = sorted(partial.glob("checkpoint-*"), key=lambda p: int(p.name.split("-")[1]))
    resume = str(checkpoints[-1]) if checkpoints else None
    if resume:
        log.info("resuming %s from %s", parsed.key, resume)
    start = time.perf_counter()
    output = trainer.train(resume_from_checkpoint=resume)
    seconds = time.perf_counter() - start
    staged = partial / "model"
    shutil.rmtree(staged, ignore_errors=True)
    model.save(str(staged))
    write_json(staged / MANIFEST, {
        "key": parsed.key, "base": parsed.base, "base_weights": weights_version(base), "recipe": recipe.settings(),
        "seed": parsed.seed, "pairs": len(built.frame), "pairs_sha256": built.checksum, "pairs_report": built.report,
        "steps": int(output.global_step), "train_loss": float(output.training_loss), "resumed_from": resume,
        "seconds_this_process": round(seconds, 1), "device": device, "threads": torch.get_num_threads(),
        "versions": package_versions(), "git_commit": git_commit()})
    os.replace(staged, folder)  # the model appears whole, or not at all
    shutil.rmtree(partial, ignore_errors=True)
    return folder

"""Building a run: RecBole's data and config, the model class, the item embeddings (PCA-compressed or not), and
the model and trainer, with RecBole kept away from the caller's sys.argv and working directory."""

from __future__ import annotations

import contextlib
import os
import sys
from pathlib import Path

from ...data import prepare
from ..backbones import get_backbone
from ..speedups import use_rand_dropout
from .spec import RunSpec, recbole_config_dict


@contextlib.contextmanager
def _isolated_argv_and_cwd(directory: Path):
    """RecBole parses sys.argv into its config and creates log_tensorboard/ in the working directory."""
    argv, cwd = sys.argv, os.getcwd()
    sys.argv = argv[:1]
    os.chdir(directory)
    try:
        yield
    finally:
        sys.argv = argv
        os.chdir(cwd)


def _network_class(spec: RunSpec):
    from recbole.model import sequential_recommender

    from .. import networks

    backbone = get_backbone(spec.backbone)
    if spec.variant == "text":
        return getattr(networks, backbone.text_network)
    return getattr(sequential_recommender, backbone.id_network, None) or getattr(networks, backbone.id_network)


def build_recbole_data(spec: RunSpec, run_dir: Path | None = None):
    """RecBole's Config, dataset and (train, valid, test) loaders for a run, from the exported benchmark files."""
    from recbole.config import Config
    from recbole.data import create_dataset, data_preparation
    from recbole.utils import init_seed

    run_dir = run_dir or spec.run_dir()
    profile = spec.profile
    prepared = prepare(spec.dataset)
    data_path, name = prepared.recbole_benchmark(profile.max_seq_len, profile.train_prefixes_per_user,
                                                 profile.max_users)
    config_dict = recbole_config_dict(spec, data_path, run_dir)
    with _isolated_argv_and_cwd(run_dir):
        config = Config(model=_network_class(spec), dataset=name, config_dict=config_dict)
        init_seed(config["seed"], config["reproducibility"])
        dataset = create_dataset(config)
        largest_k = max(config["topk"])
        if dataset.item_num - 1 < largest_k:  # item 0 is RecBole's padding
            raise ValueError(f"dataset {spec.dataset!r} has {dataset.item_num - 1} items, fewer than the largest "
                             f"cut-off k = {largest_k} of the full ranking (Recall/NDCG@{largest_k}): use a dataset "
                             f"with more items")
        train_data, valid_data, test_data = data_preparation(config, dataset)
    return config, dataset, train_data, valid_data, test_data


def run_embeddings(spec: RunSpec, show_progress: bool = False, client=None):
    """The cached item embeddings of a text run (encoded on first use; with a dask `client`, in shards on its
    workers, gtebench.encoders.distributed), or None for an ID run."""
    if spec.variant != "text":
        return None
    from ...encoders.cache import embed
    from ...text import get_recipe

    prepared = prepare(spec.dataset)
    texts, recipe_hash = prepared.item_texts(), get_recipe(prepared.spec.text_recipe).hash
    if client is not None:  # a corpus-fitted encoder (TF-IDF) is one chunk: one shard does it
        from ...encoders.distributed import embed_on_cluster

        return embed_on_cluster(client, spec.encoder, texts, dataset=spec.dataset, recipe_hash=recipe_hash)
    return embed(spec.encoder, texts, dataset=spec.dataset, recipe_hash=recipe_hash, show_progress=show_progress)


def compressed_item_vectors(vectors, alpha: float | None):
    """The item table as it is, or projected onto its top d(alpha) principal directions (as in the paper: PCA
    fitted on a seeded sample of up to 100k items, items centred by the catalogue mean); returns (vectors, dim)."""
    if alpha is None:
        return vectors, vectors.shape[1]
    from ...encoders import pca

    fitted = pca.fit(vectors)
    dim = fitted.effective_dim(alpha)
    return fitted.project(vectors, dim), dim


def build_run(spec: RunSpec, run_dir: Path):
    """A run's model and RecBole trainer, ready to fit.

    With spec.training_targets "all-positions" the training loader and trainer are gtebench.recsys.all_positions'
    (windows of each user's sequence, every target of a window in one pass); validation and test are RecBole's.

    Returns (RecBole's final config dict, model, trainer, (train, valid, test) loaders, embedding metadata or
    None for an ID run).
    """
    from recbole.trainer import Trainer
    from recbole.utils import init_seed
    from torch.utils.tensorboard import SummaryWriter

    from .. import networks

    config, _, train_data, valid_data, test_data = build_recbole_data(spec, run_dir)
    init_seed(config["seed"], config["reproducibility"])
    embedding_meta = None
    embeddings = run_embeddings(spec)
    if embeddings is not None:
        vectors, pca_dim = compressed_item_vectors(embeddings.vectors, spec.pca_alpha)
        table = networks.aligned_item_table(train_data.dataset, embeddings.ids, vectors)
        model = _network_class(spec)(config, train_data.dataset, table).to(config["device"])
        embedding_meta = {"path": str(embeddings.path),
                          **{k: embeddings.meta["key"][k] for k in ("precision", "weights", "dim")},
                          "pca_alpha": spec.pca_alpha, "pca_dim": pca_dim}
    else:
        model = _network_class(spec)(config, train_data.dataset).to(config["device"])
    if spec.profile.fast_dropout:
        use_rand_dropout(model)
    trainer_class = Trainer
    if spec.training_targets == "all-positions":
        from ..all_positions import AllPositionsLoader, AllPositionsTrainer

        train_data, trainer_class = AllPositionsLoader.from_dataset(config, train_data.dataset), AllPositionsTrainer
    with _isolated_argv_and_cwd(run_dir):
        trainer = trainer_class(config, model)
    # RecBole's SummaryWriter holds a path relative to the working directory at construction time; give it an
    # absolute one so tensorboard events land in the run folder whatever the caller's directory is.
    trainer.tensorboard.close()
    trainer.tensorboard = SummaryWriter(str(run_dir / "tensorboard"))
    return config.final_config_dict, model, trainer, (train_data, valid_data, test_data), embedding_meta

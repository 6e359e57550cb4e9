"""Train and evaluate one sequential-recommendation run in RecBole, or many side by side.

A run is named by RunSpec (dataset, backbone, variant, encoder, seed, profile); its record is written atomically
to GTEBENCH_HOME/runs/... and reused on the next call with the same spec, so a batch killed in the middle
resumes at the first unfinished run.

    spec.py   RunSpec and its run id and folder, the protocol's constants, every RecBole setting of a run
    build.py  RecBole data and config, the model class, item embeddings (and their PCA), model and trainer
    train.py  training with a checkpoint per epoch (ResumableTraining), evaluation, the run record
    pool.py   run_many: worker processes, runs side by side
    frame.py  run records as the tidy results frame
"""

from .build import build_recbole_data, build_run, compressed_item_vectors, run_embeddings
from .frame import records_to_frame
from .pool import run_many
from .spec import (
                   BEST_CHECKPOINT,
                   METRICS,
                   PER_USER_FILE,
                   RESUME_FILE,
                   RUNNER_VERSION,
                   TOPK,
                   VALID_METRIC,
                   RunSpec,
                   recbole_config_dict,
                   variant_label,
)
from .train import ResumableTraining, finished_record, train_and_evaluate

__all__ = [
    "BEST_CHECKPOINT", "METRICS", "PER_USER_FILE", "RESUME_FILE", "RUNNER_VERSION", "TOPK", "VALID_METRIC",
    "ResumableTraining", "RunSpec", "build_recbole_data", "build_run", "compressed_item_vectors", "finished_record",
    "recbole_config_dict", "records_to_frame", "run_embeddings", "run_many", "train_and_evaluate", "variant_label",
]

"""How does my model do? `gtebench evaluate <model>` (or `python -m gtebench evaluate <model>`).

The model (a registry key, a bare hub id such as BAAI/bge-small-en-v1.5, `hf:<id>[@revision]`, a local folder or
`path:<folder>`, or `specialised:<base>@<recipe>`) runs through the product-search protocol of Table 2 on every
search dataset available here (the packaged ESCI sample at least) and, with --sr, through Table 1's on ml-100k;
its rows are printed beside the committed models' rows of the same datasets. The model's own query/document
prompts are used (sentence-transformers `prompts`) unless --query-prompt / --item-prompt / --no-own-prompts say
otherwise; pooling and normalisation can be set too. Results go to results/evaluate/<model>/, never over the
committed files.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import pandas as pd

from . import paths
from .failures import CellsFailed
from .io import file_name

DEFAULT_SEARCH = ("esci-sample200",)  # packaged: available in every clone
OPTIONAL_SEARCH = ("homedepot",)  # evaluated when their files are on this machine
COMMITTED = {"ps": "ps_default.csv", "sr": "sr_default.csv"}


def output_dir(model: str) -> Path:
    """results/evaluate/<model as a file name>: an evaluation never writes over the committed results."""
    return paths.results_dir() / "evaluate" / file_name(model).strip("_")


def available_search_datasets() -> list[str]:
    """The default search datasets plus the optional ones whose files are here (preparing them is the check)."""
    from .data.search import get_search_dataset

    found = list(DEFAULT_SEARCH)
    for key in OPTIONAL_SEARCH:
        try:
            get_search_dataset(key)
        except ValueError:
            continue
        from .dryrun_checks import dataset_sources

        try:
            dataset_sources(key, "search")
            found.append(key)
        except ValueError:  # its files are not on this machine
            pass
    return found


def encoder_overrides(args: argparse.Namespace) -> dict:
    """The entry fields the command line sets (prompts, pooling, normalisation, own prompts)."""
    overrides = {}
    if args.query_prompt is not None:
        overrides["query_prompt"] = args.query_prompt
    if args.item_prompt is not None:
        overrides["item_prompt"] = args.item_prompt
    if args.pooling is not None:
        overrides["pooling"] = args.pooling
    if args.no_normalize:
        overrides["normalize"] = False
    if args.no_own_prompts:
        overrides["own_prompts"] = False
    return overrides


def resolved_overrides(spec, overrides: dict) -> dict:
    """The command line's settings for entry `spec`; without its own prompts (--no-own-prompts), an ad-hoc entry
    also drops the prompts mteb's registry gave it, which are the model's own too (encoders.mteb_meta)."""
    overrides = dict(overrides)
    if overrides.get("own_prompts") is False and "mteb" in spec.notes:
        overrides.update({f"{role}_prompt": None for role in ("query", "item")
                          if getattr(spec, f"{role}_prompt") and f"{role}_prompt" not in overrides})
    return overrides


def evaluate(model: str, overrides: dict | None = None, search_datasets: list[str] | None = None,
             sr: bool = False, folder: Path | None = None,
             mteb_dir: Path | None = None) -> tuple[dict[str, pd.DataFrame], Path]:
    """Run `model` (with entry `overrides`) through search (and, with `sr`, recommendation on ml-100k); return
    ({"ps": table, "sr": table} with the committed models' rows beside the new one, the folder of its results).

    Args:
        model: an encoder key, hub id or folder; overrides: EncoderSpec fields to change.
        search_datasets: default: available_search_datasets(); sr: also Table 1 (minutes on a CPU).
        folder: where its results go (default: output_dir of the model).
        mteb_dir: also write its search results there in MTEB's result format (gtebench.mteb_export).
    """
    from .encoders.registry import encoder_key, get_encoder

    overrides = resolved_overrides(get_encoder(model), overrides or {})
    # changed settings make their own key (model?{settings}): its vectors cache apart, and any process resolves it
    key = encoder_key({"model": model, **overrides}) if overrides else get_encoder(model).key
    tables, folder = _evaluate(key, search_datasets, sr, Path(folder) if folder is not None else output_dir(key))
    if mteb_dir is not None:
        from .mteb_export import export_search_results
        from .results import read_results

        export_search_results(read_results(folder / "ps.csv"), get_encoder(key), Path(mteb_dir))
    return tables, folder


def _evaluate(key: str, search_datasets, sr: bool, folder: Path) -> tuple[dict[str, pd.DataFrame], Path]:
    from .search.experiment import SearchExperimentConfig, run_search_experiment
    from .tables import ps_table, sr_table

    tables = {}
    config = SearchExperimentConfig.from_params(datasets=list(search_datasets or available_search_datasets()),
                                                encoders=[key], results_file=str(folder / "ps.csv"))
    ours = run_search_experiment(config)
    tables["ps"] = ps_table(pd.concat([_committed("ps", set(config.datasets)), ours], ignore_index=True))
    if sr:
        from .recsys.experiment import SRExperimentConfig, run_sr_experiment

        sr_config = SRExperimentConfig.from_params(datasets=["ml-100k"], backbones=["sasrec"], encoders=[key],
                                                   include_id=False, include_popularity=False, seeds=[2020],
                                                   results_file=str(folder / "sr.csv"))
        ours = run_sr_experiment(sr_config)
        tables["sr"] = sr_table(pd.concat([_committed("sr", {"ml-100k"}), ours], ignore_index=True))
    return tables, folder


def _committed(task: str, datasets: set[str]) -> pd.DataFrame:
    from .results import read_results

    path = paths.results_dir() / COMMITTED[task]
    if not path.is_file():
        return pd.DataFrame()
    frame = read_results(path)
    return frame[frame["dataset"].isin(datasets)]


def main(argv: list[str] | None = None) -> int:
    """The `gtebench evaluate` command."""
    parser = argparse.ArgumentParser(prog="gtebench evaluate", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("model", help="encoder key, hub id (org/name), hf:<id>, a folder or path:<folder>")
    parser.add_argument("--datasets", nargs="+", help=f"search datasets (default: {list(DEFAULT_SEARCH)} and, "
                        f"when present, {list(OPTIONAL_SEARCH)})")
    parser.add_argument("--sr", action="store_true", help="also sequential recommendation on ml-100k (SASRec)")
    parser.add_argument("--query-prompt", help="literal text put before each query")
    parser.add_argument("--item-prompt", help="literal text put before each item")
    parser.add_argument("--pooling", choices=["model", "cls", "mean", "pooler"], help="pooling (default: the model's)")
    parser.add_argument("--no-normalize", action="store_true", help="keep the vectors as the model returns them")
    parser.add_argument("--no-own-prompts", action="store_true", help="ignore the model's own query/document prompts")
    parser.add_argument("--output-dir", type=Path, help="where its results go (default: results/evaluate/<model>)")
    parser.add_argument("--mteb-dir", type=Path, help="also write the search results there in MTEB's result format "
                        "(<org>__<name>/<revision>/<task>.json and model_meta.json)")
    args = parser.parse_args(argv)
    try:
        tables, folder = evaluate(args.model, encoder_overrides(args), args.datasets, args.sr,
                                  args.output_dir, args.mteb_dir)
    except ValueError as exc:  # unknown model, bad setting, unknown dataset: the message lists what is valid
        parser.exit(2, f"gtebench evaluate: error: {exc}\n")
    except CellsFailed as exc:  # the model could not load or encode (e.g. a hub id without a network)
        parser.exit(1, f"gtebench evaluate: {exc}\n")
    for task, table in tables.items():
        print(f"\n{'Product search' if task == 'ps' else 'Sequential recommendation'} (percent):")
        print(table.round(2).to_string(index=False))
    print(f"\nits results: {folder}" + (f"; in MTEB's format under {args.mteb_dir}" if args.mteb_dir else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())

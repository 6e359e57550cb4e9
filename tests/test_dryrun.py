"""The dry run of a batch: every problem found before a kernel starts, each with its fix, and the plan's hours,
memory and disk. No network (the hub is reported offline or faked), no GPU, no kernel."""

import pytest

from gtebench import batches, dryrun, reproduce
from gtebench import estimate as est
from gtebench.encoders.registry import PAPER_ENCODERS, get_encoder
from gtebench.encoders.requirements import unmet_requirements

DATA_ENVS = ("GTEBENCH_AMAZON2023_DIR", "GTEBENCH_ESCI_DIR", "GTEBENCH_AMAZON_C4_DIR", "HF_HUB_OFFLINE")
PAPER_SR = ("All_Beauty", "Video_Games", "Baby_Products")


@pytest.fixture(autouse=True)
def offline_and_no_kernel(monkeypatch, tmp_path):
    """The hub is offline, the dataset variables unset (a missing shared-data folder), and papermill must not run."""
    monkeypatch.setattr(dryrun, "hub_online", lambda: (False, "offline in the tests"))
    for name in DATA_ENVS:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("GTEBENCH_SHARED_DATA", str(tmp_path / "no-shared-data"))

    def no_kernel(*args, **kwargs):
        raise AssertionError("a dry run started a notebook")

    monkeypatch.setattr("papermill.execute_notebook", no_kernel)


def _paper_data(tmp_path, monkeypatch) -> None:
    """Folders holding every file the paper batch reads (empty files: the dry run checks they are there)."""
    amazon, esci, c4 = (tmp_path / name for name in ("amazon2023", "esci", "c4"))
    names = {amazon: [f"{c}.{s}.csv" for c in PAPER_SR for s in ("train", "valid", "test")]
             + [f"meta_{c}.jsonl" for c in PAPER_SR],
             esci: ["shopping_queries_dataset_examples.parquet", "shopping_queries_dataset_products.parquet",
                    "asin2category.json"],
             c4: ["test.csv", "sampled_item_metadata_1M.jsonl"]}
    for folder, files in names.items():
        folder.mkdir()
        for name in files:
            (folder / name).write_text("")
    for env, folder in zip(DATA_ENVS, (amazon, esci, c4)):
        monkeypatch.setenv(env, str(folder))


def test_disk_arithmetic_by_hand_in_gb():
    assert est.vectors_bytes(1_000_000, 4096) == 1_000_000 * 4096 * 4 == 16_384_000_000
    assert dryrun._gb(16_384_000_000) == "16.4"  # GB = 1e9 bytes, the unit printed
    assert 16_384_000_000 / 2**30 == pytest.approx(15.26, abs=0.01)  # the same bytes are 15.3 GiB


def test_memory_arithmetic_by_hand():
    # NV-Embed-v2 in bf16: 11e9 parameters x 2 B = 22 GB; activations 64 x 512 x 4,096 hidden x 2 B x 16 = 4.29 GB
    nv = get_encoder("nv-embed-v2")
    assert est.weights_bytes(nv) == 22e9
    assert est.activation_bytes(nv) == 64 * 512 * 4096 * 2 * 16 == 4_294_967_296
    assert est.peak_memory_bytes(nv) / 1e9 == pytest.approx(26.29, abs=0.01)
    # Sentence-T5-XXL in fp32, hidden 1024 (a T5 encoder; its output is 768): 44 GB + 64 x 512 x 1,024 x 4 x 16
    assert est.peak_memory_bytes(get_encoder("sentence-t5-xxl")) == 44e9 + 64 * 512 * 1024 * 4 * 16
    assert est.peak_memory_bytes(get_encoder("text-embedding-3-large")) == 0  # an API: no GPU


def test_the_paper_plan_counts_every_cell():
    plans = dryrun.resolve_notebooks(batches.select_runs(batches.BATCHES["paper"]))
    table1 = plans[0]
    # per dataset: SASRec and GRU4Rec with ID + 5 encoders, UniSRec with the 5 encoders (text only) = 17 runs
    assert sum(table1.runs.values()) == 3 * 17 and table1.runs[("amazon2023/All_Beauty", "id")] == 2
    assert table1.parameters["include_id"] is True  # the notebook's default, under the batch's parameters
    search = plans[1]
    assert ("esci", "nv-embed-v2", "query") in search.encodings and not any("bm25" in e for _, e, _ in search.encodings)


def test_the_paper_batch_here_lists_every_reason_and_the_plan(monkeypatch, capsys):
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    assert reproduce.main(["--batch", "paper", "--dry-run"]) == 1
    out = capsys.readouterr().out
    problems = out.split("Problems (")[1].splitlines()[1:]
    for spec in PAPER_ENCODERS:  # in .venv: NV-Embed-v2 (transformers<4.48), GTE-Qwen2, Jasper, mGTE (<5)
        for unmet in unmet_requirements(spec):
            assert any(line.startswith(f"  - encoder {spec.key}: needs") and unmet in line and "make paper-env" in line
                       for line in problems), (spec.key, unmet)
    assert any("text-embedding-3-large: calls the OpenAI API and OPENAI_API_KEY is not set: export" in line
               for line in problems)
    assert f"dry run: {len([p for p in problems if p.startswith('  - ')])} problem(s); nothing was run" in out
    assert "offline (offline in the tests)" in out  # offline is said, and not a problem
    assert "will download from https://huggingface.co/datasets/McAuley-Lab/Amazon-Reviews-2023" in out
    nv = next(line.split() for line in out.splitlines() if line.startswith("  nv-embed-v2 "))
    # prec, params, runs, encode h, train h, GPU h, weights, activations, peak, disk
    assert nv[1:4] == ["bf16", "11B", "9"] and nv[7:10] == ["22.0", "4.3", "26.3"]
    # NV-Embed-v2's vectors: Table 1's three item sets, the ESCI and Amazon-C4 pools and queries, x 4,096 x 4 B
    texts = 112_590 + 137_269 + 217_724 + 1_367_729 + 27_643 + 1_058_417 + 21_223
    assert nv[10] == f"{texts * 4096 * 4 / 1e9:.1f}" == "48.2"
    total = next(line.split() for line in out.splitlines() if line.startswith("  total "))
    assert 50 < float(total[4]) < 200 and total[5:7] == ["max", "46.1"]  # Sentence-T5-XXL in fp32 peaks
    assert "GB = 1e9 bytes throughout" in out and "Disk of cached vectors per dataset (GB" in out


def test_a_complete_set_up_exits_zero(monkeypatch, tmp_path, capsys):
    _paper_data(tmp_path, monkeypatch)
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test")
    monkeypatch.setattr("gtebench.encoders.requirements.unmet_requirements", lambda spec: [])
    assert reproduce.main(["--batch", "paper", "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "dry run: ready, every check passed" in out and "Problems" not in out
    assert f"local: {tmp_path / 'amazon2023'}" in out and f"local: {tmp_path / 'c4'}" in out


def test_a_configured_folder_without_its_files_is_a_problem_with_the_fix(monkeypatch, tmp_path):
    _paper_data(tmp_path, monkeypatch)
    (tmp_path / "c4" / "test.csv").unlink()
    (tmp_path / "amazon2023" / "Video_Games.valid.csv").unlink()
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test")
    monkeypatch.setattr("gtebench.encoders.requirements.unmet_requirements", lambda spec: [])
    result = dryrun.dry_run("paper")
    assert len(result.problems) == 2
    c4, video = sorted(result.problems)
    assert c4.startswith("dataset amazon-c4: no test{.csv}[.gz]") and "set GTEBENCH_AMAZON_C4_DIR" in c4
    assert video.startswith("dataset amazon2023/Video_Games:") and "unset GTEBENCH_AMAZON2023_DIR" in video


def test_the_default_batch_is_ready_offline(capsys):
    assert reproduce.main(["--batch", "default", "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "dry run: ready" in out and "packaged:" in out  # ml-100k in recbole, the ESCI sample in the package
    # without the shared data the statistics notebook lists the real datasets as missing: warnings, not problems
    assert "dataset ml-latest-small:" in out.split("Warnings (")[1]
    assert "writes: results_file sr_default.csv, figure_file sr_default" in out  # the committed outputs


def test_the_dry_run_shows_where_a_departing_run_writes(capsys):
    assert reproduce.main(["--batch", "default", "--dry-run", "--only", "table1", "-p", "table1.seeds", "[2020]"]) == 0
    out = capsys.readouterr().out
    assert "1 seed: 4 training runs" in out and "writes: results_file custom/sr_default.csv" in out


class _Sibling:
    def __init__(self, name):
        self.rfilename = name


class _Info:
    def __init__(self, names):
        self.siblings = [_Sibling(n) for n in names]


def test_online_the_hub_repositories_revisions_and_files_are_checked(monkeypatch):
    from huggingface_hub.errors import RevisionNotFoundError

    class NoRevision(RevisionNotFoundError):
        def __init__(self):
            Exception.__init__(self, "no such revision")

    class FakeHub:
        def model_info(self, repo, revision=None, timeout=None):
            if repo == "nvidia/NV-Embed-v2":
                raise NoRevision()
            return _Info(["config.json", "model.safetensors"] if repo != "hkunlp/instructor-xl" else ["README.md"])

        def dataset_info(self, repo, timeout=None):
            names = {"McAuley-Lab/Amazon-C4": ["test.csv"], "tasksource/esci": ["data/test-00000-of-00001.parquet"]}
            return _Info(names.get(repo, [f"benchmark/0core/timestamp_w_his/{c}.{s}.csv" for c in PAPER_SR
                                          for s in ("train", "valid", "test")]
                                    + [f"raw/meta_categories/meta_{c}.jsonl" for c in PAPER_SR + ("Toys",)]
                                    + ["asin2category.json"]))

    monkeypatch.setattr("huggingface_hub.HfApi", FakeHub)
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test")
    monkeypatch.setattr("gtebench.encoders.requirements.unmet_requirements", lambda spec: [])
    result = dryrun.dry_run("paper", online=True)
    assert sorted(result.problems) == [
        "dataset amazon-c4: https://huggingface.co/datasets/McAuley-Lab/Amazon-C4: sampled_item_metadata_1M.jsonl is "
        "missing on the hub: put the files in a local folder (see gtebench/data) or fix the dataset's source",
        "encoder instructor-xl: hkunlp/instructor-xl at ce48b213095e647a6c3536364b9fa00daf57f436 has no config.json "
        "and no weights file: pin a revision that has them",
        "encoder nv-embed-v2: nvidia/NV-Embed-v2 has no revision c50d55f43bde7e6a18e0eaa15a62fd63a930f1a1: pin an "
        "existing commit in the entry",
    ]
    assert "reachable" in dryrun.format_dry_run(result)


def test_offline_is_detected_without_failing(monkeypatch):
    from gtebench import dryrun_checks

    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    assert dryrun_checks.hub_online() == (False, "HF_HUB_OFFLINE is set")
    monkeypatch.delenv("HF_HUB_OFFLINE")

    class Unreachable:
        def model_info(self, repo, timeout=None):
            raise ConnectionError("Name or service not known")

    monkeypatch.setattr("huggingface_hub.HfApi", Unreachable)
    online, why = dryrun_checks.hub_online()
    assert not online and why == "ConnectionError: Name or service not known"


def test_bad_keys_parameters_and_floating_revisions_are_reported(tmp_path, capsys):
    path = tmp_path / "mine.yaml"
    path.write_text("notebooks:\n  - notebook: table1_sequential_recommendation.ipynb\n"
                    "    parameters: {datasets: [ml-100k, amazon2023/All_Beuty], encoders: [minilm-l6, no-such-model],"
                    " seeds: [x]}\n  - notebook: table2_product_search.ipynb\n"
                    "    parameters: {datasets: [esci-sample200], encoders: [bm25, 'hf:org/model@main']}\n")
    result = dryrun.dry_run(str(path))
    problems = "\n".join(result.problems)
    assert "table1_sequential_recommendation.ipynb: seeds must be integers, got ['x']" in problems
    assert "dataset amazon2023/All_Beuty: unknown dataset" in problems and "'All_Beauty'" in problems
    assert "encoder no-such-model: unknown encoder 'no-such-model'" in problems and len(result.problems) == 3
    assert any("hf:org/model@main: revision 'main' is not a 40-hex commit" in w for w in result.warnings)
    row = next(line for line in dryrun.format_dry_run(result).splitlines() if line.startswith("  hf:org/model@main "))
    assert row.split()[-4:] == ["?", "?", "?", "?"]  # no parameter count, no dimension: unknown, not zero
    with pytest.raises(SystemExit):  # a -p no notebook declares is a usage error, as for a real run
        reproduce.main(["--batch", "paper", "--dry-run", "-p", "seedz", "[1]"])
    assert "-p seedz: no notebook of this run has that parameter" in capsys.readouterr().err

"""Prepared artefacts: built once, reused while the parameters match, rebuilt when they change."""

from gtebench.data.cache import cached, checksums


def test_cached_builds_once_per_parameters_and_writes_the_manifest_last(tmp_path):
    calls = []

    def build(folder):
        calls.append(folder)
        (folder / "out.txt").write_text("x")
        return {"rows": 1}

    source = tmp_path / "src.txt"
    source.write_text("a")
    params = {"sources": checksums([source]), "v": 1}
    folder, manifest = cached("toy", params, build)
    assert manifest == {"params": params, "counts": {"rows": 1}} and (folder / "manifest.json").is_file()
    assert cached("toy", params, build)[0] == folder and len(calls) == 1
    source.write_text("b")  # a changed source gives other parameters, so another folder and a rebuild
    assert cached("toy", {"sources": checksums([source]), "v": 1}, build)[0] != folder and len(calls) == 2


def test_a_folder_without_its_manifest_is_rebuilt(tmp_path):
    calls = []
    folder, _ = cached("toy2", {"v": 1}, lambda f: calls.append(f) or {})
    (folder / "manifest.json").unlink()  # e.g. a run killed before the manifest was written
    cached("toy2", {"v": 1}, lambda f: calls.append(f) or {})
    assert len(calls) == 2

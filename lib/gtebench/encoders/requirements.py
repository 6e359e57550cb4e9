"""What a registry entry needs from the environment: package versions its own code loads under.

Entries declare requirements as pip strings (`EncoderSpec.requires`, e.g. "transformers>=4.42,<4.48" for
NV-Embed-v2's remote code, "einops" for a package it imports). The engine checks them before loading, so a model
whose code cannot run here fails with the fix (`make paper-env`) instead of an ImportError deep in remote code,
and the paper batch's dry run checks every entry before any GPU time is spent.
"""

from __future__ import annotations

from importlib import metadata

from packaging.requirements import Requirement

from .spec import EncoderError, EncoderSpec

PAPER_ENV_HINT = ("the paper environment has these versions: `make paper-env`, then run from .venv-paper "
                  "(envs/paper-constraints.txt says why each is pinned)")


def unmet_requirements(spec: EncoderSpec) -> list[str]:
    """One line per requirement of `spec` that the installed packages do not meet (empty: all met)."""
    problems = []
    for line in spec.requires:
        requirement = Requirement(line)
        try:
            installed = metadata.version(requirement.name)
        except metadata.PackageNotFoundError:
            problems.append(f"{line} (not installed)")
            continue
        if requirement.specifier and not requirement.specifier.contains(installed, prereleases=True):
            problems.append(f"{line} (installed {installed})")
    return problems


def check_requirements(spec: EncoderSpec) -> None:
    """Raise EncoderError naming every unmet requirement of `spec` and where the right versions are."""
    problems = unmet_requirements(spec)
    if problems:
        raise EncoderError(f"encoder {spec.key!r} needs {'; '.join(problems)}: {PAPER_ENV_HINT}")


def transformers_dtype_kwarg() -> str:
    """The from_pretrained keyword for the weights' dtype: `dtype` since transformers 4.56, `torch_dtype` before
    (older releases take `dtype=` silently as a config attribute and load fp32 weights)."""
    from packaging.version import Version

    return "dtype" if Version(metadata.version("transformers")) >= Version("4.56") else "torch_dtype"

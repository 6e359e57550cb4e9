"""One switch for every progress line and bar of a long step: GTEBENCH_QUIET=1 (`gtebench.reproduce --quiet`
sets it for the batch's kernels) turns them off."""

from __future__ import annotations

import os

QUIET_ENV = "GTEBENCH_QUIET"


def quiet() -> bool:
    """Whether progress output is off (GTEBENCH_QUIET set to anything but '', '0' or 'false')."""
    return os.environ.get(QUIET_ENV, "").strip().lower() not in ("", "0", "false")

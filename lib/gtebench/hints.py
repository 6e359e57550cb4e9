"""What every registry lookup shares: the hint that turns a typo into the intended key."""

from __future__ import annotations

import difflib
from typing import Iterable


def did_you_mean(key: str, known: Iterable[str]) -> str:
    """' Did you mean [...]?' with up to three close keys, or '' when nothing is close."""
    close = difflib.get_close_matches(key, list(known), n=3, cutoff=0.3)
    return f" Did you mean {close}?" if close else ""

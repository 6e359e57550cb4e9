"""Sequential recommendation in RecBole: compatibility fixes, text-based backbones, the training runner.

Importing this package applies the RecBole compatibility fixes (compat.apply) before anything imports recbole,
then the speed fixes that change no numbers (speedups.apply).
"""

from . import compat

compat.apply()

from . import speedups  # noqa: E402

speedups.apply()

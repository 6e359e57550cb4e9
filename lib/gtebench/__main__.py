"""`gtebench <command>` (also `python -m gtebench <command>`):

    evaluate <model>    run a model through the search (and recommendation) protocol beside the committed models
    reproduce ...       the papermill batches (gtebench.reproduce; `make reproduce` runs the default one)
    list models|datasets  the registries as tables, with each model's and dataset's licence (gtebench.catalogue)
"""

from __future__ import annotations

import sys

COMMANDS = {"evaluate": "gtebench.evaluate", "reproduce": "gtebench.reproduce", "list": "gtebench.catalogue"}


def main(argv: list[str] | None = None) -> int:
    """Dispatch to a command's own main() with the remaining arguments."""
    import importlib

    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] in ("-h", "--help") or argv[0] not in COMMANDS:
        print(__doc__.strip(), file=sys.stderr if argv and argv[0] not in ("-h", "--help") else sys.stdout)
        if argv and argv[0] not in ("-h", "--help"):
            print(f"\nunknown command {argv[0]!r}; commands: {sorted(COMMANDS)}", file=sys.stderr)
            return 2
        return 0 if argv else 2
    return importlib.import_module(COMMANDS[argv[0]]).main(argv[1:])


if __name__ == "__main__":
    sys.exit(main())

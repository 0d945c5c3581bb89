"""`curator` / `python -m curator`: CLI commands, or the desktop app.

`curator import|list|status …` run headless (curator.cli, which never
imports the GUI). `curator [--catalog PATH] [FOLDER]` opens the window
(curator.app), importing FOLDER if given.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    from curator import cli

    first = _first_positional(args)
    if first in cli.COMMANDS or (any(a in ("-h", "--help") for a in args) and first is None):
        return cli.main(args)
    from curator import app

    return app.main(args)


def _first_positional(args: list[str]) -> str | None:
    """The first argument that is neither an option nor an option's value."""
    skip = False
    for a in args:
        if skip:
            skip = False
        elif a == "--catalog":
            skip = True
        elif not a.startswith("-"):
            return a
    return None


def run() -> int:
    """Console entry: like `main`, but a closed pipe (`curator list | head`) ends quietly."""
    try:
        return main()
    except BrokenPipeError:
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141


if __name__ == "__main__":
    sys.exit(run())

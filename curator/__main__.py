"""`curator` / `python -m curator`: CLI commands, or the app on a folder.

`curator import|list|status …` run headless (curator.cli). `curator [FOLDER]`
is the app's entry; until the desktop window lands it imports FOLDER with the
headless pipeline and prints the catalog status.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    from curator import cli

    first = next((a for a in args if not a.startswith("-")), None)
    if first in cli.COMMANDS or (any(a in ("-h", "--help") for a in args) and first is None):
        return cli.main(args)
    # App entry: `curator [--catalog PATH] [FOLDER]`.
    catalog: list[str] = []
    if "--catalog" in args:
        i = args.index("--catalog")
        catalog = args[i : i + 2]
        del args[i : i + 2]
    if args:
        code = cli.main(["import", *catalog, args[0]])
        if code != 0:
            return code
    return cli.main(["status", *catalog])


if __name__ == "__main__":
    sys.exit(main())

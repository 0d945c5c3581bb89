"""`curator` / `python -m curator`: CLI commands, or the desktop app.

`curator import|list|status …` run headless (curator.cli never imports the
GUI); `curator [--catalog PATH] [FOLDER]` opens the window (curator.app).

Routing is decided before anything imports Qt: an unknown word is exit 2 (with
close command names); a path that cannot be imported
(`fs.folders.folder_problem`) is exit 2 with its sentence; without a display
the window is exit 1 with a sentence (curator.install.display). `curator
--self-test` runs curator.install.self_test. A frozen build's decoder children
start here too (`multiprocessing.freeze_support()`).
"""

from __future__ import annotations

import difflib
import multiprocessing
import os
import sys
from collections.abc import Sequence

EXIT_GUI_UNAVAILABLE, EXIT_USAGE = 1, 2


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if "--self-test" in args:
        from curator.install.self_test import run_self_test

        return run_self_test()
    from curator import cli

    first = _first_positional(args)
    if first in cli.COMMANDS or (any(a in ("-h", "--help") for a in args) and first is None):
        return cli.main(args)
    if first is not None and (problem := gui_argument_problem(first, cli.COMMANDS)):
        print(f"curator: {problem}", file=sys.stderr)
        return EXIT_USAGE
    from curator.install.display import display_problem

    if problem := display_problem():
        print(f"curator: {problem}", file=sys.stderr)
        return EXIT_GUI_UNAVAILABLE
    try:
        from curator import app
    except ImportError as exc:  # Qt's GUI module needs a system library the check above can't see
        print(f"curator: Qt can't start ({exc}); run the command-line tools", file=sys.stderr)
        print(
            "  (curator --help), or `python -m curator.install.setup_check --install`.",
            file=sys.stderr,
        )
        return EXIT_GUI_UNAVAILABLE
    return app.main(args)


def gui_argument_problem(arg: str, commands: Sequence[str]) -> str | None:
    """Why `arg` can't be the folder the window opens with (None: a folder it can
    import). The folder's problems are `folder_problem`'s, the one import check."""
    from curator.fs.folders import FolderProblemKind, folder_problem

    problem = folder_problem(arg)
    if problem is None:
        return None
    if problem.kind is not FolderProblemKind.MISSING or _looks_like_a_path(arg):
        return problem.line
    close = difflib.get_close_matches(arg.lower(), commands, n=3, cutoff=0.6)
    if close:
        return f"unknown command '{arg}' (did you mean {' or '.join(close)}?)"
    return (
        f"unknown command '{arg}', and there is no folder by that name here. "
        f"Commands: {', '.join(commands)}; `curator --help` says more."
    )


def _looks_like_a_path(arg: str) -> bool:
    return (
        os.sep in arg
        or (os.altsep is not None and os.altsep in arg)
        or arg.startswith(("~", "."))
        or (len(arg) > 1 and arg[1] == ":")  # C:…
    )


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
    multiprocessing.freeze_support()  # frozen build: a decoder child stops here
    try:
        return main()
    except BrokenPipeError:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141
    except KeyboardInterrupt:  # Ctrl+C after a command's own handling: no traceback
        return 130


if __name__ == "__main__":
    sys.exit(run())

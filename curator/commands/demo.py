"""`curator demo [--no-open]`: a folder of generated sample photos, opened in the app.

"Demo photos" in the user's data folder (`curator.paths.user_data_dir`), its
files (`curator.install.demo.DEMO_FILES`) rewritten on every run; then the app
opens on it in a child process (no Qt here). With `--no-open` or no display it
prints how to import it. Exit codes: 0 written (and the app exited 0); the
app's code otherwise; 3 the folder cannot be written.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from typing import Any

from curator.commands.base import EXIT_OK, CommandContext

NAMES: tuple[str, ...] = ("demo",)


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser(
        "demo",
        parents=[common],
        help="write sample photos (bracket, burst, blur, raw, a broken file) into your "
        "data folder and open Curator on them",
    )
    p.add_argument(
        "--no-open", action="store_true", help="only write the folder; do not open the app"
    )
    p.set_defaults(handler=cmd_demo, read_only=True)


def cmd_demo(args: argparse.Namespace, ctx: CommandContext) -> int:
    from curator.install.demo import DEMO_FILES, write_demo
    from curator.install.display import display_problem
    from curator.paths import DEMO_FOLDER, user_data_dir

    folder = user_data_dir() / DEMO_FOLDER
    write_demo(folder)
    print(f"Demo photos written to {folder}:", file=ctx.out)
    for name, what in DEMO_FILES.items():
        print(f"  {name:<22} {what}", file=ctx.out)
    problem = None if args.no_open else display_problem()
    if args.no_open or problem:
        if problem:
            print(f"curator: {problem}", file=ctx.err)
        print(f'Import it with: curator import "{folder}"', file=ctx.out)
        return EXIT_OK
    ctx.out.flush()
    return subprocess.run(_gui_command(str(ctx.paths.catalog), str(folder)), check=False).returncode


def _gui_command(catalog: str, folder: str) -> list[str]:
    """`curator --catalog CATALOG FOLDER`, from a venv or from a frozen bundle."""
    if getattr(sys, "frozen", False):
        return [sys.executable, "--catalog", catalog, folder]
    return [sys.executable, "-m", "curator", "--catalog", catalog, folder]

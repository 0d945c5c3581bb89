"""The `curator` command line: builds the parser from the command modules and
runs the one command asked for, over the same catalog and stages as the GUI.

Commands live in `curator.commands` (`GROUPS`, each with `NAMES` and
`register(sub, common)`); this module builds the parser, opens the catalog
(read-only for a read-only command) and maps what is raised to an exit code.
Never imports curator.ui. Exit codes: 0 ran; 1 internal error; 2 bad usage or
input; 3 the catalog or settings cannot be used; 130 Ctrl+C (finished work kept).
"""

from __future__ import annotations

import argparse
import dataclasses
import functools
import importlib
import os
import signal
import sys
import threading
from collections.abc import Sequence
from types import FrameType, ModuleType
from typing import TextIO

from curator.catalog import tx
from curator.catalog.backends.seat import TERMINAL, desk_of_process, set_desk
from curator.catalog.db import Catalog, CatalogError
from curator.catalog.errors import damaged_sentence, is_damage
from curator.catalog.paths_codec import set_pairing, set_root_map
from curator.catalog.storage import storage_problem
from curator.catalog.taste.choice import choose, owner_of
from curator.commands import GROUPS
from curator.commands.base import (
    EXIT_CANCELLED,
    EXIT_CATALOG,
    EXIT_USAGE,
    CommandContext,
    UsageError,
)
from curator.imaging.cache import choose_cache_folder
from curator.paths import AppPaths, remembered_paths
from curator.settings import SettingsError, load_settings, root_pairs


def _group_modules() -> list[ModuleType]:
    return [importlib.import_module(name) for name in GROUPS]


# Every command word, in the order of GROUPS (routing in curator.__main__).
COMMANDS = tuple(n for m in _group_modules() for n in m.NAMES)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="curator", description="Curator: measure, describe and cull your photo archive."
    )
    catalog_help = "catalog file (default: your user data folder)"
    parser.add_argument("--catalog", metavar="PATH", help=catalog_help)
    parser.add_argument(  # handled by curator.__main__ before any parsing; listed for --help
        "--self-test",
        action="store_true",
        help="check this installation or bundle end to end (no display needed) and exit",
    )
    common = argparse.ArgumentParser(add_help=False)
    # Also accepted after the command; SUPPRESS keeps a value given before it.
    common.add_argument("--catalog", metavar="PATH", help=catalog_help, default=argparse.SUPPRESS)
    sub = parser.add_subparsers(dest="command", required=True)
    for module in _group_modules():
        module.register(sub, common)
    return parser


def commands_markdown() -> str:
    """The docs site's command reference (docs/reference/commands.md), read from
    `build_parser`: the options every command takes, then each command and
    subcommand with what it does, its usage as `--help` prints it, and its
    arguments (`--catalog` and `-h` once, above)."""
    root = build_parser()
    lines = ["## Any command", "", *_arguments_table(root, skip=("-h",))]
    for words, summary, parser in _commands(root, ()):
        depth = 2 + len(words) - 1
        lines += [f"{'#' * depth} curator {' '.join(words)}", ""]
        lines += [_markdown_text(summary), ""] if summary else []
        lines += [_markdown_text(parser.description), ""] if parser.description else []
        parser.formatter_class = functools.partial(argparse.HelpFormatter, width=76)
        lines += ["```text", parser.format_usage().strip(), "```", ""]
        lines += _arguments_table(parser, skip=("-h", "--catalog"))
    return "\n".join(lines)


def _markdown_text(text: str) -> str:
    """A help text as Markdown prose: `<project>` shown as written, never taken
    for an HTML tag (which the page would swallow: "into DEST//")."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _commands(
    parser: argparse.ArgumentParser, words: tuple[str, ...]
) -> list[tuple[tuple[str, ...], str, argparse.ArgumentParser]]:
    """(words, one-line help, parser) of every command below `parser`, in order."""
    found = []
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            helps = {a.dest: a.help or "" for a in action._choices_actions}
            for name, child in action.choices.items():
                found.append(((*words, name), helps.get(name, ""), child))
                found += _commands(child, (*words, name))
    return found


def _arguments_table(parser: argparse.ArgumentParser, skip: tuple[str, ...]) -> list[str]:
    rows = []
    for a in parser._actions:
        if a.help == argparse.SUPPRESS or isinstance(a, argparse._SubParsersAction):
            continue
        if set(a.option_strings) & set(skip):
            continue
        choices = "{" + ",".join(map(str, a.choices)) + "}" if a.choices else None
        metavar = str(a.metavar or choices or (a.dest.upper() if a.option_strings else a.dest))
        if a.option_strings:  # each spelling its own code span (--comments, --no-comments)
            last = a.option_strings[-1] + ("" if a.nargs == 0 else f" {metavar}")
            shown = "`, `".join([*a.option_strings[:-1], last])
        else:
            shown = {"?": f"[{metavar}]", "*": f"[{metavar} …]", "+": f"{metavar} …"}.get(
                str(a.nargs), metavar
            )
        params = {**vars(a), "prog": parser.prog, "choices": ", ".join(map(str, a.choices or []))}
        text = ((a.help or "") % params).replace("|", "\\|").replace("<", "&lt;")  # as --help
        rows.append(f"| `{shown}` | {text} |")
    return ["| argument | what it does |", "|---|---|", *rows, ""] if rows else []


def main(
    argv: Sequence[str] | None = None, *, out: TextIO | None = None, err: TextIO | None = None
) -> int:
    """Run one command; return its exit code (see the module docstring).

    Storage faults (disk full, read-only, a folder that can't be written) end
    with their sentence and exit 3, never a traceback; Ctrl+C ends with 130,
    and a Ctrl+C while the catalog closes is held until it is closed.
    """
    out = out or sys.stdout
    err = err or sys.stderr
    args = build_parser().parse_args(argv)
    opened: list[Catalog] = []
    desk = desk_of_process()
    set_desk(TERMINAL)  # the command line's decisions, and its undo, are the terminal's
    try:
        try:
            code = _run_command(args, opened, out, err)
        except KeyboardInterrupt:
            print("curator: cancelled with Ctrl+C; finished work was kept.", file=err)
            code = EXIT_CANCELLED
    finally:
        set_desk(desk)
        interrupted = _close_holding_sigint(opened)
    return EXIT_CANCELLED if interrupted else code


def _run_command(args: argparse.Namespace, opened: list[Catalog], out: TextIO, err: TextIO) -> int:
    paths: AppPaths | None = None
    try:
        paths = remembered_paths(args.catalog)  # the window's last catalog unless --catalog
        settings = load_settings(paths.settings_file)
        own_cache = paths.cache_dir
        paths = paths.with_cache_folder(settings.cache_folder)
        cache_dir, cache_note = choose_cache_folder(paths.cache_dir, own_cache)
        if cache_note is not None:  # a shared cache this seat cannot write: its own instead
            print(f"curator: {cache_note}", file=err)
            paths = dataclasses.replace(paths, cache_dir=cache_dir)
        set_pairing(settings.pair_raw_jpeg)
        set_root_map(root_pairs(settings.root_map))  # a studio's shared drive, here
        no_catalog = getattr(args, "no_catalog_handler", None)
        if no_catalog is not None:  # e.g. restore: the catalog may be the damaged one
            return int(no_catalog(args, paths, settings, out, err))
        # A command that only reads works on a read-only catalog (a write then says so).
        catalog = Catalog.open(
            paths.catalog_location, read_only_ok=getattr(args, "read_only", False)
        )
        opened.append(catalog)
        choose(owner_of(settings.taste))  # whose taste a retrain and the scores are
        return int(args.handler(args, CommandContext(catalog, paths, settings, out, err)))
    except UsageError as exc:
        print(f"curator: {exc}", file=err)
        return EXIT_USAGE
    except (CatalogError, SettingsError) as exc:
        print(f"curator: {exc}", file=err)
        return EXIT_CATALOG
    except Exception as exc:
        problem = storage_problem(exc, what=_written_path(exc, paths))
        sentence = str(problem) if problem is not None else catalog_fault(exc, paths)
        if sentence is None:
            raise
        print(f"curator: {sentence}", file=err)
        return EXIT_CATALOG


def catalog_fault(exc: BaseException, paths: AppPaths | None) -> str | None:
    """The sentence for a catalog that stayed busy past every retry (the change
    was not saved) or that is damaged, or None for anything else."""
    catalog = paths.catalog_name if paths is not None else "the catalog"
    if paths is not None and paths.catalog_url is not None:
        from curator.catalog.backends import postgres

        if postgres.is_permission_denied(exc):
            return (
                f"Your PostgreSQL role may only read the catalog {catalog}, so this change was "
                "NOT saved: deciding and importing need a role that may write."
            )
        if postgres.is_connection_lost(exc):
            return (
                f"The connection to the PostgreSQL server of {catalog} was lost and did not "
                "come back in time, so this change was NOT saved. Check that the server is "
                "running and reachable, then run the command again."
            )
    if tx.is_busy(exc):
        return (
            f"The catalog {catalog} stayed busy (another import or the app kept writing), "
            "so this change was NOT saved. Run the command again."
        )
    if is_damage(exc):
        folder = paths.catalog.parent / "backups" if paths is not None else "the backup folder"
        return damaged_sentence(catalog, folder, exc)
    return None


def _written_path(exc: BaseException, paths: AppPaths | None) -> str:
    """What a failed write was writing: the OSError's file, else the catalog."""
    filename = getattr(exc, "filename", None)
    if isinstance(filename, str | bytes):
        return os.fsdecode(filename)
    return paths.catalog_name if paths is not None else "the catalog"


def _close_holding_sigint(opened: list[Catalog]) -> bool:
    """Close the catalog with Ctrl+C held off; True when Ctrl+C came meanwhile.

    Closing checkpoints the WAL; a KeyboardInterrupt raised in the middle
    would print a traceback on the way out (SQLite itself stays consistent).
    """
    if not opened:
        return False
    interrupted = False

    def hold(signum: int, frame: FrameType | None) -> None:
        nonlocal interrupted
        interrupted = True

    in_main_thread = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGINT, hold) if in_main_thread else None
    try:
        try:
            opened[0].close()
        except KeyboardInterrupt:
            interrupted = True
    finally:
        if in_main_thread:
            signal.signal(signal.SIGINT, previous or signal.default_int_handler)
    return interrupted

"""`curator purge-rejected [--dry-run] [--yes] [--json]`: rejected photos to the OS trash.

Lists the plan (`curator.catalog.purge`: every rejected photo with its files on
disk); unless `--dry-run`, moves the files to the OS trash (never unlinked) and
tombstones the photos all of whose files went (decisions kept; bytes never
imported again). Without `--yes` it asks on a terminal, and refuses without one.

Exit codes: 0 all moved (or nothing to do, or a dry run); 1 a file could not
be moved (its sentence on stderr; its photo kept); 2 bad usage or no confirmation.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import TYPE_CHECKING, Any, TextIO

from curator.commands.base import EXIT_INTERNAL, EXIT_OK, CommandContext, UsageError

if TYPE_CHECKING:
    from curator.catalog.purge import PurgeFile

NAMES: tuple[str, ...] = ("purge-rejected",)


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser(
        "purge-rejected",
        parents=[common],
        help="move every rejected photo's files to the OS trash (they can be restored "
        "from there); the photos leave the catalog, their decisions are kept",
    )
    p.add_argument("--dry-run", action="store_true", help="list what would go; move nothing")
    p.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    p.add_argument("--json", action="store_true", help="print the report as JSON")
    p.set_defaults(handler=cmd_purge_rejected, read_only=False)


def _confirmed(question: str, stdin: TextIO, out: TextIO) -> bool:
    print(f"{question} [y/N] ", end="", file=out, flush=True)
    answer = stdin.readline().strip().lower()
    return answer in ("y", "yes")


def _list_files(files: list[PurgeFile], out: TextIO) -> None:
    from curator.purge.run import human_size

    for f in files:
        print(f"  {f.path}  ({human_size(f.size)})", file=out)


def cmd_purge_rejected(
    args: argparse.Namespace, ctx: CommandContext, *, stdin: TextIO | None = None
) -> int:
    from curator.purge.run import human_size, plan_purge, plan_sentence, purge

    stdin = stdin or sys.stdin
    plan = plan_purge(finish=not args.dry_run)
    if args.dry_run:
        if args.json:
            listing: dict[str, object] = {
                "dry_run": True,
                "photos": len(plan.photos),
                "total_bytes": plan.total_bytes,
                "skipped_missing": plan.skipped_missing,
                "files": [{"path": f.path, "size": f.size} for f in plan.files],
            }
            print(json.dumps(listing, indent=2, ensure_ascii=False), file=ctx.out)
        else:
            verb = "Would move" if plan.photos else "Nothing to move"
            print(f"{verb}: {plan_sentence(plan)}.", file=ctx.out)
            _list_files(plan.files, ctx.out)
        return EXIT_OK
    if not plan.photos:
        if not args.json:
            print(f"Nothing to move: {plan_sentence(plan)}.", file=ctx.out)
            return EXIT_OK
    elif not args.json:
        print(f"To the trash: {plan_sentence(plan)}.", file=ctx.out)
        _list_files(plan.files, ctx.out)
    if plan.photos and not args.yes:
        if not stdin.isatty():
            raise UsageError(
                "purge-rejected moves files to the trash and asks first; "
                "no terminal to ask on, so pass --yes to confirm"
            )
        asking = ctx.err if args.json else ctx.out  # stdout stays pure JSON
        if args.json:
            _list_files(plan.files, asking)
        n = len(plan.photos)
        question = f"Move {n} photo{'s' * (n != 1)} ({human_size(plan.total_bytes)}) to the trash?"
        if not _confirmed(question, stdin, asking):
            print("Nothing was moved.", file=asking)
            return EXIT_OK
    report = purge(plan)
    if args.json:
        print(json.dumps(report.as_json(), indent=2, ensure_ascii=False), file=ctx.out)
    else:
        print(report.sentence(), file=ctx.out)
    for failed in report.failed:
        print(f"curator: {failed.reason}", file=ctx.err)
    return EXIT_INTERNAL if report.failed else EXIT_OK


__all__ = ["NAMES", "cmd_purge_rejected", "register"]

"""`curator duplicates …`: near-duplicates (issue 83) from the terminal.

- `duplicates [--json] [--rescan]`: the groups, each copy with what tells it
  apart and the suggested keeper with why (`--rescan`: search the whole
  catalog anew first; an import places its new photos by itself).
- `duplicates resolve [--keep best|ID] [--group G] [--dry-run] [--json]`: keep
  one copy of each group (or of group G), give it the group's decisions and
  reject the others as its duplicates, ONE undo step for all (`curator undo`);
  `--dry-run` says what it would do and writes nothing.
- `duplicates apart A B`: photos A and B are not the same picture; they are
  never grouped together again.
Exit codes: 0 done, 2 bad usage (an unknown group or photo).
"""

from __future__ import annotations

import argparse
from typing import Any

from curator.commands.duplicates.groups import (
    GROUP_FIELDS,
    RESOLVE_FIELDS,
    cmd_apart,
    cmd_duplicates,
    cmd_resolve,
)

NAMES = ("duplicates",)
__all__ = ["GROUP_FIELDS", "NAMES", "RESOLVE_FIELDS", "register"]


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser(
        "duplicates",
        parents=[common],
        help="the same picture stored twice: list the groups, keep one copy of each",
        description="Near-duplicates: copies of one picture (an export beside its RAW, a "
        "web-sized copy, a re-saved or cropped one). A burst's frames or a bracket's are "
        "different moments, never duplicates.",
    )
    p.add_argument("--json", action="store_true", help="print the groups as JSON")
    p.add_argument(
        "--rescan", action="store_true", help="search the whole catalog anew before listing"
    )
    p.set_defaults(handler=cmd_duplicates, read_only=False)
    actions = p.add_subparsers(dest="duplicates_action", metavar="ACTION")
    resolve = actions.add_parser(
        "resolve",
        parents=[common],
        help="keep one copy of each group with the group's decisions; reject the others "
        "(one undo step)",
    )
    resolve.add_argument(
        "--keep",
        default="best",
        metavar="best|ID",
        help="best: each group's suggested keeper (default); ID: this photo (with --group)",
    )
    resolve.add_argument("--group", type=int, metavar="G", help="only this group")
    resolve.add_argument(
        "--dry-run", action="store_true", help="say what it would do; write nothing"
    )
    resolve.add_argument("--json", action="store_true", help="print what was done as JSON")
    resolve.set_defaults(handler=cmd_resolve, read_only=False)
    apart = actions.add_parser(
        "apart", parents=[common], help="two photos are not the same picture: never group them"
    )
    apart.add_argument("photos", nargs=2, type=int, metavar="ID")
    apart.set_defaults(handler=cmd_apart, read_only=False)

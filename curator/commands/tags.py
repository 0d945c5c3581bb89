"""`curator tags [--json] [--project NAME] [--pass cull|rating|all]`: every tag
with how many photos carry it, most used first (read-only).

The photos are those the gallery shows (a RAW+JPEG pair once, no deleted
photo): all of them, or the cull pass (unreviewed), or the rating pass
(kept), of one project or of the whole catalog (`catalog.tagging.counts`).
Text: a line per tag, its count, its name and where it came from; `--json`:
one array of `{"name", "count", "sources": {"you", "describer", "imported"}}`.
Exit codes: 0 done (no tag: an empty list); 2 an unknown project.
"""

from __future__ import annotations

import argparse
import json
from typing import Any

from curator.commands.base import EXIT_OK, CommandContext, UsageError, printable

NAMES: tuple[str, ...] = ("tags",)

# The review passes as the gallery filters them (the window's PASS_OF_FILTER).
PASS_CULL = {"cull": "unreviewed", "rating": "kept", "all": None}


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser(
        "tags", parents=[common], help="every tag with its photo count, most used first"
    )
    p.add_argument("--json", action="store_true", help="print JSON (one array)")
    p.add_argument("--project", metavar="NAME", help="only the photos of this project")
    p.add_argument(
        "--pass",
        dest="pass_",
        choices=tuple(PASS_CULL),
        default="all",
        help="cull: unreviewed photos; rating: kept photos; all (the default): every photo",
    )
    p.set_defaults(handler=cmd_tags, read_only=True)


def cmd_tags(args: argparse.Namespace, ctx: CommandContext) -> int:
    """List the tags (see the module docstring)."""
    from curator.catalog.projects import find_project
    from curator.catalog.queries import GalleryQuery
    from curator.catalog.tagging.counts import tag_counts

    project_id: int | None = None
    if args.project is not None:
        found = find_project(args.project)
        if found is None:
            raise UsageError(f"There is no project named “{args.project.strip()}”.")
        project_id = found.id
    counts = tag_counts(GalleryQuery(cull=PASS_CULL[args.pass_], project_id=project_id))
    out = ctx.out
    if args.json:
        json.dump([c.as_json() for c in counts], out, ensure_ascii=False)
        out.write("\n")
        return EXIT_OK
    if not counts:
        print("No tags.", file=out)
        return EXIT_OK
    width = len(str(counts[0].count))
    for c in counts:
        sources = [
            f"{label} {n}"
            for label, n in (("you", c.you), ("describer", c.describer), ("imported", c.imported))
            if n
        ]
        print(f"{c.count:>{width}}  {printable(c.name)}  ({', '.join(sources)})", file=out)
    return EXIT_OK

"""`curator tags [--json] [--project NAME] [--pass cull|rating|all]`: every tag
with how many photos carry it, most used first (read-only); `curator tag add
TAG PATH…`, `curator tag remove TAG PATH…` and `curator tags rename OLD NEW`:
the window's tag edits from the command line.

`tags` counts the photos the gallery shows (`catalog.tagging.counts`); `--json`:
`{"name", "count", "sources": {"you", "describer", "imported"}}`. Exit codes:
0 done; 2 an unknown project.

The edits are the window's (`catalog.tagging.edits`): one transaction and one
undo step each, carried by `curator xmp write`. Exit codes: 0 done; 2 an
unusable tag, a PATH not in the catalog (nothing changed), a rename of an
unused tag.
"""

from __future__ import annotations

import argparse
import json
import os
from typing import Any

from curator.commands.base import EXIT_OK, CommandContext, UsageError, printable

NAMES: tuple[str, ...] = ("tags", "tag")

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
    renames = p.add_subparsers(dest="tags_action", metavar="ACTION")
    rename = renames.add_parser(
        "rename",
        parents=[common],
        help="rename a tag on every photo (onto an existing tag: merge them)",
    )
    rename.add_argument("old", metavar="OLD", help="the tag's name now")
    rename.add_argument("new", metavar="NEW", help="its new name (Places|Italy|Rome keeps levels)")
    rename.set_defaults(handler=cmd_rename, read_only=False)

    tag = sub.add_parser("tag", parents=[common], help="add a tag to photos or remove it")
    actions = tag.add_subparsers(dest="tag_action", required=True, metavar="ACTION")
    for action, what in (
        ("add", "tag photos (your tag; Places|Italy|Rome keeps its levels)"),
        ("remove", "take a tag off photos (a describer's tag stays removed)"),
    ):
        q = actions.add_parser(action, parents=[common], help=what)
        q.add_argument("tag", metavar="TAG")
        q.add_argument(
            "paths", nargs="+", metavar="PATH", help="photo files already in the catalog"
        )
        q.set_defaults(handler=cmd_tag, read_only=False)


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


def _tag_name(raw: str) -> Any:
    from curator.catalog.tagging.edits import TagNameError, parse_tag_name

    try:
        return parse_tag_name(raw)
    except TagNameError as exc:
        raise UsageError(str(exc)) from exc


def cmd_tag(args: argparse.Namespace, ctx: CommandContext) -> int:
    """tag add / tag remove (see the module docstring)."""
    from curator.catalog.decisions import photo_id_for_path
    from curator.catalog.tagging.edits import tag_photos, untag_photos

    tag = _tag_name(args.tag)
    ids: list[int] = []
    unknown: list[str] = []
    for raw in args.paths:
        photo_id = photo_id_for_path(os.path.abspath(os.path.expanduser(raw)))
        if photo_id is None:
            unknown.append(raw)
        elif photo_id not in ids:
            ids.append(photo_id)
    if unknown:
        for raw in unknown:
            print(f"curator: not in the catalog (import its folder first): {raw}", file=ctx.err)
        raise UsageError(f"{len(unknown)} path(s) not in the catalog; no photo was changed.")
    adding = args.tag_action == "add"
    records = (tag_photos if adding else untag_photos)(ids, tag)
    changed = len({r.photo_id for r in records} & set(ids))
    verb = "Tagged" if adding else "Took"
    what = (
        f"{changed} photo(s) “{printable(tag.name)}”"
        if adding
        else f"“{printable(tag.name)}” off {changed} photo(s)"
    )
    print(f"{verb} {what}, {len(ids) - changed} already so.", file=ctx.out)
    return EXIT_OK


def cmd_rename(args: argparse.Namespace, ctx: CommandContext) -> int:
    """tags rename OLD NEW (see the module docstring)."""
    from curator.catalog.tagging.edits import rename_tag

    old, new = _tag_name(args.old), _tag_name(args.new)
    if old.name == new.name and not new.path:
        raise UsageError(f"“{printable(args.old)}” and “{printable(args.new)}” are one tag.")
    renamed = rename_tag(old, new)
    if renamed.photos == 0:
        raise UsageError(f"No photo has the tag “{printable(old.name)}” (see `curator tags`).")
    print(
        f"Renamed “{printable(old.name)}” to “{printable(new.name)}” on {renamed.photos} photo(s).",
        file=ctx.out,
    )
    return EXIT_OK

"""`curator project …`: named sets of photos from the command line.

create NAME | rename OLD NEW | delete NAME | add NAME PATH… | remove NAME PATH…
| list [--json]. Every write is one call of `catalog.projects` (one
transaction); `add`/`remove` look every path up first and change nothing
when one is not in the catalog (exit 2, the unknown paths named). Deleting a
project never touches its photos.
"""

from __future__ import annotations

import argparse
import json
import os
from typing import Any

from curator.commands.base import EXIT_OK, CommandContext, UsageError

NAMES = ("project",)


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("project", parents=[common], help="named sets of photos (projects)")
    actions = p.add_subparsers(dest="project_action", required=True, metavar="ACTION")

    create = actions.add_parser("create", parents=[common], help="create an empty project")
    create.add_argument("name", help="the project's name (unique, ignoring case)")
    create.set_defaults(handler=cmd_create, read_only=False)

    rename = actions.add_parser("rename", parents=[common], help="rename a project")
    rename.add_argument("old", metavar="OLD", help="the project's current name")
    rename.add_argument("new", metavar="NEW", help="its new name")
    rename.set_defaults(handler=cmd_rename, read_only=False)

    delete = actions.add_parser(
        "delete", parents=[common], help="delete a project (its photos are not touched)"
    )
    delete.add_argument("name")
    delete.set_defaults(handler=cmd_delete, read_only=False)

    for action, what in (
        ("add", "add photos to a project"),
        ("remove", "take photos out of a project (the photos are not touched)"),
    ):
        q = actions.add_parser(action, parents=[common], help=what)
        q.add_argument("name")
        q.add_argument(
            "paths", nargs="+", metavar="PATH", help="photo files already in the catalog"
        )
        q.set_defaults(handler=cmd_members, read_only=False)

    listing = actions.add_parser(
        "list", parents=[common], help="projects with their photo counts and covers"
    )
    listing.add_argument("--json", action="store_true", help="print JSON (one array)")
    listing.set_defaults(handler=cmd_list, read_only=True)


def _project_call(fn: Any, *args: Any) -> Any:
    from curator.catalog.projects import ProjectError

    try:
        return fn(*args)
    except ProjectError as exc:
        raise UsageError(str(exc)) from exc


def cmd_create(args: argparse.Namespace, ctx: CommandContext) -> int:
    from curator.catalog.projects import create_project

    made = _project_call(create_project, args.name)
    print(f"Created project “{made.name}”.", file=ctx.out)
    return EXIT_OK


def cmd_rename(args: argparse.Namespace, ctx: CommandContext) -> int:
    from curator.catalog.projects import find_project, rename_project

    before = find_project(args.old)
    renamed = _project_call(rename_project, args.old, args.new)
    old = before.name if before is not None else args.old
    print(f"Renamed project “{old}” to “{renamed.name}”.", file=ctx.out)
    return EXIT_OK


def cmd_delete(args: argparse.Namespace, ctx: CommandContext) -> int:
    from curator.catalog.projects import delete_project

    gone = _project_call(delete_project, args.name)
    print(
        f"Deleted project “{gone.name}” ({gone.count} photo(s) were in it; "
        "the photos themselves are not touched).",
        file=ctx.out,
    )
    return EXIT_OK


def cmd_members(args: argparse.Namespace, ctx: CommandContext) -> int:
    """add / remove: every path is looked up, then ONE transaction changes them all."""
    from curator.catalog import projects
    from curator.catalog.decisions import photo_id_for_path
    from curator.catalog.tx import write

    adding = args.project_action == "add"

    def change() -> projects.MembershipChange:
        ids: list[int] = []
        unknown: list[str] = []
        for raw in args.paths:
            photo_id = photo_id_for_path(os.path.abspath(os.path.expanduser(raw)))
            if photo_id is None:
                unknown.append(raw)
            else:
                ids.append(photo_id)
        if unknown:
            listed = ", ".join(unknown)
            raise UsageError(
                f"not in the catalog (import its folder first), nothing changed: {listed}"
            )
        call = projects.add_photos if adding else projects.remove_photos
        result: projects.MembershipChange = _project_call(call, args.name, ids)
        return result

    result = write(ctx.catalog.db, change)
    if adding:
        line = f"Added {result.changed} photo(s) to “{result.project}”"
        rest = f"{result.unchanged} already in it."
    else:
        line = f"Removed {result.changed} photo(s) from “{result.project}”"
        rest = f"{result.unchanged} were not in it."
    print(f"{line}; {rest}", file=ctx.out)
    return EXIT_OK


def cmd_list(args: argparse.Namespace, ctx: CommandContext) -> int:
    from curator.catalog.projects import list_projects

    rows: list[dict[str, Any]] = [
        {
            "name": p.name,
            "count": p.count,
            "cover": p.cover.path if p.cover is not None else None,
            # False: no member is approved yet, the cover is the best-scored member.
            "cover_approved": p.cover.approved if p.cover is not None else False,
            "created": p.created_at.isoformat(timespec="seconds") + "Z",
        }
        for p in list_projects(ctx.settings.match_threshold)
    ]
    if args.json:
        print(json.dumps(rows, ensure_ascii=False, indent=2), file=ctx.out)
        return EXIT_OK
    if not rows:
        print("No projects yet (create one with `curator project create NAME`).", file=ctx.out)
        return EXIT_OK
    width = max(len(r["name"]) for r in rows)
    for r in rows:
        cover = r["cover"] or "—"
        print(f"{r['name']:<{width}}  {r['count']:>6}  {r['created']}  {cover}", file=ctx.out)
    return EXIT_OK

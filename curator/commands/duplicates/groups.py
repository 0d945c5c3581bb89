"""The `curator duplicates` handlers: list the groups, resolve them, mark a
pair apart (usage: the package's docstring). The groups are read as stored
(catalog.duplicates); `--rescan` and `apart` search them anew first
(pipeline.stages.duplicates)."""

from __future__ import annotations

import argparse
import json
from typing import Any

from curator.commands.base import EXIT_OK, CommandContext, JsonField, UsageError, shaped

F = JsonField
COPY_FIELDS = (
    F("id", "the photo's id"),
    F("path", "its file"),
    F("format", "jpeg, raw, png, tiff, webp, heif"),
    F("width", "pixels across"),
    F("height", "pixels down"),
    F("size", "the file's size in bytes"),
    F("bytes_per_pixel", "its compression: a RAW ~1–2, a good JPEG ~0.3, a web copy ~0.1"),
    F("folder", "the folder it is in"),
    F("has_xmp", "true when a sidecar lies beside it"),
    F("rating", "stars, 1–5 (null: none)"),
    F("picked", "true when picked"),
    F("cull", "unreviewed, kept or rejected"),
    F("label", "its color label (null: none)"),
    F("tags", "the photographer's own tags", many=True),
    F("people", "the names of its people", many=True),
    F("projects", "the projects it is in", many=True),
)
GROUP_FIELDS: tuple[JsonField, ...] = (
    F("group", "the group's number (its lowest photo id): `duplicates resolve --group`"),
    F("keeper", "the id of the copy it suggests keeping"),
    F("why", 'why that copy ("the original RAW", "the largest JPEG", "the one you rated")'),
    F("resolved", "true when one copy is kept and every other is rejected"),
    F("copies", "the copies, by id", many=True, fields=COPY_FIELDS),
)
RESOLVE_FIELDS: tuple[JsonField, ...] = (
    F("dry_run", "true when nothing was written"),
    F("groups", "each group resolved", many=True, fields=(
        F("group", "the group's number"),
        F("keeper", "the id of the copy kept"),
        F("why", "why that copy"),
        F("rejected", "the ids of the copies rejected as its duplicates", many=True),
        F("rating", "the keeper's rating after (the group's best)"),
        F("picked", "true when the keeper is picked after"),
        F("label", "the keeper's label after"),
        F("tags_added", "the copies' tags the keeper took", many=True),
        F("projects_added", "the projects the keeper was put in", many=True),
        F("people_added", "the people of the copies' faces its own faces took", many=True),
    )),
)  # fmt: skip
del F


def _copy_json(c: Any) -> dict[str, object]:
    return {
        "id": c.photo_id,
        "path": c.path,
        "format": c.format,
        "width": c.width,
        "height": c.height,
        "size": c.size,
        "bytes_per_pixel": c.bytes_per_pixel,
        "folder": c.folder,
        "has_xmp": c.has_xmp,
        "rating": c.rating,
        "picked": c.picked,
        "cull": c.cull,
        "label": c.label,
        "tags": list(c.tags),
        "people": list(c.people),
        "projects": list(c.projects),
    }


def review_groups() -> list[dict[str, Any]]:
    """Every stored group with its copies and suggested keeper (what the list
    and the window show)."""
    from curator.catalog.duplicates.keeper import copies_of, suggested_keeper
    from curator.catalog.duplicates.reads import stored_groups
    from curator.interop.xmp.read import has_sidecar

    out = []
    for group, ids in stored_groups().items():
        copies = copies_of(ids, has_sidecar)
        keeper, why = suggested_keeper(copies)
        live = [c for c in copies if not c.rejected]
        resolved = len(live) == 1
        if resolved:
            keeper, why = live[0], "kept when the group was resolved"
        out.append(
            {
                "group": group,
                "keeper": keeper.photo_id,
                "why": why,
                "resolved": resolved,
                "copies": [_copy_json(c) for c in copies],
            }
        )
    return out


def cmd_duplicates(args: argparse.Namespace, ctx: CommandContext) -> int:
    from curator.pipeline.stages.duplicates import place_new, regroup_all

    (regroup_all if args.rescan else place_new)()
    groups = review_groups()
    if args.json:
        print(json.dumps(shaped(groups, GROUP_FIELDS), indent=2, ensure_ascii=False), file=ctx.out)
        return EXIT_OK
    if not groups:
        print("No near-duplicates: every picture is stored once.", file=ctx.out)
        return EXIT_OK
    open_groups = sum(not g["resolved"] for g in groups)
    print(f"{len(groups)} group(s) of near-duplicates, {open_groups} to resolve.", file=ctx.out)
    for g in groups:
        state = "resolved" if g["resolved"] else f"keep #{g['keeper']}: {g['why']}"
        print(f"\nGroup {g['group']} ({state})", file=ctx.out)
        for c in g["copies"]:
            mark = "*" if c["id"] == g["keeper"] else " "
            size = f"{c['width']}×{c['height']}" if c["width"] else "?"
            decided = [f"{c['rating']}★" if c["rating"] else "", c["cull"]]
            print(
                f" {mark} #{c['id']}  {c['format'] or '?'}  {size}  {c['size'] or 0:,} B  "
                f"{' '.join(d for d in decided if d)}  {c['path']}",
                file=ctx.out,
            )
    return EXIT_OK


def cmd_resolve(args: argparse.Namespace, ctx: CommandContext) -> int:
    from curator.catalog.duplicates.keeper import copies_of
    from curator.catalog.duplicates.reads import stored_groups
    from curator.catalog.duplicates.resolve import plan_resolution, resolve
    from curator.interop.xmp.read import has_sidecar

    groups = stored_groups()
    if args.group is not None:
        if args.group not in groups:
            known = ", ".join(str(g) for g in groups) or "none"
            raise UsageError(f"There is no group {args.group} (groups: {known}).")
        groups = {args.group: groups[args.group]}
    keep: int | None = None
    if args.keep != "best":
        if args.group is None or not str(args.keep).isdigit():
            raise UsageError("--keep takes best, or a photo's id together with --group G.")
        keep = int(args.keep)
    plans = []
    for group, ids in groups.items():
        copies = copies_of(ids, has_sidecar)
        if sum(not c.rejected for c in copies) <= 1 and keep is None:
            continue  # resolved already
        try:
            plans.append((group, plan_resolution(copies, keep)))
        except ValueError as exc:
            raise UsageError(str(exc)) from exc
    if not args.dry_run and plans:
        resolve([p for _, p in plans])
    if args.json:
        done = [
            {
                "group": group,
                "keeper": p.keeper.photo_id,
                "why": p.why,
                "rejected": [c.photo_id for c in p.rejected],
                "rating": p.rating,
                "picked": p.picked,
                "label": p.label,
                "tags_added": list(p.tags_added),
                "projects_added": list(p.projects_added),
                "people_added": list(p.people_added),
            }
            for group, p in plans
        ]
        payload = {"dry_run": bool(args.dry_run), "groups": done}
        print(
            json.dumps(shaped(payload, RESOLVE_FIELDS), indent=2, ensure_ascii=False), file=ctx.out
        )
        return EXIT_OK
    if not plans:
        print("Nothing to resolve.", file=ctx.out)
        return EXIT_OK
    verb = "Would resolve" if args.dry_run else "Resolved"
    for group, p in plans:
        print(f"{verb} group {group}: {p.said()}.", file=ctx.out)
    if not args.dry_run:
        print("One step: `curator undo` brings every copy back as it was.", file=ctx.out)
    return EXIT_OK


def cmd_apart(args: argparse.Namespace, ctx: CommandContext) -> int:
    from curator.catalog.duplicates.reads import stored_groups
    from curator.catalog.duplicates.store import mark_apart
    from curator.pipeline.stages.duplicates import regroup_all

    a, b = args.photos
    try:
        mark_apart(a, b)
    except ValueError as exc:
        raise UsageError(str(exc)) from exc
    regroup_all()
    together = any(a in ids and b in ids for ids in stored_groups().values())
    print(
        f"Photos {a} and {b} are not the same picture"
        + ("." if not together else " (still grouped: report this).")
        + " They are never grouped together again.",
        file=ctx.out,
    )
    return EXIT_OK

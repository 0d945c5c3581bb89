"""`curator xmp write [--all | PATH…] [--dry-run] [--json]`: decisions out to sidecars;
`curator xmp names [--all | PATH…] [--json]`: names in from other tools' face regions.

`xmp write`: the decided photos under PATH (or `--all`) and what the catalog
says of them (`curator.interop.xmp_fields`); every path of each photo gets its
sidecar created or merged as far as `xmp.edit.plan_edit` allows; originals
are never written. What each sidecar says afterwards is recorded
(`external.record_xmp_written`), skipped on a read-only catalog.
Exit codes: 0 all written or up to date; 1 any failed (each on stderr);
2 bad usage or a PATH not in the catalog.

`xmp names`: for photos with faces, the XMP (`xmp.read.find_xmp`) is read and
its named regions name the faces (`interop.face_names.take_region_names`:
never merging people, never renaming one you named). Sidecars are only read.
Exit codes: 0 done (unreadable sidecars reported); 2 bad usage or unknown PATH.
"""

from __future__ import annotations

import argparse
import json
import os
from dataclasses import replace
from pathlib import Path
from typing import Any

from curator.commands.base import (
    EXIT_INTERNAL,
    EXIT_OK,
    EXIT_USAGE,
    CommandContext,
    UsageError,
    printable,
)

NAMES: tuple[str, ...] = ("xmp",)


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    p_xmp = sub.add_parser("xmp", parents=[common], help="write decisions to XMP sidecars")
    xsub = p_xmp.add_subparsers(dest="xmp_command", required=True)
    p_write = xsub.add_parser(
        "write",
        parents=[common],
        help="write or update the XMP sidecars next to decided photos "
        "(rating, reject, label, keywords, caption); originals are never touched",
    )
    p_write.add_argument(
        "paths",
        nargs="*",
        metavar="PATH",
        help="photo files in the catalog, or folders (every decided photo under them)",
    )
    p_write.add_argument("--all", action="store_true", help="every decided photo in the catalog")
    p_write.add_argument(
        "--dry-run", action="store_true", help="say what would change; write nothing"
    )
    p_write.add_argument("--json", action="store_true", help="print the report as JSON")
    p_write.set_defaults(handler=cmd_xmp_write, read_only=True)
    _add_names_parser(xsub, common)


def _select(args: argparse.Namespace, ctx: CommandContext) -> tuple[list[int], list[str]]:
    """The photo ids to write and the PATHs that named nothing in the catalog."""
    from curator.catalog.paths_codec import pair_mates, photo_ids_for_paths
    from curator.interop.xmp_fields import decided_photo_ids, xmp_fields_for

    if args.all:
        return decided_photo_ids(), []
    ids: list[int] = []
    unknown: list[str] = []
    folders: list[Path] = []
    for raw in args.paths:
        path = os.path.abspath(os.path.expanduser(raw))
        if os.path.isdir(path):
            folders += [Path(path), Path(os.path.realpath(path))]
            continue
        found = photo_ids_for_paths([path])
        if found:
            ids.extend(found)
        else:
            unknown.append(raw)
    if folders:
        for item in xmp_fields_for(decided_photo_ids()):
            if any(Path(p).is_relative_to(f) for p in item.paths for f in folders):
                ids.append(item.photo_id)
    ids += [mate for pid in ids for mate in pair_mates(pid)]  # a RAW+JPEG photo: both files
    return list(dict.fromkeys(ids)), unknown


def cmd_xmp_write(args: argparse.Namespace, ctx: CommandContext) -> int:
    from curator.interop.xmp.sidecars import (
        FolderIndex,
        SidecarNames,
        SidecarOutcome,
        SidecarStatus,
        update_sidecars,
    )
    from curator.interop.xmp_fields import xmp_fields_for

    if args.all == bool(args.paths):
        raise UsageError(
            "name the photos or folders to write sidecars for, or give --all (not both)"
        )
    ids, unknown = _select(args, ctx)
    outcomes: list[SidecarOutcome] = []
    undecided = 0
    index = FolderIndex()
    convention = SidecarNames(ctx.settings.xmp_sidecar_names)
    synced: list[tuple[Any, list[SidecarOutcome]]] = []
    for chunk_start in range(0, len(ids), 500):
        for item in xmp_fields_for(ids[chunk_start : chunk_start + 500]):
            if not item.decided:
                undecided += 1
                continue
            mine: list[SidecarOutcome] = []
            for path in item.paths:
                mine.extend(
                    update_sidecars(
                        Path(path),
                        item.fields,
                        planner=_planner(item),
                        convention=convention,
                        dry_run=args.dry_run,
                        index=index,
                    )
                )
            outcomes.extend(mine)
            synced.append((item, mine))
    if not args.dry_run and not ctx.catalog.read_only:
        _record(synced, ctx)
    # "missing" counts paths not on disk (a duplicate path can vanish while the
    # photo lives on at its other path).
    counts = {s.value: 0 for s in SidecarStatus}
    for o in outcomes:
        counts[o.status.value] += 1
    report: dict[str, Any] = {
        **counts,
        "undecided": undecided,
        "not_in_catalog": unknown,
        "dry_run": bool(args.dry_run),
        "files": [
            {
                "original": o.original,
                "sidecar": o.sidecar,
                "status": o.status.value,
                "reason": o.reason,
                "kept_newer": list(o.kept),
            }
            for o in outcomes
        ],
    }
    if args.json:
        print(json.dumps(report, indent=2, ensure_ascii=False), file=ctx.out)
    else:
        _print_report(report, ctx)
    for o in outcomes:
        if o.status is SidecarStatus.FAILED:
            print(f"curator: {o.reason}", file=ctx.err)
        if o.kept:
            print(
                f"curator: {o.sidecar} was changed after your decision "
                f"({', '.join(o.kept)}): its newer value was kept; import the folder to take it.",
                file=ctx.err,
            )
    for raw in unknown:
        print(f"curator: not in the catalog (import its folder first): {raw}", file=ctx.err)
    if unknown:
        return EXIT_USAGE
    return EXIT_INTERNAL if counts[SidecarStatus.FAILED.value] else EXIT_OK


def _planner(item: Any) -> Any:
    """The edit planner of one photo's existing sidecars (see `xmp.edit.plan_edit`),
    with its people's names as person keywords (`xmp.people_keywords.with_people`)."""
    from curator.interop.xmp.edit import plan_edit
    from curator.interop.xmp.people_keywords import with_people
    from curator.interop.xmp.state import state_of

    owned = item.synced.state.people if item.synced is not None else frozenset()

    def plan(current: Any, file_time: Any) -> Any:
        own_file = (current.creator_tool or "").startswith("Curator")
        planned = plan_edit(
            item.catalog,
            item.synced.state if item.synced is not None else None,
            state_of(current),
            item.authored,
            file_time,
            keyword_texts=item.keyword_texts,
            extras=item.extras,
            own_file=own_file,
            current_orientation=current.orientation,
        )
        return with_people(
            planned, item.fields.people, owned, current, item.extras, own_file=own_file
        )

    return plan


def _record(synced: list[tuple[Any, list[Any]]], ctx: CommandContext) -> None:
    """Remember what each photo's sidecar says now (see `external.record_xmp_written`)."""
    from curator.catalog.tx import is_busy
    from curator.interop.external import XmpSeen, record_xmp_written
    from curator.interop.xmp.read import find_xmp
    from curator.interop.xmp.sidecars import synced_state
    from curator.interop.xmp_judgment import judgment_from_xmp

    one_star = ctx.settings.xmp_darktable_one_star_is_rating
    try:
        for item, outcomes in synced:
            primary = [o for o in outcomes if o.original == item.paths[0] and o.state is not None]
            if not primary:
                continue
            first = primary[0]
            state, pending = synced_state(first, item.catalog, item.authored)
            state = replace(state, people=people_owned(first, item))
            seen = XmpSeen(state, first.sidecar, first.mtime_ns)
            read_back = None
            if not pending:
                found = find_xmp(item.paths[0])
                if found.fields is not None and not found.embedded:
                    judgment = judgment_from_xmp(
                        found.fields, darktable_one_star_is_rating=one_star
                    )
                    read_back = (judgment, found.mtime_ns)
            record_xmp_written(item.photo_id, seen, read_back)
    except Exception as exc:
        if not is_busy(exc):
            raise
        print(
            "curator: the sidecars are written; the catalog was busy, so Curator will "
            "compare with its older record next time.",
            file=ctx.err,
        )


def people_owned(outcome: Any, item: Any) -> frozenset[str]:
    """The person keywords Curator owns in the sidecar `outcome` left (see
    `xmp.people_keywords.owned_now`)."""
    from curator.interop.xmp.people_keywords import owned_now
    from curator.interop.xmp.sidecars import SidecarStatus

    owned = item.synced.state.people if item.synced is not None else frozenset()
    return owned_now(
        owned,
        outcome.edit.people if outcome.edit is not None else None,
        fresh=outcome.status is SidecarStatus.WRITTEN,
        wanted=item.fields.people,
        keywords_after=outcome.state.keywords if outcome.state is not None else frozenset(),
    )


def _print_report(report: dict[str, Any], ctx: CommandContext) -> None:
    verb = "would be " if report["dry_run"] else ""
    for f in report["files"]:
        if f["status"] in ("written", "merged"):
            print(f"{verb}{f['status']}: {f['sidecar']}", file=ctx.out)
    print(
        f"{report['written']} {verb}written, {report['merged']} {verb}merged, "
        f"{report['unchanged']} unchanged, {report['failed']} failed"
        + (f", {report['missing']} missing original(s)" if report["missing"] else "")
        + (f", {report['undecided']} undecided photo(s) skipped" if report["undecided"] else "")
        + ".",
        file=ctx.out,
    )


def _add_names_parser(xsub: Any, common: argparse.ArgumentParser) -> None:
    p = xsub.add_parser(
        "names",
        parents=[common],
        help="name the faces other tools named (MWG or Microsoft face regions) in the XMP "
        "of photos already in the catalog; files are only read",
    )
    p.add_argument("paths", nargs="*", metavar="PATH", help="photo files or folders")
    p.add_argument("--all", action="store_true", help="every photo with faces")
    p.add_argument("--json", action="store_true", help="print the counts as JSON")
    p.set_defaults(handler=cmd_xmp_names, read_only=False)


def _photos_with_faces(args: argparse.Namespace) -> tuple[dict[int, str], list[str]]:
    """photo id -> primary path, for the photos with faces the arguments name;
    and the PATHs that named nothing in the catalog."""
    from curator.catalog.paths_codec import photo_ids_for_paths
    from curator.catalog.people.region_names import photos_with_faces

    every = photos_with_faces()
    if args.all:
        return every, []
    chosen: dict[int, str] = {}
    unknown: list[str] = []
    for raw in args.paths:
        path = os.path.abspath(os.path.expanduser(raw))
        if os.path.isdir(path):
            folders = {Path(path), Path(os.path.realpath(path))}
            chosen.update(
                (pid, p)
                for pid, p in every.items()
                if any(Path(p).is_relative_to(f) for f in folders)
            )
            continue
        found = photo_ids_for_paths([path])
        if not found:
            unknown.append(raw)
        chosen.update((pid, every[pid]) for pid in found if pid in every)
    return chosen, unknown


def cmd_xmp_names(args: argparse.Namespace, ctx: CommandContext) -> int:
    from curator.interop.face_names import take_region_names
    from curator.interop.xmp.read import find_xmp, folder_names

    if args.all == bool(args.paths):
        raise UsageError("name the photos or folders to read, or give --all (not both)")
    photos, unknown = _photos_with_faces(args)
    named: dict[int, Any] = {}
    problems: list[str] = []
    listings: dict[str, dict[str, str]] = {}
    for pid, path in sorted(photos.items()):
        folder = os.path.dirname(path)
        names = listings.get(folder)
        if names is None:
            names = listings[folder] = folder_names(folder)
        found = find_xmp(path, names)
        if found.problem:
            problems.append(f"{path}: {found.problem}")
        if found.fields is not None and found.fields.named_faces:
            named[pid] = found.fields.named_faces
    taken = take_region_names(named)
    report = {"photos": len(photos), "with_named_regions": len(named), **taken._asdict()}
    if args.json:
        print(json.dumps(report, indent=2), file=ctx.out)
    else:
        print(
            f"{taken.named + taken.joined} face(s) named from {len(named)} photo(s) with named "
            f"regions ({taken.new_people} new people, {taken.conflicts} already named "
            f"otherwise, {taken.ruled_out} taken out by you).",
            file=ctx.out,
        )
    for line in problems:
        print(f"curator: {printable(line)}", file=ctx.err)
    for raw in unknown:
        print(f"curator: not in the catalog (import its folder first): {raw}", file=ctx.err)
    return EXIT_USAGE if unknown else EXIT_OK

"""`curator xmp write [--all | PATH…] [--dry-run] [--json]`: decisions out to sidecars.

Plan (catalog, read-only): the decided photos named by PATH (a photo file,
or a folder: every decided photo under it) or all of them with `--all`, and
their `XmpFields` (`curator.interop.xmp_fields`). Run (files): every path of
each photo — the primary one and its duplicates — gets its sidecars created
or merged (`curator.interop.xmp.sidecars`); originals are never written. Nothing is
written back to the catalog, so the command works on a read-only catalog.

Exit codes: 0 when every sidecar is written, merged or already up to date;
1 when any failed (each with its sentence on stderr, the others still
written); 2 for bad usage or a PATH that is not in the catalog.
"""

from __future__ import annotations

import argparse
import json
import os
from pathlib import Path
from typing import Any

from curator.commands.base import EXIT_INTERNAL, EXIT_OK, EXIT_USAGE, CommandContext, UsageError

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


def _select(args: argparse.Namespace, ctx: CommandContext) -> tuple[list[int], list[str]]:
    """The photo ids to write and the PATHs that named nothing in the catalog."""
    from curator.catalog.queries import photo_ids_for_paths
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
    return list(dict.fromkeys(ids)), unknown


def cmd_xmp_write(args: argparse.Namespace, ctx: CommandContext) -> int:
    from curator.interop.xmp.sidecars import (
        FolderIndex,
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
    for item in xmp_fields_for(ids):
        if not item.decided:
            undecided += 1
            continue
        for path in item.paths:
            outcomes.extend(
                update_sidecars(Path(path), item.fields, dry_run=args.dry_run, index=index)
            )
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
    for raw in unknown:
        print(f"curator: not in the catalog (import its folder first): {raw}", file=ctx.err)
    if unknown:
        return EXIT_USAGE
    return EXIT_INTERNAL if counts[SidecarStatus.FAILED.value] else EXIT_OK


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

"""`curator import-lightroom CATALOG.lrcat [--map OLD=NEW]… [--json]`: ratings, flags,
labels, keywords and captions from a Lightroom Classic catalog become Curator decisions.

The .lrcat is opened read-only (see `curator.interop.lightroom`), its values
applied by `curator.interop.lightroom_import`. Exit codes: 0 done; 2 not a
Lightroom catalog Curator knows (missing file, other schema or version) or a
bad --map; 3 Lightroom has the catalog open (close it and retry).
"""

from __future__ import annotations

import argparse
import json
import os
from typing import Any

from curator.commands.base import EXIT_CATALOG, EXIT_OK, CommandContext, UsageError, printable

NAMES = ("import-lightroom",)


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser(
        "import-lightroom",
        parents=[common],
        help="take star ratings, pick/reject flags, color labels and keywords "
        "from a Lightroom Classic catalog (read-only)",
    )
    p.add_argument("lrcat", metavar="CATALOG.lrcat", help="the Lightroom Classic catalog file")
    p.add_argument(
        "--map",
        action="append",
        default=[],
        metavar="OLD=NEW",
        help="a Lightroom root folder that is elsewhere on this computer, e.g. "
        "'C:/Photos=/mnt/nas/Photos' (repeat for several)",
    )
    p.add_argument("--json", action="store_true", help="print the summary as JSON")
    p.set_defaults(handler=cmd_import_lightroom, read_only=False)


def cmd_import_lightroom(args: argparse.Namespace, ctx: CommandContext) -> int:
    from curator.commands.decide import retrain
    from curator.interop.lightroom import LightroomError
    from curator.interop.lightroom_import import import_lightroom

    path = os.path.abspath(os.path.expanduser(args.lrcat))
    maps: list[tuple[str, str]] = []
    for item in args.map:
        old, sep, new = item.partition("=")
        if not sep or not old.strip() or not new.strip():
            raise UsageError(
                f"--map takes OLD=NEW (a Lightroom root and where it is now), not {item!r}"
            )
        maps.append((old.strip(), os.path.abspath(os.path.expanduser(new.strip()))))
    try:
        report = import_lightroom(path, maps)
    except LightroomError as exc:
        if exc.locked:
            print(f"curator: {exc}", file=ctx.err)
            return EXIT_CATALOG
        raise UsageError(str(exc)) from exc
    if report.applied:
        retrain(ctx.settings, ctx.err, "the")
    if args.json:
        print(json.dumps(report.as_json()), file=ctx.out)
        return EXIT_OK
    print(
        f"Lightroom catalog {os.path.basename(path)}: {report.images} images, "
        f"{report.matched} in Curator's catalog, {report.applied} took decisions, "
        f"{report.unchanged} already up to date.",
        file=ctx.out,
    )
    for old, new, count in report.found_elsewhere:
        print(
            f"  {count} found under {new} (Lightroom has them under {old}; "
            "matched by path, capture time and size)",
            file=ctx.out,
        )
    for photo, copy in report.from_copies:
        print(
            f"  {photo}: decisions of its virtual copy {copy!r} (the master had none)", file=ctx.out
        )
    for photo, text in report.labels_as_keywords:
        print(
            f"  {photo}: label {text!r} is in no color label set Curator knows: kept as a keyword",
            file=ctx.out,
        )
    if report.conflicts:
        print(f"  {len(report.conflicts)} decisions differed; the later change won:", file=ctx.out)
        for photo, c in report.conflicts:
            winner = "Curator's" if c.winner == "curator" else "Lightroom's"
            print(
                f"    {photo}: {c.field} {c.curator or 'none'} in Curator, "
                f"{c.other or 'none'} in Lightroom → {winner} (later)",
                file=ctx.out,
            )
    if report.not_in_catalog:
        print(
            f"  {report.not_in_catalog} images are not in Curator's catalog (import their "
            "folder, or give --map OLD=NEW if their root folder moved). Most are in:",
            file=ctx.out,
        )
        for folder, count in report.missing_folders[:5]:
            print(f"    {folder} ({count})", file=ctx.out)
    if report.invalid:
        print(
            f"  {len(report.invalid)} images hold values Lightroom never writes; they were "
            "left out, and nothing changed for them in Curator:",
            file=ctx.out,
        )
        for photo, values in report.invalid[:10]:
            print(f"    {printable(photo)}: {printable(values)}", file=ctx.out)
    return EXIT_OK

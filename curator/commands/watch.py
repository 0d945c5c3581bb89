"""`curator watch FOLDER [--copy-to DEST [--rename T] [--subfolder T]] [--workers N]
[--json]`: cull while shooting.

Watches FOLDER and its sub-folders until Ctrl+C or SIGTERM, through the
window's own watch (`pipeline.importer.run_watch`, pipeline.watch): each frame
is taken once whole, shown and measured with its faces, in landing order; what
landed while Curator was not running is caught up at the start. The first
Ctrl+C stops watching and lets what was taken be measured; a second stops at
once (exit 130). The folder is checked first (`fs.folders.folder_problem`).
`--copy-to DEST` also copies each frame to DEST as the card ingest does
(ingest.live_backup: verified, named by `--rename`/`--subfolder`, default the
ingest's settings), the backup going on beside the measuring.

Output: a line per arrival once measured ("IMG_0001.JPG: new, photo 12, tile
0.1 s, measured 0.4 s after its last byte, 2 faces"), or with `--json` one
object per line of `WATCH_FIELDS`. Anything else (a file gone, the folder gone
and back, a full disk) is a sentence on stderr; the watch goes on. Exit codes:
0 stopped, 1 stopped with frames not yet backed up, 2 bad usage (no such
folder, a backup that can't be, another window or terminal already watching
into this catalog: it says which folder), 130 stopped at once.
"""

from __future__ import annotations

import argparse
import json
import os
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from curator.commands.base import (
    EXIT_INTERNAL,
    EXIT_OK,
    CommandContext,
    JsonField,
    UsageError,
    printable,
    shaped,
)
from curator.commands.ingest import add_template_options, templates

if TYPE_CHECKING:
    from curator.ingest.live_backup import Backed
    from curator.ingest.types import IngestRequest
    from curator.pipeline.watch import Arrival

NAMES: tuple[str, ...] = ("watch",)

F = JsonField
# `curator watch --json`: one object per line, a frame each, once it is measured.
WATCH_FIELDS: tuple[JsonField, ...] = (
    F("path", "the file that arrived"),
    F("status", "new, duplicate (bytes the catalog holds already: a second path of that "
      "photo), updated (other bytes at a catalogued path) or failed"),
    F("photo_id", "its photo (a duplicate's: the photo it is a copy of)"),
    F("tile_s", "seconds from its last byte until its tile was in the catalog (null: "
      "not shown before it was measured)"),
    F("measured_s", "seconds from its last byte until it was measured, with its faces"),
    F("faces", "how many faces the faces stage found (null: not looked at)"),
    F("pair_of", "the RAW this JPEG is one photo with (null: none)"),
    F("reason", "a failure's sentence (empty otherwise)"),
    F("backup", "what --copy-to did with it (null without --copy-to)", fields=(
        F("status", "copied (a verified copy placed now), held (the backup folder had "
          "these bytes already: not copied again) or failed (see reason)"),
        F("copy", "the copy's path in the backup folder (null when failed)"),
        F("reason", "why it was not backed up (empty otherwise); a frame the backup "
          "folder could not take yet is copied once it can"),
    )),
)  # fmt: skip
del F


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    p_watch = sub.add_parser(
        "watch",
        parents=[common],
        help="import each photo as it lands in a folder (tethering, a camera's FTP)",
    )
    p_watch.add_argument("folder", help="folder to watch (its sub-folders too)")
    p_watch.add_argument("--json", action="store_true", help="one JSON object per arrival")
    p_watch.add_argument(
        "--workers", type=int, metavar="N", help="decode processes (default: settings)"
    )
    p_watch.add_argument(
        "--copy-to",
        metavar="DEST",
        help="also copy each frame to DEST as it lands, verified (a backup of the shoot)",
    )
    add_template_options(p_watch)
    p_watch.set_defaults(handler=cmd_watch)


def arrival_line(arrival: Arrival) -> str:
    """The human line of one arrival."""
    name = printable(os.path.basename(arrival.path))
    if arrival.status == "failed":
        also = f" ({backup_words(arrival.backup)})" if arrival.backup is not None else ""
        return f"{name}: failed — {arrival.reason}{also}"
    if arrival.status == "duplicate":
        also = f", {backup_words(arrival.backup)}" if arrival.backup is not None else ""
        return (
            f"{name}: the same picture as photo {arrival.photo_id} (a second path, no new "
            f"photo){also}"
        )
    parts = [arrival.status, f"photo {arrival.photo_id}"]
    if arrival.tile_s is not None:
        parts.append(f"tile {arrival.tile_s:.1f} s")
    parts.append(f"measured {arrival.measured_s:.1f} s after its last byte")
    if arrival.faces:
        parts.append(f"{arrival.faces} face{'s' if arrival.faces > 1 else ''}")
    if arrival.pair_of is not None:
        parts.append(f"one photo with its RAW (photo {arrival.pair_of})")
    if arrival.backup is not None:
        parts.append(backup_words(arrival.backup))
    return f"{name}: {', '.join(parts)}"


def backup_words(backed: Backed) -> str:
    """What the backup did, as a part of an arrival's line."""
    if backed.status == "copied":
        return f"backed up as {printable(os.path.basename(backed.copy or ''))}"
    if backed.status == "held":
        return "already in the backup folder"
    return "not backed up yet"


def arrival_json(arrival: Arrival) -> str:
    """The `--json` line of one arrival."""
    return json.dumps(
        shaped(
            {
                "path": arrival.path,
                "status": arrival.status,
                "photo_id": arrival.photo_id,
                "tile_s": None if arrival.tile_s is None else round(arrival.tile_s, 3),
                "measured_s": round(arrival.measured_s, 3),
                "faces": arrival.faces,
                "pair_of": arrival.pair_of,
                "reason": arrival.reason,
                "backup": None
                if arrival.backup is None
                else {
                    "status": arrival.backup.status.value,
                    "copy": arrival.backup.copy,
                    "reason": arrival.backup.reason,
                },
            },
            WATCH_FIELDS,
        )
    )


def cmd_watch(args: argparse.Namespace, ctx: CommandContext) -> int:
    from curator.fs.folders import folder_problem
    from curator.pipeline.importer import run_watch

    if (problem := folder_problem(args.folder)) is not None:
        raise UsageError(problem.line)
    if args.workers is not None and not 1 <= args.workers <= 64:
        raise UsageError("--workers must be between 1 and 64")
    from curator.engine.lock import ImportLock

    other = ImportLock(ctx.catalog.path).holder()
    if other is not None and other.watching:  # one watch at a time, said the other way round
        stop = (
            "stop it there first (File ▸ Watch Folder… again)"
            if other.desk and other.desk.startswith("window")
            else "stop it first (Ctrl+C where it runs)"
        )
        raise UsageError(f"{other.sentence()} Only one watch feeds a catalog at a time: {stop}.")
    folder = os.path.abspath(os.path.expanduser(args.folder))
    backup = _backup(args, ctx, folder)
    settings = ctx.settings
    if args.workers:
        settings = replace(settings, decode_workers=args.workers)

    def on_arrival(arrival: Arrival) -> None:
        print(arrival_json(arrival) if args.json else arrival_line(arrival), file=ctx.out)
        ctx.out.flush()

    def on_note(sentence: str) -> None:
        print(printable(sentence), file=ctx.err)
        ctx.err.flush()

    shown = printable(folder)

    copying = "" if backup is None else f", copying each frame to {printable(backup.destination)}"

    def on_start(_session: object) -> None:
        print(f"Watching {shown} and its sub-folders{copying}; Ctrl+C stops.", file=ctx.err)
        ctx.err.flush()

    totals = run_watch(
        folder,
        catalog_path=ctx.catalog.path,
        cache_dir=ctx.paths.cache_dir,
        settings=settings,
        on_arrival=on_arrival,
        on_note=on_note,
        on_start=on_start,
        backup=backup,
    )
    if backup is None:
        print(f"Stopped watching {shown}: {totals.arrived} arrived.", file=ctx.err)
        return EXIT_OK
    print(
        f"Stopped watching {shown}: {totals.arrived} arrived; the backup folder "
        f"{printable(backup.destination)} holds {totals.backed}.",
        file=ctx.err,
    )
    if totals.owed:
        print(
            f"{totals.owed} frame{'s' if totals.owed > 1 else ''} not backed up yet: watch the "
            "folder again once the backup folder can take them, and they are copied.",
            file=ctx.err,
        )
        return EXIT_INTERNAL
    return EXIT_OK


def _backup(args: argparse.Namespace, ctx: CommandContext, folder: str) -> IngestRequest | None:
    """The backup `--copy-to` asks for (None: none); `UsageError` when it can't be."""
    from curator.ingest.live_backup import backup_problem
    from curator.ingest.types import IngestRequest

    if args.copy_to is None:
        if args.rename is not None or args.subfolder is not None:
            raise UsageError("--rename and --subfolder name the copies of --copy-to: give it too")
        return None
    rename, subfolder = templates(args, ctx.settings)
    if (problem := backup_problem(folder, args.copy_to, rename, subfolder)) is not None:
        raise UsageError(problem)
    destination = os.path.abspath(os.path.expanduser(args.copy_to))
    return IngestRequest(folder, destination, rename=rename, subfolder=subfolder)

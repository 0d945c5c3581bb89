"""`curator list [--json] [--order …]` and `curator status [--json]`: what the
catalog holds, read-only (they work on a read-only catalog too).

`list` prints a line per photo (technical status, capture time, camera as
`camera_names.camera_name` says it, scores, path; a failed photo's reason
under it), or with `--json` one array of every field (`catalog.queries.
list_photos`). A path that is not valid UTF-8 keeps its bytes: JSON as
surrogate escapes, text as the raw bytes. `--order` walks the review order
(`pipeline.stages.score.review_order`) instead of capture time; `--person
NAME` keeps the photos with a face of that person (`catalog.people.naming`).

Both count photos as the gallery shows them: a RAW+JPEG pair (with the
`pair_raw_jpeg` setting on) is one photo, listed as its RAW with the JPEG under
`paired_with` and counted once, in `status`'s stages too (its `files` counts
both; a failure is listed per file, whichever file it is).

`status` prints the photo count, each stage's counts, the taste model and
every failure with its reason (`catalog.problems.status_report`).
"""

from __future__ import annotations

import argparse
import json
import os
from typing import Any, TextIO

from curator.camera_names import camera_name
from curator.catalog.approval import model_trusted, quality_text
from curator.catalog.problems import status_report
from curator.catalog.queries import list_photos
from curator.commands.base import EXIT_OK, CommandContext, printable

NAMES: tuple[str, ...] = ("list", "status")


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    p_list = sub.add_parser(
        "list", parents=[common], help="list catalogued photos with their fields"
    )
    p_list.add_argument(
        "--json",
        action="store_true",
        help="print JSON (one array). A file name that is not valid UTF-8 keeps its bytes "
        "as surrogate escapes (\\udc80-\\udcff, Python's os.fsdecode): decode it with "
        "os.fsencode, or pass the listed path back as is (e.g. to `curator keep`)",
    )
    p_list.add_argument(
        "--order",
        choices=["capture", "cull", "rating", "uncertain"],
        default="capture",
        help="cull: unreviewed photos, likely rejects first; rating: kept photos by time; "
        "uncertain: kept photos not rated yet, the ones the taste model is least sure of first",
    )
    p_list.add_argument(
        "--person",
        metavar="NAME",
        help="only the photos with a face of this person (a name, or an id: `curator people`)",
    )
    p_list.set_defaults(handler=cmd_list, read_only=True)

    p_status = sub.add_parser(
        "status", parents=[common], help="photo and per-stage counts, failures"
    )
    p_status.add_argument("--json", action="store_true", help="print JSON")
    p_status.set_defaults(handler=cmd_status, read_only=True)


def cmd_list(args: argparse.Namespace, ctx: CommandContext) -> int:
    """List photos. Paths keep a non-UTF-8 name's exact bytes: JSON as surrogate
    escapes (``\\udcXX``, ASCII-only output), text as the raw bytes."""
    out = ctx.out
    photos = list_photos(ctx.settings.match_threshold)
    if args.order != "capture":
        from curator.pipeline.stages.judgments import embedding_model_id
        from curator.pipeline.stages.score import review_order

        pass_ = "cull" if args.order == "cull" else "rating"
        ids = review_order(
            pass_, embedding_model_id(ctx.settings), uncertain_first=args.order == "uncertain"
        )
        by_id = {p["id"]: p for p in photos}
        photos = [by_id[i] for i in ids if i in by_id]
    if args.person is not None:
        from curator.catalog.people.naming import photos_of_person

        theirs = photos_of_person(args.person)
        photos = [p for p in photos if p["id"] in theirs]
    if args.json:
        json.dump(photos, out, indent=None, ensure_ascii=True)
        out.write("\n")
        return EXIT_OK
    for p in photos:
        tech = p["stages"]["technical"]
        cam = camera_name(p["camera_make"], p["camera_model"]) or "-"
        sharp = f"{p['sharpness_score']:.0f}" if p["sharpness_score"] is not None else "-"
        expo = f"{p['exposure_score']:.0f}" if p["exposure_score"] is not None else "-"
        when = p["captured_at"] or "-"
        line = (
            f"{tech['status']:<8} {when:<26} {cam:<28} sharp {sharp:>3} expo {expo:>3}  "
            f"{printable(p['path'])}"
        )
        if p["paired_with"]:  # one photo of two files, as the gallery's RAW+JPEG tile
            names = ", ".join(os.path.basename(f) for f in p["paired_with"])
            line += f"  RAW+JPEG (+ {printable(names)})"
        if tech["status"] == "failed":
            line += f"\n         ↳ {printable(tech.get('reason'))}"
        _print_exact(line, out)
    print(f"{len(photos)} photos", file=out)
    return EXIT_OK


def _print_exact(line: str, out: TextIO) -> None:
    """Print `line`; a path's surrogate escapes go out as the name's original bytes."""
    try:
        print(line, file=out)
    except UnicodeEncodeError:
        data = (line + "\n").encode(out.encoding or "utf-8", "surrogateescape")
        buffer = getattr(out, "buffer", None)
        if buffer is None:
            print(data.decode("utf-8", "replace"), end="", file=out)
            return
        out.flush()
        buffer.write(data)


def cmd_status(args: argparse.Namespace, ctx: CommandContext) -> int:
    out = ctx.out
    report = status_report()
    bar = ctx.settings.match_approves_at
    trusted = model_trusted(bar)
    report["taste"]["match_approves"] = trusted
    report["taste"]["match_approves_at"] = bar
    from curator.pipeline.previews import missing_entries, plan_entries

    report["previews_missing"] = len(missing_entries(plan_entries(), ctx.paths.cache_dir))
    if args.json:
        json.dump(report, out)
        out.write("\n")
        return EXIT_OK
    files = report["files"] - report["photos"]  # the JPEGs that are one photo with a RAW
    pairs = f" ({report['files']} files: {files} RAW+JPEG)" if files else ""
    print(f"{report['photos']} photos in the catalog{pairs}", file=out)
    for stage, counts in report["stages"].items():
        parts = ", ".join(f"{n} {state}" for state, n in counts.items() if n)
        print(f"  {stage}: {parts or 'nothing yet'}", file=out)
    taste = report["taste"]
    whose = "" if taste.get("owner") is None else f" ({taste['owner']}'s decisions)"
    if taste["version"] is None:
        print(
            f"  taste model{whose}: none yet (it trains after 10 ratings, rejects or picks)",
            file=out,
        )
    else:
        quality = quality_text(
            taste["samples"], taste["spearman"], taste["spearman_low"], taste["spearman_high"]
        )
        print(f"  taste model{whose}: v{taste['version']}, {quality}", file=out)
        verdict = "yes" if trusted else "no"
        print(
            f"  its MATCH approves kept, unrated photos for export: {verdict} "
            f"(needs 20+ decisions and a held-out Spearman ≥ {bar:g}, setting "
            "match_approves_at)",
            file=out,
        )
    if report["previews_missing"]:
        print(
            f"  previews: {report['previews_missing']} photos lack one in the cache "
            "(made again when shown; all now: curator previews --rebuild)",
            file=out,
        )
    if report["failed"]:
        print(f"{len(report['failed'])} failed:", file=out)
        for f in report["failed"]:
            where, why = printable(f["path"]), printable(f["reason"])
            print(f"  [{f['stage']}] {where}\n      {why}", file=out)
    return EXIT_OK

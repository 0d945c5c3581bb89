"""`curator export (--approved | --project NAME) DEST`: send a set out of the catalog.

Plans on the CLI's open catalog (`export.plan.plan_export`), then runs the
file work inline (`export.run.run_export`) with a tqdm bar on stderr (count,
rate, ETA) unless `--json` or `--no-progress`. The first Ctrl+C asks the run
to stop after the file in hand (no partial file is left; the manifest lists
what was finished); exit codes: 0 done, 1 some file failed, 2 bad usage
(unknown project, DEST is a file), 130 cancelled.
"""

from __future__ import annotations

import argparse
import json
import os
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any

from curator.commands.base import (
    EXIT_CANCELLED,
    EXIT_INTERNAL,
    EXIT_OK,
    CommandContext,
    UsageError,
    first_ctrl_c_cancels,
)

if TYPE_CHECKING:
    from curator.export.plan import ExportPlan
    from curator.export.types import ExportProgress, ExportResult

NAMES = ("export",)
MIN_EDGE, MAX_EDGE = 64, 30_000


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser(
        "export",
        parents=[common],
        help="export the approved photos or a project to a folder",
        description="Copy the approved set (into DEST/approved/) or a project "
        "(into DEST/<project>/) as copies of the originals (pixels untouched; a "
        "JPEG, PNG, TIFF or DNG carries the decisions in its own XMP) or JPEG "
        "renditions, with XMP sidecars and a manifest.json. Never overwrites; "
        "a re-run adds only what is missing.",
    )
    which = p.add_mutually_exclusive_group(required=True)
    which.add_argument(
        "--approved",
        action="store_true",
        help="photos you rated 4-5 or picked, or kept and the taste model likes "
        "(never a rejected or unjudged one)",
    )
    which.add_argument("--project", metavar="NAME", help="the members of this project")
    p.add_argument("dest", metavar="DEST", help="destination folder (created if needed)")
    p.add_argument(
        "--renditions",
        type=int,
        metavar="LONG_EDGE",
        help="write JPEGs with this long edge in pixels instead of the originals",
    )
    p.add_argument(
        "--pairs",
        choices=("both", "raw", "jpeg"),
        help="which files of a RAW+JPEG photo go out (default: the pair_export setting, both)",
    )
    p.add_argument("--dry-run", action="store_true", help="list what would go out; write nothing")
    p.add_argument("--json", action="store_true", help="print the result as JSON")
    p.add_argument("--no-progress", action="store_true", help="do not draw a progress bar")
    p.set_defaults(handler=cmd_export, read_only=True)


def cmd_export(args: argparse.Namespace, ctx: CommandContext) -> int:
    from curator.export.names import UnsafeFolderError
    from curator.export.plan import UnknownProjectError, plan_export
    from curator.export.types import ExportRequest

    dest = Path(os.path.abspath(os.path.expanduser(args.dest)))
    if dest.exists() and not dest.is_dir():
        raise UsageError(f"DEST is a file, not a folder: {args.dest}")
    edge = args.renditions
    if edge is not None and not MIN_EDGE <= edge <= MAX_EDGE:
        raise UsageError(f"--renditions is a long edge of {MIN_EDGE} to {MAX_EDGE} pixels")
    request = ExportRequest(
        dest=dest,
        project=args.project,
        renditions_long_edge=edge,
        dry_run=args.dry_run,
        match_threshold=ctx.settings.match_threshold,
        sidecar_names=ctx.settings.xmp_sidecar_names,
        match_min_quality=ctx.settings.match_approves_at,
        pairs=args.pairs or ctx.settings.pair_export,
    )
    try:
        plan = plan_export(request)
    except (UnknownProjectError, UnsafeFolderError) as exc:
        raise UsageError(str(exc)) from exc
    quiet = args.json or args.no_progress or args.dry_run
    result = _run_with_ctrl_c(plan, show_bar=not quiet, ctx=ctx)
    if args.json:
        payload = result.to_json()
        payload["left_out"] = [{"path": path, "reason": why} for path, why in plan.left_out]
        print(json.dumps(payload, ensure_ascii=True), file=ctx.out)
    else:
        _print_summary(plan, result, ctx)
    if result.error:
        print(f"curator: {result.error}", file=ctx.err)
    if result.cancelled:
        print("curator: export cancelled; finished files were kept.", file=ctx.err)
        return EXIT_CANCELLED
    failed = result.error or any(f.status == "failed" for f in result.files)
    return EXIT_INTERNAL if failed else EXIT_OK


def _run_with_ctrl_c(plan: ExportPlan, *, show_bar: bool, ctx: CommandContext) -> ExportResult:
    """run_export with the first Ctrl+C turned into a cancel (the second one interrupts)."""
    from curator.export.run import run_export

    cancel = threading.Event()
    bar = _Bar(ctx, len(plan.files)) if show_bar and plan.files else None
    try:
        with first_ctrl_c_cancels(cancel):
            return run_export(plan, progress=bar.update if bar else None, cancel=cancel)
    finally:
        if bar is not None:
            bar.close()


class _Bar:
    """A tqdm bar over photos (tqdm shows the rate and ETA)."""

    def __init__(self, ctx: CommandContext, total: int) -> None:
        from tqdm import tqdm

        self.bar = tqdm(total=total, unit="photo", file=ctx.err, desc="export", leave=False)

    def update(self, p: ExportProgress) -> None:
        if p.done > self.bar.n:
            self.bar.update(p.done - self.bar.n)

    def close(self) -> None:
        self.bar.close()


def _print_summary(plan: ExportPlan, result: ExportResult, ctx: CommandContext) -> None:
    if not plan.files:
        why = (
            "no photo is approved yet (approved: kept, picked or rated by you, not "
            "rejected, and rated 4-5, picked, or liked by the taste model)"
            if plan.request.project is None
            else f"the project {plan.set_name!r} has no photo to send"
        )
        print(f"Nothing to export: {why}.", file=ctx.out)
        for path, reason in plan.left_out:
            print(f"  left out ({reason}): {path}", file=ctx.out)
        return
    data = result.to_json()
    verb = "would export" if plan.request.dry_run else "exported"
    kind = (
        f"{plan.request.renditions_long_edge} px JPEG renditions"
        if plan.request.renditions_long_edge
        else "originals"
    )
    print(
        f"{plan.set_name}: {verb} {data['exported']} ({kind}), "
        f"{data['skipped_existing']} already there"
        + (f" ({data['refreshed']} with their XMP brought up to date)" if data["refreshed"] else "")
        + f", {data['failed']} failed → {plan.folder}",
        file=ctx.out,
    )
    for f in result.files:
        if plan.request.dry_run or f.status == "failed":
            line = f"  {f.status:<16} {f.name}"
            if f.message:
                line += f"\n      {f.message}"
            print(line, file=ctx.out)
    for path, why in plan.left_out:
        print(f"  left out ({why}): {path}", file=ctx.out)

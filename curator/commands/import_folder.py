"""`curator import FOLDER [--stages …] [--workers N] [--retry-failed] [--ray ADDRESS] [--json]`
and `curator describe [--redo] [--json]`: the pipeline's runs to their end.

Imports a folder through the window's pipeline (`pipeline.importer.run_headless`),
with a progress bar on stderr unless `--no-progress`, after the one import
check (`fs.folders.folder_problem`). With `--ray ADDRESS` (or `ray_address`)
the technical, embed and describe work runs on that Ray cluster
(engine/cluster.py). Output: a summary (found, new, changed, moved, … failed; a
line per stage), or with `--json` one object of `IMPORT_FIELDS`. Exit codes
(`base.run_exit_code`): 0 ran (failed photos included), 1 some results could
not be saved, 2 bad usage (no such folder, unknown stage, an unusable Ray
cluster), 3 a storage fault stopped the run, 130 cancelled.

`curator describe` back-fills descriptions for photos without one (or, with
`--redo`, described by another model or prompt version), then runs the score
step. Output: the describe stage's counts and reason (`--json`: one object).
Exit codes as an import's.
"""

from __future__ import annotations

import argparse
import json
import os
from dataclasses import replace
from typing import Any, TextIO

from curator.catalog.models import Stage
from curator.commands.base import (
    CommandContext,
    JsonField,
    UsageError,
    printable,
    run_exit_code,
    shaped,
)

NAMES: tuple[str, ...] = ("import", "describe")
KNOWN_STAGES = tuple(s.value for s in Stage)

F = JsonField
# `curator import --json`: one object.
IMPORT_FIELDS: tuple[JsonField, ...] = (
    F("found", "photo files found under the folder"),
    F("new", "photos new to the catalog"),
    F("duplicates", "files whose bytes the catalog already holds under another path"),
    F("moved", "photos found at a new path (their decisions kept)"),
    F("restored", "missing photos whose bytes came back"),
    F("changed", "files whose bytes changed, measured again"),
    F("unchanged", "files read before and not changed (nothing read again)"),
    F("failed", "files that failed (each in the Failed lane with its reason)"),
    F("skipped_deleted", "files whose bytes belong to a photo you moved to the trash: "
      "never brought back"),
    F("missing", "photos whose every file vanished (kept with their decisions)"),
    F("write_failed", "results that could not be saved (the run exits 1; import again)"),
    F("xmp_applied", "photos that took ratings, flags, labels or keywords from XMP"),
    F("xmp_default_stars_skipped", "darktable sidecars whose 1 star was darktable's "
      "import default, read as not rated"),
    F("xmp_extra_labels", "darktable sidecars with more than one color label"),
    F("xmp_faces_named", "faces named from the face regions another tool named"),
    F("scan_problems", "folders that could not be read (their photos skipped)", many=True,
      fields=(F("path", "the folder"), F("reason", "why, in a sentence"))),
    F("xmp_problems", "sidecars and embedded XMP that could not be read (broken, or refused "
      "for declaring a DOCTYPE or entities): nothing taken from them", many=True,
      fields=(F("path", "the photo"), F("reason", "the sentence, naming the file"))),
    F("elapsed_s", "how long the import took, in seconds"),
    F("cancelled", "true when it was stopped (Ctrl+C): what was finished is kept"),
    F("stages", "each later stage's counts by stage (done, failed, skipped…; the score "
      "step's `bursts`, and `duplicate_groups`: the groups of near-duplicates its new "
      "photos are in; the faces stage's `looked_again` and `found_again`; the people "
      "step's `forgotten`)"),
    F("stage_times", "for each stage that ran", keyed_by="stage", fields=(
        F("ran_s", "how long it ran, in seconds"),
        F("finished_at_s", "when it ended, in seconds after the import began"),
    )),
    F("error", "the sentence of a fault that stopped the run (absent when none)"),
    F("cluster", "the Ray cluster the heavy stages ran on (absent on this computer)"),
)  # fmt: skip
del F


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    p_import = sub.add_parser("import", parents=[common], help="import a folder of photos")
    p_import.add_argument("folder", help="folder to import (searched recursively)")
    p_import.add_argument("--json", action="store_true", help="print the summary as JSON")
    p_import.add_argument(
        "--stages",
        default=",".join(KNOWN_STAGES),
        help=f"stages to run (known: {', '.join(KNOWN_STAGES)})",
    )
    p_import.add_argument(
        "--workers", type=int, metavar="N", help="decode processes (default: settings)"
    )
    p_import.add_argument(
        "--retry-failed", action="store_true", help="retry photos that failed before"
    )
    p_import.add_argument("--no-progress", action="store_true", help="do not draw a progress bar")
    p_import.add_argument(
        "--ray",
        metavar="ADDRESS",
        help="run the technical, embed and describe stages on this Ray cluster "
        "(auto, host:6379, ray://host:10001; default: the ray_address setting)",
    )
    p_import.set_defaults(handler=cmd_import)
    p_describe = sub.add_parser(
        "describe",
        parents=[common],
        help="describe photos that have no description yet (back-fill)",
    )
    p_describe.add_argument("--json", action="store_true", help="print the summary as JSON")
    p_describe.add_argument(
        "--redo",
        action="store_true",
        help="describe again the photos described by another model or prompt version",
    )
    p_describe.set_defaults(handler=cmd_describe)


def cmd_import(args: argparse.Namespace, ctx: CommandContext) -> int:
    from curator.fs.folders import folder_problem

    if (problem := folder_problem(args.folder)) is not None:
        raise UsageError(problem.line)
    folder = os.path.abspath(os.path.expanduser(args.folder))
    stages = parse_stages(args.stages)
    if args.workers is not None and not 1 <= args.workers <= 64:
        raise UsageError("--workers must be between 1 and 64")
    settings = ctx.settings
    if args.workers:
        settings = replace(settings, decode_workers=args.workers)
    if args.ray is not None:
        settings = replace(settings, ray_address=args.ray.strip())
    if settings.ray_address:
        join_cluster(settings.ray_address, ctx.err)
    from curator.pipeline.decoders import start_decoders_early

    # The first decoder child starts (and loads the face networks) while the
    # pipeline below is imported.
    decoders = start_decoders_early(settings, stages)
    from curator.pipeline.importer import run_headless
    from curator.pipeline.service import RunRequest

    request = RunRequest(folder=folder, stages=tuple(stages), retry_failed=args.retry_failed)
    report = run_headless(
        request,
        catalog_path=ctx.catalog.path,
        cache_dir=ctx.paths.cache_dir,
        settings=settings,
        progress_stream=None if args.no_progress else ctx.err,
        processes=decoders,
    )
    summary = report.counts
    if args.json:
        payload: dict[str, Any] = dict(summary)
        payload["scan_problems"] = [
            {"path": p.path, "reason": p.message} for p in report.scan_problems
        ]
        payload["xmp_problems"] = [{"path": p, "reason": why} for p, why in report.xmp_unread]
        payload["elapsed_s"] = round(report.elapsed_s, 3)
        payload["cancelled"] = report.cancelled
        payload["stages"] = report.stages
        payload["stage_times"] = report.stage_times
        if report.error:
            payload["error"] = report.error
        if report.cluster:
            payload["cluster"] = report.cluster
        print(json.dumps(shaped(payload, IMPORT_FIELDS)), file=ctx.out)
    else:
        _print_import_summary(summary, report, ctx.out)
    return run_exit_code(report, ctx.err)


def join_cluster(address: str, err: TextIO) -> None:
    """Connect to the Ray cluster before anything is scanned: one that cannot
    be used is the user's to fix (exit 2, with the sentence); then the run's
    own connection is this one (engine.cluster.connect keeps it)."""
    from curator.engine.cluster import ClusterUnavailable, connect, unavailable_reason

    reason = unavailable_reason()
    if reason is not None:
        raise UsageError(reason)
    try:
        cluster = connect(address)
    except ClusterUnavailable as exc:
        raise UsageError(exc.message) from exc
    print(f"Using the Ray cluster at {address}: {cluster.describe()}.", file=err)


def _print_import_summary(summary: dict[str, int], result: Any, out: TextIO) -> None:
    elapsed = result.elapsed_s
    rate = f" ({summary['found'] / elapsed:.1f} files/s)" if elapsed > 0 else ""
    head = "Import cancelled — finished work was kept" if result.cancelled else "Import finished"
    if result.error:
        head = "Import stopped — finished work was kept"
    print(f"{head} in {elapsed:.1f} s{rate}.", file=out)
    line = (
        f"  {summary['found']} found: {summary['new']} new, {summary['changed']} changed, "
        f"{summary['moved']} moved, {summary['restored']} restored, "
        f"{summary['duplicates']} duplicates, "
        f"{summary['unchanged']} unchanged, {summary['missing']} missing, "
        f"{summary['failed']} failed"
    )
    if summary["write_failed"]:
        line += f", {summary['write_failed']} not saved"
    if summary.get("skipped_deleted"):
        line += f", {summary['skipped_deleted']} skipped (trashed before)"
    print(line, file=out)
    if summary.get("xmp_applied"):
        print(
            f"  {summary['xmp_applied']} took ratings, flags, labels or keywords from XMP",
            file=out,
        )
    if summary.get("xmp_default_stars_skipped"):
        print(
            f"  {summary['xmp_default_stars_skipped']} darktable sidecars said 1 star, "
            "darktable's import default: read as not rated "
            "(setting xmp_darktable_one_star_is_rating)",
            file=out,
        )
    if summary.get("xmp_extra_labels"):
        print(
            f"  {summary['xmp_extra_labels']} darktable sidecars had more than one color "
            "label: the first became the label, the others stay in the sidecar",
            file=out,
        )
    if result.cluster:
        print(f"  on the Ray cluster at {result.cluster}", file=out)
    for p in result.scan_problems:
        print(f"  skipped {p.path}: {p.message}", file=out)
    for _path, why in result.xmp_unread:
        print(f"  {printable(why)}", file=out)
    for stage, counts in result.stages.items():
        parts = ", ".join(
            f"{v} {k.replace('_', ' ')}"  # "5 found again", not "5 found_again"
            for k, v in counts.items()
            if k != "reason" and v is not None
        )
        print(f"  {stage}: {parts or 'nothing to do'}", file=out)
        if counts.get("reason"):
            print(f"      {counts['reason']}", file=out)
    if summary["failed"]:
        print("  Run `curator status` to see why each failed photo failed.", file=out)


def parse_stages(text: str) -> list[str]:
    """The stage names of --stages, in order; a sentence for an unknown one."""
    stages = [s.strip() for s in text.split(",") if s.strip()]
    unknown = [s for s in stages if s not in KNOWN_STAGES]
    if unknown or not stages:
        raise UsageError(
            f"unknown stage {', '.join(unknown) or '(none given)'}; "
            f"known stages: {', '.join(KNOWN_STAGES)}"
        )
    return stages


def cmd_describe(args: argparse.Namespace, ctx: CommandContext) -> int:
    """Back-fill descriptions, then the score step (see the module docstring)."""
    from curator.pipeline.importer import run_headless
    from curator.pipeline.service import RunRequest

    report = run_headless(
        RunRequest(stages=("describe", "score"), redo_descriptions=args.redo),
        catalog_path=ctx.paths.catalog,
        cache_dir=ctx.paths.cache_dir,
        settings=ctx.settings,
        progress_stream=ctx.err,
    )
    counts = report.stages.get("describe", {})
    if args.json:
        print(json.dumps(counts), file=ctx.out)
    else:
        parts = ", ".join(f"{v} {k}" for k, v in counts.items() if k != "reason")
        print(f"describe: {parts or 'nothing to describe'}", file=ctx.out)
        if counts.get("reason"):
            print(f"  {counts['reason']}", file=ctx.out)
    return run_exit_code(report, ctx.err)

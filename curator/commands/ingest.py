"""`curator ingest SOURCE --to DEST [--backup DEST2] [--rename TEMPLATE]
[--subfolder TEMPLATE] [--dry-run] [--json] [--no-progress]`.

Copies every photo under SOURCE (with its sidecars and companions) into DEST
and DEST2, verified, named by the templates (`ingest_rename`,
`ingest_subfolder`), skipping what was ingested before (`curator.ingest`),
then imports the DEST copies as `curator import` would
(`pipeline.importer.run_headless`). SOURCE is never written nor catalogued.
`--dry-run` prints the names the files would get.

Output: the summary, then the import's counts; `--json`: one object
(`ingest.summary.result_json`, plus "import", or "planned" with `--dry-run`).
Exit codes: 0 all copied, verified and imported; 1 something was not (ingest
again to finish); 2 bad usage; 3 a storage fault stopped the import; 130
cancelled (what was copied stays).
"""

from __future__ import annotations

import argparse
import json
import threading
from typing import TYPE_CHECKING, Any, TextIO

from curator.commands.base import (
    EXIT_CANCELLED,
    EXIT_INTERNAL,
    EXIT_OK,
    CommandContext,
    UsageError,
    first_ctrl_c_cancels,
    printable,
    run_exit_code,
)

if TYPE_CHECKING:
    from curator.ingest.plan import IngestPlan
    from curator.ingest.types import IngestProgress, IngestResult
    from curator.pipeline.report import RunReport
    from curator.settings import Settings

NAMES: tuple[str, ...] = ("ingest",)


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser(
        "ingest",
        parents=[common],
        help="copy a card into DEST (and a backup), verified and renamed, then import it",
    )
    p.add_argument("source", help="the card's DCIM folder, or any folder of photos")
    p.add_argument("--to", required=True, metavar="DEST", help="where the working copies go")
    p.add_argument("--backup", metavar="DEST2", help="a second copy (best on another disk)")
    add_template_options(p)
    p.add_argument("--dry-run", action="store_true", help="print the names; copy nothing")
    p.add_argument("--json", action="store_true", help="print the summary as JSON")
    p.add_argument("--no-progress", action="store_true", help="do not draw progress bars")
    p.set_defaults(handler=cmd_ingest)


def add_template_options(parser: argparse.ArgumentParser) -> None:
    """`--rename` and `--subfolder`: how the copies are named (ingest, watch --copy-to)."""
    parser.add_argument(
        "--rename", metavar="TEMPLATE", help="file names, e.g. {date:%%Y%%m%%d}-{seq}"
    )
    parser.add_argument(
        "--subfolder", metavar="TEMPLATE", help="folders, e.g. {date:%%Y}/{date:%%m-%%d}"
    )


def templates(args: argparse.Namespace, settings: Settings) -> tuple[str, str]:
    """The rename and subfolder templates asked for, else the settings' (the last used)."""
    rename = args.rename or settings.ingest_rename
    return rename, args.subfolder if args.subfolder is not None else settings.ingest_subfolder


def cmd_ingest(args: argparse.Namespace, ctx: CommandContext) -> int:
    from curator.fs.folders import folder_problem
    from curator.ingest.plan import IngestRefused, plan_ingest
    from curator.ingest.types import IngestRequest

    if (problem := folder_problem(args.source)) is not None:
        raise UsageError(problem.line)  # the import's sentence, as `curator import` says it
    rename, subfolder = templates(args, ctx.settings)
    request = IngestRequest(
        source=args.source,
        destination=args.to,
        backup=args.backup,
        rename=rename,
        subfolder=subfolder,
    )
    try:
        plan = plan_ingest(request)
    except IngestRefused as exc:
        raise UsageError(str(exc)) from None
    if args.dry_run:
        return _dry_run(plan, args.json, ctx.out)
    result = _copy(plan, None if args.no_progress else ctx.err)
    report = None
    if result.catalog_paths and not result.cancelled:
        report = _import(result.catalog_paths, ctx, None if args.no_progress else ctx.err)
    _print(result, report, args.json, ctx.out)
    if result.cancelled:
        return EXIT_CANCELLED
    code = EXIT_OK if report is None else run_exit_code(report, ctx.err)
    if code == EXIT_OK and not result.complete:
        return EXIT_INTERNAL
    return code


def _copy(plan: IngestPlan, stream: TextIO | None) -> IngestResult:
    """The copy, with a bar of bytes read on `stream`; the first Ctrl+C stops it
    cleanly (the file being copied is dropped, what was placed stays)."""
    from curator.ingest.run import run_ingest

    cancel = threading.Event()
    bar = _Bar(stream)
    try:
        with first_ctrl_c_cancels(cancel):
            return run_ingest(plan, progress=bar.show, cancel=cancel)
    finally:
        bar.close()


class _Bar:
    def __init__(self, stream: TextIO | None):
        self.stream = stream
        self.bar: Any = None

    def show(self, p: IngestProgress) -> None:
        if self.stream is None:
            return
        if self.bar is None:
            from tqdm import tqdm

            self.bar = tqdm(
                total=p.bytes_total,
                unit="B",
                unit_scale=True,
                desc="Copying",
                file=self.stream,
                mininterval=0.2 if self.stream.isatty() else 5.0,
                dynamic_ncols=True,
            )
        self.bar.update(p.bytes_done - self.bar.n)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


def _import(paths: list[str], ctx: CommandContext, stream: TextIO | None) -> RunReport:
    """The DEST copies into the catalog: the one pipeline, as `curator import`."""
    from curator.pipeline.importer import run_headless
    from curator.pipeline.report import RunRequest

    return run_headless(
        RunRequest(paths=tuple(paths)),
        catalog_path=ctx.catalog.path,
        cache_dir=ctx.paths.cache_dir,
        settings=ctx.settings,
        progress_stream=stream,
    )


def _dry_run(plan: IngestPlan, as_json: bool, out: TextIO) -> int:
    from curator.ingest.plan import preview_names
    from curator.ingest.summary import planned_json

    names = preview_names(plan)
    roots = [str(d.root) for d in plan.destinations]
    if as_json:
        payload = {
            "dry_run": True,
            "source": plan.request.source,
            "destinations": roots,
            "found": plan.scan.photos,
            "planned": planned_json(names),
        }
        print(json.dumps(payload), file=out)
        return EXIT_OK
    copying = sum(1 for n in names if n.copy)
    print(
        f"Dry run — nothing copied. {plan.scan.photos:,} photos in {plan.request.source}; "
        f"{copying:,} files would go to {' and '.join(roots)}:",
        file=out,
    )
    for n in names:
        where = n.target if n.copy else f"{n.target or '—'} (ingested before: skipped)"
        print(f"  {printable(n.source)} → {printable(where)}", file=out)
    print(
        "Files the destinations have not seen are checked against the catalog by their "
        "contents as they are copied (those ingested before are skipped then).",
        file=out,
    )
    return EXIT_OK


def _print(result: IngestResult, report: RunReport | None, as_json: bool, out: TextIO) -> None:
    from curator.ingest.summary import headline, result_json, summary_lines

    if as_json:
        payload = result_json(result)
        if report is not None:
            payload["import"] = dict(report.counts)
            payload["import"]["stages"] = report.stages
            if report.error:
                payload["import"]["error"] = report.error
        print(json.dumps(payload), file=out)
        return
    print(headline(result), file=out)
    for line in summary_lines(result):
        print(f"  {printable(line)}", file=out)
    if report is not None:
        c = report.counts
        print(
            f"Imported the copies into the catalog: {c['found']:,} files, {c['new']:,} new, "
            f"{c['unchanged']:,} unchanged, {c['failed']:,} failed "
            f"({report.elapsed_s:.1f} s).",
            file=out,
        )
        for stage, counts in report.stages.items():
            parts = ", ".join(f"{v} {k}" for k, v in counts.items() if k != "reason" and v)
            print(f"  {stage}: {parts or 'nothing to do'}", file=out)
            if counts.get("reason"):
                print(f"      {counts['reason']}", file=out)

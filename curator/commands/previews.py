"""`curator previews [--missing | --rebuild | --prune] [--json] [--no-progress]`:
the cache of previews and thumbnails (`pipeline.previews`).

- no option, or `--missing`: the cache's state and the photos missing a
  preview or thumbnail (`--missing` lists each);
- `--rebuild`: makes them again in decoder children (`decode_workers`) with a
  progress bar unless `--json` or `--no-progress`; Ctrl+C keeps what was made;
- `--prune`: deletes the cache files no photo uses.
Exit codes: 0 done; 1 a preview is still missing; 2 bad usage; 3 the catalog
cannot be opened; 130 cancelled. Only the cache folder is written.
"""

from __future__ import annotations

import argparse
import json
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from curator.commands.base import (
    EXIT_CANCELLED,
    EXIT_INTERNAL,
    EXIT_OK,
    CommandContext,
    first_ctrl_c_cancels,
    printable,
)

NAMES: tuple[str, ...] = ("previews",)


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser(
        "previews",
        parents=[common],
        help="show, rebuild or prune the cached previews and thumbnails",
        description="Previews and thumbnails are a cache made from the photos' files. "
        "Without an option: the cache folder and how many photos lack one.",
    )
    which = p.add_mutually_exclusive_group()
    which.add_argument("--missing", action="store_true", help="list the photos lacking one")
    which.add_argument(
        "--rebuild", action="store_true", help="make the missing or damaged ones again"
    )
    which.add_argument("--prune", action="store_true", help="delete cache files no photo uses")
    p.add_argument("--json", action="store_true", help="print the result as JSON")
    p.add_argument("--no-progress", action="store_true", help="do not draw a progress bar")
    p.set_defaults(handler=cmd_previews, read_only=True)


def cmd_previews(args: argparse.Namespace, ctx: CommandContext) -> int:
    from curator.imaging.cache import cache_folder_problem
    from curator.pipeline.previews import catalog_hashes, missing_entries, plan_entries

    cache_dir = ctx.paths.cache_dir
    if args.prune:
        return _prune(args, ctx, catalog_hashes())
    entries = plan_entries()
    checks = missing_entries(entries, cache_dir)
    problem = cache_folder_problem(cache_dir) if checks else None
    if args.rebuild:
        return _rebuild(args, ctx, checks)
    payload = {
        "cache_folder": str(cache_dir),
        "cache_problem": problem,
        "photos": len(entries),
        "missing": len(checks),
        "photos_missing": [
            {
                "id": c.entry.photo_id,
                "path": c.entry.path,
                "missing": list(c.missing),
                "damaged": list(c.damaged),
            }
            for c in checks
        ],
    }
    if args.json:
        print(json.dumps(payload, ensure_ascii=True), file=ctx.out)
        return EXIT_OK if not checks else EXIT_INTERNAL
    print(f"cache folder: {printable(cache_dir)}", file=ctx.out)
    if problem:
        print(f"  it {problem}", file=ctx.out)
    print(f"{len(checks)} of {len(entries)} photos lack a preview or thumbnail", file=ctx.out)
    if args.missing:
        for c in checks:
            what = "damaged" if c.damaged and not c.missing else "missing"
            print(f"  {what}: {printable(c.entry.path)}", file=ctx.out)
    elif checks:
        print("make them again: curator previews --rebuild", file=ctx.out)
    return EXIT_OK if not checks else EXIT_INTERNAL


def _rebuild(args: argparse.Namespace, ctx: CommandContext, checks: list[Any]) -> int:
    from curator.pipeline.previews import (
        EntryCheck,
        PreviewRebuilder,
        RebuildReport,
        note,
        report_sentence,
    )

    workers = max(1, ctx.settings.decode_workers)
    rebuilder = PreviewRebuilder(ctx.paths.cache_dir, workers)
    report = RebuildReport(total=len(checks))
    cancel = threading.Event()
    bar = None
    if checks and not (args.json or args.no_progress):
        from tqdm import tqdm

        bar = tqdm(total=len(checks), unit="photo", file=ctx.err, desc="previews", leave=False)
    lock = threading.Lock()

    def one(check: EntryCheck) -> None:
        if cancel.is_set():
            return
        outcome = rebuilder.rebuild(check.entry.request(rebuilder.cache_dir))
        with lock:
            note(report, check.entry, outcome)
            if bar is not None:
                bar.update(1)

    try:
        with (
            first_ctrl_c_cancels(cancel),
            ThreadPoolExecutor(workers, thread_name_prefix="previews") as pool,
        ):
            list(pool.map(one, checks))
    finally:
        rebuilder.close()
        if bar is not None:
            bar.close()
    report.cancelled = cancel.is_set()
    if args.json:
        payload = {
            "cache_folder": str(ctx.paths.cache_dir),
            "total": report.total,
            "rebuilt": report.rebuilt,
            "offline": report.offline,
            "failed": [{"path": p, "reason": why} for p, why in report.failed],
            "cache_problem": report.cache_problem,
            "cancelled": report.cancelled,
        }
        print(json.dumps(payload, ensure_ascii=True), file=ctx.out)
    else:
        print(report_sentence(report), file=ctx.out)
        for path in report.offline:
            print(f"  offline: {printable(path)}", file=ctx.out)
        for path, why in report.failed:
            print(f"  failed: {printable(path)}\n      {printable(why)}", file=ctx.out)
    if report.cancelled:
        print("curator: cancelled; the previews made so far were kept.", file=ctx.err)
        return EXIT_CANCELLED
    return EXIT_OK if report.rebuilt == report.total else EXIT_INTERNAL


def _prune(args: argparse.Namespace, ctx: CommandContext, hashes: set[str]) -> int:
    import contextlib

    from curator.pipeline.previews import unused_files

    unused = unused_files(ctx.paths.cache_dir, hashes)
    freed = 0
    deleted = 0
    for path in unused:
        with contextlib.suppress(OSError):
            size = path.stat().st_size
            path.unlink()
            freed += size
            deleted += 1
    if args.json:
        payload = {"cache_folder": str(ctx.paths.cache_dir), "deleted": deleted, "bytes": freed}
        print(json.dumps(payload, ensure_ascii=True), file=ctx.out)
    else:
        print(
            f"Deleted {deleted} cache files no photo uses ({freed / 1e6:.1f} MB) "
            f"from {printable(ctx.paths.cache_dir)}.",
            file=ctx.out,
        )
    return EXIT_OK if deleted == len(unused) else EXIT_INTERNAL

"""Headless commands over the same catalog and stages as the GUI.

Never imports curator.ui. Exit codes: 0 the command ran (an import with failed
photos still ran), 1 unexpected internal error, 2 bad usage or input (missing
folder, unknown stage), 3 the catalog or settings can't be used, 130 cancelled
with Ctrl+C (what was finished is kept).
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import signal
import sys
import threading
from collections.abc import Sequence
from types import FrameType, ModuleType
from typing import Any, TextIO

from curator.catalog.approval import model_trusted, quality_text
from curator.catalog.db import Catalog, CatalogError
from curator.catalog.models import Stage
from curator.catalog.queries import list_photos, status_report
from curator.catalog.storage import storage_problem
from curator.commands import GROUPS
from curator.commands.base import (
    EXIT_CANCELLED,
    EXIT_CATALOG,
    EXIT_INTERNAL,
    EXIT_OK,
    EXIT_USAGE,
    CommandContext,
    UsageError,
)
from curator.paths import AppPaths, resolve_paths
from curator.settings import Settings, SettingsError, load_settings

KNOWN_STAGES = tuple(s.value for s in Stage)
CORE_COMMANDS = (
    "import",
    "list",
    "status",
    "keep",
    "reject",
    "pick",
    "rate",
    "label",
    "describe",
    "doctor",
    "models",
)


def _group_modules() -> list[ModuleType]:
    return [importlib.import_module(name) for name in GROUPS]


COMMANDS = CORE_COMMANDS + tuple(n for m in _group_modules() for n in m.NAMES)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="curator", description="Curator: measure, describe and cull your photo archive."
    )
    catalog_help = "catalog file (default: your user data folder)"
    parser.add_argument("--catalog", metavar="PATH", help=catalog_help)
    parser.add_argument(  # handled by curator.__main__ before any parsing; listed for --help
        "--self-test",
        action="store_true",
        help="check this installation or bundle end to end (no display needed) and exit",
    )
    common = argparse.ArgumentParser(add_help=False)
    # Also accepted after the command; SUPPRESS keeps a value given before it.
    common.add_argument("--catalog", metavar="PATH", help=catalog_help, default=argparse.SUPPRESS)
    sub = parser.add_subparsers(dest="command", required=True)

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

    p_status = sub.add_parser(
        "status", parents=[common], help="photo and per-stage counts, failures"
    )
    p_status.add_argument("--json", action="store_true", help="print JSON")

    for name, what in (
        ("keep", "keep photos (cull pass)"),
        ("reject", "reject photos (a soft state: no file is touched)"),
        ("pick", "flag photos as picks (a pick is also kept)"),
    ):
        p = sub.add_parser(name, parents=[common], help=what)
        p.add_argument("--clear", action="store_true", help="undo this state for the photos")
        p.add_argument(
            "paths", nargs="+", metavar="PATH", help="photo files already in the catalog"
        )
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
    p_doctor = sub.add_parser(
        "doctor", parents=[common], help="check Ollama, the LLM, CLIP weights, GPU"
    )
    p_doctor.add_argument("--json", action="store_true", help="print JSON")
    p_models = sub.add_parser("models", parents=[common], help="manage model weights")
    p_models.add_argument("action", choices=["pull"], help="pull: download the CLIP weights now")
    p_rate = sub.add_parser("rate", parents=[common], help="rate photos 1-5 stars (0 clears)")
    p_rate.add_argument("--stars", type=int, required=True, metavar="N", help="1-5, or 0 to clear")
    p_rate.add_argument(
        "paths", nargs="+", metavar="PATH", help="photo files already in the catalog"
    )
    p_label = sub.add_parser(
        "label",
        parents=[common],
        help="set a color label (red, yellow, green, blue, purple; none clears)",
    )
    p_label.add_argument(
        "--color",
        required=True,
        metavar="COLOR",
        help="red, yellow, green, blue, purple, or none to clear",
    )
    p_label.add_argument(
        "paths", nargs="+", metavar="PATH", help="photo files already in the catalog"
    )
    for module in _group_modules():
        module.register(sub, common)
    return parser


# Commands that only read: they work on a read-only catalog (a write then says so).
READ_ONLY_COMMANDS = frozenset({"list", "status", "doctor", "models"})


def main(
    argv: Sequence[str] | None = None, *, out: TextIO | None = None, err: TextIO | None = None
) -> int:
    """Run one command; return its exit code (see the module docstring).

    Storage faults (disk full, read-only, a folder that can't be written) end
    with their sentence and exit 3, never a traceback; Ctrl+C ends with 130,
    and a Ctrl+C while the catalog closes is held until it is closed.
    """
    out = out or sys.stdout
    err = err or sys.stderr
    args = build_parser().parse_args(argv)
    opened: list[Catalog] = []
    try:
        try:
            code = _run_command(args, opened, out, err)
        except KeyboardInterrupt:
            print("curator: cancelled with Ctrl+C; finished work was kept.", file=err)
            code = EXIT_CANCELLED
    finally:
        interrupted = _close_holding_sigint(opened)
    return EXIT_CANCELLED if interrupted else code


def _run_command(args: argparse.Namespace, opened: list[Catalog], out: TextIO, err: TextIO) -> int:
    paths: AppPaths | None = None
    try:
        paths = resolve_paths(args.catalog)
        settings = load_settings(paths.settings_file)
        no_catalog = getattr(args, "no_catalog_handler", None)
        if no_catalog is not None:  # e.g. restore: the catalog may be the damaged one
            return int(no_catalog(args, paths, settings, out, err))
        read_only = args.command in READ_ONLY_COMMANDS or getattr(args, "read_only", False)
        catalog = Catalog.open(paths.catalog, read_only_ok=read_only)
        opened.append(catalog)
        handler = getattr(args, "handler", None)
        if handler is not None:
            return int(handler(args, CommandContext(catalog, paths, settings, out, err)))
        if args.command == "import":
            return cmd_import(args, catalog, paths, settings, out, err)
        if args.command == "list":
            return cmd_list(args, settings, out)
        if args.command == "status":
            return cmd_status(args, out, settings)
        if args.command in ("keep", "reject", "pick", "rate", "label"):
            return cmd_decide(args, settings, out, err)
        if args.command == "describe":
            return cmd_describe(args, paths, settings, out, err)
        if args.command == "doctor":
            from curator.install.doctor import run_doctor

            return run_doctor(settings, json_output=args.json, out=out)
        if args.command == "models":
            return cmd_models_pull(settings, out, err)
    except UsageError as exc:
        print(f"curator: {exc}", file=err)
        return EXIT_USAGE
    except (CatalogError, SettingsError) as exc:
        print(f"curator: {exc}", file=err)
        return EXIT_CATALOG
    except Exception as exc:
        problem = storage_problem(exc, what=_written_path(exc, paths))
        if problem is None:
            raise
        print(f"curator: {problem}", file=err)
        return EXIT_CATALOG
    raise AssertionError(f"unhandled command {args.command}")


def _written_path(exc: BaseException, paths: AppPaths | None) -> str:
    """What a failed write was writing: the OSError's file, else the catalog."""
    filename = getattr(exc, "filename", None)
    if isinstance(filename, str | bytes):
        return os.fsdecode(filename)
    return str(paths.catalog) if paths is not None else "the catalog"


def _close_holding_sigint(opened: list[Catalog]) -> bool:
    """Close the catalog with Ctrl+C held off; True when Ctrl+C came meanwhile.

    Closing checkpoints the WAL; a KeyboardInterrupt raised in the middle
    would print a traceback on the way out (SQLite itself stays consistent).
    """
    if not opened:
        return False
    interrupted = False

    def hold(signum: int, frame: FrameType | None) -> None:
        nonlocal interrupted
        interrupted = True

    in_main_thread = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGINT, hold) if in_main_thread else None
    try:
        try:
            opened[0].close()
        except KeyboardInterrupt:
            interrupted = True
    finally:
        if in_main_thread:
            signal.signal(signal.SIGINT, previous or signal.default_int_handler)
    return interrupted


def _parse_stages(text: str) -> list[str]:
    stages = [s.strip() for s in text.split(",") if s.strip()]
    unknown = [s for s in stages if s not in KNOWN_STAGES]
    if unknown or not stages:
        raise UsageError(
            f"unknown stage {', '.join(unknown) or '(none given)'}; "
            f"known stages: {', '.join(KNOWN_STAGES)}"
        )
    return stages


def cmd_import(
    args: argparse.Namespace,
    catalog: Catalog,
    paths: AppPaths,
    settings: Settings,
    out: TextIO,
    err: TextIO,
) -> int:
    from curator.pipeline.importer import run_headless
    from curator.pipeline.service import RunRequest

    folder = os.path.abspath(os.path.expanduser(args.folder))
    if not os.path.exists(folder):
        raise UsageError(f"folder not found: {args.folder}")
    if not os.path.isdir(folder):
        raise UsageError(f"not a folder: {args.folder} (give the folder that holds the photos)")
    if not os.access(folder, os.R_OK | os.X_OK):
        raise UsageError(
            f"Curator is not allowed to read the folder {args.folder} (permission denied)"
        )
    stages = _parse_stages(args.stages)
    if args.workers is not None and not 1 <= args.workers <= 64:
        raise UsageError("--workers must be between 1 and 64")
    if args.workers:
        settings = settings.model_copy(update={"decode_workers": args.workers})
    request = RunRequest(folder=folder, stages=tuple(stages), retry_failed=args.retry_failed)
    report = run_headless(
        request,
        catalog_path=catalog.path,
        cache_dir=paths.cache_dir,
        settings=settings,
        progress_stream=None if args.no_progress else err,
    )
    summary = report.counts
    if args.json:
        payload: dict[str, Any] = dict(summary)
        payload["scan_problems"] = [
            {"path": p.path, "reason": p.message} for p in report.scan_problems
        ]
        payload["elapsed_s"] = round(report.elapsed_s, 3)
        payload["cancelled"] = report.cancelled
        payload["stages"] = report.stages
        if report.error:
            payload["error"] = report.error
        print(json.dumps(payload), file=out)
    else:
        _print_import_summary(summary, report, out)
    return _run_exit_code(report, err)


def _run_exit_code(report: Any, err: TextIO) -> int:
    """130 cancelled; 3 a storage fault stopped the run; 1 results not saved."""
    if report.error:
        print(f"curator: {report.error}", file=err)
        return EXIT_CATALOG
    if report.cancelled:
        return EXIT_CANCELLED
    if report.counts.get("write_failed") or any(
        counts.get("write_failed") for counts in report.stages.values()
    ):
        print(
            "curator: some results could not be saved in the catalog "
            "(see `curator status`); run the import again.",
            file=err,
        )
        return EXIT_INTERNAL
    return EXIT_OK


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
    for p in result.scan_problems:
        print(f"  skipped folder {p.path}: {p.message}", file=out)
    for stage, counts in result.stages.items():
        parts = ", ".join(f"{v} {k}" for k, v in counts.items() if k != "reason" and v is not None)
        print(f"  {stage}: {parts or 'nothing to do'}", file=out)
        if counts.get("reason"):
            print(f"      {counts['reason']}", file=out)
    if summary["failed"]:
        print("  Run `curator status` to see why each failed photo failed.", file=out)


def cmd_list(args: argparse.Namespace, settings: Settings, out: TextIO) -> int:
    """List photos. Paths keep a non-UTF-8 name's exact bytes: JSON as surrogate
    escapes (``\\udcXX``, ASCII-only output), text as the raw bytes."""
    photos = list_photos(settings.match_threshold)
    if args.order != "capture":
        from curator.pipeline.stages.judgments import embedding_model_id
        from curator.pipeline.stages.score import review_order

        pass_ = "cull" if args.order == "cull" else "rating"
        ids = review_order(
            pass_, embedding_model_id(settings), uncertain_first=args.order == "uncertain"
        )
        by_id = {p["id"]: p for p in photos}
        photos = [by_id[i] for i in ids if i in by_id]
    if args.json:
        json.dump(photos, out, indent=None, ensure_ascii=True)
        out.write("\n")
        return EXIT_OK
    for p in photos:
        tech = p["stages"]["technical"]
        cam = " ".join(x for x in (p["camera_make"], p["camera_model"]) if x) or "-"
        sharp = f"{p['sharpness_score']:.0f}" if p["sharpness_score"] is not None else "-"
        expo = f"{p['exposure_score']:.0f}" if p["exposure_score"] is not None else "-"
        when = p["captured_at"] or "-"
        line = (
            f"{tech['status']:<8} {when:<26} {cam:<28} sharp {sharp:>3} expo {expo:>3}  {p['path']}"
        )
        if tech["status"] == "failed":
            line += f"\n         ↳ {tech.get('reason')}"
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


def cmd_status(args: argparse.Namespace, out: TextIO, settings: Settings | None = None) -> int:
    report = status_report()
    bar = (settings or Settings()).match_approves_at
    trusted = model_trusted(bar)
    report["taste"]["match_approves"] = trusted
    report["taste"]["match_approves_at"] = bar
    if args.json:
        json.dump(report, out)
        out.write("\n")
        return EXIT_OK
    print(f"{report['photos']} photos in the catalog", file=out)
    for stage, counts in report["stages"].items():
        parts = ", ".join(f"{n} {state}" for state, n in counts.items() if n)
        print(f"  {stage}: {parts or 'nothing yet'}", file=out)
    taste = report["taste"]
    if taste["version"] is None:
        print("  taste model: none yet (it trains after 10 ratings, rejects or picks)", file=out)
    else:
        quality = quality_text(
            taste["samples"], taste["spearman"], taste["spearman_low"], taste["spearman_high"]
        )
        print(f"  taste model: v{taste['version']}, {quality}", file=out)
        verdict = "yes" if trusted else "no"
        print(
            f"  its MATCH approves kept, unrated photos for export: {verdict} "
            f"(needs 20+ decisions and a held-out Spearman ≥ {bar:g}, setting "
            "match_approves_at)",
            file=out,
        )
    if report["failed"]:
        print(f"{len(report['failed'])} failed:", file=out)
        for f in report["failed"]:
            print(f"  [{f['stage']}] {f['path']}\n      {f['reason']}", file=out)
    return EXIT_OK


def cmd_decide(args: argparse.Namespace, settings: Settings, out: TextIO, err: TextIO) -> int:
    """keep / reject / pick / rate / label: the same decision code the loupe uses.

    All the paths are looked up and decided in ONE write transaction (all or
    none), which waits out an import writing at the same time.
    """
    from curator.catalog.decisions import (
        DecisionError,
        apply_many,
        photo_id_for_path,
        set_cull,
        set_label,
        set_picked,
        set_rating,
    )
    from curator.catalog.models import CullState
    from curator.catalog.tx import is_busy
    from curator.records import ColorLabel

    if args.command == "rate" and not 0 <= args.stars <= 5:
        raise UsageError(f"--stars must be 1 to 5, or 0 to clear the rating (not {args.stars})")
    label: ColorLabel | None = None
    if args.command == "label" and args.color.strip().lower() not in ("none", ""):
        label = ColorLabel.parse(args.color)
        if label is None:
            names = ", ".join(c.value for c in ColorLabel)
            raise UsageError(f"--color must be one of {names}, or none (not {args.color!r})")
    paths = [(raw, os.path.abspath(os.path.expanduser(raw))) for raw in args.paths]

    def decide() -> tuple[int, list[str]]:
        unknown: list[str] = []
        changed = 0
        for raw, path in paths:
            photo_id = photo_id_for_path(path)
            if photo_id is None:
                unknown.append(raw)
                continue
            if args.command == "keep":
                records = set_cull(photo_id, CullState.UNREVIEWED if args.clear else CullState.KEPT)
            elif args.command == "reject":
                records = set_cull(
                    photo_id, CullState.UNREVIEWED if args.clear else CullState.REJECTED
                )
            elif args.command == "pick":
                records = set_picked(photo_id, not args.clear)
            elif args.command == "label":
                records = set_label(photo_id, label)
            else:
                records = set_rating(photo_id, args.stars)
            changed += bool(records)
        return changed, unknown

    try:
        changed, unknown = apply_many(decide)
    except DecisionError as exc:
        raise UsageError(str(exc)) from exc
    if changed and args.command != "label":  # a label teaches the taste model nothing
        try:
            _retrain(settings, err)
        except Exception as exc:
            if not is_busy(exc):
                raise
            # The decisions are committed; only the retrain met a busy catalog.
            print(
                "curator: your decisions are saved; the catalog was busy, so the taste "
                "model will be retrained with your next decision.",
                file=err,
            )
    print(
        f"{changed} photo(s) changed, {len(args.paths) - changed - len(unknown)} already so.",
        file=out,
    )
    if unknown:
        for raw in unknown:
            print(f"curator: not in the catalog (import its folder first): {raw}", file=err)
        return EXIT_USAGE
    return EXIT_OK


def _retrain(settings: Settings, err: TextIO) -> None:
    """One retrain per decision command (the CLI's debounce)."""
    from curator.pipeline.stages.judgments import embedding_model_id
    from curator.pipeline.stages.score import clip_weights_missing, retrain_and_rescore

    report = retrain_and_rescore(
        embedding_model_id(settings), weights_missing=clip_weights_missing(settings)
    )
    print(report.message, file=err)


def cmd_describe(
    args: argparse.Namespace, paths: AppPaths, settings: Settings, out: TextIO, err: TextIO
) -> int:
    """Back-fill descriptions (photos skipped while Ollama was away, or never described),
    then the score step, so the new AI tags get their CLIP confidences as on import."""
    from curator.pipeline.importer import run_headless
    from curator.pipeline.service import RunRequest

    report = run_headless(
        RunRequest(stages=("describe", "score"), redo_descriptions=args.redo),
        catalog_path=paths.catalog,
        cache_dir=paths.cache_dir,
        settings=settings,
        progress_stream=err,
    )
    counts = report.stages.get("describe", {})
    if args.json:
        print(json.dumps(counts), file=out)
    else:
        parts = ", ".join(f"{v} {k}" for k, v in counts.items() if k != "reason")
        print(f"describe: {parts or 'nothing to describe'}", file=out)
        if counts.get("reason"):
            print(f"  {counts['reason']}", file=out)
    return _run_exit_code(report, err)


def cmd_models_pull(settings: Settings, out: TextIO, err: TextIO) -> int:
    """Download the CLIP weights. Already here: says so at once; offline: one line within
    a few seconds (`ClipEmbedder.pull` probes the hub before anything that retries)."""
    from curator.ml.config import ModelUnavailable
    from curator.ml.embedder import ClipEmbedder
    from curator.pipeline.stages.judgments import clip_config

    embedder = ClipEmbedder(clip_config(settings))
    try:
        where = embedder.pull(progress=True)
    except ModelUnavailable as exc:
        print(f"curator: {exc.message}", file=err)
        return EXIT_CATALOG
    print(f"CLIP weights {embedder.model_id} are ready: {where}", file=out)
    return EXIT_OK

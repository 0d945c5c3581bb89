"""The work of a run's prepare-pool phases, as plain functions for
`engine.delivery.Job`s: scan and plan (PREPARE), read the planned XMP beside
the decoding and write it as decisions (XMP), and, on the writer thread after
the technical stage's last batch, mark the photos whose files vanished
(`mark_missing`).

Each takes immutable inputs and returns a frozen message stamped with the run's
generation (a cancelled or earlier run's is dropped). They read through the
pool thread's own connection; only `apply_xmp_readings` and `mark_missing`
write, in short transactions of their own.
"""

from __future__ import annotations

import logging
import os
import threading
from dataclasses import dataclass
from pathlib import Path

from curator.catalog.backup import backup_folder
from curator.catalog.errors import damaged_sentence, is_damage
from curator.catalog.writer import record_error
from curator.engine.cluster import ClusterUnavailable, RayCluster, Shared, connect
from curator.engine.isolation import ChildProcessPool
from curator.pipeline.decoders import decoder_pool, fits
from curator.pipeline.report import RunRequest
from curator.pipeline.stages.scan import Candidate, ScanProblem, ScanReport, scan_folder
from curator.pipeline.stages.technical import TechnicalPlan, plan_technical
from curator.pipeline.stages.technical_remote import ClusterPlan
from curator.pipeline.stages.xmp import (
    XmpApplied,
    XmpPlan,
    XmpReading,
    apply_xmp,
    plan_xmp,
    read_xmp_plan,
)
from curator.settings import Settings

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Prepared:
    """PREPARE's result: the technical plan (None: nothing to run, see `error`),
    and the Ray cluster the stage runs on when the settings name one."""

    generation: int
    plan: TechnicalPlan | None
    problems: tuple[ScanProblem, ...]
    error: str
    xmp: XmpPlan | None = None
    cluster: ClusterPlan | None = None


@dataclass(frozen=True)
class XmpRead:
    """The XMP readings of the planned files (read beside the decoding)."""

    generation: int
    readings: tuple[XmpReading, ...]


@dataclass(frozen=True)
class XmpWritten:
    """What writing the readings as decisions did, or the exception that stopped it."""

    generation: int
    result: XmpApplied | Exception


@dataclass(frozen=True)
class MissingMarked:
    """How many photos under the run's folder went missing, and came back."""

    generation: int
    missing: int
    restored: int


def prepare(request: RunRequest, settings: Settings, cache_dir: str) -> Prepared:
    """Scan + plan (reads the catalog through this thread's connection, writes nothing)."""
    faces = "faces" in request.stages  # the faces stage rides along with the measurement
    if request.folder is not None:
        report = ScanReport()
        candidates = list(scan_folder(request.folder, exclude=[cache_dir], report=report))
        plan = plan_technical(
            candidates, settings, cache_dir, retry_failed=request.retry_failed, faces=faces
        )
        xmp = _plan_xmp(candidates, plan, settings)
        return Prepared(0, plan, tuple(report.problems), "", xmp)
    if request.paths or request.live:
        candidates = path_candidates(request.paths)
        plan = plan_technical(candidates, settings, cache_dir, retry_failed=True, faces=faces)
        xmp = _plan_xmp(candidates, plan, settings)
        return Prepared(0, plan, (), "", xmp)
    return Prepared(0, None, (), "")


def _plan_xmp(candidates: list[Candidate], plan: TechnicalPlan, settings: Settings) -> XmpPlan:
    return plan_xmp(
        candidates,
        (r.path for r in plan.requests),
        darktable_one_star_is_rating=settings.xmp_darktable_one_star_is_rating,
    )


def prepare_run(
    generation: int,
    request: RunRequest,
    settings: Settings,
    cache_dir: str,
    catalog_path: str = "",
) -> Prepared:
    """`prepare` for the run `generation`; a failure is the run's sentence (a
    damaged catalog is named as such, not blamed on the folder). The scan's
    problems go to the error log here, not on the UI thread."""
    cluster: RayCluster | None = None
    if settings.ray_address.strip():
        try:  # first: a cluster that is not there stops the run before the scan
            cluster = connect(settings.ray_address)
        except ClusterUnavailable as exc:
            log.info("no Ray cluster: %s (%s)", exc.message, exc.detail)
            return Prepared(generation, None, (), exc.message)
    try:
        p = prepare(request, settings, cache_dir)
    except Exception as exc:
        if is_damage(exc):
            log.info("the catalog is damaged: %s", exc)  # the sentence says it all
            catalog = catalog_path or "the catalog"
            backups = backup_folder(Path(catalog_path), settings.backup_folder)
            return Prepared(generation, None, (), damaged_sentence(catalog, backups, exc))
        log.exception("scanning/planning failed")
        where = request.folder or "the files"
        return Prepared(generation, None, (), f"Could not read {where}: {exc}")
    for problem in p.problems:
        record_error(
            stage="scan",
            path=problem.path,
            error_type="ScanError",
            message=problem.message,
            detail=problem.detail,
        )
    remote = None
    if cluster is not None and p.plan is not None:
        # The run's known hashes go into the cluster's object store once (here,
        # off the UI thread); each node's decoder is primed from there.
        remote = ClusterPlan(cluster, Shared.put((p.plan.known_hashes, 0)))
    return Prepared(generation, p.plan, p.problems, "", p.xmp, remote)


def path_candidates(paths: tuple[str, ...] | list[str]) -> list[Candidate]:
    """Candidates for these files (stat'ed now; a file that can't be is kept, unstat'ed)."""
    candidates = []
    for path in dict.fromkeys(paths):
        try:
            st = os.stat(path)
            candidates.append(Candidate(path, st.st_size, st.st_mtime_ns))
        except OSError:
            candidates.append(Candidate(path, None, None))
    return candidates


def plan_paths(
    paths: tuple[str, ...] | list[str], settings: Settings, cache_dir: str
) -> TechnicalPlan:
    """Plan the technical stage for these files only (a retry from the Failed lane).

    Each file is read again even if it failed before with the same size and
    mtime; a file that can't be stat'ed any more is planned too, so it fails
    again with an honest, current reason.
    """
    return plan_technical(path_candidates(paths), settings, cache_dir, retry_failed=True)


def make_process_pool(
    settings: Settings, plan: TechnicalPlan, niceness: int = 0
) -> ChildProcessPool:
    """Child processes for decoding (`decoders.decoder_pool`), primed with the
    hashes already measured, `niceness` below normal CPU priority (see
    technical.DECODER_NICENESS)."""
    return decoder_pool(settings, plan.known_hashes, niceness)


def process_pool_for(
    current: ChildProcessPool | None, settings: Settings, plan: TechnicalPlan, niceness: int = 0
) -> ChildProcessPool:
    """The run's decoder children: `current` (an earlier run's, or one started
    early, children still running) re-primed with this plan's known hashes
    when its size and memory limit still match the settings; else a new pool
    (`current` is closed). A pool started early and never asked anything is
    closed when the plan decodes nothing (an import that finds nothing new):
    its child need not finish starting, nor load the face networks."""
    if current is not None:
        if fits(current, settings) and (plan.requests or not current.unused):
            current.reprime(plan.known_hashes, niceness)
            return current
        current.close()
    return make_process_pool(settings, plan, niceness)


def read_xmp(generation: int, plan: XmpPlan, stop: threading.Event) -> XmpRead:
    """Read the planned sidecars and packets (files only, no catalog)."""
    try:
        readings = read_xmp_plan(plan, stop.is_set)
    except Exception:
        log.exception("reading XMP failed")
        readings = []
    return XmpRead(generation, tuple(readings))


def apply_xmp_readings(
    generation: int, readings: tuple[XmpReading, ...], stop: threading.Event
) -> XmpWritten:
    """Write the readings as decisions (source "xmp") through this thread's connection."""
    try:
        return XmpWritten(generation, apply_xmp(list(readings), stop.is_set))
    except Exception as exc:
        log.exception("applying XMP failed")
        return XmpWritten(generation, exc)


def mark_missing(generation: int, folder: str) -> MissingMarked:
    """Photos under `folder` whose every file vanished become missing (their
    decisions stay); missing ones whose file is back unchanged return. On the
    writer thread (a stat per file and the writes: 20-60 ms for 1,000 photos,
    never on the UI thread). A failure is logged with its sentence; the run
    goes on."""
    from curator.catalog.missing import refresh_missing

    try:
        report = refresh_missing(folder)
    except Exception as exc:
        log.exception("marking missing photos failed")
        record_error(
            stage="scan",
            error_type=type(exc).__name__,
            message=f"Curator could not check which photos went missing: {exc}",
        )
        return MissingMarked(generation, 0, 0)
    return MissingMarked(generation, report.missing, report.restored)

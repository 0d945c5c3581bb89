"""The technical stage: plan → run → apply.

- `plan_technical` (main thread, reads the catalog once) decides which scanned
  files need reading: a file whose path, size and mtime match a photo whose
  technical run is done at the current `STAGE_VERSION` is `unchanged` and is
  not read at all; a known permanent failure with the same size and mtime is
  not retried unless asked (`retry_failed`); an environmental one (permission
  denied, file gone, cache full or read-only, I/O hiccup —
  `imaging.errors.ENVIRONMENTAL_ERROR_TYPES`, read from the latest
  `ErrorLog.error_type`) is retried by a plain import once its cause may have
  changed (`cause_may_have_changed`); everything else becomes a
  `TechnicalRequest`.
- `run_technical` (a child process, see engine.isolation) is pure: it reads
  the file once, hashes it, decodes, measures and writes the preview and
  thumbnail into the content-addressed cache, and *returns* either a
  `TechnicalMeasurement` or a `TechnicalFailure` — it never raises for a bad
  file.
- applying is the catalog writer's job (catalog.writer.CatalogWriter).

Bump `STAGE_VERSION` when decoding or metrics change: stale rows are then
re-queued (backfill) without touching other stages' work.
"""

from __future__ import annotations

import contextlib
import os
import traceback
from collections.abc import Iterable
from dataclasses import dataclass, field, replace

from peewee import JOIN

from curator.catalog.models import Photo, PhotoPath, Stage, StageRun, StageStatus
from curator.catalog.paths_codec import decode_path
from curator.catalog.storage import storage_problem
from curator.imaging.errors import CacheWriteError, ImagingError
from curator.imaging.formats import format_by_name, is_raw_path
from curator.imaging.types import (
    ExifData,
    TechnicalFailure,
    TechnicalMeasurement,
    TechnicalRequest,
)
from curator.pipeline.stages.environmental import cause_may_have_changed, latest_failure_types
from curator.pipeline.stages.scan import Candidate
from curator.settings import Settings

# 2: issue 10 — exposure EV, sharpness notes, EXIF bias/sub-second/sequence, structure signature
# and RAWs with an embedded JPEG >= 1440 px are measured on it (raw_embedded)
# 3: issue 20 — noise estimated and taken off sharpness (and stored), exposure read as a
# photographer does (EV estimate, night frames' lit part), drive mode / sequence from EXIF
# 4: issue 20 — missed focus: a subject clearly softer than a sharp scene around it
# lowers the sharpness score, with the note "focus missed the subject" (imaging.focus)
STAGE_VERSION = "technical-4"
# The GUI's decoding children run at a CPU priority below the window's
# (os.nice's scale: 0 normal, 19 lowest), so on busy cores the UI thread goes
# first: without it the loupe stalled up to ~0.5 s behind two decoders during
# an import (tests/bench/test_import_responsiveness_bench.py). From the quick
# look on: deferring it to the measurement left 8-15 stalls in the quick
# look's seconds; on idle cores it costs nothing. The CLI has no window to
# protect and keeps 0.
DECODER_NICENESS = 10

TechnicalOutcome = TechnicalMeasurement | TechnicalFailure

# Hashes of already-measured photos, set once per child process by
# `init_known_hashes` (shipping 100k hashes with every request would cost more
# than the decode it saves).
_KNOWN_HASHES: frozenset[str] = frozenset()


def init_known_hashes(hashes: frozenset[str]) -> None:
    global _KNOWN_HASHES
    _KNOWN_HASHES = hashes


def known_hashes() -> frozenset[str]:
    """The hashes this child process was primed with (`init_known_hashes`)."""
    return _KNOWN_HASHES


def init_decoder_process(hashes: frozenset[str], niceness: int = 0) -> None:
    """The child-process entry (pool initializer) of the technical stage: one
    compute thread per child, the hashes already measured, and `niceness`
    added to its CPU priority (the GUI's import: `DECODER_NICENESS`).

    The pool runs one child per core, so a decoder that spreads itself over
    every core (OpenCV's thread pool, LibRaw's OpenMP loops) only makes the
    children fight: measured by tests/bench/test_ingest_bench.py, it shrinks
    the one-to-two-worker speed-up. OMP_NUM_THREADS only works before
    libgomp is loaded, i.e. before rawpy's first import, which
    `imaging.decode` delays until the first RAW file.
    """
    import cv2  # the child's import: the window and the CLI's planning never load OpenCV

    if niceness:
        # Background work: where the cores are busy, the window (the loupe a
        # person is culling in) goes first; on idle cores niceness costs nothing.
        with contextlib.suppress(OSError, AttributeError):  # no os.nice on Windows
            os.nice(niceness)
    os.environ["OMP_NUM_THREADS"] = "1"
    cv2.setNumThreads(1)
    init_known_hashes(hashes)


def run_technical(request: TechnicalRequest) -> TechnicalOutcome:
    """The stage body (runs in a child process). Returns, never raises, for bad files."""
    from curator.imaging.technical import measure_file  # the imaging stack: children only

    if _KNOWN_HASHES and not request.known_hashes:
        request = replace(request, known_hashes=_KNOWN_HASHES)
    try:
        return measure_file(request)
    except ImagingError as err:
        size, mtime = _stat(request.path)
        message = err.message
        if isinstance(err, CacheWriteError) and err.__cause__ is not None:
            # Say which: a full disk or a read-only cache, with what to do.
            problem = storage_problem(err.__cause__, what=request.cache_dir)
            message = problem.message if problem is not None else message
        return TechnicalFailure(
            path=request.path,
            message=message,
            error_type=type(err).__name__,
            detail=err.detail,
            transient=err.transient,
            content_hash=err.content_hash,
            size=size,
            mtime_ns=mtime,
            format=format_by_name(request.path),
            exif=_readable_exif(request.path),
        )
    except MemoryError:
        # Past this child's memory limit (engine.isolation): the file asks for more
        # than any photo Curator accepts needs. A failure of this file, kept until
        # --retry-failed: retrying it on every import would only hit the limit again.
        size, mtime = _stat(request.path)
        return TechnicalFailure(
            path=request.path,
            message=(
                f"Decoding this file needed more memory than Curator allows one decoder "
                f"({_memory_limit_text()}), so it was skipped; "
                "`curator import --retry-failed` tries it again."
            ),
            error_type="MemoryError",
            detail=traceback.format_exc(),
            transient=False,
            size=size,
            mtime_ns=mtime,
            format=format_by_name(request.path),
        )
    except Exception as exc:
        size, mtime = _stat(request.path)
        return TechnicalFailure(
            path=request.path,
            message=(
                "Curator hit an internal error while measuring this file "
                f"({type(exc).__name__}); the details are in the error log."
            ),
            error_type=type(exc).__name__,
            detail=traceback.format_exc(),
            size=size,
            mtime_ns=mtime,
            format=format_by_name(request.path),
        )


def _memory_limit_text() -> str:
    """This process's address-space limit, in words ("4.5 GB"), or "its limit"."""
    try:
        import resource

        soft = resource.getrlimit(resource.RLIMIT_AS)[0]
    except (ImportError, ValueError, OSError):
        return "its limit"
    if soft == resource.RLIM_INFINITY:
        return "what the computer has free"
    return f"{soft / 1e9:.1f} GB"


EXIF_HEAD_BYTES = 16 * 1024 * 1024  # where every camera we know puts its EXIF


def _readable_exif(path: str) -> ExifData | None:
    """A failed file's EXIF when its header can be read (None when it says nothing)."""
    from curator.imaging.exif import read_exif  # the imaging stack: children only

    try:
        with open(path, "rb") as file:
            data = file.read(EXIF_HEAD_BYTES)  # never a whole damaged 2 GB file
    except OSError:
        return None
    exif = read_exif(data, is_raw=is_raw_path(path))
    return exif if exif != ExifData() else None


def _stat(path: str) -> tuple[int | None, int | None]:
    try:
        st = os.stat(path)
    except OSError:
        return None, None
    return st.st_size, st.st_mtime_ns


@dataclass(frozen=True)
class KnownFile:
    photo_id: int
    size: int | None
    mtime_ns: int | None
    status: str | None
    stage_version: str | None
    attempts: int


@dataclass
class TechnicalPlan:
    requests: list[TechnicalRequest] = field(default_factory=list)
    found: int = 0
    unchanged: int = 0
    known_failed: int = 0
    known_hashes: frozenset[str] = frozenset()
    new_paths: set[str] = field(default_factory=set)  # requests the catalog has no row for


def load_known_files() -> dict[str, KnownFile]:
    """Every catalogued path (primary and extra) with its technical-stage state."""
    known: dict[str, KnownFile] = {}
    runs = (
        Photo.select(
            Photo.id,
            Photo.path,
            Photo.size,
            Photo.mtime_ns,
            StageRun.status,
            StageRun.stage_version,
            StageRun.attempts,
        )
        .join(
            StageRun,
            JOIN.LEFT_OUTER,
            on=((StageRun.photo == Photo.id) & (StageRun.stage == Stage.TECHNICAL.value)),
        )
        .tuples()
    )
    by_id: dict[int, KnownFile] = {}
    for pid, path, size, mtime, status, version, attempts in runs:
        kf = KnownFile(pid, size, mtime, status, version, attempts or 0)
        by_id[pid] = kf
        known[decode_path(path)] = kf
    for pid, path in PhotoPath.select(PhotoPath.photo, PhotoPath.path).tuples():
        if pid in by_id:
            known[decode_path(path)] = by_id[pid]
    return known


def done_hashes() -> frozenset[str]:
    query = (
        Photo.select(Photo.content_hash)
        .join(
            StageRun, on=((StageRun.photo == Photo.id) & (StageRun.stage == Stage.TECHNICAL.value))
        )
        .where(
            Photo.content_hash.is_null(False),
            StageRun.status == StageStatus.DONE.value,
            StageRun.stage_version == STAGE_VERSION,
        )
        .tuples()
    )
    return frozenset(h for (h,) in query)


def plan_technical(
    candidates: Iterable[Candidate],
    settings: Settings,
    cache_dir: str,
    *,
    retry_failed: bool = False,
) -> TechnicalPlan:
    """Decide what to read (see the module docstring). Reads the catalog, writes nothing."""
    known = load_known_files()
    failure_types = latest_failure_types(
        {kf.photo_id for kf in known.values() if kf.status == StageStatus.FAILED}
    )
    plan = TechnicalPlan(known_hashes=done_hashes())
    for cand in candidates:
        plan.found += 1
        kf = known.get(cand.path)
        same_file = (
            kf is not None
            and cand.size is not None
            and kf.size == cand.size
            and kf.mtime_ns == cand.mtime_ns
            and kf.stage_version == STAGE_VERSION
        )
        unreadable_again = (
            kf is not None
            and cand.size is None
            and kf.size is None
            and kf.stage_version == STAGE_VERSION
        )
        if kf is not None and (same_file or unreadable_again):
            if kf.status == StageStatus.DONE:
                plan.unchanged += 1
                continue
            if (
                kf.status == StageStatus.FAILED
                and not retry_failed
                and not cause_may_have_changed(failure_types.get(kf.photo_id), cand.path, cache_dir)
            ):
                plan.known_failed += 1
                continue
        if kf is None:
            plan.new_paths.add(cand.path)
        plan.requests.append(
            TechnicalRequest(
                path=cand.path,
                cache_dir=cache_dir,
                preview_long_edge=settings.preview_long_edge,
                thumbnail_long_edge=settings.thumbnail_long_edge,
                max_pixels=settings.max_image_megapixels * 1_000_000,
            )
        )
    return plan

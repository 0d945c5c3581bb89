"""The technical stage: plan → run → apply.

- `plan_technical` (main thread, one catalog read): a file whose path, size and
  mtime match a photo done at `STAGE_VERSION` is `unchanged`; a permanent
  failure with the same size and mtime is retried only with `retry_failed`;
  an environmental one (`imaging.errors.ENVIRONMENTAL_ERROR_TYPES`) once its
  cause may have changed (`cause_may_have_changed`); the rest become
  `TechnicalRequest`s.
- `run_technical` (a child process, engine.isolation) is pure: reads, hashes,
  decodes, measures and writes the preview and thumbnail into the cache, and
  returns a `TechnicalMeasurement` or `TechnicalFailure`, never raising.
- apply: catalog.writer.CatalogWriter.

Bump `STAGE_VERSION` when decoding or metrics change: stale rows are re-queued.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Annotated, NamedTuple

from curator.catalog.backends.named_rows import select_list
from curator.catalog.models import Photo, PhotoPath, Stage, StageRun, StageStatus
from curator.catalog.paths_codec import decode_path
from curator.figures import technical_version
from curator.imaging.types import ExifData as ExifData
from curator.imaging.types import TechnicalFailure as TechnicalFailure
from curator.imaging.types import TechnicalMeasurement as TechnicalMeasurement
from curator.imaging.types import TechnicalRequest
from curator.pipeline.stages.environmental import cause_may_have_changed, latest_failure_types
from curator.pipeline.stages.scan import Candidate

# The child side (initializer, stage body) lives in technical_child: a decoder
# child imports that module alone; re-exported here for the parent's callers.
from curator.pipeline.stages.technical_child import TechnicalOutcome as TechnicalOutcome
from curator.pipeline.stages.technical_child import init_decoder_process as init_decoder_process
from curator.pipeline.stages.technical_child import init_known_hashes as init_known_hashes
from curator.pipeline.stages.technical_child import known_hashes as known_hashes
from curator.pipeline.stages.technical_child import run_technical as run_technical
from curator.settings import Settings

# Bumped when decoding or the metrics change what is stored (versions: docs/decisions/imaging.md);
# a newly declared stored figure bumps it by itself (curator.figures: its `since`).
STAGE_VERSION = technical_version()
# The GUI's decoder children run below the window's CPU priority (os.nice's scale), so on
# busy cores the UI thread goes first: without it the loupe stalled up to ~0.5 s behind two
# decoders (tests/bench/test_import_responsiveness_bench.py). The CLI keeps 0.
DECODER_NICENESS = 10


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


class _KnownColumns(NamedTuple):
    """A catalogued photo with its technical stage's state, as `load_known_files`
    reads it (raw SQL, not peewee's rows: 100,000 photos in ~0.3 s, not ~0.65)."""

    id: Annotated[int, "photo.id"]
    path: Annotated[bytes, "photo.path"]
    size: Annotated[int | None, "photo.size"]
    mtime_ns: Annotated[int | None, "photo.mtime_ns"]
    status: Annotated[str | None, "sr.status"]
    stage_version: Annotated[str | None, "sr.stage_version"]
    attempts: Annotated[int | None, "sr.attempts"]


_KNOWN_SQL = (
    f"SELECT {select_list(_KnownColumns)} FROM photo"
    " LEFT JOIN stage_run sr ON sr.photo_id = photo.id AND sr.stage = ?"
)


def load_known_files() -> dict[str, KnownFile]:
    """Every catalogued path (primary and extra) with its technical-stage state."""
    known: dict[str, KnownFile] = {}
    runs = Photo._meta.database.execute_sql(_KNOWN_SQL, [Stage.TECHNICAL.value])
    by_id: dict[int, KnownFile] = {}
    for r in map(_KnownColumns._make, runs):
        pid = int(r.id)
        kf = KnownFile(pid, r.size, r.mtime_ns, r.status, r.stage_version, r.attempts or 0)
        by_id[pid] = kf
        known[decode_path(r.path)] = kf
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
    faces: bool = True,
) -> TechnicalPlan:
    """Decide what to read (see the module docstring). Reads the catalog, writes
    nothing. `faces`: the faces stage rides along (when its model is there)."""
    from curator.pipeline.stages.faces import faces_request_fields

    riding = faces_request_fields(settings) if faces else {}
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
                faces_model=riding.get("faces_model"),
                faces_version=riding.get("faces_version") or "",
                faces_describe=settings.people_recognition,
            )
        )
    return plan

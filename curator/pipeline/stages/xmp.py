"""Taking the ratings a photographer already has from XMP, during an import.

plan → run → apply:
- `plan_xmp` (prepare pool, reads the catalog once): which scanned files to
  look at. A file the technical stage will read (new, changed, retried) is
  looked at fully: sidecar, else the XMP embedded in it. Any other file
  only when it has a sidecar whose mtime differs from the one last taken
  (`external_import.file_mtime_ns`), so a re-import of an unchanged library
  parses nothing. (Photos catalogued before Curator read XMP have their
  sidecars read on the next import; their embedded XMP only when their
  file changes.)
- `read_xmp_plan` (prepare pool, after the plan; pure: disk only, no
  catalog): `xmp.read.find_xmp` per file, one folder listing per folder, each
  result turned into an `ExternalJudgment` (keywords normalised to the
  catalog's tag form). A bad sidecar gives a one-sentence problem.
- `apply_xmp` (a worker thread with its own connection — the prepare pool —
  after the technical stage wrote the photos' rows; ~50–100 photos/s, so
  never on the UI thread): `interop.external.apply_external_many` in batches, one
  transaction per batch; problems go to the error log (stage "xmp"). Only a
  photo's primary path counts: the sidecar of a duplicate copy elsewhere is
  not taken (two files' XMP would overwrite each other at every import).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

from curator.catalog.writer import record_error
from curator.interop.external import (
    ExternalJudgment,
    apply_external_many,
    imported_mtimes,
    photo_ids_by_path,
)
from curator.interop.xmp.fields import XmpFields
from curator.interop.xmp.read import find_xmp, folder_names, sidecar_candidates
from curator.pipeline.stages.scan import Candidate
from curator.tags import normalise_tags

SOURCE = "xmp"
APPLY_BATCH = 50
"""Photos per write transaction: short, so a decision in the loupe never waits long."""


@dataclass(frozen=True)
class XmpPlan:
    paths: tuple[str, ...] = ()
    reread: frozenset[str] = frozenset()  # files the technical stage reads: embedded too
    known_mtimes: Mapping[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class XmpReading:
    path: str
    judgment: ExternalJudgment | None
    mtime_ns: int | None
    problem: str | None = None


@dataclass(frozen=True)
class XmpApplied:
    applied: int = 0  # photos that took at least one decision from XMP
    photo_ids: tuple[int, ...] = ()
    problems: int = 0


def plan_xmp(candidates: Iterable[Candidate], reread: Iterable[str]) -> XmpPlan:
    """What to look at (see the module docstring). Reads the catalog, writes nothing."""
    return XmpPlan(
        paths=tuple(c.path for c in candidates if c.size is not None),
        reread=frozenset(reread),
        known_mtimes=imported_mtimes(SOURCE),
    )


def judgment_from_xmp(fields: XmpFields) -> ExternalJudgment:
    """Curator's reading of an XMP packet: −1 or a reject flag rejects, 1–5 rates."""
    rating = fields.rating if fields.rating is not None and 1 <= fields.rating <= 5 else None
    return ExternalJudgment(
        rating=rating,
        rejected=bool(fields.rejected) or fields.rating == -1,
        picked=bool(fields.picked),
        label=fields.label,
        keywords=tuple(normalise_tags(fields.keywords)),
    )


def read_xmp_plan(
    plan: XmpPlan, should_stop: Callable[[], bool] = lambda: False
) -> list[XmpReading]:
    """Read what the plan names (pure: files only). Never raises for a bad file."""
    readings: list[XmpReading] = []
    listings: dict[str, dict[str, str]] = {}
    for path in plan.paths:
        if should_stop():
            break
        folder = os.path.dirname(path)
        names = listings.get(folder)
        if names is None:
            names = listings[folder] = folder_names(folder)
        sidecars = sidecar_candidates(path, names)
        if not sidecars and path not in plan.reread:
            continue
        if sidecars and path not in plan.reread and plan.known_mtimes.get(path) == sidecars[0][1]:
            continue  # the sidecar last taken, unchanged
        found = find_xmp(path, names)
        if found.fields is None and found.problem is None:
            continue
        judgment = judgment_from_xmp(found.fields) if found.fields is not None else None
        readings.append(XmpReading(path, judgment, found.mtime_ns, found.problem))
    return readings


def apply_xmp(
    readings: list[XmpReading], should_stop: Callable[[], bool] = lambda: False
) -> XmpApplied:
    """Write the readings as decisions (the one write path), a transaction per
    batch of `APPLY_BATCH` photos; `should_stop` is asked between batches
    (written batches stay written; the rest is taken at the next import)."""
    # A duplicate copy's sidecar is not read as the photo's: one photo, one XMP.
    ids = photo_ids_by_path([r.path for r in readings], primary_only=True)
    items = [
        (ids[r.path], r.judgment, r.mtime_ns)
        for r in readings
        if r.judgment is not None and r.path in ids
    ]
    changed: list[int] = []
    for start in range(0, len(items), APPLY_BATCH):
        if should_stop():
            break
        results = apply_external_many(items[start : start + APPLY_BATCH], SOURCE)
        changed.extend(r.photo_id for r in results if r.applied)
    problems = [r for r in readings if r.problem]
    for r in problems:
        record_error(
            stage=SOURCE,
            photo_id=ids.get(r.path),
            path=r.path,
            error_type="XmpError",
            message=r.problem or "",
        )
    return XmpApplied(len(changed), tuple(sorted(set(changed))), len(problems))

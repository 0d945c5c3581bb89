"""Taking the ratings a photographer already has from XMP, during an import.

plan → run → apply:
- `plan_xmp` (prepare pool): a file the technical stage will read is looked
  at fully (sidecar, else embedded XMP); any other only when its sidecar's
  mtime changed (`external_import.file_mtime_ns`).
- `read_xmp_plan` (prepare pool; pure): `xmp.read.find_xmp` per file, each
  result an `ExternalJudgment`. darktable writes `xmp:Rating="1"` into every
  sidecar at import, so there 1 star means "not rated" unless
  `plan.darktable_one_star_is_rating`.
- `apply_xmp` (prepare pool, after the technical stage wrote the rows):
  `interop.external.apply_external_many` in short batches, one BULK
  transaction each, so a decision made meanwhile goes first. Only a photo's
  primary path counts. Then named face regions name the matching faces
  (`interop.face_names`); the regions stay as written.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

from curator.catalog.people.region_names import NamesTaken
from curator.catalog.writer import record_error
from curator.interop.external import (
    ExternalJudgment,
    XmpSeen,
    apply_external_many,
    batches,
    imported_mtimes,
    photo_ids_by_path,
)
from curator.interop.face_names import take_region_names
from curator.interop.xmp.fields import NamedRegion
from curator.interop.xmp.read import find_xmp, folder_names, sidecar_candidates
from curator.interop.xmp.state import state_of
from curator.interop.xmp_judgment import is_darktable_default, judgment_from_xmp
from curator.pipeline.stages.scan import Candidate

SOURCE = "xmp"


@dataclass(frozen=True)
class XmpPlan:
    paths: tuple[str, ...] = ()
    reread: frozenset[str] = frozenset()  # files the technical stage reads: embedded too
    known_mtimes: Mapping[str, int] = field(default_factory=dict)
    darktable_one_star_is_rating: bool = False


@dataclass(frozen=True)
class XmpReading:
    path: str
    judgment: ExternalJudgment | None
    mtime_ns: int | None
    problem: str | None = None
    seen: XmpSeen | None = None  # the state the file is in, to remember
    default_stars: bool = False  # darktable's import-default star, taken as not rated
    extra_labels: tuple[str, ...] = ()  # darktable labels after the first
    named_faces: tuple[NamedRegion, ...] = ()  # faces another tool named


@dataclass(frozen=True)
class XmpApplied:
    applied: int = 0  # photos that took at least one decision from XMP
    photo_ids: tuple[int, ...] = ()
    problems: int = 0
    default_stars: int = 0  # darktable sidecars whose 1 star was its import default
    extra_labels: int = 0  # darktable sidecars with more than one label
    faces_named: int = 0  # faces that took a name from another tool's region
    # (photo path, the sentence naming the sidecar or packet) of each XMP not read
    unread: tuple[tuple[str, str], ...] = ()


def plan_xmp(
    candidates: Iterable[Candidate],
    reread: Iterable[str],
    *,
    darktable_one_star_is_rating: bool = False,
) -> XmpPlan:
    """What to look at (see the module docstring). Reads the catalog, writes nothing."""
    return XmpPlan(
        paths=tuple(c.path for c in candidates if c.size is not None),
        reread=frozenset(reread),
        known_mtimes=imported_mtimes(SOURCE),
        darktable_one_star_is_rating=darktable_one_star_is_rating,
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
        if found.fields is None:
            readings.append(XmpReading(path, None, found.mtime_ns, found.problem))
            continue
        fields = found.fields
        counts_as_rating = plan.darktable_one_star_is_rating
        readings.append(
            XmpReading(
                path,
                judgment_from_xmp(fields, darktable_one_star_is_rating=counts_as_rating),
                found.mtime_ns,
                found.problem,
                seen=XmpSeen(
                    state_of(fields), None if found.embedded else found.origin, found.mtime_ns
                ),
                default_stars=not counts_as_rating and is_darktable_default(fields),
                extra_labels=fields.extra_labels,
                named_faces=fields.named_faces,
            )
        )
    return readings


def apply_xmp(
    readings: list[XmpReading], should_stop: Callable[[], bool] = lambda: False
) -> XmpApplied:
    """Write the readings as decisions (the one write path), a transaction per
    short batch (`external.batches`); `should_stop` is asked between batches
    (written batches stay written; the rest is taken at the next import)."""
    # A duplicate copy's sidecar is not read as the photo's: one photo, one XMP.
    ids = photo_ids_by_path([r.path for r in readings], primary_only=True)
    taken = [r for r in readings if r.judgment is not None and r.path in ids]
    items = [(ids[r.path], r.judgment, r.mtime_ns) for r in taken if r.judgment is not None]
    seen = {ids[r.path]: r.seen for r in taken if r.seen is not None}
    changed: list[int] = []
    for batch in batches(items):  # short BULK transactions: decisions go between them
        if should_stop():
            break
        results = apply_external_many(batch, SOURCE, seen)
        changed.extend(r.photo_id for r in results if r.applied)
    names = NamesTaken()
    if not should_stop():
        names = take_region_names({ids[r.path]: r.named_faces for r in taken if r.named_faces})
    problems = [r for r in readings if r.problem]
    for r in problems:
        record_error(
            stage=SOURCE,
            photo_id=ids.get(r.path),
            path=r.path,
            error_type="XmpError",
            message=r.problem or "",
        )
    return XmpApplied(
        len(changed),
        tuple(sorted(set(changed))),
        len(problems),
        default_stars=sum(r.default_stars for r in taken),
        extra_labels=sum(bool(r.extra_labels) for r in taken),
        faces_named=names.named + names.joined,
        unread=tuple((r.path, r.problem or "") for r in problems),
    )

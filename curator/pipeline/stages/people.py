"""The people step: faces grouped into people, plan → run → apply.

After the FACES phase (`pipeline.faces`) and on `curator people`, `update_people(db)`:
1. plan: when some face waits (`descriptors.any_unlooked`: one indexed look),
   `catalog.people.persons.people_snapshot` reads every live face's current
   descriptor, its person, and the pairs the photographer ruled out;
2. run: `ml.faces.people.group_faces`, pure, places the faces without a person
   (into existing people, new ones, or nowhere yet); one described face and no
   person is left as it is without numpy (`_alone`);
3. apply: `catalog.people.persons.apply_people`, one transaction.
Only faces without a person move: a run never renames, merges or empties anyone.
With `recognise` False (`people_recognition` off) it groups nothing and deletes
every descriptor and person, as `curator people forget` does, from the catalog
and its backups (`catalog.people.scrub.forget_everywhere`).

Invariants: no Qt (the phase runs it on the writer pool); numpy and the
grouping are imported only when two faces or more could be grouped, or
(`preload_grouping`, on a thread) while an import's faces are measured beside
other photos: never at start-up, never OpenCV.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path

from peewee import Database

from curator.catalog.backends.dialect import dialect_of
from curator.catalog.models import Photo
from curator.catalog.people.descriptors import any_unlooked
from curator.catalog.people.forget import Forgotten, anything_to_forget, forget_people
from curator.catalog.people.persons import PeopleSnapshot, apply_people, people_snapshot
from curator.catalog.people.scrub import Erased, forget_everywhere, scrub_backups
from curator.ml.faces.files import DESCRIPTOR_MODEL


@dataclass(frozen=True)
class PeopleResult:
    described: int  # faces with a descriptor (0: nothing new, nothing read)
    placed: int  # faces this run gave a person
    new_people: int
    left: int  # faces still without a person
    forgotten: int = 0  # descriptors deleted (recognising people switched off)
    erased: Erased | None = None  # what forgetting did to the catalog and its backups


def update_people(
    db: Database | None = None,
    recognise: bool = True,
    backups: tuple[Path, Path] | None = None,
) -> PeopleResult:
    """Plan, run and apply the people step (see the module docstring) on `db`
    (the bound catalog's by default), on the calling thread; `backups` (the
    catalog's path, its backup folder): where forgetting erases them too."""
    if not recognise:
        return _forget(db or Photo._meta.database, backups)
    if not any_unlooked():  # nothing new: no need to read (or import) anything more
        return PeopleResult(0, 0, 0, 0)
    snapshot = people_snapshot(DESCRIPTOR_MODEL)
    count = len(snapshot.face_ids)
    if count <= 1 and not any(snapshot.person_of):
        return _alone(db or Photo._meta.database, snapshot)
    import numpy as np

    from curator.ml.faces.descriptor import DIMENSIONS
    from curator.ml.faces.people import KnownFaces, group_faces

    vectors = np.frombuffer(snapshot.vectors, dtype="<f4").astype(np.float32)
    known = KnownFaces(
        np.asarray(snapshot.face_ids, np.int64),
        vectors.reshape(count, DIMENSIONS),
        np.asarray(snapshot.person_of, np.int64),
        snapshot.ruled_out,
        np.asarray(snapshot.looked, bool),
    )
    grouping = group_faces(known)
    applied = apply_people(
        db or Photo._meta.database, grouping.joined, grouping.new_people, grouping.examined
    )
    return PeopleResult(count, applied.placed, applied.new_people, len(grouping.left))


def _alone(db: Database, snapshot: PeopleSnapshot) -> PeopleResult:
    """The step for a catalog of at most one described face and no person:
    `group_faces`' outcome without numpy (a face has nobody to join, and a
    new person takes `ml.faces.people.MIN_FACES`, two): the face is looked
    at, and left without a person. A first import of one portrait."""
    faces = zip(snapshot.face_ids, snapshot.looked, strict=True)
    apply_people(db, {}, [], [face for face, looked in faces if not looked])
    return PeopleResult(len(snapshot.face_ids), 0, 0, len(snapshot.face_ids))


def may_group(photos: int, measured_before: bool) -> bool:
    """Whether an import of `photos` with their faces, into a catalog that
    holds photos `measured_before` or not, may have faces to group (more
    than one face): the grouping is preloaded then (`preload_grouping`).
    One photo in an empty catalog is mostly one face (`_alone`); its few
    faces otherwise load numpy at the step."""
    return photos > 1 or measured_before


def preload_grouping() -> threading.Thread:
    """Import what grouping the faces needs (numpy, `ml.faces.people`) on a
    thread of its own, while the photos whose faces it will group are
    measured: the step then starts at once (~0.07 s of CPU a single-photo
    import otherwise waited for after its photo)."""

    def preload() -> None:
        import numpy  # noqa: F401

        from curator.ml.faces import descriptor, people  # noqa: F401

    thread = threading.Thread(target=preload, name="grouping-preload", daemon=True)
    thread.start()
    return thread


def _forget(db: Database, backups: tuple[Path, Path] | None) -> PeopleResult:
    """Recognising people switched off: forget what the catalog holds (when it
    holds some), and what its backups still hold (a backup made before)."""
    if backups is None:
        gone = forget_people(db).descriptors if anything_to_forget() else 0
        return PeopleResult(0, 0, 0, 0, forgotten=gone)
    if anything_to_forget():
        erased = forget_everywhere(db, *backups)
        return PeopleResult(0, 0, 0, 0, erased.forgotten.descriptors, erased)
    scrubbed = scrub_backups(*backups)
    if not scrubbed.erased and not scrubbed.left:
        return PeopleResult(0, 0, 0, 0)
    erased = Erased(Forgotten(0, 0), scrubbed, backups[1], dialect_of(db).is_postgres)
    return PeopleResult(0, 0, 0, 0, erased=erased)


def forgotten_counts(result: PeopleResult) -> dict[str, int | str | None]:
    """The run report's `stages["people"]` when recognising people is off:
    descriptors forgotten, backups erased, and the sentences of those that
    could not be (how to delete them), as `reason`."""
    counts: dict[str, int | str | None] = {"forgotten": result.forgotten}
    if result.erased is not None:
        if result.erased.backups.erased:
            counts["backups_erased"] = len(result.erased.backups.erased)
        if result.erased.backups.left:
            counts["reason"] = " ".join(why for _, why in result.erased.backups.left)
    return counts

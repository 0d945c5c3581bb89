"""The people step: faces grouped into people, plan → run → apply.

After the faces stage has written an import's faces (the FACES phase's end,
`pipeline.faces`) and on `curator people`, `update_people(db)`:
1. plan: when some face waits (`descriptors.any_unlooked`: one indexed
   look, so an import without new faces costs nothing),
   `catalog.people.persons.people_snapshot` reads every live face's
   descriptor (the current descriptor model's), its person, and the pairs
   the photographer ruled out;
2. run: `ml.faces.people.group_faces`, pure, places the faces without a
   person (into existing people, into new ones, or nowhere yet);
3. apply: `catalog.people.persons.apply_people`, one transaction.
Only faces without a person move, so a run never renames, merges or
empties anyone: names stay where the photographer put them.

With `recognise` False (the setting `people_recognition` off) the step
groups nothing and deletes every stored descriptor and person
(`catalog.people.forget`), when there is any (one indexed look otherwise).

Invariants: no Qt here (the phase runs it as a Job on the writer pool);
numpy, scipy and OpenCV are imported only when some face waits, not at
start-up and not by an import without new faces.
"""

from __future__ import annotations

from dataclasses import dataclass

from peewee import Database

from curator.catalog.models import Photo
from curator.catalog.people.descriptors import any_unlooked
from curator.catalog.people.forget import anything_to_forget, forget_people
from curator.catalog.people.persons import apply_people, people_snapshot


@dataclass(frozen=True)
class PeopleResult:
    described: int  # faces with a descriptor (0: nothing new, nothing read)
    placed: int  # faces this run gave a person
    new_people: int
    left: int  # faces still without a person
    forgotten: int = 0  # descriptors deleted (recognising people switched off)


def update_people(db: Database | None = None, recognise: bool = True) -> PeopleResult:
    """Plan, run and apply the people step (see the module docstring) on `db`
    (the bound catalog's by default), on the calling thread."""
    if not recognise:
        if not anything_to_forget():
            return PeopleResult(0, 0, 0, 0)
        gone = forget_people(db or Photo._meta.database)
        return PeopleResult(0, 0, 0, 0, forgotten=gone.descriptors)
    if not any_unlooked():  # nothing new: no need to read (or import) anything more
        return PeopleResult(0, 0, 0, 0)
    import numpy as np

    from curator.ml.faces.descriptor import DIMENSIONS, MODEL
    from curator.ml.faces.people import KnownFaces, group_faces

    snapshot = people_snapshot(MODEL)
    count = len(snapshot.face_ids)
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

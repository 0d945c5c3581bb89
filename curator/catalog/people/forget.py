"""Forgetting who is who (issue 50 §6, privacy): the one path that deletes
every face descriptor and every person.

`forget_people(db)` deletes, in ONE write transaction, every row of
`face_descriptor` (the identity vectors), `face_person` (which face is
whom), `face_not_person` (the faces taken out of a person) and `person`
(with its name), and the log of the photographer's people edits
(`person_edit`, m026: it holds names, and what a merge moved; forgetting is
the one path that deletes from that append-only log, and with it those
edits can no longer be undone). Names go too: a name is only ever attached to faces
through the grouping, so without it a name points at nobody, and a name is
itself the personal data (who is in the photos) that forgetting is for. The
faces themselves (boxes, eyes, focus, how they look) stay: they are not
identities.

It runs on `curator people forget`, and on every people step while the
setting `people_recognition` is off (`pipeline.stages.people.update_people`:
the next import, or `curator people`), so switching the setting off deletes
what is stored at the next such step; `anything_to_forget()` keeps that
step to one indexed look when nothing is stored.

Invariants: the only module that deletes descriptors or people wholesale;
nothing here reads a vector; replaying it is harmless (it deletes nothing
the second time).
"""

from __future__ import annotations

from typing import NamedTuple

from peewee import Database

from curator.catalog import tx
from curator.catalog.models import Photo
from curator.catalog.write_gate import Gate


class Forgotten(NamedTuple):
    descriptors: int  # face descriptors deleted
    people: int  # people deleted (named or not)


def anything_to_forget() -> bool:
    """Whether some descriptor, person or people edit is stored."""
    db = Photo._meta.database
    for table in ("face_descriptor", "person", "person_edit"):
        if db.execute_sql(f'SELECT 1 FROM "{table}" LIMIT 1').fetchone() is not None:
            return True
    return False


def forget_people(db: Database) -> Forgotten:
    """Delete every descriptor and person (see the module docstring)."""

    def apply() -> Forgotten:
        db.execute_sql('DELETE FROM "face_not_person"')
        db.execute_sql('DELETE FROM "face_person"')
        people = db.execute_sql('DELETE FROM "person"').rowcount
        descriptors = db.execute_sql('DELETE FROM "face_descriptor"').rowcount
        db.execute_sql('DELETE FROM "person_edit"')  # names in its rows: forgotten too
        return Forgotten(max(0, int(descriptors or 0)), max(0, int(people or 0)))

    return tx.write(db, apply, gate=Gate.INTERACTIVE)

"""Forgetting who is who (privacy): the one path that deletes every face
descriptor and every person.

`forget_people(db)` deletes every row of `FORGOTTEN_TABLES` in ONE write
transaction: descriptors, face-to-person rows, ruled-out faces, people and
the people-edit log (so those edits cannot be undone). The faces themselves
stay. It runs on `curator people forget` and on each people step while
`people_recognition` is off; `anything_to_forget()` is one indexed look.

In a SQLite catalog no byte stays: `secure_delete`, a VACUUM where free pages
may hold descriptors, a truncated WAL (`Forgotten.log_kept` when another
reader held it). A PostgreSQL server's storage is its administrator's
(`POSTGRES_NOTE`); backups are erased by `scrub`.

Invariants: the only wholesale delete of descriptors or people; no vector is
read; a replay deletes nothing.
"""

from __future__ import annotations

from typing import NamedTuple

from peewee import Database

from curator.catalog import tx
from curator.catalog.backends.dialect import dialect_of
from curator.catalog.models import Photo
from curator.catalog.write_gate import Gate

# What forgetting deletes, every row, in this order (a table before the ones it
# references); the backups lose the same (`scrub`).
FORGOTTEN_TABLES = ("face_not_person", "face_person", "person", "face_descriptor", "person_edit")
POSTGRES_NOTE = (
    "On a PostgreSQL catalog the server keeps deleted rows in its files until it reuses "
    "the space, and its write-ahead log and its own backups (pg_dump, base backups) hold "
    "them too: VACUUM FULL on the tables face_descriptor, person and person_edit, and "
    "those backups, are the administrator's."
)


class Forgotten(NamedTuple):
    descriptors: int  # face descriptors deleted
    people: int  # people deleted (named or not)
    log_kept: bool = False  # SQLite: the write-ahead log could not be truncated now

    def sentence(self) -> str:
        return (
            f"forgot {self.descriptors} face descriptors and {self.people} people "
            "(names included); the faces' eyes and focus stay"
        )


def anything_to_forget() -> bool:
    """Whether some descriptor, person or people edit is stored."""
    db = Photo._meta.database
    for table in ("face_descriptor", "person", "person_edit"):
        if db.execute_sql(f'SELECT 1 FROM "{table}" LIMIT 1').fetchone() is not None:
            return True
    return False


def forget_people(db: Database) -> Forgotten:
    """Delete every descriptor and person (see the module docstring)."""
    sqlite = not dialect_of(db).is_postgres and not db.in_transaction()
    zeroes = True
    if sqlite:
        zeroes = bool(db.execute_sql("PRAGMA secure_delete").fetchone()[0])
        db.execute_sql("PRAGMA secure_delete = ON")

    def apply() -> Forgotten:
        counts = {
            table: db.execute_sql(f'DELETE FROM "{table}"').rowcount for table in FORGOTTEN_TABLES
        }
        descriptors, people = counts["face_descriptor"], counts["person"]
        return Forgotten(max(0, int(descriptors or 0)), max(0, int(people or 0)))

    try:
        gone = tx.write(db, apply, gate=Gate.INTERACTIVE)
        if not sqlite:
            return gone
        if not zeroes:
            db.execute_sql("VACUUM")  # free pages of earlier deletes may hold descriptors
        busy = db.execute_sql("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()[0]
    finally:
        if sqlite and not zeroes:
            db.execute_sql("PRAGMA secure_delete = OFF")
    return gone._replace(log_kept=bool(busy))

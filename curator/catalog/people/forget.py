"""Forgetting who is who (privacy): the one path that deletes every face
descriptor and every person.

`forget_people(db)` deletes, in ONE write transaction, every row of
`FORGOTTEN_TABLES`: the descriptors, which face is whom, the faces taken out
of a person, the people with their names, and the log of people edits (it
holds names; forgetting is the one path that deletes from it, so those edits
can no longer be undone). The faces themselves (boxes, eyes, focus, looks)
stay: they are not identities. It runs on `curator people forget` and on
every people step while `people_recognition` is off; `anything_to_forget()`
keeps that to one indexed look when nothing is stored.

No byte of what it deletes is left in a SQLite catalog's files: the delete
runs with `secure_delete` on; where earlier deletes may have left
descriptors in free pages, the file is VACUUMed; the write-ahead log is
checkpointed and truncated (`Forgotten.log_kept`: another connection was
reading, and the app's next checkpoint overwrites it). A PostgreSQL server's
storage, WAL and dumps are its administrator's (`POSTGRES_NOTE`). The
backups are erased by `scrub`.

Invariants: the only module that deletes descriptors or people wholesale;
nothing here reads a vector; replaying it deletes nothing the second time.
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

"""Schema v33: near-duplicates (issue 83).

- `photo.fingerprint`: the picture fingerprint the technical stage measures
  (a stored figure: curator.figures; imaging.fingerprint's encoding). NULL
  until the photo is measured at technical version 5; an existing catalog is
  back-filled by the stage-version rule, at each folder's next import.
- `photo.duplicate_group`: the group of near-duplicates the photo is in (the
  lowest photo id of the group), NULL when it is in none; indexed for the
  grid's filter. `photo.duplicates_looked`: 1 once its fingerprint was
  compared with the catalog's (the writer sets 0 when it stores a new one),
  so an import compares only its new photos (found by a partial index).
- `not_duplicate`: pairs the photographer said are not the same picture
  (`photo_a` < `photo_b`); never grouped again. Gone with either photo.
"""

VERSION = 33
NAME = "near-duplicates: the fingerprint, the groups, pairs marked apart"

_APART = (
    "CREATE TABLE not_duplicate ("
    " photo_a {id} NOT NULL REFERENCES photo (id) ON DELETE CASCADE,"
    " photo_b {id} NOT NULL REFERENCES photo (id) ON DELETE CASCADE,"
    " marked_at TIMESTAMP NOT NULL, PRIMARY KEY (photo_a, photo_b))"
)
_COLUMNS = [
    "ALTER TABLE photo ADD COLUMN fingerprint {blob}",
    "ALTER TABLE photo ADD COLUMN duplicate_group {id}",
    "ALTER TABLE photo ADD COLUMN duplicates_looked INTEGER NOT NULL DEFAULT 0",
    "CREATE INDEX photo_duplicate_group ON photo (duplicate_group)"
    " WHERE duplicate_group IS NOT NULL",
    "CREATE INDEX photo_duplicates_unlooked ON photo (id) WHERE duplicates_looked = 0",
    "CREATE INDEX not_duplicate_b ON not_duplicate (photo_b)",
]

STATEMENTS = [
    _APART.format(id="INTEGER"),
    *(s.format(blob="BLOB", id="INTEGER") for s in _COLUMNS),
]
POSTGRES_STATEMENTS = [
    _APART.format(id="BIGINT"),
    *(s.format(blob="BYTEA", id="BIGINT") for s in _COLUMNS),
]

"""Schema v5: photos whose files are all gone are kept as *missing*.

`photo.missing_since` (naive UTC) is set when every path of the photo
(primary and `photo_path` extras) has vanished from disk; the photo keeps
its decisions, tags, description and previews, and the column is cleared
when its bytes turn up again anywhere (same content hash → same photo).
`photo.path` stays UNIQUE: when another photo takes a missing photo's last
path, the writer rewrites the missing photo's path to a *tombstone* of it
(see `catalog.missing`), never a value a real file can have. The partial
index serves the gallery's Missing filter and `count_missing`.

The decision log becomes append-only in the schema itself: triggers refuse
any UPDATE or DELETE of a `decision` row — including the cascade a deleted
photo would cause — so no code path can lose a decision silently.
"""

VERSION = 5

STATEMENTS = [
    "ALTER TABLE photo ADD COLUMN missing_since DATETIME",
    "CREATE INDEX photo_missing ON photo (missing_since) WHERE missing_since IS NOT NULL",
    """
    CREATE TRIGGER decision_never_deleted BEFORE DELETE ON decision
    BEGIN
        SELECT RAISE(ABORT, 'The decision log is append-only: a decision is never deleted.');
    END
    """,
    """
    CREATE TRIGGER decision_never_updated BEFORE UPDATE ON decision
    BEGIN
        SELECT RAISE(ABORT, 'The decision log is append-only: a decision is never changed.');
    END
    """,
]

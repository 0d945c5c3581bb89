"""Schema v5: photos whose files are all gone are kept as *missing*.

`photo.missing_since` (naive UTC) is set when every path is gone and cleared
when the bytes turn up anywhere; the photo keeps everything. `photo.path`
stays UNIQUE (a taken path becomes a tombstone: `catalog.missing`). The
partial index serves the Missing filter and `count_missing`.

Triggers make the decision log append-only: any UPDATE or DELETE of a
`decision` row (a cascade included) is refused.
"""

VERSION = 5
NAME = "missing photos"

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

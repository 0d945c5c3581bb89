"""Schema v13: the photographer's rotation (issue 19 §2), a decision like a label.

- `photo.rotation`: quarter-turns clockwise (0..3) the photographer added on
  top of the file's own EXIF orientation; 0 for every existing photo. The
  original is never touched: the turn lives here and goes out only as XMP
  `tiff:Orientation` and in export renditions.
- The `decision` log's kind CHECK now admits `rotation`, so a turn is undone
  and redone like any decision. SQLite can't alter a CHECK, so the log is
  rebuilt as m006 did (every row, id and stamp kept; run with foreign keys
  off, checked before commit) and its append-only triggers recreated.
"""

VERSION = 13
NAME = "rotation"

# The decision table is rebuilt: PRAGMA foreign_keys must be OFF around it.
FOREIGN_KEYS_OFF = True

STATEMENTS = [
    "ALTER TABLE photo ADD COLUMN rotation INTEGER NOT NULL DEFAULT 0"
    " CHECK (rotation BETWEEN 0 AND 3)",
    """
    CREATE TABLE decision_v13 (
        id INTEGER PRIMARY KEY,
        photo_id INTEGER NOT NULL REFERENCES photo (id) ON DELETE CASCADE,
        kind TEXT NOT NULL
            CHECK (kind IN ('cull', 'rating', 'pick', 'tag', 'label', 'rotation')),
        old_value TEXT,
        new_value TEXT,
        pass TEXT NOT NULL DEFAULT 'cli',
        undoes INTEGER REFERENCES decision (id),
        created_at DATETIME NOT NULL
    )
    """,
    """
    INSERT INTO decision_v13 (id, photo_id, kind, old_value, new_value, pass, undoes, created_at)
    SELECT id, photo_id, kind, old_value, new_value, pass, undoes, created_at FROM decision
    """,
    "DROP TRIGGER decision_never_deleted",
    "DROP TRIGGER decision_never_updated",
    "DROP TABLE decision",
    "ALTER TABLE decision_v13 RENAME TO decision",
    "CREATE INDEX decision_photo ON decision (photo_id)",
    "CREATE INDEX decision_created ON decision (created_at)",
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

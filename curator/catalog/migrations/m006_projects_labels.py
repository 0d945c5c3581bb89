"""Schema v6: projects (named sets), color labels, and what came from other tools.

- `project` (names unique ignoring case) and `project_photo` (membership).
- `photo.label`: a decision like a rating; the decision log's kind CHECK now
  admits `label`, so the log is rebuilt with every row, id and stamp kept
  (foreign keys off, checked before commit) and its append-only triggers
  recreated.
- `external_import`: per (photo, source) the fingerprint of what was last
  taken from XMP or Lightroom, and `file_mtime_ns`.
"""

VERSION = 6
NAME = "projects, labels, external imports"

# The decision table is rebuilt: PRAGMA foreign_keys must be OFF around it.
FOREIGN_KEYS_OFF = True

STATEMENTS = [
    "ALTER TABLE photo ADD COLUMN label TEXT",
    """
    CREATE TABLE project (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL UNIQUE COLLATE NOCASE,
        created_at DATETIME NOT NULL
    )
    """,
    """
    CREATE TABLE project_photo (
        id INTEGER PRIMARY KEY,
        project_id INTEGER NOT NULL REFERENCES project (id) ON DELETE CASCADE,
        photo_id INTEGER NOT NULL REFERENCES photo (id) ON DELETE CASCADE,
        added_at DATETIME NOT NULL,
        UNIQUE (project_id, photo_id)
    )
    """,
    "CREATE INDEX project_photo_photo ON project_photo (photo_id)",
    """
    CREATE TABLE external_import (
        id INTEGER PRIMARY KEY,
        photo_id INTEGER NOT NULL REFERENCES photo (id) ON DELETE CASCADE,
        source TEXT NOT NULL,
        fingerprint TEXT NOT NULL,
        file_mtime_ns INTEGER,
        imported_at DATETIME NOT NULL,
        UNIQUE (photo_id, source)
    )
    """,
    # -- the decision log, rebuilt to admit kind 'label' -----------------------------
    """
    CREATE TABLE decision_v6 (
        id INTEGER PRIMARY KEY,
        photo_id INTEGER NOT NULL REFERENCES photo (id) ON DELETE CASCADE,
        kind TEXT NOT NULL CHECK (kind IN ('cull', 'rating', 'pick', 'tag', 'label')),
        old_value TEXT,
        new_value TEXT,
        pass TEXT NOT NULL DEFAULT 'cli',
        undoes INTEGER REFERENCES decision (id),
        created_at DATETIME NOT NULL
    )
    """,
    """
    INSERT INTO decision_v6 (id, photo_id, kind, old_value, new_value, pass, undoes, created_at)
    SELECT id, photo_id, kind, old_value, new_value, pass, undoes, created_at FROM decision
    """,
    "DROP TRIGGER decision_never_deleted",
    "DROP TRIGGER decision_never_updated",
    "DROP TABLE decision",
    "ALTER TABLE decision_v6 RENAME TO decision",
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

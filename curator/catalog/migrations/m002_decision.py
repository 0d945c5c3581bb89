"""Schema v2: the append-only Decision log (cull, rating, pick, tag decisions).

Undo/redo, the taste model's training set and the audit trail all read it.
`undoes` points at the decision an undo/redo entry reverses (NULL otherwise).
"""

VERSION = 2
NAME = "decision log"

STATEMENTS = [
    """
    CREATE TABLE decision (
        id INTEGER PRIMARY KEY,
        photo_id INTEGER NOT NULL REFERENCES photo (id) ON DELETE CASCADE,
        kind TEXT NOT NULL CHECK (kind IN ('cull', 'rating', 'pick', 'tag')),
        old_value TEXT,
        new_value TEXT,
        pass TEXT NOT NULL DEFAULT 'cli',
        undoes INTEGER REFERENCES decision (id),
        created_at DATETIME NOT NULL
    )
    """,
    "CREATE INDEX decision_photo ON decision (photo_id)",
    "CREATE INDEX decision_created ON decision (created_at)",
]

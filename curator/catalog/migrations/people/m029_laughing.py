"""Schema v29: a key face's eyes narrowed in a laugh (issue 74 §1).

`photo_faces` gains `laughing` (1: a key face's eyes are narrowed in a
laugh, `records.EyeState.NARROWED`; never a reject, only CLOSED is), which
the burst star and the `eyes:laughing` filter read. 0 for the rows written
before: the faces stage's new version re-queues them and the back-fill
judges them again. A partial index on the flag, as m024's: the filter reads
it alone. Plain SQL, one transaction; PostgreSQL runs the same statements
translated (catalog.backends.pg_schema.translate).
"""

VERSION = 29
NAME = "a key face's eyes narrowed in a laugh"

STATEMENTS = [
    'ALTER TABLE "photo_faces" ADD COLUMN "laughing" INTEGER NOT NULL DEFAULT 0',
    'CREATE INDEX "photo_faces_laughing" ON "photo_faces" ("photo_id") WHERE "laughing" = 1',
]

"""Schema v24: how faces look — smile, where they look, head pose (issue 49).

- `face` gains, per judged face (NULL where not read: a face judged before
  this version, or one too small): `smile` (0–1, how sure Curator is that
  it smiles), `looking` ('camera' | 'away' | NULL: can't tell), and the
  head's `yaw`, `pitch`, `roll` in degrees (ml.faces.expression).
- `photo_faces` gains the summary that filters and a burst's star read:
  `smiling` (every key face smiles), `looking` (every key face looks at the
  camera), `ready` (the judged faces with eyes open that look at the
  camera). 0 for the rows written before: the faces stage's new version
  re-queues them, and the back-fill writes them again.
- Partial indexes on the two flags: the filters read them alone (as m017's).
Plain SQL, one transaction; PostgreSQL runs the same statements translated
(catalog.backends.pg_schema.translate: REAL is DOUBLE PRECISION there).
"""

VERSION = 24

STATEMENTS = [
    'ALTER TABLE "face" ADD COLUMN "smile" REAL',
    'ALTER TABLE "face" ADD COLUMN "looking" TEXT',
    'ALTER TABLE "face" ADD COLUMN "yaw" REAL',
    'ALTER TABLE "face" ADD COLUMN "pitch" REAL',
    'ALTER TABLE "face" ADD COLUMN "roll" REAL',
    'ALTER TABLE "photo_faces" ADD COLUMN "smiling" INTEGER NOT NULL DEFAULT 0',
    'ALTER TABLE "photo_faces" ADD COLUMN "looking" INTEGER NOT NULL DEFAULT 0',
    'ALTER TABLE "photo_faces" ADD COLUMN "ready" INTEGER NOT NULL DEFAULT 0',
    'CREATE INDEX "photo_faces_smiling" ON "photo_faces" ("photo_id") WHERE "smiling" = 1',
    'CREATE INDEX "photo_faces_looking" ON "photo_faces" ("photo_id") WHERE "looking" = 1',
]

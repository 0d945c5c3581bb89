"""Schema v24: how faces look — smile, where they look, head pose.

- `face` gains `smile` (0–1), `looking` ('camera' | 'away' | NULL) and `yaw`,
  `pitch`, `roll` (degrees; ml.faces.expression); NULL where not read.
- `photo_faces` gains `smiling`, `looking` (every key face at the camera) and
  `ready`; 0 for older rows, which the new faces version re-queues.
- Partial indexes on the two flags (as m017's).
Plain SQL, one transaction (translated for PostgreSQL:
catalog.backends.pg_schema.translate).
"""

VERSION = 24
NAME = "how faces look: smile, looking, head pose"

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

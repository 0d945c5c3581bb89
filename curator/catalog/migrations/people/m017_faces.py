"""Schema v17: people — the faces stage's results.

- `face`: per face, `idx` from 0 (largest first), its box (fractions of the
  upright image), size, judged, eyes' state and openness, sharpness (0–100),
  key face, confidence.
- `photo_faces`: the narrow per-photo summary the gallery's filters and badges
  read; a photo not looked at has none.
- Partial indexes on the two badges.
- Both cascade with their photo.
Plain SQL, one transaction.
"""

VERSION = 17
NAME = "faces"

STATEMENTS = [
    'CREATE TABLE "face" ('
    ' "id" INTEGER NOT NULL PRIMARY KEY,'
    ' "photo_id" INTEGER NOT NULL REFERENCES "photo" ("id") ON DELETE CASCADE,'
    ' "idx" INTEGER NOT NULL,'
    ' "x" REAL NOT NULL, "y" REAL NOT NULL, "w" REAL NOT NULL, "h" REAL NOT NULL,'
    ' "size_px" INTEGER NOT NULL,'
    ' "judged" INTEGER NOT NULL,'
    ' "eyes" TEXT NOT NULL,'
    ' "eyes_note" TEXT,'
    ' "openness" REAL,'
    ' "sharpness" REAL,'
    ' "is_key" INTEGER NOT NULL,'
    ' "confidence" REAL NOT NULL)',
    'CREATE UNIQUE INDEX "face_photo_idx" ON "face" ("photo_id", "idx")',
    'CREATE TABLE "photo_faces" ('
    ' "photo_id" INTEGER NOT NULL PRIMARY KEY REFERENCES "photo" ("id") ON DELETE CASCADE,'
    ' "faces" INTEGER NOT NULL,'
    ' "judged" INTEGER NOT NULL,'
    ' "key_faces" INTEGER NOT NULL,'
    ' "closed_eyes" INTEGER NOT NULL,'
    ' "soft_face" INTEGER NOT NULL,'
    ' "eyes_open" INTEGER NOT NULL,'
    ' "key_sharpness" REAL,'
    ' "note" TEXT,'
    ' "version" TEXT NOT NULL)',
    'CREATE INDEX "photo_faces_closed_eyes" ON "photo_faces" ("photo_id") WHERE "closed_eyes" = 1',
    'CREATE INDEX "photo_faces_soft_face" ON "photo_faces" ("photo_id") WHERE "soft_face" = 1',
]

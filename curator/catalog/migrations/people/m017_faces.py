"""Schema v17: people — the faces stage's results (issue 32).

- `face`: one row per face found in a photo, numbered `idx` from 0 (largest
  first): its box in fractions of the upright image, its size in preview
  pixels, whether it was judged, the eyes' state and why it is unknown, the
  eyes' openness, the face's sharpness (0–100, the photo's scale), whether it
  is a key face, the detector's confidence.
- `photo_faces`: one narrow row per photo the stage looked at (its summary:
  counts, CLOSED EYES, SOFT FACE, every key face's eyes open, the softest key
  face's sharpness, the note when nothing was judged, the stage version). The
  gallery's filters and badges read this row, never the wide photo row; a
  photo the stage has not looked at has none ("not judged yet").
- Partial indexes on the two badges: the filters read them alone.
- Both go with their photo (foreign keys, ON DELETE CASCADE; photo rows are
  never deleted by Curator, only tombstoned).
Plain SQL, one transaction.
"""

VERSION = 17

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

"""Schema v25: who is who — face descriptors and people.

New tables keyed by the face's id; `face` is not altered.
- `face_descriptor`: model id, the vector (128 float32 LE: ml.faces.descriptor)
  and `looked` (partial index `face_descriptor_unlooked`); never leaves the catalog.
- `person`: `name` (NULL until named), `made_at`.
- `face_person`: a face's one person; `by_hand` 1 where the photographer put it
  (`face_person_person` lists a person's faces).
- `face_not_person`: a face taken out of a person, never put back.
Foreign keys cascade. Plain SQL (translated for PostgreSQL), one transaction.
"""

VERSION = 25
NAME = "face descriptors and people"

STATEMENTS = [
    'CREATE TABLE "face_descriptor" ('
    ' "face_id" INTEGER NOT NULL PRIMARY KEY REFERENCES "face" ("id") ON DELETE CASCADE,'
    ' "model" TEXT NOT NULL,'
    ' "vector" BLOB NOT NULL,'
    ' "looked" INTEGER NOT NULL DEFAULT 0)',
    'CREATE INDEX "face_descriptor_unlooked" ON "face_descriptor" ("face_id") WHERE "looked" = 0',
    'CREATE TABLE "person" ('
    ' "id" INTEGER NOT NULL PRIMARY KEY,'
    ' "name" TEXT,'
    ' "made_at" DATETIME NOT NULL)',
    'CREATE TABLE "face_person" ('
    ' "face_id" INTEGER NOT NULL PRIMARY KEY REFERENCES "face" ("id") ON DELETE CASCADE,'
    ' "person_id" INTEGER NOT NULL REFERENCES "person" ("id") ON DELETE CASCADE,'
    ' "by_hand" INTEGER NOT NULL DEFAULT 0)',
    'CREATE INDEX "face_person_person" ON "face_person" ("person_id")',
    'CREATE TABLE "face_not_person" ('
    ' "face_id" INTEGER NOT NULL REFERENCES "face" ("id") ON DELETE CASCADE,'
    ' "person_id" INTEGER NOT NULL REFERENCES "person" ("id") ON DELETE CASCADE,'
    ' PRIMARY KEY ("face_id", "person_id"))',
]

"""Schema v25: who is who — face descriptors and people (issue 50).

Every table is new and keyed by the face's id, so nothing here alters the
`face` table (m024 adds its own columns to it, independently).

- `face_descriptor`: one row per described face: the descriptor model's id,
  the vector (128 float32, little-endian: ml.faces.descriptor), and
  `looked` (1 once a people run looked at the face: a face it left without a
  person is not looked at again by every later import; the partial index
  `face_descriptor_unlooked` answers "anything new?" without reading the
  vectors). It goes with its face (ON DELETE CASCADE). Descriptors never
  leave the catalog.
- `person`: a person the clustering found or the photographer named:
  `name` (NULL until named), `made_at`.
- `face_person`: which person a face is (at most one); `by_hand` 1 where
  the photographer put it there (a clustering never moves it). A face
  without a row has no person (yet). `face_person_person` lists a person's
  faces.
- `face_not_person`: a face the photographer took out of a person; the
  clustering never puts it back into that person.
Foreign keys cascade: a face re-judged or a person merged away takes its
rows along. Plain SQL (translated for PostgreSQL), one transaction.
"""

VERSION = 25

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

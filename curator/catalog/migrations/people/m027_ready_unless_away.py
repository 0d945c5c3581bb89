"""Schema v27: a subject is ready unless seen looking away.

`photo_faces.ready` now also counts a key face with eyes open whose gaze
cannot be told (ml.faces.verdicts `is_ready`). Every row is recounted from its
own `face` rows, no photo judged again. One statement (translated for
PostgreSQL), one transaction.
"""

VERSION = 27
NAME = "a subject is ready unless seen looking away"

STATEMENTS = [
    'UPDATE "photo_faces" SET "ready" = ('
    ' SELECT COUNT(*) FROM "face" WHERE "face"."photo_id" = "photo_faces"."photo_id"'
    ' AND "face"."judged" = 1 AND "face"."eyes" = \'open\''
    ' AND ("face"."looking" = \'camera\' OR ("face"."looking" IS NULL AND "face"."is_key" = 1)))',
]

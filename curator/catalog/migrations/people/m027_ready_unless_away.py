"""Schema v27: a subject is ready unless seen looking away (issue 49 §2).

`photo_faces.ready` counted the judged faces with eyes open that look at the
camera; it now also counts a key face with eyes open whose gaze Curator
cannot tell (a glance between the camera's and the away line, eyes too
small to read the gaze, a face judged before m024): a subject is not held
against its frame unless seen turned from the camera, while a face in the
background still counts only seen at the camera (ml.faces.verdicts
`is_ready`). Every row is counted again
from its own `face` rows, so no photo is judged again for it. One
statement, plain SQL (translated for PostgreSQL), one transaction; the
correlated count reads `face` through its (photo_id, idx) index.
"""

VERSION = 27

STATEMENTS = [
    'UPDATE "photo_faces" SET "ready" = ('
    ' SELECT COUNT(*) FROM "face" WHERE "face"."photo_id" = "photo_faces"."photo_id"'
    ' AND "face"."judged" = 1 AND "face"."eyes" = \'open\''
    ' AND ("face"."looking" = \'camera\' OR ("face"."looking" IS NULL AND "face"."is_key" = 1)))',
]

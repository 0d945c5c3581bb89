"""Schema v27: a face is ready unless it looks away (issue 49 §2).

`photo_faces.ready` counted the judged faces with eyes open that look at the
camera; it now counts those with eyes open that do not look away — where
Curator cannot tell where an open-eyed face looks (a glance between the
camera's and the away line, eyes too small to read the gaze, a face judged
before m024), the face is not held against its frame: only a face seen
turned from the camera is (ml.faces.verdicts). Every row is counted again
from its own `face` rows, so no photo is judged again for it. One
statement, plain SQL (translated for PostgreSQL), one transaction; the
correlated count reads `face` through its (photo_id, idx) index.
"""

VERSION = 27

STATEMENTS = [
    'UPDATE "photo_faces" SET "ready" = ('
    ' SELECT COUNT(*) FROM "face" WHERE "face"."photo_id" = "photo_faces"."photo_id"'
    ' AND "face"."judged" = 1 AND "face"."eyes" = \'open\''
    ' AND ("face"."looking" IS NULL OR "face"."looking" <> \'away\'))',
]

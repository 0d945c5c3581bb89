"""Schema v21: the camera and the pass state in one index (SQLite).

"Kept photos of one camera, by preference" looked ~18,000 photos up for a
first page (35-80 ms at 100,000); `photo_camera_cull` finds the few in the
index: ~8 ms (`catalog.gallery.lists._score_head` chooses it). PostgreSQL's
version is `backends.pg_plans`'. No table changes.
"""

VERSION = 21
NAME = "the camera and the pass state in one index"

STATEMENTS = [
    "CREATE INDEX photo_camera_cull ON photo (COALESCE(camera_model, camera_make), cull)"
    " WHERE deleted_at IS NULL",
]
POSTGRES_STATEMENTS: list[str] = []

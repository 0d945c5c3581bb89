"""Schema v21: the camera and the pass state in one index (issue 34 §6, SQLite).

"Kept photos of one camera, by preference" walked the scores' order and
looked each photo up until 500 passed both filters: a camera of 14 % of the
photos and kept at a fifth of them is one photo in 36, so ~18,000 lookups
for a first page (35-80 ms at 100,000 photos). With `photo_camera_cull` the
few photos (2,800) are found in the index and their scores sorted: ~8 ms
(`catalog.gallery.lists._score_head` chooses it when the index says they are few).

PostgreSQL gets its own version of this index, with the columns it needs to
read it alone, from `backends.pg_plans` (an accelerator made at each writable
open): nothing to do here. No table changes.
"""

VERSION = 21

STATEMENTS = [
    "CREATE INDEX photo_camera_cull ON photo (COALESCE(camera_model, camera_make), cull)"
    " WHERE deleted_at IS NULL",
]
POSTGRES_STATEMENTS: list[str] = []

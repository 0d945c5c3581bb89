"""Schema v4: indexes for the gallery's sorts and filters (100k photos ≤ 50 ms).

One partial index per gallery sort, over live photos (`deleted_at IS NULL`),
whose leading terms are exactly the sort's ORDER BY expressions in
`catalog.gallery.lists._ORDER_BY` (SQLite only uses an expression index when the
expressions match), followed by the columns the common filters test (cull,
rating, preference_score, burst_group) so a filtered listing is answered
from the index without touching the table. `description_content_type`
serves the content-type filter. No table changes.
"""

VERSION = 4
NAME = "gallery indexes"

_FILTERS = "cull, rating, preference_score, burst_group"

STATEMENTS = [
    "CREATE INDEX photo_gallery_time ON photo"
    f" (captured_at IS NULL, captured_at, path, {_FILTERS}) WHERE deleted_at IS NULL",
    "CREATE INDEX photo_gallery_preference ON photo"
    " (preference_score IS NULL, preference_score DESC, id, cull, rating, burst_group)"
    " WHERE deleted_at IS NULL",
    "CREATE INDEX photo_gallery_sharpness ON photo"
    f" (sharpness_score IS NULL, sharpness_score DESC, id, {_FILTERS}) WHERE deleted_at IS NULL",
    "CREATE INDEX photo_gallery_rating ON photo"
    " (rating IS NULL, rating DESC, captured_at IS NULL, captured_at, id,"
    " cull, preference_score, burst_group) WHERE deleted_at IS NULL",
    "CREATE INDEX description_content_type ON description (content_type, photo_id)",
]

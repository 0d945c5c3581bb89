"""Schema v12: a rescore writes one gallery index, not five.

The time, sharpness, rating and file-name gallery indexes are rebuilt without
their trailing `preference_score`; the preference sort's index keeps it, and a
MATCH filter under another sort takes a range of that index
(`gallery_filters.MATCH_SQL`). Figures: docs/decisions/catalog.md.
No table changes.
"""

VERSION = 12
NAME = "gallery indexes a rescore does not rewrite"

_FILTERS = "cull, rating, burst_group"
# The file-name sort's expression, exactly as v9 (and catalog.gallery_filters) spell it:
# SQLite uses an expression index only when the expression matches.
_NAME = (
    "substr(replace(CAST(path AS TEXT), '\\', '/'), length(rtrim(replace(CAST(path AS TEXT),"
    " '\\', '/'), replace(replace(CAST(path AS TEXT), '\\', '/'), '/', ''))) + 1)"
)

STATEMENTS = [
    "DROP INDEX IF EXISTS photo_gallery_time",
    "DROP INDEX IF EXISTS photo_gallery_sharpness",
    "DROP INDEX IF EXISTS photo_gallery_rating",
    "DROP INDEX IF EXISTS photo_gallery_name",
    "CREATE INDEX photo_gallery_time ON photo"
    f" (captured_at IS NULL, captured_at, path, {_FILTERS}) WHERE deleted_at IS NULL",
    "CREATE INDEX photo_gallery_sharpness ON photo"
    f" (sharpness_score IS NULL, sharpness_score DESC, id, {_FILTERS}) WHERE deleted_at IS NULL",
    "CREATE INDEX photo_gallery_rating ON photo"
    " (rating IS NULL, rating DESC, captured_at IS NULL, captured_at, id,"
    " cull, burst_group) WHERE deleted_at IS NULL",
    f"CREATE INDEX photo_gallery_name ON photo ({_NAME}, path, {_FILTERS})"
    " WHERE deleted_at IS NULL",
]

"""Schema v12: a rescore writes one gallery index, not five (issue 21 §2).

v4 and v9 carried `preference_score` as a trailing filter column in the
time, sharpness, rating and file-name gallery indexes, so a MATCH filter
under those sorts was answered from the index alone. But every rescore
(after each retrain) rewrites every photo's score, and each row written then
updated five indexes: on 100,000 photos that was ~2 s of CPU against a
0.5 s budget. These four indexes are rebuilt without `preference_score`
(their sort terms and the other filter columns unchanged); the preference
sort's own index keeps it, and a MATCH filter under another sort takes its
photos from a range of that index (`gallery_filters.MATCH_SQL`). On 100,000
photos: a rescore after a retrain ~1.9-2.3 s -> ~0.6-0.8 s CPU; a MATCH
filter ~12-15 -> ~28-30 ms CPU (inside the 50 ms budget).
No table changes.
"""

VERSION = 12

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

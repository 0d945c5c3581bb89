"""Schema v9: indexes for the gallery's metadata filters and the file-name sort.

- `photo_gallery_name`: leads with exactly `catalog.gallery_filters.FILE_NAME_SQL`
  (an expression index must match), then `path` and the common filters' columns.
- `photo_camera`, `photo_lens` (with ISO), `photo_iso`: the filters and the
  popup's counts.
No table changes.
"""

VERSION = 9
NAME = "metadata filter indexes"

_NAME = (
    "substr(replace(CAST(path AS TEXT), '\\', '/'), length(rtrim(replace(CAST(path AS TEXT),"
    " '\\', '/'), replace(replace(CAST(path AS TEXT), '\\', '/'), '/', ''))) + 1)"
)

STATEMENTS = [
    f"CREATE INDEX photo_gallery_name ON photo ({_NAME}, path, cull, rating,"
    " preference_score, burst_group) WHERE deleted_at IS NULL",
    "CREATE INDEX photo_camera ON photo (COALESCE(camera_model, camera_make), camera_make,"
    " camera_model) WHERE deleted_at IS NULL",
    "CREATE INDEX photo_lens ON photo (lens, iso) WHERE deleted_at IS NULL",
    "CREATE INDEX photo_iso ON photo (iso) WHERE deleted_at IS NULL",
]

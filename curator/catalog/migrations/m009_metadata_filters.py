"""Schema v9: indexes for the gallery's metadata filters and the file-name sort
(issue 12: 100k photos, every filter/sort ≤ 50 ms).

- `photo_gallery_name`: the file-name sort. Its leading term is exactly
  `catalog.gallery_filters.FILE_NAME_SQL` (SQLite uses an expression index
  only when the expression matches), then `path` (the sort's tie-break) and
  the columns the common filters test, so the sorted listing, and the
  file-name-contains filter, read the index instead of computing the name
  for every row.
- `photo_camera`, `photo_lens` (with ISO: lens + ISO range is one seek),
  `photo_iso`: the camera, lens and ISO
  filters and the popup's distinct-value counts (GROUP BY over an index).
No table changes.
"""

VERSION = 9

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

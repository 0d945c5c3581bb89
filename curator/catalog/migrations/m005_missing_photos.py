"""Schema v5: photos whose files are all gone are kept as *missing*.

`photo.missing_since` (naive UTC) is set when every path of the photo
(primary and `photo_path` extras) has vanished from disk; the photo keeps
its decisions, tags, description and previews, and the column is cleared
when its bytes turn up again anywhere (same content hash → same photo).
`photo.path` stays UNIQUE: when another photo takes a missing photo's last
path, the writer rewrites the missing photo's path to a *tombstone* of it
(see `catalog.missing`), never a value a real file can have. The partial
index serves the gallery's Missing filter and `count_missing`.
"""

VERSION = 5

STATEMENTS = [
    "ALTER TABLE photo ADD COLUMN missing_since DATETIME",
    "CREATE INDEX photo_missing ON photo (missing_since) WHERE missing_since IS NOT NULL",
]

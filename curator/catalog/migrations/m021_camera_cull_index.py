"""Schema v21 (SQLite): the camera with the pass state in one index, and the
file names in a trigram index (issue 34 §6: the one-person default's gallery).

- `photo_camera_cull`: "kept photos of one camera, by preference" walked the
  scores' order and looked each photo up until 500 passed both filters: a
  camera of 14 % of the photos and kept at a fifth of them is one photo in
  36, so ~18,000 lookups for a first page (35-80 ms at 100,000 photos). With
  this index the few photos (2,800) are found in it and their scores sorted:
  ~8 ms (`queries._few_of_one_camera` chooses it when the index says they
  are few).
- `photo_fts_names`: "file name contains" scanned the file-name index (m009)
  with LIKE, every one of 100,000 names (~27 ms). An FTS5 table with the
  trigram tokenizer (SQLite 3.34+) holds each photo's file name (rowid =
  photo id; the name exactly as `gallery_filters.FILE_NAME_SQL` computes it
  from the path), kept by triggers on the photo's path; a needle of three or
  more ASCII characters is looked up in it (MATCH narrows, the same LIKE as
  before decides: `gallery_filters.metadata_id_sets`), ~1 ms. It is derived
  data: `catalog copy` leaves it out (its `photo_fts` prefix) and the
  destination's triggers fill their own.

PostgreSQL has both already, as accelerators made at a writable open
(`backends.pg_plans`' camera index with the columns it reads alone,
`backends.pg_trigram`'s pg_trgm index): nothing to do there. No table of
the catalog's own changes.
"""

VERSION = 21


def _name(path_sql: str) -> str:
    """The last component of a stored path (SQLite): `gallery_filters.FILE_NAME_SQL`
    (m009's `_NAME`) over `path_sql`."""
    text = f"replace(CAST({path_sql} AS TEXT), '\\', '/')"
    return f"substr({text}, length(rtrim({text}, replace({text}, '/', ''))) + 1)"


_INSERT = "INSERT INTO photo_fts_names (rowid, name) VALUES (NEW.id, {name});\n"

STATEMENTS = [
    "CREATE INDEX photo_camera_cull ON photo (COALESCE(camera_model, camera_make), cull)"
    " WHERE deleted_at IS NULL",
    "CREATE VIRTUAL TABLE photo_fts_names USING fts5(name, tokenize = 'trigram')",
    "CREATE TRIGGER photo_fts_names_ins AFTER INSERT ON photo\nBEGIN\n"
    + _INSERT.format(name=_name("NEW.path"))
    + "END",
    "CREATE TRIGGER photo_fts_names_upd AFTER UPDATE OF path ON photo\nBEGIN\n"
    "DELETE FROM photo_fts_names WHERE rowid = OLD.id;\n"
    + _INSERT.format(name=_name("NEW.path"))
    + "END",
    "CREATE TRIGGER photo_fts_names_del AFTER DELETE ON photo\nBEGIN\n"
    "DELETE FROM photo_fts_names WHERE rowid = OLD.id;\nEND",
    f"INSERT INTO photo_fts_names (rowid, name) SELECT id, {_name('path')} FROM photo",
]
POSTGRES_STATEMENTS: list[str] = []

"""Schema v22 (SQLite): the file names in a trigram index (issue 34 §6: the
one-person default's gallery).

"File name contains" scanned the file-name index (m009) with LIKE, every one
of 100,000 names (~27 ms). `photo_fts_names`, an FTS5 table with the trigram
tokenizer (SQLite 3.34+), holds each photo's file name (rowid = photo id; the
name exactly as `gallery_filters.FILE_NAME_SQL` computes it from the path),
kept by triggers on the photo's path; a needle of three or more ASCII
characters is looked up in it (MATCH narrows, the same LIKE as before
decides: `gallery_filters.metadata_id_sets`), ~1 ms. It is derived data:
`catalog copy` leaves it out (its `photo_fts` prefix) and the destination's
triggers fill their own.

PostgreSQL has its own, `backends.pg_trigram`'s pg_trgm index, made at a
writable open: nothing to do there. No table of the catalog's own changes.
"""

VERSION = 22


def _name(path_sql: str) -> str:
    """The last component of a stored path (SQLite): `gallery_filters.FILE_NAME_SQL`
    (m009's `_NAME`) over `path_sql`."""
    text = f"replace(CAST({path_sql} AS TEXT), '\\', '/')"
    return f"substr({text}, length(rtrim({text}, replace({text}, '/', ''))) + 1)"


_INSERT = "INSERT INTO photo_fts_names (rowid, name) VALUES (NEW.id, {name});\n"

STATEMENTS = [
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

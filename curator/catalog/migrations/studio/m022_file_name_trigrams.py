"""Schema v22 (SQLite): the file names in a trigram index.

`photo_fts_names` (FTS5, trigram tokenizer, SQLite 3.34+) holds each photo's
file name as `gallery_filters.FILE_NAME_SQL` computes it, kept by triggers; a
needle of three or more ASCII characters is narrowed by MATCH and decided by
the same LIKE (`gallery_filters.metadata_id_sets`): ~1 ms instead of ~27 ms
at 100,000 names. Derived data: `catalog copy` leaves it out. PostgreSQL has
`backends.pg_trigram`'s index instead.
"""

VERSION = 22
NAME = "file names by trigram"


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

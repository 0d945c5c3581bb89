"""Schema v7: text search (SQLite FTS5) over what describes a photo.

`photo_fts` (rowid = photo.id): `subject`, `tags` (live ones only),
`content_type`, `mood`, `lighting` and `names` (every path's base name);
`unicode61 remove_diacritics 2` with 2- and 3-character prefix indexes.

Triggers rebuild a photo's row from the tables on every write path. Deleted
photos stay indexed and are filtered by curator.search.text. Paths are read
with CAST(path AS TEXT) (invalid UTF-8 bytes never match), the tombstone
suffix stripped (catalog.missing), '/' and '\\' both ending a folder.
The index is filled for every existing photo.
"""

VERSION = 7
NAME = "text search"

_COLUMNS = "subject, tags, content_type, mood, lighting, names"


def _real(path_sql: str) -> str:
    """A stored path without a tombstone suffix, as text."""
    return (
        f"CAST(CASE WHEN instr({path_sql}, X'00') > 0 "
        f"THEN substr({path_sql}, 1, instr({path_sql}, X'00') - 1) "
        f"ELSE {path_sql} END AS TEXT)"
    )


def _base_name(path_sql: str) -> str:
    """The last component of a stored path (text): what follows the last separator."""
    text = f"replace({_real(path_sql)}, '\\', '/')"
    return f"substr({text}, length(rtrim({text}, replace({text}, '/', ''))) + 1)"


def _row_select(where: str) -> str:
    """SELECT the index row(s) of the photo(s) that `where` names (alias p = photo)."""
    return f"""
    SELECT p.id,
        d.subject,
        (SELECT group_concat(t.name, ' ; ') FROM photo_tag pt JOIN tag t ON t.id = pt.tag_id
            WHERE pt.photo_id = p.id AND pt.removed_at IS NULL),
        replace(d.content_type, '_', ' '),
        d.artistic_mood,
        d.lighting_critique,
        {_base_name("p.path")} || coalesce((SELECT ' ' || group_concat({_base_name("pp.path")}, ' ')
            FROM photo_path pp WHERE pp.photo_id = p.id), '')
    FROM photo p LEFT JOIN description d ON d.photo_id = p.id
    WHERE {where}
    """


def _refresh(photo_id_sql: str) -> str:
    """Trigger body statements that rebuild one photo's row."""
    return (
        f"DELETE FROM photo_fts WHERE rowid = {photo_id_sql};\n"
        f"INSERT INTO photo_fts (rowid, {_COLUMNS}) {_row_select(f'p.id = {photo_id_sql}')};\n"
    )


def _trigger(name: str, event: str, body: str, when: str = "") -> str:
    when_sql = f" WHEN {when}" if when else ""
    return f"CREATE TRIGGER {name} AFTER {event}{when_sql}\nBEGIN\n{body}END"


STATEMENTS = [
    f"""
    CREATE VIRTUAL TABLE photo_fts USING fts5(
        {_COLUMNS},
        tokenize = 'unicode61 remove_diacritics 2',
        prefix = '2 3'
    )
    """,
    # -- descriptions ------------------------------------------------------------------
    _trigger("photo_fts_description_ins", "INSERT ON description", _refresh("NEW.photo_id")),
    _trigger(
        "photo_fts_description_upd",
        "UPDATE ON description",
        _refresh("OLD.photo_id") + _refresh("NEW.photo_id"),
    ),
    _trigger("photo_fts_description_del", "DELETE ON description", _refresh("OLD.photo_id")),
    # -- tags --------------------------------------------------------------------------
    _trigger("photo_fts_photo_tag_ins", "INSERT ON photo_tag", _refresh("NEW.photo_id")),
    _trigger(
        "photo_fts_photo_tag_upd",
        "UPDATE ON photo_tag",
        _refresh("OLD.photo_id") + _refresh("NEW.photo_id"),
    ),
    _trigger("photo_fts_photo_tag_del", "DELETE ON photo_tag", _refresh("OLD.photo_id")),
    _trigger(
        "photo_fts_tag_upd",
        "UPDATE OF name ON tag",
        "DELETE FROM photo_fts WHERE rowid IN"
        " (SELECT photo_id FROM photo_tag WHERE tag_id = NEW.id);\n"
        f"INSERT INTO photo_fts (rowid, {_COLUMNS}) "
        f"{_row_select('p.id IN (SELECT photo_id FROM photo_tag WHERE tag_id = NEW.id)')};\n",
    ),
    # -- photos and their paths --------------------------------------------------------
    _trigger("photo_fts_photo_ins", "INSERT ON photo", _refresh("NEW.id")),
    _trigger(
        "photo_fts_photo_path_upd",
        "UPDATE OF path ON photo",
        _refresh("NEW.id"),
        when="OLD.path IS NOT NEW.path",
    ),
    _trigger(
        "photo_fts_photo_del", "DELETE ON photo", "DELETE FROM photo_fts WHERE rowid = OLD.id;\n"
    ),
    _trigger("photo_fts_extra_path_ins", "INSERT ON photo_path", _refresh("NEW.photo_id")),
    _trigger(
        "photo_fts_extra_path_upd",
        "UPDATE ON photo_path",
        _refresh("OLD.photo_id") + _refresh("NEW.photo_id"),
    ),
    _trigger("photo_fts_extra_path_del", "DELETE ON photo_path", _refresh("OLD.photo_id")),
    # -- the index for what an older catalog already holds -----------------------------
    f"INSERT INTO photo_fts (rowid, {_COLUMNS}) {_row_select('1')}",
]

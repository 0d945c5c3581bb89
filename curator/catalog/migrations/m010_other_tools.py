"""Schema v10: what Curator knows of other tools' metadata, so it never rewrites it.

- `xmp_sync`: per photo, its XMP as Curator last read or wrote it (JSON in XMP
  terms) with the sidecar's path and mtime: `xmp write` changes a field only
  when a Curator decision moved away from it.
- `photo_keyword`: another tool's keywords as written: `text`, hierarchical
  `path` ('' when flat), the catalog `tag` it became (NULL when dropped),
  `private` (never exported) and `source` ('xmp', 'lightroom').
- `photo.caption`: another tool's or the photographer's caption; Curator never
  writes one.
- `photo_fts` gains `caption`: the index is rebuilt (v7's tokenizer and
  prefixes) with its triggers, one more for captions, and refilled.
"""

VERSION = 10
NAME = "other tools' keywords, captions and XMP state"

_COLUMNS = "subject, tags, content_type, mood, lighting, names, caption"


def _real(path_sql: str) -> str:
    """A stored path without a tombstone suffix, as text (as in v7)."""
    return (
        f"CAST(CASE WHEN instr({path_sql}, X'00') > 0 "
        f"THEN substr({path_sql}, 1, instr({path_sql}, X'00') - 1) "
        f"ELSE {path_sql} END AS TEXT)"
    )


def _base_name(path_sql: str) -> str:
    text = f"replace({_real(path_sql)}, '\\', '/')"
    return f"substr({text}, length(rtrim({text}, replace({text}, '/', ''))) + 1)"


def _row_select(where: str) -> str:
    return f"""
    SELECT p.id,
        d.subject,
        (SELECT group_concat(t.name, ' ; ') FROM photo_tag pt JOIN tag t ON t.id = pt.tag_id
            WHERE pt.photo_id = p.id AND pt.removed_at IS NULL),
        replace(d.content_type, '_', ' '),
        d.artistic_mood,
        d.lighting_critique,
        {_base_name("p.path")} || coalesce((SELECT ' ' || group_concat({_base_name("pp.path")}, ' ')
            FROM photo_path pp WHERE pp.photo_id = p.id), ''),
        p.caption
    FROM photo p LEFT JOIN description d ON d.photo_id = p.id
    WHERE {where}
    """


def _refresh(photo_id_sql: str) -> str:
    return (
        f"DELETE FROM photo_fts WHERE rowid = {photo_id_sql};\n"
        f"INSERT INTO photo_fts (rowid, {_COLUMNS}) {_row_select(f'p.id = {photo_id_sql}')};\n"
    )


def _trigger(name: str, event: str, body: str, when: str = "") -> str:
    when_sql = f" WHEN {when}" if when else ""
    return f"CREATE TRIGGER {name} AFTER {event}{when_sql}\nBEGIN\n{body}END"


_V7_TRIGGERS = (
    "photo_fts_description_ins",
    "photo_fts_description_upd",
    "photo_fts_description_del",
    "photo_fts_photo_tag_ins",
    "photo_fts_photo_tag_upd",
    "photo_fts_photo_tag_del",
    "photo_fts_tag_upd",
    "photo_fts_photo_ins",
    "photo_fts_photo_path_upd",
    "photo_fts_photo_del",
    "photo_fts_extra_path_ins",
    "photo_fts_extra_path_upd",
    "photo_fts_extra_path_del",
)

STATEMENTS = [
    """
    CREATE TABLE xmp_sync (
        photo_id INTEGER PRIMARY KEY REFERENCES photo (id) ON DELETE CASCADE,
        state TEXT NOT NULL,
        sidecar BLOB,
        mtime_ns INTEGER,
        recorded_at DATETIME NOT NULL
    )
    """,
    """
    CREATE TABLE photo_keyword (
        id INTEGER PRIMARY KEY,
        photo_id INTEGER NOT NULL REFERENCES photo (id) ON DELETE CASCADE,
        text TEXT NOT NULL,
        path TEXT NOT NULL DEFAULT '',
        tag TEXT,
        private INTEGER NOT NULL DEFAULT 0,
        source TEXT NOT NULL,
        UNIQUE (photo_id, text, path)
    )
    """,
    "CREATE INDEX photo_keyword_photo ON photo_keyword (photo_id, tag)",
    "ALTER TABLE photo ADD COLUMN caption TEXT",
    # -- the text index, rebuilt with the caption column -------------------------------
    *(f"DROP TRIGGER IF EXISTS {name}" for name in _V7_TRIGGERS),
    "DROP TABLE IF EXISTS photo_fts",
    f"""
    CREATE VIRTUAL TABLE photo_fts USING fts5(
        {_COLUMNS},
        tokenize = 'unicode61 remove_diacritics 2',
        prefix = '2 3'
    )
    """,
    _trigger("photo_fts_description_ins", "INSERT ON description", _refresh("NEW.photo_id")),
    _trigger(
        "photo_fts_description_upd",
        "UPDATE ON description",
        _refresh("OLD.photo_id") + _refresh("NEW.photo_id"),
    ),
    _trigger("photo_fts_description_del", "DELETE ON description", _refresh("OLD.photo_id")),
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
    _trigger("photo_fts_photo_ins", "INSERT ON photo", _refresh("NEW.id")),
    _trigger(
        "photo_fts_photo_path_upd",
        "UPDATE OF path ON photo",
        _refresh("NEW.id"),
        when="OLD.path IS NOT NEW.path",
    ),
    _trigger(
        "photo_fts_photo_caption_upd",
        "UPDATE OF caption ON photo",
        _refresh("NEW.id"),
        when="OLD.caption IS NOT NEW.caption",
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
    f"INSERT INTO photo_fts (rowid, {_COLUMNS}) {_row_select('1')}",
]

"""Schema v10: what Curator knows of other tools' metadata, so it never rewrites it (issue 18).

- `xmp_sync`: one row per photo: the state of the photo's XMP as Curator last
  read it (an import) or wrote it (`curator xmp write`), in XMP terms (JSON:
  the rating as the file has it, reject and pick flags, the label, the
  keywords in the catalog's tag form), with the sidecar's path and mtime.
  `xmp write` changes a field only when a decision made in Curator moved the
  catalog away from this state, so a sidecar another tool wrote is not
  rewritten for what Curator merely read from it.
- `photo_keyword`: another tool's keywords as that tool wrote them: `text`
  ("B&W", "St. Paul's Cathedral"), the hierarchical `path` ("Places|London|St.
  Paul's Cathedral"; '' for a flat keyword), the catalog `tag` it became
  (NULL when the tag rule dropped it, e.g. "Photography"), `private` (Lightroom's
  "Include on Export" off: imported and searchable, never exported) and the
  `source` ('xmp', 'lightroom'). The normalised tag stays for Curator's search;
  exports and sidecars write the text and path.
- `photo.caption`: the caption another tool or the photographer wrote
  (dc:description, Lightroom's IPTC caption). Never written by Curator itself.
- `photo_fts` gains a `caption` column: FTS5 can't add a column, so the index
  is rebuilt (same tokenizer and prefixes as v7) with its triggers, one more
  trigger follows caption updates, and every photo's row is filled again.
"""

VERSION = 10

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

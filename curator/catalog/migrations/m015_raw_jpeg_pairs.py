"""Schema v15: a RAW and a JPEG of one shot are one photo.

- `photo.pair_key` (BLOB): folder and stem, lower-cased, for RAW and JPEG
  files only; indexed (partial).
- `photo.pair_lead_id`: on a JPEG beside a RAW of the same stem, that RAW's
  photo (the lowest id of several); NULL elsewhere. Each file keeps its row.

Existing decisions are reconciled per kind (flag, rating, label, rotation):
the most recent logged value wins; a logged decision beats none; with none, a
non-default value beats the default, the RAW's first. Every change is logged
(pass `pairing`, one group), so it can be undone. Tags stay per file.
Plain SQL, one transaction.
"""

VERSION = 15
NAME = "RAW+JPEG pairs"

_TEXT = "replace(CAST(path AS TEXT), '\\', '/')"
_NAME = f"substr({_TEXT}, length(rtrim({_TEXT}, replace({_TEXT}, '/', ''))) + 1)"
_FOLDER = f"substr({_TEXT}, 1, length({_TEXT}) - length({_NAME}))"
# Folder + the name up to and including its last dot; NULL when the name has no
# stem before a dot, or the stored path is a missing photo's tombstone (a NUL).
# A BLOB, like the path: a name that is not UTF-8 (Latin-1) stays its bytes.
PAIR_KEY_SQL = (
    f"CASE WHEN format IN ('raw', 'jpeg') AND instr(path, x'00') = 0"
    f" AND instr({_NAME}, '.') > 1"
    f" THEN CAST(lower({_FOLDER} || rtrim({_NAME}, replace({_NAME}, '.', ''))) AS BLOB) END"
)

# (unit, the default values' test on alias a, [(decision kind, column, text of a's value)])
_UNITS = (
    (
        "flag",
        "a.cull = 'unreviewed' AND a.picked = 0",
        (("cull", "cull", "a.cull"), ("pick", "picked", "CAST(a.picked AS TEXT)")),
    ),
    ("rating", "a.rating IS NULL", (("rating", "rating", "CAST(a.rating AS TEXT)"),)),
    ("label", "a.label IS NULL", (("label", "label", "a.label"),)),
    ("rotation", "a.rotation = 0", (("rotation", "rotation", "CAST(a.rotation AS TEXT)"),)),
)


# The leads whose pairs `reconcile_statements` settles: a temp table its caller
# fills (this migration, and catalog.paths_codec on the pairs an import forms).
GROUPS_TABLE = "m015_groups"


def reconcile_statements() -> list[str]:
    """The rule above as SQL, over the pairs whose leads are in `temp.GROUPS_TABLE`
    (id); drops that table at the end. (catalog.paths_codec runs it on the pairs an
    import forms, so a JPEG added beside a culled RAW takes the RAW's decisions.)"""
    statements = [
        # Each pair's members: grp is the lead's id.
        "CREATE TEMP TABLE m015_member AS"
        " SELECT pair_lead_id AS grp, id AS photo_id, 0 AS is_lead FROM photo"
        f" WHERE pair_lead_id IN (SELECT id FROM {GROUPS_TABLE}) AND deleted_at IS NULL"
        f" UNION SELECT id, id, 1 FROM photo WHERE id IN (SELECT id FROM {GROUPS_TABLE})",
        # The newest logged decision per member and unit.
        "CREATE TEMP TABLE m015_last AS"
        " SELECT photo_id, CASE WHEN kind IN ('cull', 'pick') THEN 'flag' ELSE kind END AS k,"
        " MAX(created_at) AS at FROM decision"
        " WHERE photo_id IN (SELECT photo_id FROM m015_member) GROUP BY 1, 2",
        "CREATE TEMP TABLE m015_now AS SELECT strftime('%Y-%m-%d %H:%M:%f', 'now') AS at",
        # Indexed, or each pair's look-ups scan every member (quadratic: 8,000 photos
        # took 43 s without them).
        "CREATE INDEX temp.m015_member_grp ON m015_member (grp)",
        "CREATE INDEX temp.m015_member_photo ON m015_member (photo_id)",
        "CREATE INDEX temp.m015_last_key ON m015_last (photo_id, k)",
    ]
    for unit, default, columns in _UNITS:
        statements.append(
            f"CREATE TEMP TABLE m015_win_{unit} AS SELECT g.grp AS grp, ("
            " SELECT m.photo_id FROM m015_member m JOIN photo a ON a.id = m.photo_id"
            f" LEFT JOIN m015_last l ON l.photo_id = m.photo_id AND l.k = '{unit}'"
            f" WHERE m.grp = g.grp ORDER BY l.at IS NULL, l.at DESC, ({default}), m.is_lead DESC"
            " LIMIT 1) AS winner FROM (SELECT DISTINCT grp FROM m015_member) g"
        )
        statements.append(f"CREATE INDEX temp.m015_win_{unit}_grp ON m015_win_{unit} (grp)")
        for kind, column, text in columns:
            winner_text = text.replace("a.", "w.")
            statements.append(
                "INSERT INTO decision (photo_id, kind, old_value, new_value, pass, created_at)"
                f" SELECT m.photo_id, '{kind}', {text}, {winner_text}, 'pairing',"
                " (SELECT at FROM m015_now)"
                f" FROM m015_member m JOIN m015_win_{unit} wn ON wn.grp = m.grp"
                " JOIN photo a ON a.id = m.photo_id JOIN photo w ON w.id = wn.winner"
                f" WHERE a.{column} IS NOT w.{column} ORDER BY m.photo_id"
            )
            statements.append(
                f"UPDATE photo SET {column} = (SELECT w.{column} FROM m015_member m"
                f" JOIN m015_win_{unit} wn ON wn.grp = m.grp JOIN photo w ON w.id = wn.winner"
                " WHERE m.photo_id = photo.id)"
                # Only the rows that change: each rewritten row costs its indexes.
                f" WHERE id IN (SELECT m.photo_id FROM m015_member m"
                f" JOIN m015_win_{unit} wn ON wn.grp = m.grp JOIN photo a ON a.id = m.photo_id"
                f" JOIN photo w ON w.id = wn.winner WHERE a.{column} IS NOT w.{column})"
            )
        statements.append(f"DROP TABLE m015_win_{unit}")
    statements += [
        "DROP TABLE m015_member",
        "DROP TABLE m015_last",
        "DROP TABLE m015_now",
        f"DROP TABLE {GROUPS_TABLE}",
    ]
    return statements


STATEMENTS = [
    "ALTER TABLE photo ADD COLUMN pair_key BLOB",
    "ALTER TABLE photo ADD COLUMN pair_lead_id INTEGER REFERENCES photo (id) ON DELETE SET NULL",
    "CREATE INDEX photo_pair_key ON photo (pair_key) WHERE pair_key IS NOT NULL",
    "CREATE INDEX photo_pair_follower ON photo (pair_lead_id) WHERE pair_lead_id IS NOT NULL",
    f"UPDATE photo SET pair_key = {PAIR_KEY_SQL}"
    " WHERE deleted_at IS NULL AND format IN ('raw', 'jpeg')",
    "UPDATE photo SET pair_lead_id = (SELECT r.id FROM photo r"
    " WHERE r.pair_key = photo.pair_key AND r.format = 'raw' AND r.deleted_at IS NULL"
    " ORDER BY r.id LIMIT 1)"
    " WHERE format = 'jpeg' AND pair_key IS NOT NULL AND deleted_at IS NULL",
    f"CREATE TEMP TABLE {GROUPS_TABLE} AS SELECT DISTINCT pair_lead_id AS id FROM photo"
    " WHERE pair_lead_id IS NOT NULL",
    *reconcile_statements(),
]

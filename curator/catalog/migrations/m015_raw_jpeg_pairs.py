"""Schema v15: a RAW and a JPEG of one shot are one photo (issue 19 §3).

- `photo.pair_key` (BLOB): the file's folder and stem, lower-cased
  (`/shoot/dsc0001.` for `/shoot/DSC0001.ARW`), set for RAW and JPEG files
  only; photos with the same key are one shot. Indexed (partial).
- `photo.pair_lead_id`: on a JPEG whose folder holds a RAW of the same stem,
  that RAW's photo (the RAW leads, as in Lightroom; the lowest id when there
  are several). Every other row keeps NULL. Each file keeps its own Photo row
  (content identity, measurements, paths untouched): the pairing only decides
  what the grid shows once and where a decision also goes.

Existing decisions on the two files are reconciled, per decision, never
destroyed. The rule (also in docs/product.md and the README):
- the value decided most recently, by the decision log, wins for the pair
  (the flag — cull state and pick together, since a pick keeps and a reject
  unpicks — rating, color label and rotation each on their own);
- a file with no logged decision of that kind never beats one with one, so a
  reject (or any star) on either beats nothing decided; if neither has one,
  a non-default value beats the default, the RAW's first;
- every value that changes is logged as a decision (pass `pairing`, one
  group), so the loser's own decision stays in the log and the change can be
  read back and undone. Tags stay on each file as they were.
Plain SQL (a migration never changes meaning), one transaction.
"""

VERSION = 15

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

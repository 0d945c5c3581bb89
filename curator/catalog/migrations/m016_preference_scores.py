"""Schema v16: the taste scores in their own narrow table.

Each score is one short row of `photo_preference` (photo, score, the taste
model version) and one entry of its order index `(score DESC, photo_id)`, so
a rescore rewrites no wide `photo` row (docs/decisions/catalog.md).
- A photo without a score has no row.
- A deleted photo row takes its score along by a trigger, not a foreign key
  (a REFERENCES clause cost ~70-90 ms of a 100k retrain's ~230 ms).
- Scores and versions are copied over; an unknown version is 0.
- `photo_gallery_preference` and the two columns are dropped.
Plain SQL, one transaction.
"""

VERSION = 16
NAME = "taste scores in their own table"

STATEMENTS = [
    "CREATE TABLE photo_preference ("
    " photo_id INTEGER PRIMARY KEY, score REAL NOT NULL, model_version INTEGER NOT NULL)",
    "INSERT INTO photo_preference (photo_id, score, model_version)"
    " SELECT id, preference_score, COALESCE(preference_model_version, 0) FROM photo"
    " WHERE preference_score IS NOT NULL ORDER BY id",
    "CREATE INDEX photo_preference_order ON photo_preference (score DESC, photo_id)",
    "DROP INDEX IF EXISTS photo_gallery_preference",
    "ALTER TABLE photo DROP COLUMN preference_score",
    "ALTER TABLE photo DROP COLUMN preference_model_version",
    "CREATE TRIGGER photo_preference_gone AFTER DELETE ON photo"
    " BEGIN DELETE FROM photo_preference WHERE photo_id = OLD.id; END",
]

"""Schema v16: the taste scores in their own narrow table (issue 21 §2).

A rescore after a retrain moves every photo's score. In `photo` that rewrote
100,000 wide rows and the wide `photo_gallery_preference` index (~0.65 s on
100k photos against a 0.5 s budget). Now each score is one short row of
`photo_preference` (photo, score, the taste model version that wrote it) and
one entry of its order index `(score DESC, photo_id)`: the gallery's
preference sort reads that index alone and applies its filters outside SQL
(`catalog.queries`), and the MATCH set is a range of it
(`gallery_filters.MATCH_SQL`).

- A photo without a score has no row (a score is never NULL here).
- A deleted photo row takes its score along: a trigger, not a foreign key.
  A REFERENCES clause would look each photo up in the wide table on every
  insert (~70-90 ms of CPU in a 100k retrain's ~230 ms); the one writer,
  `judgments.write_scores`, is given the ids of stored embeddings, which
  reference their photos already (and photo rows are never deleted: a
  purge leaves a tombstone).
- Every score and version is copied over; a score whose version was never
  stored (no writer of Curator leaves one) keeps version 0, so the next
  rescore replaces it.
- `photo_gallery_preference` and the two columns are dropped (nothing else
  names them: no other index, trigger or view).
Plain SQL, one transaction.
"""

VERSION = 16

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

"""Schema v20: a taste model per photographer (issue 34 §2).

On a catalog several people decide on, each can have a taste model trained
on their own decisions only (the decision log's `seat_user`, m019), beside
the one trained on everyone's (every catalog's model until now: a one-person
catalog keeps only that one).

- `taste_model.owner`: whose decisions trained it; NULL: everyone's.
- `taste_score`: the scores of the photographers' models, one row per
  (owner, photo), with its order index `(owner, score DESC, photo_id)`; the
  everyone-model's scores stay in `photo_preference` (m016), which the
  gallery reads. A seat that shows one photographer's taste reads these
  through a temporary view of that name (catalog.taste.choice), so every
  query over `photo_preference` is that person's, on that seat only.
- A deleted photo row takes its scores along (a trigger, as m016's).
Plain SQL, one transaction.
"""

VERSION = 20

STATEMENTS = [
    "ALTER TABLE taste_model ADD COLUMN owner TEXT",
    "CREATE TABLE taste_score (owner TEXT NOT NULL, photo_id INTEGER NOT NULL,"
    " score REAL NOT NULL, model_version INTEGER NOT NULL, PRIMARY KEY (owner, photo_id))",
    "CREATE INDEX taste_score_order ON taste_score (owner, score DESC, photo_id)",
    "CREATE TRIGGER taste_score_gone AFTER DELETE ON photo"
    " BEGIN DELETE FROM taste_score WHERE photo_id = OLD.id; END",
]

POSTGRES_STATEMENTS = [
    "ALTER TABLE taste_model ADD COLUMN owner TEXT",
    "CREATE TABLE taste_score (owner TEXT NOT NULL, photo_id BIGINT NOT NULL,"
    " score DOUBLE PRECISION NOT NULL, model_version BIGINT NOT NULL,"
    " PRIMARY KEY (owner, photo_id))",
    "CREATE INDEX taste_score_order ON taste_score (owner, score DESC, photo_id)",
    """
    CREATE FUNCTION curator_taste_score_gone() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        DELETE FROM taste_score WHERE photo_id = OLD.id;
        RETURN OLD;
    END $$
    """,
    "CREATE TRIGGER taste_score_gone AFTER DELETE ON photo"
    " FOR EACH ROW EXECUTE FUNCTION curator_taste_score_gone()",
]

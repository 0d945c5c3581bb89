"""Schema v20: a taste model per photographer.

- `taste_model.owner`: whose decisions trained it (`seat_user`, m019); NULL:
  everyone's.
- `taste_score`: the photographers' models' scores per (owner, photo), index
  `(owner, score DESC, photo_id)`; everyone's stay in `photo_preference`
  (m016), which a seat's temporary view replaces (catalog.taste.choice).
- A deleted photo row takes its scores along (a trigger, as m016's).
Plain SQL, one transaction.
"""

VERSION = 20
NAME = "a taste model per photographer"

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

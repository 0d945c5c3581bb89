"""Schema v23: proposals, a first cull Curator proposes.

`cull_proposal`: one row per (photographer, photo), never a decision: `owner`
(the seat's user, as m020's), `verdict` keep | reject, `reasons` joined by '|',
`confidence` 0..1, `highlight` 0/1, `made_at`; indexed by `cull_proposal_photo`.
- A judging decision (cull, pick or rating) ends the photo's proposals (a
  trigger on the decision log, in the decision's transaction).
- A deleted photo row takes its proposals along (a trigger, as m016's).
Plain SQL, one transaction.
"""

VERSION = 23
NAME = "proposals (cull for me)"

_TABLE = (
    "CREATE TABLE cull_proposal (owner TEXT NOT NULL, photo_id {id} NOT NULL,"
    " verdict TEXT NOT NULL CHECK (verdict IN ('keep', 'reject')),"
    " reasons TEXT NOT NULL DEFAULT '', confidence {real} NOT NULL,"
    " highlight {id} NOT NULL DEFAULT 0, made_at TIMESTAMP NOT NULL,"
    " PRIMARY KEY (owner, photo_id))"
)
_INDEX = "CREATE INDEX cull_proposal_photo ON cull_proposal (photo_id)"
JUDGING_KINDS = "('cull', 'pick', 'rating')"

STATEMENTS = [
    _TABLE.format(id="INTEGER", real="REAL"),
    _INDEX,
    "CREATE TRIGGER cull_proposal_decided AFTER INSERT ON decision"
    f" WHEN NEW.kind IN {JUDGING_KINDS}"
    " BEGIN DELETE FROM cull_proposal WHERE photo_id = NEW.photo_id; END",
    "CREATE TRIGGER cull_proposal_gone AFTER DELETE ON photo"
    " BEGIN DELETE FROM cull_proposal WHERE photo_id = OLD.id; END",
]

POSTGRES_STATEMENTS = [
    _TABLE.format(id="BIGINT", real="DOUBLE PRECISION"),
    _INDEX,
    """
    CREATE FUNCTION curator_cull_proposal_decided() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        DELETE FROM cull_proposal WHERE photo_id = NEW.photo_id;
        RETURN NULL;
    END $$
    """,
    "CREATE TRIGGER cull_proposal_decided AFTER INSERT ON decision FOR EACH ROW"
    f" WHEN (NEW.kind IN {JUDGING_KINDS}) EXECUTE FUNCTION curator_cull_proposal_decided()",
    """
    CREATE FUNCTION curator_cull_proposal_gone() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        DELETE FROM cull_proposal WHERE photo_id = OLD.id;
        RETURN OLD;
    END $$
    """,
    "CREATE TRIGGER cull_proposal_gone AFTER DELETE ON photo"
    " FOR EACH ROW EXECUTE FUNCTION curator_cull_proposal_gone()",
]

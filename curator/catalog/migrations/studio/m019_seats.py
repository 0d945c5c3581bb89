"""Schema v19: each decision records the seat that made it.

`decision.seat_user` and `decision.seat_host` name who and where; each seat's
undo undoes only its own (catalog.decisions). Older rows keep NULL: anyone's.

On PostgreSQL (`POSTGRES_STATEMENTS`), LISTEN/NOTIFY after commit: a new
decision notifies `curator_decision` (photo, id, seat as JSON); a statement
inserting or updating photo rows notifies `curator_photo` with `i:` or `u:`
and at most 500 comma-joined ids (catalog.backends.listen).
"""

VERSION = 19
NAME = "the seat of each decision"

STATEMENTS = [
    "ALTER TABLE decision ADD COLUMN seat_user TEXT",
    "ALTER TABLE decision ADD COLUMN seat_host TEXT",
]

POSTGRES_STATEMENTS = [
    *STATEMENTS,
    """
    CREATE FUNCTION curator_notify_decision() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        PERFORM pg_notify('curator_decision', json_build_object(
            'photo', NEW.photo_id, 'id', NEW.id, 'user', NEW.seat_user,
            'host', NEW.seat_host)::text);
        RETURN NULL;
    END $$
    """,
    "CREATE TRIGGER decision_notify AFTER INSERT ON decision"
    " FOR EACH ROW EXECUTE FUNCTION curator_notify_decision()",
    """
    CREATE FUNCTION curator_notify_photos() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE
        ids text;
    BEGIN
        FOR ids IN
            SELECT string_agg(CAST(id AS text), ',') FROM (
                SELECT id, (row_number() OVER (ORDER BY id) - 1) / 500 AS chunk FROM changed
            ) AS numbered GROUP BY chunk
        LOOP
            PERFORM pg_notify('curator_photo', lower(left(TG_OP, 1)) || ':' || ids);
        END LOOP;
        RETURN NULL;
    END $$
    """,
    "CREATE TRIGGER photo_notify_insert AFTER INSERT ON photo REFERENCING NEW TABLE AS changed"
    " FOR EACH STATEMENT EXECUTE FUNCTION curator_notify_photos()",
    "CREATE TRIGGER photo_notify_update AFTER UPDATE ON photo REFERENCING NEW TABLE AS changed"
    " FOR EACH STATEMENT EXECUTE FUNCTION curator_notify_photos()",
]

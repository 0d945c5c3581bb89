"""Schema v19: each decision records the seat that made it (issue 34 §2).

Several seats (people at their machines) may decide on one catalog (on
PostgreSQL). `decision.seat_user` and `decision.seat_host` name who and
where: the later decision wins, both stay in the log with their seat, and
each seat's undo undoes only its own decisions (catalog.decisions). Rows
written before v19, and every decision of a one-person SQLite catalog made
before it, keep NULL: they belong to whoever opens the catalog.

On PostgreSQL (`POSTGRES_STATEMENTS`) the same columns, and what tells the
other seats at once (LISTEN/NOTIFY):
- every new decision notifies `curator_decision` with its photo, its id and
  its seat (JSON), after its transaction commits;
- every statement that inserts or updates photo rows (an import's batch,
  a decision, a rescore of flags) notifies `curator_photo` with `i:` (rows
  inserted) or `u:` (rows updated) and the ids, comma-joined, at most 500 a
  notification (catalog.backends.listen reads them).
"""

VERSION = 19

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

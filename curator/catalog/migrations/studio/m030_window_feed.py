"""Schema v30: every window in step on the embedded catalog (issue 79).

- `decision.seat_desk` and `person_edit.seat_desk`: which of a seat's desks
  decided ("window 1", "window 2", "terminal"; NULL before, and for a
  process that names none): each window's undo undoes its own desk's rows
  (catalog.backends.seat).
- SQLite only, `change_feed`: what other processes should re-read, one row
  per change, written by triggers (so no writer can forget it): `photo_id`
  and `what` — `added` (a new photo), `changed` (its row, tags, proposal or
  projects), `people` (names, faces), `projects`, `scores` (a new taste
  model). `writer` is stamped by each Curator connection's own TEMP trigger
  (catalog.backends.feed), so a window leaves its own process's writes out.
  The feed keeps its last `KEEP` rows: one reader that fell further behind
  re-reads what it shows. PostgreSQL hears the same through LISTEN/NOTIFY
  (m019, m026) and has no feed.
"""

VERSION = 30
NAME = "every window in step: the desk of each decision, the change feed"

KEEP = 100_000  # rows the feed keeps: far more than a window reads behind at 1 s

_DESK = [
    'ALTER TABLE "decision" ADD COLUMN "seat_desk" TEXT',
    'ALTER TABLE "person_edit" ADD COLUMN "seat_desk" TEXT',
]


def _trigger(table: str, event: str, photo: str, what: str) -> str:
    name = f"feed_{table}_{event.lower()}"
    return (
        f'CREATE TRIGGER "{name}" AFTER {event} ON "{table}" BEGIN'
        f" INSERT INTO change_feed (photo_id, what) VALUES ({photo}, '{what}'); END"
    )


_ROW = {"INSERT": "NEW", "UPDATE": "NEW", "DELETE": "OLD"}

STATEMENTS = [
    *_DESK,
    "CREATE TABLE change_feed (seq INTEGER PRIMARY KEY AUTOINCREMENT,"
    " photo_id INTEGER, what TEXT NOT NULL, writer TEXT)",
    _trigger("photo", "INSERT", "NEW.id", "added"),
    _trigger("photo", "UPDATE", "NEW.id", "changed"),
    *(
        _trigger(table, event, f"{row}.photo_id", "changed")
        for table in ("photo_tag", "cull_proposal", "project_photo")
        for event, row in _ROW.items()
    ),
    *(
        _trigger(table, event, "NULL", "people")
        for table in ("person", "face_person")
        for event in _ROW
    ),
    *(_trigger("project", event, "NULL", "projects") for event in _ROW),
    _trigger("taste_model", "INSERT", "NULL", "scores"),
    # Pruned once every thousand rows, in the writer's own transaction.
    'CREATE TRIGGER "feed_prune" AFTER INSERT ON change_feed WHEN NEW.seq % 1000 = 0 BEGIN'
    f" DELETE FROM change_feed WHERE seq <= NEW.seq - {KEEP}; END",
]

POSTGRES_STATEMENTS = list(_DESK)

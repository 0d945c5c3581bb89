"""Schema v32: client galleries (issue 81).

- `proof_gallery`: one gallery the photographer made for a client. `name` is
  the photographer's handle for it (`curator proof status NAME`); `token` is
  the opaque id the page and a selection file carry (never the catalog's id).
  The access code is stored only as a slow hash (`code_hash`, scrypt);
  `secret` signs the selection files (`proof.selection`). `min_picks` /
  `max_picks` (NULL: no maximum) are enforced where the hearts are stored
  (`catalog.proofing.picks`); `confirmed_at` locks the selection until the
  photographer reopens it; `closed` or a past `expires_on` closes the page.
- `proof_photo`: the gallery's photos in the order shown (`position`), each
  with its opaque file `token`, what its copy was rendered from (`rendered`,
  so a second make renders only what changed), and the client's `hearted`
  and `comment` (`picked_at`: when either last changed).
- SQLite: `proof_photo`'s changes go into the change feed (m030) as the
  photo `changed`, so every window shows a heart as it is given; PostgreSQL
  notifies `curator_photo` (`u:<id>`) the same way (m019's channel).
A photo deleted from the catalog leaves its galleries (a foreign key).
"""

VERSION = 32
NAME = "client galleries: their photos, the client's hearts and comments"

_GALLERY = (
    "CREATE TABLE proof_gallery (id {pk}, name TEXT NOT NULL UNIQUE,"
    " token TEXT NOT NULL UNIQUE, title TEXT NOT NULL,"
    " min_picks INTEGER NOT NULL DEFAULT 0, max_picks INTEGER,"
    " comments INTEGER NOT NULL DEFAULT 1, watermark TEXT NOT NULL DEFAULT '',"
    " expires_on TEXT, keep_location INTEGER NOT NULL DEFAULT 0,"
    " code_hash TEXT NOT NULL, secret TEXT NOT NULL, folder TEXT NOT NULL,"
    " confirmed_at TIMESTAMP, closed INTEGER NOT NULL DEFAULT 0,"
    " made_at TIMESTAMP NOT NULL, made_by TEXT NOT NULL DEFAULT '')"
)
_PHOTO = (
    "CREATE TABLE proof_photo ("
    " gallery_id {id} NOT NULL REFERENCES proof_gallery (id) ON DELETE CASCADE,"
    " photo_id {id} NOT NULL REFERENCES photo (id) ON DELETE CASCADE,"
    " token TEXT NOT NULL, position INTEGER NOT NULL, rendered TEXT NOT NULL DEFAULT '',"
    " hearted INTEGER NOT NULL DEFAULT 0, comment TEXT NOT NULL DEFAULT '',"
    " picked_at TIMESTAMP, PRIMARY KEY (gallery_id, photo_id), UNIQUE (gallery_id, token))"
)
_INDEXES = [
    "CREATE INDEX proof_photo_photo ON proof_photo (photo_id)",
    "CREATE INDEX proof_photo_hearted ON proof_photo (gallery_id, hearted)",
]

STATEMENTS = [
    _GALLERY.format(pk="INTEGER PRIMARY KEY AUTOINCREMENT", id="INTEGER"),
    _PHOTO.format(id="INTEGER"),
    *_INDEXES,
    *(
        f'CREATE TRIGGER "feed_proof_photo_{event.lower()}" AFTER {event} ON "proof_photo" BEGIN'
        f" INSERT INTO change_feed (photo_id, what) VALUES ({row}.photo_id, 'changed'); END"
        for event, row in (("INSERT", "NEW"), ("UPDATE", "NEW"), ("DELETE", "OLD"))
    ),
]

POSTGRES_STATEMENTS = [
    _GALLERY.format(pk="BIGSERIAL PRIMARY KEY", id="BIGINT"),
    _PHOTO.format(id="BIGINT"),
    *_INDEXES,
    """
    CREATE FUNCTION curator_notify_proof() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'DELETE' THEN
            PERFORM pg_notify('curator_photo', 'u:' || CAST(OLD.photo_id AS text));
        ELSE
            PERFORM pg_notify('curator_photo', 'u:' || CAST(NEW.photo_id AS text));
        END IF;
        RETURN NULL;
    END $$
    """,
    "CREATE TRIGGER proof_photo_notify AFTER INSERT OR UPDATE OR DELETE ON proof_photo"
    " FOR EACH ROW EXECUTE FUNCTION curator_notify_proof()",
]

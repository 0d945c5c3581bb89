"""Whose taste this seat trains and shows: everyone's, or one photographer's.

A taste is named by its owner: None is everyone's decisions (a one-person
catalog's only one); a name is one photographer's (the decision log's
`seat_user`), trained on their decisions alone. The `taste` setting says
which (`owner_of`); `choose` applies it process-wide.

Every reader of the scores names `photo_preference` (the everyone-model's
table). On a seat that chose a photographer, each catalog connection gets a
TEMPORARY view of that name over `taste_score` for that owner
(`view_statement`, run by the connection hooks of catalog.db and
backends.postgres): both backends look a name up in the temporary schema
first, so every read of the scores shows that person's, on this seat only.
The writers name the real tables (`catalog.taste.store`).

Invariant: a connection's view is made when it connects; `choose` closes
the calling thread's connection so its next statement gets the new choice
(pool threads connect afresh per job).
"""

from __future__ import annotations

from curator.catalog.backends.seat import current_seat

EVERYONE = ""  # the setting's value for everyone's taste
MINE = "mine"  # the setting's value for this seat's photographer

_chosen: list[str | None] = [None]


def owner_of(setting: str) -> str | None:
    """The owner a `taste` setting names: None (everyone's) or a login name."""
    value = setting.strip()
    if value == EVERYONE:
        return None
    if value.lower() == MINE:
        return current_seat().user
    return value


def chosen() -> str | None:
    """The owner of the taste this process trains and shows (None: everyone's)."""
    return _chosen[0]


def choose(owner: str | None) -> None:
    """Train and show `owner`'s taste from now on (None: everyone's)."""
    if owner == _chosen[0]:
        return
    _chosen[0] = owner or None
    from curator.catalog.models import Photo

    db = Photo._meta.database  # this thread's connection: the next one gets the new view
    if db is not None and not db.is_closed():
        db.close()


def describe(owner: str | None) -> str:
    """How a sentence names a taste: "everyone's decisions", "lead's decisions"."""
    return "everyone's decisions" if owner is None else f"{owner}'s decisions"


def view_statement(postgres: bool) -> str | None:
    """The temporary view a new connection makes for the chosen photographer
    (None: everyone's taste, the real table is read)."""
    owner = _chosen[0]
    if owner is None:
        return None
    literal = "'" + owner.replace("'", "''") + "'"
    source = "taste_score" if postgres else "main.taste_score"
    return (
        "CREATE TEMP VIEW photo_preference AS SELECT photo_id, score, model_version"
        f" FROM {source} WHERE owner = {literal}"
    )

"""Whose taste this seat trains and shows: everyone's, or one photographer's.

Owner None is everyone's decisions; a name is one photographer's (`seat_user`).
The `taste` setting says which (`owner_of`); `choose` applies it process-wide.

Readers name `photo_preference`; for a chosen photographer each connection gets
a TEMPORARY view of that name over `taste_score` (`view_statement`, by the
connection hooks of catalog.db and backends.postgres), so every read shows that
person's scores on this seat. Writers name the real tables (`catalog.taste.store`).

Invariant: the view is made at connect; `choose` closes the calling thread's
connection so its next statement sees the choice.
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

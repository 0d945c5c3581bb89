"""Which decided photos stand as an accepted proposal, for the taste model's
training set.

A photo's state came from an accepted proposal when the latest row of the
decision log that judges it (cull, rating or pick; the photographer's own
rows for one photographer's taste) carries the pass `PROPOSAL_PASS`. A
correction by hand since is a later row of another pass, and the photo
teaches as any decision does. Undo and redo rows inherit the pass of the
rows they reverse: an undone accept leaves the photo unreviewed (no
training); an undone correction counts as decided by hand.
`ml.taste.label_for` gives such a photo `ACCEPTED_WEIGHT` of the weight
(docs/decisions/taste.md).

One statement (the rows of that pass no later judging row of their photo
follows): 0.2-0.4 s for 100,000 decided photos (docs/decisions/catalog.md),
on the ML pool, never the UI thread.
"""

from __future__ import annotations

from curator.catalog.models import Decision
from curator.catalog.proposals.store import PROPOSAL_PASS

JUDGING_KINDS = ("cull", "rating", "pick")


def standing_accepts(owner: str | None = None) -> set[int]:
    """The photos whose latest judging decision (`owner`'s alone when given)
    is of the pass `proposal` (an accept, or its undo or redo)."""
    db = Decision._meta.database
    kinds = ", ".join("?" * len(JUDGING_KINDS))
    mine = "" if owner is None else " AND {t}.seat_user = ?"
    sql = (
        f"SELECT d.photo_id FROM decision d WHERE d.pass = ? AND d.kind IN ({kinds})"
        + mine.format(t="d")
        + " AND NOT EXISTS (SELECT 1 FROM decision later WHERE later.photo_id = d.photo_id"
        f" AND later.id > d.id AND later.kind IN ({kinds}){mine.format(t='later')})"
    )
    who = [] if owner is None else [owner]
    params: list[object] = [PROPOSAL_PASS, *JUDGING_KINDS, *who, *JUDGING_KINDS, *who]
    return {int(pid) for (pid,) in db.execute_sql(sql, params).fetchall()}

"""Which decided photos stand as an accepted proposal, for the taste model's
training set.

A photo's decision state came from an accepted proposal when the latest row
of the decision log that judges it (kind cull, rating or pick; the
photographer's own rows when the taste is one photographer's) carries the
pass `proposal` (`catalog.proposals.store.PROPOSAL_PASS`: Accept the Rest,
`curator cull --accept`, the loupe's A). Anything decided by hand since — a
correction, a rating, a pick — is a later row of another pass, and the photo
teaches as any decision does. Undo and redo rows inherit the pass of the
rows they reverse (catalog.undo.stacks): an accept undone is in the set but
leaves the photo unreviewed, so it is not in the training set at all; a
redone accept is an accept; an undone correction carries the correction's
pass, so the photo counts as decided by hand.

`ml.taste.label_for` gives such a photo its label at `ACCEPTED_WEIGHT` of
the weight (why that weight: docs/decisions/taste.md).

One statement: the rows of the pass `proposal` that no later judging row of
their photo follows (looked up by the log's `decision_photo` index): 0.2-0.4 s
for 100,000 decided photos (docs/decisions/catalog.md). Runs where the
training set is read (the ML pool), never on the UI thread.
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

"""The approval rule: which photos an `--approved` export sends out (DESIGN.md, Export).

A photo is approved when ALL of:
- a human judged it: kept, picked, or rated (1-5 stars);
- it is not rejected, not missing (every file gone) and not deleted;
- it is rated 4 or 5 stars, OR picked, OR (not rated at all and its
  preference score is at least the match threshold).

So an explicit low rating (1-3 stars) beats the model, a reject beats any
rating or pick, and an unjudged photo never goes out whatever the model says.
A pick counts as approval even with a low rating: both are the photographer's
own word, and the pick is the stronger "this one".

This is a pure function of the photo's fields (no catalog access) so the
planner, the GUI's counts and the tests share one definition.
(`curator.catalog.approval`, written alongside on another branch, is meant to
hold the same rule; the two are to be reconciled into one.)
"""

from __future__ import annotations

from curator.records import CullState


def is_approved(
    *,
    cull: str,
    rating: int | None,
    picked: bool,
    preference: float | None,
    missing: bool,
    deleted: bool,
    match_threshold: float,
) -> bool:
    """True when the photo belongs to the approved set (see the module docstring)."""
    if deleted or missing or cull == CullState.REJECTED:
        return False
    judged = cull == CullState.KEPT or picked or rating is not None
    if not judged:
        return False
    if picked or (rating is not None and rating >= 4):
        return True
    if rating is not None:  # 1-3 stars: the photographer said no more than "ok"
        return False
    return preference is not None and preference >= match_threshold


def is_exportable_member(*, cull: str, missing: bool, deleted: bool) -> bool:
    """A project member that a project export sends out: put there on purpose,
    so anything not rejected, missing or deleted."""
    return not (deleted or missing or cull == CullState.REJECTED)

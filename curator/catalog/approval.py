"""The approval rule (docs/product.md, Export): which photos a human has approved.

A photo is *approved* when
- a human has judged it: kept, picked or rated; AND
- it is not rejected, not missing (`missing_since`) and not deleted; AND
- it has pixels someone could have looked at (a preview or a thumbnail): a
  file that failed with nothing decoded can be rated, but nobody ever saw
  it, so it is never approved (issue 19 §4); AND
- rating ≥ 4, OR picked, OR (unrated AND preference ≥ the MATCH threshold).

An explicit low rating beats the model: a rated photo with rating < 4 is
approved only when picked, whatever its preference score. An unjudged photo
is never approved, however high the model scores it. A pick is an explicit
approval (a picked photo is never rejected: decisions keep it that way).

Two forms of the same rule, kept side by side so they cannot drift apart:
`is_approved` (pure, for code holding a photo's values) and
`approved_condition` (a peewee expression over `Photo`, for queries — export
selection, project covers). A *project* export sends its members that are
not rejected, missing or deleted (`is_exportable_member`).
tests/unit/test_approval.py checks each clause on both.
"""

from __future__ import annotations

from datetime import datetime

from peewee import Expression

from curator.catalog.models import Photo
from curator.records import CullState

APPROVED_MIN_RATING = 4


def is_approved(
    *,
    cull: CullState | str,
    picked: bool,
    rating: int | None,
    preference: float | None,
    match_threshold: float,
    missing_since: datetime | None = None,
    deleted_at: datetime | None = None,
    has_pixels: bool = True,
) -> bool:
    """True when a photo with these values is approved (see the module docstring).
    `has_pixels`: the photo has a preview or a thumbnail key."""
    state = CullState(cull)
    if state is CullState.REJECTED or missing_since is not None or deleted_at is not None:
        return False
    if not has_pixels:
        return False
    judged = state is CullState.KEPT or picked or rating is not None
    if not judged:
        return False
    if picked or (rating is not None and rating >= APPROVED_MIN_RATING):
        return True
    return rating is None and preference is not None and preference >= match_threshold


def is_exportable_member(*, cull: CullState | str, missing: bool, deleted: bool) -> bool:
    """A project member a project export sends out: the photographer put it
    there on purpose, so anything not rejected, missing or deleted (no rating
    needed)."""
    return not (deleted or missing or CullState(cull) is CullState.REJECTED)


def approved_condition(match_threshold: float) -> Expression:
    """The approval rule as a WHERE condition over `Photo` (see the module docstring)."""
    not_gone = (
        (Photo.cull != CullState.REJECTED.value)
        & Photo.missing_since.is_null()
        & Photo.deleted_at.is_null()
        & (Photo.preview_key.is_null(False) | Photo.thumbnail_key.is_null(False))
    )
    judged = (
        (Photo.cull == CullState.KEPT.value) | (Photo.picked == True) | Photo.rating.is_null(False)  # noqa: E712
    )
    strong = (
        (Photo.picked == True)  # noqa: E712
        | (Photo.rating >= APPROVED_MIN_RATING)
        | (Photo.rating.is_null() & (Photo.preference_score >= float(match_threshold)))
    )
    condition: Expression = not_gone & judged & strong
    return condition

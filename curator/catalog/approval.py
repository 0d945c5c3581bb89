"""The approval rule (docs/product.md, Export): which photos a human has approved.

A photo is *approved* when a human judged it (kept, picked or rated), it is
not rejected, missing or deleted, it has a preview or thumbnail, and: rating
≥ 4, OR picked, OR (unrated AND preference ≥ the MATCH threshold AND the model
is trusted: `model_trusted`, not early and its held-out Spearman at least
`match_approves_at`). A low rating beats the model; an unjudged photo is never
approved.

`is_approved` (pure) and `approved_condition` (peewee) are the same rule;
tests/unit/test_approval.py checks both. A project export sends members not
rejected, missing or deleted (`is_exportable_member`).
"""

from __future__ import annotations

from datetime import datetime

from peewee import Expression

from curator.catalog.models import Photo, TasteModel, preference_of_photo
from curator.catalog.taste.choice import chosen
from curator.records import CullState, TasteSummary

APPROVED_MIN_RATING = 4
EARLY_BELOW = 20  # decisions: a model trained on fewer is early (ml.taste.EARLY_BELOW)
DEFAULT_MIN_QUALITY = 0.5  # settings.match_approves_at


def taste_summary() -> TasteSummary | None:
    """The newest taste model's size and honest quality (of the taste this seat
    shows: catalog.taste.choice); None before one exists."""
    row = chosen_taste_model()
    if row is None:
        return None
    return TasteSummary(
        version=int(row.version),
        samples=int(row.n_samples),
        spearman=row.spearman,
        spearman_low=row.spearman_low,
        spearman_high=row.spearman_high,
        early=int(row.n_samples) < EARLY_BELOW,
    )


def chosen_taste_model() -> TasteModel | None:
    """The newest stored model of the taste this seat trains and shows."""
    owner = chosen()
    mine = TasteModel.owner.is_null() if owner is None else (TasteModel.owner == owner)
    row: TasteModel | None = (
        TasteModel.select().where(mine).order_by(TasteModel.version.desc()).first()
    )
    return row


def quality_text(
    samples: int, spearman: float | None, low: float | None, high: float | None
) -> str:
    """ "34 decisions, held-out Spearman 0.52 (0.21 to 0.74)", with "early"
    under 20 decisions: the model's honest quality as every front end says it."""
    text = f"{samples} decision{'s' if samples != 1 else ''}"
    if samples < EARLY_BELOW:
        text += " (early model)"
    if spearman is None:
        return text + ", held-out Spearman n/a"
    text += f", held-out Spearman {spearman:.2f}"
    if low is not None and high is not None:
        text += f" ({low:.2f} to {high:.2f})"
    return text


def model_trusted(min_quality: float, summary: TasteSummary | None = None) -> bool:
    """The newest model may approve unrated keepers: not early, and its held-out
    Spearman is at least `min_quality`."""
    summary = summary if summary is not None else taste_summary()
    return (
        summary is not None
        and not summary.early
        and summary.spearman is not None
        and summary.spearman >= min_quality
    )


def is_approved(
    *,
    cull: CullState | str,
    picked: bool,
    rating: int | None,
    preference: float | None,
    match_threshold: float,
    missing_since: datetime | None = None,
    deleted_at: datetime | None = None,
    model_trusted: bool = True,
    has_pixels: bool = True,
) -> bool:
    """True when a photo with these values is approved (see the module docstring);
    `model_trusted` says whether the model that scored it clears the bar,
    `has_pixels` that the photo has a preview or a thumbnail key."""
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
    return (
        model_trusted
        and rating is None
        and preference is not None
        and preference >= match_threshold
    )


def is_exportable_member(*, cull: CullState | str, missing: bool, deleted: bool) -> bool:
    """A project member a project export sends out: the photographer put it
    there on purpose, so anything not rejected, missing or deleted (no rating
    needed)."""
    return not (deleted or missing or CullState(cull) is CullState.REJECTED)


def approved_condition(
    match_threshold: float, min_quality: float = DEFAULT_MIN_QUALITY
) -> Expression:
    """The approval rule as a WHERE condition over `Photo` (see the module
    docstring); the model's trust is read once, here."""
    trusted = model_trusted(min_quality)
    not_gone = (
        (Photo.cull != CullState.REJECTED.value)
        & Photo.missing_since.is_null()
        & Photo.deleted_at.is_null()
        & (Photo.preview_key.is_null(False) | Photo.thumbnail_key.is_null(False))
    )
    judged = (
        (Photo.cull == CullState.KEPT.value) | (Photo.picked == True) | Photo.rating.is_null(False)  # noqa: E712
    )
    strong = (Photo.picked == True) | (Photo.rating >= APPROVED_MIN_RATING)  # noqa: E712
    if trusted:
        strong = strong | (
            Photo.rating.is_null() & (preference_of_photo() >= float(match_threshold))
        )
    condition: Expression = not_gone & judged & strong
    return condition

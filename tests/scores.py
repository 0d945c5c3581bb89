"""Taste scores for tests: set through the one write path's table (schema v16
keeps them in `photo_preference`, not on the photo row)."""

from __future__ import annotations

from curator.catalog.models import PhotoPreference


def set_score(photo_id: int, score: float | None, version: int = 1) -> None:
    """Give the photo this taste score (None: no score), as a rescore would."""
    if score is None:
        PhotoPreference.delete().where(PhotoPreference.photo == photo_id).execute()
        return
    PhotoPreference.insert(photo=photo_id, score=score, model_version=version).on_conflict(
        conflict_target=[PhotoPreference.photo],
        update={PhotoPreference.score: score, PhotoPreference.model_version: version},
    ).execute()


def score_of(photo_id: int) -> float | None:
    """The photo's stored taste score, None when it has none."""
    row = PhotoPreference.get_or_none(PhotoPreference.photo == photo_id)
    return None if row is None else float(row.score)

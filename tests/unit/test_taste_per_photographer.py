"""A taste model per photographer (issue 34 §2), on both backends: each is
trained on that person's decisions only, its scores are stored per model,
the seat shows the taste it chose (the gallery's preference order follows),
and everyone's model stays as it was."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta

import numpy as np
import pytest

from curator.catalog import decisions, judgments
from curator.catalog.models import Photo, PhotoPreference
from curator.catalog.taste import choice
from curator.catalog.taste.store import latest_taste, taste_owners
from curator.catalog.types import CullState, GalleryQuery, GallerySort
from curator.pipeline.stages.score import retrain_and_rescore
from tests.scores import score_of

MODEL = "clip-test"
N = 40


@pytest.fixture(autouse=True)
def everyone_after() -> Iterator[None]:
    yield
    choice.choose(None)


def _shoot() -> tuple[list[int], np.ndarray]:
    """N photos whose vectors' first axis is what the two photographers disagree on."""
    rng = np.random.default_rng(7)
    x = rng.normal(size=(N, 8)).astype(np.float32)
    ids = []
    for i in range(N):
        photo = Photo.create(
            path=f"/shoot/IMG_{i:04d}.jpg".encode(),
            content_hash=f"h{i}",
            captured_at=datetime(2024, 6, 1) + timedelta(seconds=i),
        )
        ids.append(int(photo.id))
    judgments.store_embeddings(MODEL, list(zip(ids, x, strict=True)))
    return ids, x


def _decide_as(
    user: str, monkeypatch: pytest.MonkeyPatch, ids: list[int], likes: list[bool]
) -> None:
    monkeypatch.setenv("CURATOR_SEAT_USER", user)
    for pid, liked in zip(ids, likes, strict=True):
        decisions.set_rating(pid, 5 if liked else 1, keep=True)


def _preference_order() -> list[int]:
    from curator.catalog.queries import gallery_query_ids

    return gallery_query_ids(GalleryQuery(sort=GallerySort.PREFERENCE))


def test_each_photographer_trains_on_their_own_decisions(
    any_catalog: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    ids, x = _shoot()
    first = x[:, 0]
    # The lead likes a high first axis, the assistant a low one; each decides half.
    _decide_as("lead", monkeypatch, ids[:30], list(first[:30] > 0))
    _decide_as("assistant", monkeypatch, ids[10:], list(first[10:] < 0))
    lead_set = judgments.training_set(MODEL, "lead")
    assert set(lead_set.photo_ids) == set(ids[:30])
    assistant_set = judgments.training_set(MODEL, "assistant")
    assert set(assistant_set.photo_ids) == set(ids[10:])
    # The lead's label of a photo the assistant re-rated later is the lead's own.
    by_lead = dict(zip(lead_set.photo_ids, lead_set.states, strict=True))
    assert by_lead[ids[15]].rating == (5 if first[15] > 0 else 1)

    choice.choose("lead")
    report = retrain_and_rescore(MODEL)
    assert report.version is not None and "(lead)" in report.message
    stored = latest_taste(MODEL, "lead")
    assert stored is not None and stored.owner == "lead"
    lead_order = _preference_order()
    assert first[ids.index(lead_order[0])] > first[ids.index(lead_order[-1])]

    choice.choose("assistant")
    retrain_and_rescore(MODEL)
    assistant_order = _preference_order()
    assert first[ids.index(assistant_order[0])] < first[ids.index(assistant_order[-1])]
    assert taste_owners() == ["assistant", "lead"]

    # Everyone's taste was never trained: its table is untouched, and it shows no scores.
    choice.choose(None)
    assert latest_taste(MODEL) is None and PhotoPreference.select().count() == 0
    assert score_of(ids[0]) is None
    # Shown again, the lead's scores are still the lead's (stored per model).
    choice.choose("lead")
    assert _preference_order() == lead_order


def test_the_taste_setting_names_its_owner(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CURATOR_SEAT_USER", "anna")
    assert choice.owner_of("") is None
    assert choice.owner_of(" mine ") == "anna"
    assert choice.owner_of("ben") == "ben"
    assert choice.describe(None) == "everyone's decisions"


def test_a_photographer_without_decisions_gets_the_sentence(
    any_catalog: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    ids, _ = _shoot()
    _decide_as("lead", monkeypatch, ids[:20], [i % 2 == 0 for i in range(20)])
    choice.choose("nobody")
    report = retrain_and_rescore(MODEL)
    assert report.version is None and "decision" in report.message
    assert decisions.decision_state(ids[0]).cull is CullState.KEPT

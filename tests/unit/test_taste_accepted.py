"""Accepted proposals in the taste model's training set (issue 51 §5), on both
backends: a photo whose latest judging decision is an accepted proposal is
marked so, and weighs ACCEPTED_WEIGHT of its label's weight; a correction, a
rating or a pick by hand since makes it an ordinary decision; an undone accept
teaches nothing and a redone one is an accept again; a photographer's own taste
reads their own rows."""

from __future__ import annotations

from datetime import datetime, timedelta

import numpy as np
import pytest

from curator.catalog import decisions, judgments
from curator.catalog.models import Photo
from curator.catalog.proposals.store import accept, write_proposals
from curator.catalog.taste.accepted import standing_accepts
from curator.ml.taste import ACCEPTED_WEIGHT, KEPT_WEIGHT, label_for, labels
from curator.records import CullState, DecisionState, Proposal, ProposalVerdict

MODEL = "clip-test"


def _photos(n: int) -> list[int]:
    ids = []
    for i in range(n):
        photo = Photo.create(
            path=f"/shoot/IMG_{i:04d}.jpg".encode(),
            content_hash=f"h{i}",
            captured_at=datetime(2024, 6, 1) + timedelta(seconds=i),
        )
        ids.append(int(photo.id))
    rng = np.random.default_rng(1)
    judgments.store_embeddings(MODEL, [(pid, rng.normal(size=4)) for pid in ids])
    return ids


def _propose(owner: str, keeps: list[int], rejects: list[int]) -> None:
    write_proposals(
        owner,
        [Proposal(pid, ProposalVerdict.KEEP, (), 0.8) for pid in keeps]
        + [Proposal(pid, ProposalVerdict.REJECT, (), 0.8) for pid in rejects],
    )


def _marked(owner: str | None = None) -> dict[int, bool]:
    data = judgments.training_set(MODEL, owner)
    return {pid: s.proposal for pid, s in zip(data.photo_ids, data.states, strict=True)}


def test_accepted_until_decided_by_hand(any_catalog: object) -> None:
    a, b, c, d, e, by_hand = _photos(6)
    decisions.set_rating(by_hand, 2, keep=True)
    _propose("me", keeps=[a, c, d], rejects=[b, e])
    decisions.set_picked(d, True)  # picked by hand before the accept: never touched by it
    report = accept("me")
    assert sorted(report.photo_ids) == [a, b, c, e]
    decisions.set_cull(b, CullState.KEPT)  # a correction
    decisions.set_rating(c, 4, keep=True)  # rated by hand after the accept
    assert standing_accepts() == {a, e}
    assert _marked() == {a: True, b: False, c: False, d: False, e: True, by_hand: False}
    decisions.undo_last()  # c's rating undone: its latest row is now an undo of it
    assert standing_accepts() == {a, e}  # an undone hand decision stays the photographer's


def test_an_undone_accept_teaches_nothing_and_a_redone_one_is_an_accept(
    any_catalog: object,
) -> None:
    a, b = _photos(2)
    _propose("me", keeps=[a], rejects=[b])
    accept("me")
    assert standing_accepts() == {a, b}
    decisions.undo_last()
    assert Photo.get_by_id(a).cull == "unreviewed"
    assert _marked() == {}  # unreviewed again: not in the training set at all
    decisions.redo_last()
    assert standing_accepts() == {a, b}


def test_a_photographers_taste_reads_their_own_rows(
    any_catalog: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    a, b = _photos(2)
    monkeypatch.setenv("CURATOR_SEAT_USER", "ana")
    _propose("ana", keeps=[a, b], rejects=[])
    accept("ana")
    monkeypatch.setenv("CURATOR_SEAT_USER", "ben")
    decisions.set_cull(a, CullState.REJECTED)  # ben decides it by hand
    assert standing_accepts("ana") == {a, b}  # ana's latest row of a is her accept
    assert standing_accepts("ben") == set()
    assert standing_accepts() == {b}  # the photo as it stands: ben's decision
    assert _marked("ana") == {a: True, b: True}


def test_an_accepted_proposal_weighs_accepted_weight_of_its_label() -> None:
    kept = DecisionState(None, CullState.KEPT, False)
    rejected = DecisionState(None, CullState.REJECTED, False)
    assert label_for(DecisionState(None, CullState.KEPT, False, proposal=True)) == (
        3.0,
        KEPT_WEIGHT * ACCEPTED_WEIGHT,
    )
    assert label_for(DecisionState(None, CullState.REJECTED, False, proposal=True)) == (
        1.0,
        ACCEPTED_WEIGHT,
    )
    assert label_for(kept) == (3.0, KEPT_WEIGHT) and label_for(rejected) == (1.0, 1.0)
    y, w = labels([kept, DecisionState(None, CullState.REJECTED, False, proposal=True)])
    assert y.tolist() == [3.0, 1.0] and w.tolist() == [KEPT_WEIGHT, ACCEPTED_WEIGHT]

"""What an accept keeps for its undo, packed (catalog/proposals/packed.py): the
same proposals back, and out of the cycle collector's walk once it has seen
them (issue 51 §2: 60,000 kept as records were ~100,000 tracked objects, a
126-137 ms full collection on the UI thread at 100,000 photos)."""

from __future__ import annotations

import gc

from curator.catalog.proposals.packed import PackedProposals, proposal_row, stored_row
from curator.records import Proposal, ProposalReason, ProposalVerdict

N = 10_000


def _proposals(n: int) -> list[Proposal]:
    reasons = (ProposalReason.BLUR, ProposalReason.DUPLICATE)
    return [
        Proposal(
            pid,
            ProposalVerdict.REJECT if pid % 3 else ProposalVerdict.KEEP,
            reasons[: pid % 3],
            (pid % 100) / 100,
            highlight=pid % 7 == 0,
        )
        for pid in range(1, n + 1)
    ]


def _tracked_after_a_collection() -> int:
    gc.collect()
    return len(gc.get_objects())


def test_packed_proposals_come_back_as_the_same_records() -> None:
    proposals = _proposals(50)
    packed = PackedProposals.of(proposals)
    assert packed.records() == proposals
    assert PackedProposals.of(packed) is packed
    assert packed.photo_ids() == [p.photo_id for p in proposals]
    assert packed.verdicts()[3] == "keep" and packed.verdicts()[4] == "reject"
    # A backend's own types (PostgreSQL's bool, a NULL reasons column) read as the same row.
    assert stored_row(7, "keep", None, 0.5, True) == (7, "keep", "", 0.5, 1)
    assert proposal_row(proposals[6]) == stored_row(*proposal_row(proposals[6]))


def test_packed_proposals_are_not_walked_by_the_collector_once_seen() -> None:
    base = _tracked_after_a_collection()
    records = _proposals(N)
    as_records = _tracked_after_a_collection() - base
    packed = PackedProposals.of(records)
    del records
    as_packed = _tracked_after_a_collection() - base
    assert as_records > N  # each record at least (and its reasons)
    assert as_packed < 10  # the holder and its tuple at most: the rows are untracked
    assert len(packed) == N

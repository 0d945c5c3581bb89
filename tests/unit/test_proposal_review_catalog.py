"""What reviewing proposals photo by photo reads and writes in the catalog
(issue 42 §3): `least_sure_first` (the undecided proposed photos of this
photographer, lowest confidence first, ties in capture order), the gallery's
Proposal filter and its counts (`MetadataFilter.proposal`,
`metadata_choices`), `accept_photo` (one photo's proposal as its
decision, logged as from a proposal; a judged photo untouched) and
`restore_proposals` (what an undone accept ended comes back, only on
undecided photos). Another
photographer's proposals are never listed, counted nor filtered. Runs on
SQLite and on PostgreSQL (tests/conftest.py's BOTH_BACKENDS)."""

from __future__ import annotations

from datetime import datetime, timedelta

from curator.catalog import decisions
from curator.catalog.backends.seat import current_seat
from curator.catalog.db import Catalog
from curator.catalog.decisions import decision_log, set_rating
from curator.catalog.gallery_filters import metadata_choices
from curator.catalog.models import Photo
from curator.catalog.proposals.store import (
    PROPOSAL_PASS,
    accept_photo,
    least_sure_first,
    proposals_of,
    restore_proposals,
    write_proposals,
)
from curator.catalog.queries import gallery_query_ids
from curator.catalog.types import GalleryQuery, MetadataFilter
from curator.records import Proposal, ProposalReason, ProposalVerdict

T0 = datetime(2025, 6, 1, 12, 0, 0)
KEEP, REJECT = ProposalVerdict.KEEP, ProposalVerdict.REJECT


def _photos(n: int) -> list[int]:
    return [
        int(
            Photo.create(
                path=f"/shoot/IMG_{i:04d}.jpg".encode(),
                content_hash=f"h{i}",
                captured_at=T0 + timedelta(seconds=10 * (n - i)),  # the last shot first
            ).id
        )
        for i in range(n)
    ]


def test_least_sure_first_is_ascending_confidence_of_this_photographers_undecided(
    catalog: Catalog,
) -> None:
    p = _photos(6)
    me = current_seat().user
    write_proposals(
        me,
        [
            Proposal(p[0], REJECT, (ProposalReason.BLUR,), 0.8),
            Proposal(p[1], KEEP, (), 0.3),
            Proposal(p[2], KEEP, (), 0.5),
            Proposal(p[3], REJECT, (ProposalReason.DUPLICATE,), 0.5),  # a tie with p[2]
            Proposal(p[4], KEEP, (), 0.1),
        ],
    )
    write_proposals("someone else", [Proposal(p[5], REJECT, (), 0.01)])
    # The tie goes by capture time: p[3] was shot before p[2].
    assert least_sure_first(me) == [p[4], p[1], p[3], p[2], p[0]]
    set_rating(p[1], 3, pass_="rating")  # a decision ends the proposal
    assert least_sure_first(me) == [p[4], p[3], p[2], p[0]]
    assert least_sure_first("someone else") == [p[5]]


def test_the_proposal_filter_and_its_counts(catalog: Catalog) -> None:
    p = _photos(5)
    me = current_seat().user
    write_proposals(
        me,
        [
            Proposal(p[0], KEEP, (), 0.9, True),
            Proposal(p[1], KEEP, (), 0.6),
            Proposal(p[2], REJECT, (ProposalReason.SHAKE,), 0.7),
        ],
    )
    write_proposals("someone else", [Proposal(p[3], REJECT, (), 0.5, False)])

    def shown(value: str | None) -> set[int]:
        query = GalleryQuery(metadata=MetadataFilter(proposal=value))
        return set(gallery_query_ids(query))

    assert shown("keep") == {p[0], p[1]}
    assert shown("reject") == {p[2]}
    assert shown("highlight") == {p[0]}
    assert shown(None) == set(p)
    assert MetadataFilter(proposal="reject").active and not MetadataFilter().active
    assert MetadataFilter(proposal="highlight").describe() == "highlights"
    counts = {c.value: (c.label, c.count) for c in metadata_choices().proposals}
    assert counts == {
        "keep": ("Proposed keep", 2),
        "reject": ("Proposed reject", 1),
        "highlight": ("Highlights", 1),
    }


def test_accept_photo_decides_as_from_a_proposal_and_never_touches_a_judged_photo(
    catalog: Catalog,
) -> None:
    p = _photos(3)
    me = current_seat().user
    write_proposals(me, [Proposal(pid, REJECT, (), 0.5) for pid in p])
    records = decisions.one_step([p[0]], lambda pid: accept_photo(pid, REJECT) or [])
    assert [(r.photo_id, r.new_value) for r in records] == [(p[0], "rejected")]
    assert str(Photo.get_by_id(p[0]).cull) == "rejected"
    assert decision_log()[-1]["pass"] == PROPOSAL_PASS
    assert set(proposals_of(me)) == {p[1], p[2]}
    set_rating(p[1], 4, pass_="rating")
    before = len(decision_log())
    assert decisions.apply_many(lambda: accept_photo(p[1], REJECT)) is None
    assert Photo.get_by_id(p[1]).rating == 4 and len(decision_log()) == before


def test_restore_puts_back_only_on_undecided_photos_without_a_proposal(catalog: Catalog) -> None:
    p = _photos(4)
    me = current_seat().user
    ended = [
        Proposal(p[0], REJECT, (ProposalReason.CLOSED_EYES, ProposalReason.BLUR), 0.8),
        Proposal(p[1], KEEP, (), 0.6, True),
        Proposal(p[2], KEEP, (), 0.5),
        Proposal(p[3], REJECT, (), 0.4),
    ]
    write_proposals(me, [Proposal(p[2], REJECT, (ProposalReason.SHAKE,), 0.9)])
    set_rating(p[3], 2, pass_="rating")  # judged since: no proposal comes back
    assert restore_proposals(me, ended) == [p[0], p[1]]
    back = proposals_of(me)
    assert back[p[0]] == {
        "verdict": "reject",
        "reasons": ["closed eyes", "blur"],
        "confidence": 0.8,
        "highlight": False,
    }
    assert back[p[1]]["highlight"] and back[p[2]]["reasons"] == ["shake"]  # p[2]'s own stays
    assert p[3] not in back and proposals_of("someone else") == {}
    assert restore_proposals(me, ended) == []  # again: nothing to put back

"""Proposals in the catalog (issue 42, m023): the plan's one read, the one
writer per photographer, a decision ending a proposal, the accept through the
decision path (one undo step, logged as from a proposal, judged photos never
touched), and a studio's two seats never accepting each other's. Runs on
SQLite and on PostgreSQL (tests/conftest.py's BOTH_BACKENDS)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from curator.catalog.db import Catalog
from curator.catalog.decisions import decision_log, set_cull, set_label, set_rating, undo_last
from curator.catalog.migrations import LATEST_VERSION
from curator.catalog.models import CullProposal, Face, Photo, PhotoFaces, PhotoPreference
from curator.catalog.proposals.plan import Scope, plan_frames
from curator.catalog.proposals.store import (
    PROPOSAL_PASS,
    accept,
    proposals_of,
    write_proposals,
)
from curator.cull.checks import checks_for
from curator.cull.rules import propose
from curator.records import CullState, Proposal, ProposalReason, ProposalVerdict
from tests.coverage_helpers import good_photo
from tests.old_catalogs import catalog_at_version


def _photo(i: int, folder: str = "/shoot", **kw: object) -> int:
    return good_photo(i, folder, **kw)


def _proposed(pid: int, verdict: ProposalVerdict) -> Proposal:
    return Proposal(pid, verdict, (), 0.8)


def _cull(pid: int) -> str:
    return str(Photo.get_by_id(pid).cull)


def test_the_plan_reads_measures_taste_faces_and_bursts_once(catalog: Catalog) -> None:
    a = _photo(1, burst_group=1, burst_best=True)
    b = _photo(2, burst_group=1, cull="kept")  # decided, in a burst: context
    c = _photo(3, cull="rejected")  # decided, alone: not read
    d = _photo(4, sharpness_score=12.0, exposure_time=0.25, focal_length=50.0)
    PhotoPreference.create(photo=a, score=71.5, model_version=1)
    PhotoFaces.create(
        photo=a, faces=1, judged=1, key_faces=1, closed_eyes=True, soft_face=False,
        eyes_open=False, key_sharpness=60.0, version="1",
    )  # fmt: skip
    Face.create(
        photo=a, idx=0, x=0.1, y=0.2, w=0.2, h=0.3, size_px=300, judged=True, eyes="closed",
        is_key=True, confidence=0.9,
    )  # fmt: skip
    frames = {f.photo_id: f for f in plan_frames()}
    assert set(frames) == {a, b, d}
    assert c not in frames
    fa = frames[a]
    assert fa.taste == 71.5 and fa.burst == 1 and fa.burst_best
    assert fa.faces is not None and fa.faces.closed_eyes
    assert fa.key_boxes == ((0.1, 0.2, 0.2, 0.3),)
    assert frames[b].decided is CullState.KEPT and frames[a].decided is None
    assert frames[d].exposure_time == 0.25
    assert [f.photo_id for f in plan_frames()] == [a, b, d]  # capture order


def test_the_plan_reads_how_a_bursts_key_faces_look(catalog: Catalog) -> None:
    """Issue 49: the summary's smiles, looks and ready faces, and each key face's
    eyes, smile and gaze (what a moment's keep says of its people)."""
    from curator.records import EyeState, Looking

    a = _photo(1, burst_group=1)
    PhotoFaces.create(
        photo=a, faces=3, judged=3, key_faces=2, closed_eyes=False, soft_face=False,
        eyes_open=True, key_sharpness=60.0, smiling=True, looking=False, ready=1, version="1",
    )  # fmt: skip
    for idx, (key, smile, looking) in enumerate(
        ((True, 0.9, "camera"), (True, 0.8, "away"), (False, 0.1, "camera"))
    ):
        Face.create(
            photo=a, idx=idx, x=0.1 * idx, y=0.2, w=0.1, h=0.15, size_px=200, judged=True,
            eyes="open", is_key=key, confidence=0.9, smile=smile, looking=looking,
        )  # fmt: skip
    (frame,) = plan_frames()
    assert frame.faces is not None
    assert (frame.faces.smiling, frame.faces.all_at_camera, frame.faces.ready) == (True, False, 1)
    assert [(f.eyes, f.smile, f.looking) for f in frame.key_faces] == [
        (EyeState.OPEN, 0.9, Looking.CAMERA),
        (EyeState.OPEN, 0.8, Looking.AWAY),
    ]
    assert frame.key_boxes == tuple(f.box for f in frame.key_faces)


def test_the_plan_reads_a_folder_or_a_project_alone(catalog: Catalog) -> None:
    from curator.catalog.projects import add_photos, create_project

    inside = _photo(1, folder="/shoot/day1")
    _photo(2, folder="/shoot/day10")  # a sibling whose name starts the same
    _photo(3, folder="/elsewhere")
    assert [f.photo_id for f in plan_frames(Scope(folder="/shoot/day1"))] == [inside]
    create_project("Wedding")
    add_photos("Wedding", [inside])
    assert [f.photo_id for f in plan_frames(Scope(project="Wedding"))] == [inside]


def test_the_plan_reads_some_photos_by_id_or_what_a_gallery_query_shows(
    catalog: Catalog,
) -> None:
    from curator.catalog.decisions import add_tag
    from curator.catalog.types import GalleryQuery, MetadataFilter

    a, b, c = _photo(1), _photo(2), _photo(3)
    d = _photo(4, folder="/shoot/other")
    assert [f.photo_id for f in plan_frames(Scope(photo_ids=(d, b)))] == [b, d]  # capture order
    assert plan_frames(Scope(photo_ids=())) == []  # nothing selected: nothing read
    add_tag(a, "harbour")
    add_tag(c, "harbour")
    set_cull(c, CullState.REJECTED)  # decided, alone: never read, whatever the scope
    tagged = GalleryQuery(tag="harbour")
    assert [f.photo_id for f in plan_frames(Scope(query=tagged))] == [a]
    named = GalleryQuery(metadata=MetadataFilter(name_contains="IMG_0004"))
    assert [f.photo_id for f in plan_frames(Scope(query=named))] == [d]
    # A search's results, narrowed by the filters, as the grid shows them.
    searched = GalleryQuery(ranked_ids=(d, b, a), metadata=MetadataFilter(name_contains="IMG_000"))
    assert {f.photo_id for f in plan_frames(Scope(query=searched))} == {a, b, d}
    assert {f.photo_id for f in plan_frames(Scope(query=GalleryQuery(ranked_ids=(b,))))} == {b}


def test_proposing_replaces_only_that_photographers_proposals(catalog: Catalog) -> None:
    ids = [_photo(i) for i in range(3)]
    write_proposals("ana", [_proposed(ids[0], ProposalVerdict.KEEP)])
    write_proposals("ben", [_proposed(ids[1], ProposalVerdict.REJECT)])
    write_proposals("ana", [_proposed(ids[2], ProposalVerdict.REJECT)])  # replaces ana's
    assert set(proposals_of("ana")) == {ids[2]}
    assert set(proposals_of("ben")) == {ids[1]}
    rejected = Proposal(ids[0], ProposalVerdict.REJECT, (ProposalReason.BLUR,), 0.9, False)
    write_proposals("ana", [rejected])
    assert proposals_of("ana") == {
        ids[0]: {"verdict": "reject", "reasons": ["blur"], "confidence": 0.9, "highlight": False}
    }
    assert all(_cull(pid) == "unreviewed" for pid in ids)  # never a decision


def test_a_decision_ends_the_photos_proposal_a_label_does_not(catalog: Catalog) -> None:
    ids = [_photo(i) for i in range(3)]
    write_proposals("ana", [_proposed(pid, ProposalVerdict.KEEP) for pid in ids])
    write_proposals("ben", [_proposed(ids[0], ProposalVerdict.KEEP)])
    set_cull(ids[0], CullState.REJECTED)
    set_rating(ids[1], 3)
    set_label(ids[2], "red")
    assert set(proposals_of("ana")) == {ids[2]}
    assert proposals_of("ben") == {}


def test_accept_decides_in_one_undo_step_logged_as_from_a_proposal(
    catalog: Catalog, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CURATOR_SEAT_USER", "ana")
    ids = [_photo(i) for i in range(4)]
    write_proposals(
        "ana",
        [
            _proposed(ids[0], ProposalVerdict.KEEP),
            _proposed(ids[1], ProposalVerdict.REJECT),
            _proposed(ids[2], ProposalVerdict.REJECT),
            _proposed(ids[3], ProposalVerdict.KEEP),
        ],
    )
    # Judged since the proposal, bypassing the trigger's end of it: never touched.
    Photo.update(cull="kept").where(Photo.id == ids[2]).execute()
    report = accept("ana")
    assert (report.kept, report.rejected, report.untouched) == (2, 1, 1)
    assert [_cull(pid) for pid in ids] == ["kept", "rejected", "kept", "kept"]
    log = decision_log()
    assert {d["pass"] for d in log} == {PROPOSAL_PASS} and len(log) == 3
    assert len({d["at"] for d in log}) == 1  # one group: one undo step
    assert proposals_of("ana") == {ids[2]: proposals_of("ana")[ids[2]]}  # the untouched one
    undone = undo_last()
    assert undone is not None and len(undone) == 3
    assert [_cull(pid) for pid in ids] == ["unreviewed", "unreviewed", "kept", "unreviewed"]


def test_accept_keeps_or_rejects_only(catalog: Catalog, monkeypatch: pytest.MonkeyPatch) -> None:
    ids = [_photo(i) for i in range(2)]
    write_proposals(
        "ana", [_proposed(ids[0], ProposalVerdict.KEEP), _proposed(ids[1], ProposalVerdict.REJECT)]
    )
    assert accept("ana", rejects=False).kept == 1
    assert [_cull(pid) for pid in ids] == ["kept", "unreviewed"]
    assert set(proposals_of("ana")) == {ids[1]}  # the reject is still proposed
    assert accept("ana", keeps=False).rejected == 1
    assert [_cull(pid) for pid in ids] == ["kept", "rejected"]


def test_two_seats_never_accept_each_others_proposals(
    catalog: Catalog, monkeypatch: pytest.MonkeyPatch
) -> None:
    ids = [_photo(i) for i in range(4)]
    write_proposals("ana", [_proposed(pid, ProposalVerdict.KEEP) for pid in ids[:2]])
    write_proposals("ben", [_proposed(pid, ProposalVerdict.REJECT) for pid in ids[2:]])
    monkeypatch.setenv("CURATOR_SEAT_USER", "ben")
    report = accept("ben")
    assert (report.kept, report.rejected) == (0, 2)
    assert [_cull(pid) for pid in ids] == ["unreviewed", "unreviewed", "rejected", "rejected"]
    assert set(proposals_of("ana")) == set(ids[:2])
    assert {d["photo_id"] for d in decision_log()} == set(ids[2:])
    assert accept("carl") == accept("carl")  # nobody's proposals: nothing
    assert accept("carl").kept == 0


def test_propose_then_accept_with_a_target_leaves_exactly_n_kept(catalog: Catalog) -> None:
    ids = [_photo(i, sharpness_score=40.0 + i) for i in range(30)]
    PhotoPreference.insert_many(
        [{"photo": pid, "score": float(i * 3), "model_version": 1} for i, pid in enumerate(ids)]
    ).execute()
    run = propose(plan_frames(), checks_for(None), target=10)
    write_proposals("ana", run.proposals)
    report = accept("ana")
    assert (report.kept, report.rejected) == (10, 20)
    kept = [pid for pid in ids if _cull(pid) == "kept"]
    assert kept == ids[20:]  # the ten the taste model likes best
    assert CullProposal.select().count() == 0


def test_an_older_catalog_gains_the_proposals_table(tmp_path: Path) -> None:
    path = tmp_path / "v22.sqlite"
    con = catalog_at_version(path, 22)
    con.execute(
        "INSERT INTO photo (id, path, imported_at, updated_at)"
        " VALUES (1, X'2F612E6A7067', '2025-01-01 00:00:00', '2025-01-01 00:00:00')"
    )
    con.execute("PRAGMA user_version = 22")
    con.commit()
    con.close()
    with Catalog.open(path):
        write_proposals("ana", [_proposed(1, ProposalVerdict.KEEP)])
        assert set(proposals_of("ana")) == {1}
        set_cull(1, CullState.KEPT)
        assert proposals_of("ana") == {}
    version = sqlite3.connect(path).execute("PRAGMA user_version").fetchone()[0]
    assert version == LATEST_VERSION  # migrated on to the latest


def test_the_gallery_rows_carry_this_seats_proposal_only(
    catalog: Catalog, monkeypatch: pytest.MonkeyPatch
) -> None:
    from curator.catalog.queries import gallery_rows

    ids = [_photo(i) for i in range(3)]
    why = (ProposalReason.CLOSED_EYES, ProposalReason.BLUR)
    write_proposals("ana", [Proposal(ids[0], ProposalVerdict.REJECT, why, 0.75)])
    write_proposals("ana", [Proposal(ids[0], ProposalVerdict.REJECT, why, 0.75),
                            Proposal(ids[1], ProposalVerdict.KEEP, (), 0.9, True)])  # fmt: skip
    write_proposals("ben", [Proposal(ids[2], ProposalVerdict.KEEP, (), 0.6)])
    monkeypatch.setenv("CURATOR_SEAT_USER", "ana")
    rows = gallery_rows(ids)
    assert rows[ids[0]].proposal == Proposal(ids[0], ProposalVerdict.REJECT, why, 0.75, False)
    assert rows[ids[1]].proposal == Proposal(ids[1], ProposalVerdict.KEEP, (), 0.9, True)
    assert rows[ids[2]].proposal is None  # ben's
    monkeypatch.setenv("CURATOR_SEAT_USER", "ben")
    assert gallery_rows([ids[2]])[ids[2]].proposal is not None


def test_search_filters_this_seats_proposals(
    catalog: Catalog, monkeypatch: pytest.MonkeyPatch
) -> None:
    from curator.search.text import text_search
    from curator.search.tokens import TokenKind, parse_query

    ids = [_photo(i) for i in range(4)]
    write_proposals("ana", [Proposal(ids[0], ProposalVerdict.KEEP, (), 0.9, True),
                            Proposal(ids[1], ProposalVerdict.KEEP, (), 0.7),
                            Proposal(ids[2], ProposalVerdict.REJECT, (), 0.8)])  # fmt: skip
    write_proposals("ben", [Proposal(ids[3], ProposalVerdict.KEEP, (), 0.6)])
    monkeypatch.setenv("CURATOR_SEAT_USER", "ana")
    assert parse_query("proposal:keep").values(TokenKind.PROPOSAL) == ("keep",)
    assert parse_query("proposal:maybe").values(TokenKind.PROPOSAL) == ()  # not a filter: a word

    def found(query: str) -> set[int]:
        return {h.photo_id for h in text_search(query)}

    assert found("proposal:keep") == {ids[0], ids[1]}
    assert found("proposal:reject") == {ids[2]}
    assert found("proposal:highlight") == {ids[0]}
    monkeypatch.setenv("CURATOR_SEAT_USER", "ben")
    assert found("proposal:keep") == {ids[3]}

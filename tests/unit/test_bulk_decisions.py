"""Decisions on many photos in a handful of statements (catalog.undo.bulk,
issue 42): the accept of a proposal writes exactly what `decisions.set_cull`
photo by photo writes — the same states, the same log rows in the same order,
one group, judged photos untouched, proposals ended, RAW+JPEG pairs followed —
and its undo and redo restore each state exactly, with the inverse rows.
Runs on SQLite and on PostgreSQL (tests/conftest.py's BOTH_BACKENDS)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import pytest

from curator.catalog import paths_codec
from curator.catalog.db import Catalog
from curator.catalog.decisions import (
    DecisionError,
    apply_many,
    decision_state,
    one_step,
    redo_last,
    set_cull,
    undo_last,
)
from curator.catalog.models import Decision, Photo
from curator.catalog.proposals.store import PROPOSAL_PASS, accept, proposals_of, write_proposals
from curator.records import CullState, Proposal, ProposalVerdict

T0 = datetime(2025, 6, 1, 12, 0, 0)
KEEP, REJECT = ProposalVerdict.KEEP, ProposalVerdict.REJECT

# One shoot: (its photo's columns, its proposal). Index 7 and 9 follow 6 and 8
# (a RAW's JPEG: pair_lead_id), with no proposal of their own, as the plan makes.
SHOOT: list[tuple[dict[str, Any], ProposalVerdict | None]] = [
    ({}, KEEP),
    ({}, REJECT),
    ({"cull": "kept"}, REJECT),  # judged: never touched
    ({"picked": True}, REJECT),  # a pick is a judgment
    ({"rating": 3}, KEEP),  # so is a rating
    ({"deleted_at": T0}, KEEP),  # deleted since it was proposed
    ({}, REJECT),  # a RAW whose JPEG …
    ({"picked": True, "lead": 6}, None),  # … is picked: the reject unpicks it
    ({}, KEEP),
    ({"cull": "kept", "lead": 8}, None),  # already kept: no row for it
    ({"label": "red", "rotation": 1}, KEEP),  # a label and a turn are no judgment
]


@pytest.fixture
def pairing() -> Iterator[None]:
    paths_codec.set_pairing(True)
    try:
        yield
    finally:
        paths_codec.set_pairing(False)


def _shoot(folder: str, owner: str) -> list[int]:
    ids: list[int] = []
    for i, (fields, _) in enumerate(SHOOT):
        columns = {k: v for k, v in fields.items() if k != "lead"}
        if "lead" in fields:
            columns["pair_lead_id"] = ids[int(fields["lead"])]
        photo = Photo.create(
            path=f"{folder}/IMG_{i:04d}.jpg".encode(),
            content_hash=f"h{folder}{i}",
            captured_at=T0 + timedelta(seconds=i),
            **columns,
        )
        ids.append(int(photo.id))
    write_proposals(
        owner, [Proposal(ids[i], v, (), 0.7) for i, (_, v) in enumerate(SHOOT) if v is not None]
    )
    return ids


def _per_photo_accept(owner: str) -> None:
    """The accept as it was before it was set-based: `set_cull` photo by photo
    in `one_step`, a photo gone or judged left alone: the reference."""
    verdicts = {pid: p["verdict"] for pid, p in proposals_of(owner).items()}

    def decide(pid: int) -> list[Any]:
        try:
            state = decision_state(pid)
        except DecisionError:
            return []
        if state.cull is not CullState.UNREVIEWED or state.picked or state.rating is not None:
            return []
        cull = CullState.KEPT if verdicts[pid] == "keep" else CullState.REJECTED
        return set_cull(pid, cull, pass_=PROPOSAL_PASS)

    apply_many(lambda: one_step(sorted(verdicts), decide))


def _states(ids: list[int]) -> list[tuple[object, ...]]:
    by_id = {
        int(p.id): (p.cull, p.picked, p.rating, p.label, p.rotation)
        for p in Photo.select().where(Photo.id.in_(ids))
    }
    return [by_id[pid] for pid in ids]


def _log(ids: list[int], after: int = 0) -> list[tuple[object, ...]]:
    """The log rows on `ids` (by index in the shoot), in order, from id `after` on."""
    index = {pid: i for i, pid in enumerate(ids)}
    return [
        (index[int(d.photo_id)], d.kind, d.old_value, d.new_value, d.pass_, d.seat_user)
        for d in Decision.select()
        .where(Decision.photo.in_(ids), Decision.id > after)
        .order_by(Decision.id)
    ]


def _last_id() -> int:
    row = Decision.select(Decision.id).order_by(Decision.id.desc()).first()
    return 0 if row is None else int(row.id)


def test_accept_writes_what_the_per_photo_path_writes(
    catalog: Catalog, pairing: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CURATOR_SEAT_USER", "ana")
    ref = _shoot("/ref", "ref")
    new = _shoot("/new", "ana")
    _per_photo_accept("ref")
    report = accept("ana")
    assert _states(new) == _states(ref)
    assert _log(new) == _log(ref)
    assert _log(new) == [
        (0, "cull", "unreviewed", "kept", PROPOSAL_PASS, "ana"),
        (1, "cull", "unreviewed", "rejected", PROPOSAL_PASS, "ana"),
        (6, "cull", "unreviewed", "rejected", PROPOSAL_PASS, "ana"),
        (7, "cull", "unreviewed", "rejected", PROPOSAL_PASS, "ana"),
        (7, "pick", "1", "0", PROPOSAL_PASS, "ana"),
        (8, "cull", "unreviewed", "kept", PROPOSAL_PASS, "ana"),
        (10, "cull", "unreviewed", "kept", PROPOSAL_PASS, "ana"),
    ]
    stamps = {d.created_at for d in Decision.select().where(Decision.photo.in_(new))}
    assert len(stamps) == 1  # one group: one undo step
    assert (report.kept, report.rejected, report.untouched) == (3, 2, 4)
    assert report.photo_ids == tuple(new[i] for i in (0, 1, 6, 8, 10))
    left = {new.index(pid) for pid in proposals_of("ana")}
    assert left == {2, 3, 4, 5} == {ref.index(pid) for pid in proposals_of("ref")}
    # the deleted photo's proposal stays as with the per-photo path: nothing decided it
    assert _states(new)[5] == ("unreviewed", False, None, None, 0)


def test_undo_and_redo_of_an_accept_restore_each_state_exactly(
    catalog: Catalog, pairing: None
) -> None:
    ids = _shoot("/s", "ana")
    before = _states(ids)
    mark = _last_id()
    accept("ana")
    after = _states(ids)
    accepted = list(Decision.select().where(Decision.id > mark).order_by(Decision.id))
    mark = _last_id()

    undone = undo_last()
    assert undone is not None
    assert _states(ids) == before
    inverse = list(Decision.select().where(Decision.id > mark).order_by(Decision.id))
    assert [(d.photo_id, d.kind, d.old_value, d.new_value, d.undoes_id) for d in inverse] == [
        (d.photo_id, d.kind, d.new_value, d.old_value, d.id) for d in reversed(accepted)
    ]
    assert len({d.created_at for d in inverse}) == 1
    assert inverse[0].created_at > accepted[0].created_at
    assert {d.pass_ for d in inverse} == {PROPOSAL_PASS}
    # the records the window shows: one per photo of a pair (the lead's), newest first
    assert [(r.photo_id, r.kind.value, r.old_value, r.new_value) for r in undone] == [
        (d.photo_id, d.kind, d.new_value, d.old_value)
        for d in reversed(accepted)
        if d.photo_id != ids[7]
    ]

    mark = _last_id()
    redone = redo_last()
    assert redone is not None and len(redone) == len(undone)
    assert _states(ids) == after
    again = list(Decision.select().where(Decision.id > mark).order_by(Decision.id))
    assert [(d.photo_id, d.kind, d.old_value, d.new_value, d.undoes_id) for d in again] == [
        (d.photo_id, d.kind, d.new_value, d.old_value, d.id) for d in reversed(inverse)
    ]
    assert undo_last() is not None and _states(ids) == before  # and round again
    assert redo_last() is not None and _states(ids) == after


def test_an_accept_and_its_undo_are_a_handful_of_statements(
    catalog: Catalog, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Set-based: the statements do not grow with the number of photos."""
    counts: list[int] = []
    db = Photo._meta.database
    real = db.execute_sql

    def counting(sql: str, params: Any = None, *args: Any, **kw: Any) -> Any:
        counts[-1] += 1
        return real(sql, params, *args, **kw)

    for n in (20, 400):
        ids = _bare_photos(n, f"/n{n}")
        write_proposals("ana", [Proposal(pid, KEEP, (), 0.5) for pid in ids])
        monkeypatch.setattr(db, "execute_sql", counting)
        counts.append(0)
        assert accept("ana").kept == n
        counts.append(0)
        assert undo_last() is not None
        monkeypatch.setattr(db, "execute_sql", real)
        assert {s.cull for s in map(decision_state, ids)} == {CullState.UNREVIEWED}
    accept_20, undo_20, accept_400, undo_400 = counts
    assert accept_400 == accept_20 and accept_400 < 15, counts
    # the undo stack is read in chunks of rows (catalog.undo.stacks): a few more
    assert undo_400 - undo_20 <= 400 // 256 + 1 and undo_20 < 15, counts


def _bare_photos(n: int, folder: str) -> list[int]:
    return [
        int(Photo.create(path=f"{folder}/{i}.jpg".encode(), content_hash=f"{folder}{i}").id)
        for i in range(n)
    ]


def test_other_seats_hear_every_photo_and_row_of_an_accept_and_its_undo(
    pg_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """PostgreSQL's live news (m019's triggers) fire for the set-based writes
    as for the per-photo ones: every photo changed, every log row, the seat."""
    from curator.catalog.backends.listen import SeatListener, SeatNews

    monkeypatch.setenv("CURATOR_SEAT_USER", "ana")
    with Catalog.open(pg_url) as cat:
        ids = _bare_photos(40, "/live")
        write_proposals("ana", [Proposal(pid, REJECT, (), 0.5) for pid in ids])
        listener = SeatListener(cat.db.location, ())  # hears this very seat too
        listener.connect()
        try:
            for act in (lambda: accept("ana"), undo_last):
                mark = _last_id()
                act()
                rows = {int(d.id) for d in Decision.select(Decision.id).where(Decision.id > mark)}
                heard: list[SeatNews] = []
                for _ in range(40):  # 10 s at most on a busy machine
                    news = listener.poll(0.25)
                    if news is not None:
                        heard.append(news)
                    if rows <= {i for n in heard for i in n.decisions}:
                        break
                assert len(rows) == len(ids)
                assert rows <= {i for n in heard for i in n.decisions}
                assert set(ids) <= {i for n in heard for i in n.changed}
                assert any(seat.startswith("ana@") for n in heard for seat in n.seats)
        finally:
            listener.close()

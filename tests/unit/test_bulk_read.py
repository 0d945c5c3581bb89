"""Catalog-wide reads in slices (catalog.backends.bulk_read, issue 51 §2): the same
rows as `fetchall()`, never converted in one call; the proposal plan and the
embeddings' whole-table read go through it; a Propose's write encodes its
proposals a slice at a time. On SQLite and on PostgreSQL."""

from __future__ import annotations

from typing import Any

import pytest

from curator.catalog.backends import bulk_read
from curator.catalog.models import Face, Photo
from curator.catalog.proposals import plan as plan_module
from curator.catalog.proposals import store
from curator.catalog.proposals.plan import plan_frames
from curator.catalog.undo import bulk as undo_bulk
from curator.records import Proposal, ProposalReason, ProposalVerdict
from tests.coverage_helpers import good_photo


class _SlicedOnly:
    """A cursor that refuses `fetchall()` and notes each `fetchmany` size."""

    def __init__(self, cursor: Any, sizes: list[int]) -> None:
        self._cursor, self._sizes = cursor, sizes

    def fetchmany(self, size: int) -> list[Any]:
        rows = self._cursor.fetchmany(size)
        self._sizes.append(len(rows))
        return list(rows)

    def fetchall(self) -> list[Any]:
        raise AssertionError("a catalog-wide read converted its whole result in one call")

    def fetchone(self) -> Any:
        return self._cursor.fetchone()

    def __iter__(self) -> Any:
        return iter(self._cursor)

    def __getattr__(self, name: str) -> Any:  # rowcount, description, lastrowid…
        return getattr(self._cursor, name)


def _slice_every_read(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Every statement's cursor wrapped in `_SlicedOnly`: the sizes it fetched."""
    db = Photo._meta.database
    plain = db.execute_sql
    sizes: list[int] = []

    def execute_sql(sql: str, params: Any = None, *args: Any, **kw: Any) -> Any:
        return _SlicedOnly(plain(sql, params, *args, **kw), sizes)

    monkeypatch.setattr(db, "execute_sql", execute_sql)
    return sizes


def _values(n: int) -> str:
    return " UNION ALL ".join(f"SELECT {i} AS n, 'r{i}' AS t" for i in range(n))


def test_fetch_all_gives_fetchalls_rows_in_slices(any_catalog: object) -> None:
    db = Photo._meta.database
    sql = f"SELECT n, t FROM ({_values(23)}) AS v ORDER BY n"
    expected = [tuple(r) for r in db.execute_sql(sql).fetchall()]
    sizes: list[int] = []
    got = bulk_read.fetch_all(_SlicedOnly(db.execute_sql(sql), sizes), slice_rows=5)
    assert [tuple(r) for r in got] == expected == [(i, f"r{i}") for i in range(23)]
    assert sizes == [5, 5, 5, 5, 3, 0]  # read to its end, never more than a slice a call
    assert [len(s) for s in bulk_read.slices(db.execute_sql(sql), slice_rows=10)] == [10, 10, 3]
    assert bulk_read.fetch_all(db.execute_sql("SELECT 1 WHERE 1 = 0")) == []


def test_the_proposal_plan_reads_in_slices(
    any_catalog: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    ids = [good_photo(i, burst_group=1 if i < 3 else None) for i in range(1, 6)]
    Face.create(
        photo=ids[0], idx=0, x=0.1, y=0.2, w=0.2, h=0.3, size_px=300, judged=True,
        eyes="open", is_key=True, confidence=0.9,
    )  # fmt: skip
    for helper in (bulk_read.fetch_all, bulk_read.slices):
        monkeypatch.setattr(helper, "__defaults__", (2,))
    monkeypatch.setattr(plan_module, "SLICE", 2)
    sliced = _slice_every_read(monkeypatch)
    frames = plan_frames()
    assert [f.photo_id for f in frames] == ids
    assert [len(f.key_faces) for f in frames] == [1, 0, 0, 0, 0]
    assert max(sliced) == 2 and len(sliced) >= 3  # five rows came in slices of two


def test_proposals_are_written_whole_when_packed_in_slices(
    any_catalog: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A Propose's write encodes its JSON a slice at a time (the C encoder holds
    the GIL per call): every proposal still arrives as it was, at any count."""
    monkeypatch.setattr(undo_bulk, "PACK_CHUNK", 2)
    ids = [good_photo(i) for i in range(1, 6)]
    given = [
        Proposal(pid, ProposalVerdict.REJECT if pid % 2 else ProposalVerdict.KEEP,
                 (ProposalReason.BLUR,) if pid == ids[0] else (), 0.5 + pid / 100,
                 highlight=pid == ids[-1])
        for pid in ids
    ]  # fmt: skip
    for count in (5, 4, 1, 0):
        assert store.write_proposals("lead", given[:count]) == count
        assert store.proposal_records("lead") == {p.photo_id: p for p in given[:count]}

"""Cull ▸ Accept the Rest and its undo, measured (issue 42): set-based
(catalog.undo.bulk) against the per-photo path, on SQLite and PostgreSQL.

Run with ``make bench``. Results go to the bench results folder (accept.json).

tests/bench/gallery_catalog.py's catalogs of 2,000 and 100,000 photos (≈60 %
neither culled nor rated: 59,670 of 100,000), a proposal for every photo
(a fifth keep), then `proposals.store.accept`, its undo (`decisions.undo_last`,
which the window runs on its UI thread, then puts the proposals back:
`restore_proposals`) and its redo, each timed once (each
changes what the next one finds). The baseline, measured in the same run on
the same catalog: the per-photo path (`decisions.set_cull` photo by photo in
one `one_step`: what the accept ran before, and per photo the statements the
undo ran) over a sample of 300 other photos, scaled to the number accepted.
Budgets: at 2,000 the accept, undo and redo ≤ 0.5 s on both backends; at
100,000 on SQLite the accept ≤ 6 s and the undo and redo ≤ 7 s, on
PostgreSQL ≤ 15 s and ≤ 20 s; the accept at least 10 times faster than the
baseline, the undo and redo 5 times.
Measured before (issue 42, 2 shared cores, per photo): accept 4.2 s / 291 s,
undo 1.7 s / 132 s (SQLite). Measured after (2 busy shared cores, three runs): SQLite 0.03-0.07 s /
0.04-0.07 s at 2,000, 2.9-5.1 s / 3.9-4.9 s (redo 3.5-4.9 s) at 100,000
(59,370 accepted) against a baseline of 67-96 s; PostgreSQL 0.13-0.17 s /
0.11-0.15 s, 8.4-9.6 s / 10.9-13.8 s (redo 13.8-13.9 s) against 154-160 s.
Putting the 59,370 proposals back after the undo (`restore_proposals`):
0.56 s on SQLite, 1.5 s on PostgreSQL.
The floor is the
catalog's: setting `cull` on 60,000 photo rows rewrites their entries in
the five gallery indexes that carry it (1.8 s of SQLite's 2.1 s UPDATE; on
PostgreSQL every index of the row, the trigram one included, as no update
of an indexed column is HOT), the same work the per-photo path did row by
row.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from tests.bench.results import merge_results

pytestmark = pytest.mark.bench

RESULTS = "accept.json"
SAMPLE = 300


def _proposals(owner: str, ids: list[int], seed: int) -> None:
    from curator.catalog.proposals.store import write_proposals
    from curator.records import Proposal, ProposalVerdict

    keep = np.random.default_rng(seed).random(len(ids)) < 0.2
    write_proposals(
        owner,
        [
            Proposal(pid, ProposalVerdict.KEEP if k else ProposalVerdict.REJECT, (), 0.6)
            for pid, k in zip(ids, keep, strict=True)
        ],
    )


def _unjudged() -> list[int]:
    from curator.catalog.models import Photo

    return [
        int(pid)
        for (pid,) in Photo.select(Photo.id)
        .where(Photo.cull == "unreviewed", Photo.rating.is_null(), Photo.picked == 0)
        .order_by(Photo.id)
        .tuples()
    ]


def _baseline(sample: list[int]) -> float:
    """Seconds per photo of the per-photo path: set_cull one by one in one step."""
    from curator.catalog import decisions
    from curator.catalog.models import CullState

    def decide(pid: int) -> list[decisions.DecisionRecord]:
        return decisions.set_cull(pid, CullState.REJECTED, pass_="bench")

    started = time.perf_counter()
    decisions.apply_many(lambda: decisions.one_step(sample, decide))
    return (time.perf_counter() - started) / len(sample)


def _timed(fn: Any) -> tuple[float, Any]:
    started = time.perf_counter()
    out = fn()
    return time.perf_counter() - started, out


def _measure(location: str | Path, n: int) -> dict[str, Any]:
    from curator.catalog.db import Catalog
    from curator.catalog.decisions import redo_last, undo_last
    from curator.catalog.proposals.store import accept, proposal_records, restore_proposals
    from tests.bench.gallery_catalog import populate

    with Catalog.open(location) as cat:
        populate(cat, n)
    with Catalog.open(location):
        ids = _unjudged()
        sample, rest = ids[:SAMPLE], ids[SAMPLE:]
        per_photo = _baseline(sample)
        _proposals("bench", rest, seed=n)
        before = proposal_records("bench")  # as the window's controller keeps them
        accept_s, report = _timed(lambda: accept("bench"))
        undo_s, undone = _timed(undo_last)
        restore_s, restored = _timed(lambda: restore_proposals("bench", list(before.values())))
        redo_s, redone = _timed(redo_last)
    assert report.kept + report.rejected == len(rest) and report.untouched == 0
    assert undone is not None and redone is not None and len(undone) == len(rest)
    assert len(restored) == len(rest)
    return {
        "photos": n,
        "accepted": len(rest),
        "accept_s": round(accept_s, 3),
        "undo_s": round(undo_s, 3),
        "redo_s": round(redo_s, 3),
        "restore_proposals_s": round(restore_s, 3),
        "per_photo_baseline_s": round(per_photo * len(rest), 2),
    }


@pytest.mark.timeout(3600)
def test_accept_and_undo_at_2000_and_100000_photos(tmp_path: Path, pg_server: Any) -> None:
    figures: dict[str, dict[str, Any]] = {}
    budgets = {
        (2_000, "SQLite"): (0.5, 0.5),
        (2_000, "PostgreSQL"): (0.5, 0.5),
        (100_000, "SQLite"): (6.0, 7.0),
        (100_000, "PostgreSQL"): (15.0, 20.0),
    }
    for n in (2_000, 100_000):
        for backend in ("SQLite", "PostgreSQL"):
            accept_budget, undo_budget = budgets[n, backend]
            if backend == "SQLite":
                where: str | Path = tmp_path / f"accept{n}.sqlite"
            else:
                where = pg_server.url(pg_server.new_database())
            got = _measure(where, n)
            got["budgets_s"] = {"accept": accept_budget, "undo": undo_budget}
            figures[f"{backend} {n}"] = got
            print(f"\n{backend}, {n:,} photos: {got}")
    merge_results(RESULTS, figures)
    for name, got in figures.items():
        budgets, base = got["budgets_s"], got["per_photo_baseline_s"]
        assert got["accept_s"] <= budgets["accept"], (name, figures)
        assert max(got["undo_s"], got["redo_s"]) <= budgets["undo"], (name, figures)
        assert got["accept_s"] * 10 <= base, (name, figures)
        assert max(got["undo_s"], got["redo_s"]) * 5 <= base, (name, figures)

"""Coverage at a catalog's scale (issue 50 §4): the Filter panel's per-person
kept counts (`catalog.people.coverage.people_coverage`), its "People with no
kept photo" filter (`NO_KEEP_SQL` through the gallery query), `curator
people`'s list (`catalog.people.naming.people_list`) and the
proposal's plan with the frames' people (`plan_frames`) on a SQLite catalog
of `PHOTOS` photos with three faces each (tests/bench/gallery_catalog.py's
photos: 20 % kept), `PEOPLE` people photographed with Zipf-like frequencies
and ~78 % of the faces placed (what the people bench's grouping places).

Ratios of CPU seconds of this process, measured in the same run (a shared
machine's wall time measures the neighbours): each read against the plan
of the same catalog before any face had a person (`plan_frames` without
people: the read a proposal already pays). Budgets: the per-person counts,
the filter and the list each at most `MAX_READ_RATIO` of that baseline; the plan
with people at most `MAX_PLAN_RATIO` of it (it reads more frames: the
decided photos that show a person say who is kept already).

Measured on this project's 2-core machine shared with five other sessions
(load average ~13), 2026-11-26, 100,000 photos / 300,000 faces (233,876
placed, 9,994 people, 9,797 that count, 1,339 with no kept photo): the plan
without people 0.57-0.58 CPU s, with people 1.53-1.61 s (two runs; 99,581 frames instead of
61,690); the per-person counts 0.47 s, the no-keep filter 0.18 s (before
the reads were reordered, photo table first: 0.96 s and 1.02 s), `curator
people`'s list 0.36 s (1.03 s before); see coverage.json
(`CURATOR_BENCH_PHOTOS` sets the size; 100,000 by default).
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from curator.catalog.db import Catalog
from curator.catalog.models import utcnow
from tests.bench.bulk import insert_many, loading
from tests.bench.gallery_catalog import populate
from tests.bench.results import merge_results

pytestmark = pytest.mark.bench

PHOTOS = int(os.environ.get("CURATOR_BENCH_PHOTOS", "100000"))
FACES_PER_PHOTO = 3
PEOPLE = PHOTOS // 10
PLACED = 0.78
MAX_READ_RATIO = 1.5
MAX_PLAN_RATIO = 3.0


def _timed(read: Callable[[], Any]) -> tuple[Any, float]:
    best = float("inf")
    out = None
    for _ in range(2):  # the better of two: the first may pay for a cold page cache
        start = time.process_time()  # CPU seconds: the neighbours' load stays out
        out = read()
        best = min(best, time.process_time() - start)
    return out, best


def _place(cat: Catalog, who: np.ndarray, placed: np.ndarray) -> None:
    with loading(cat.db):
        insert_many(
            cat.db,
            'INSERT INTO "face_person" ("face_id", "person_id") VALUES (?, ?)',
            [(int(i) + 1, int(who[i])) for i in np.flatnonzero(placed)],
        )


@pytest.mark.timeout(1800)
def test_coverage_reads_within_budget(tmp_path: Path) -> None:
    from curator.catalog.people.coverage import people_coverage
    from curator.catalog.people.naming import people_list
    from curator.catalog.proposals.plan import plan_frames
    from curator.catalog.queries import gallery_query_ids
    from curator.catalog.types import GalleryQuery, MetadataFilter

    with Catalog.open(tmp_path / "catalog.sqlite") as cat:
        populate(cat, PHOTOS)
        rng = np.random.default_rng(4)
        weights = 1.0 / np.arange(1, PEOPLE + 1) ** 0.8
        n = PHOTOS * FACES_PER_PHOTO
        who = rng.choice(PEOPLE, size=n, p=weights / weights.sum()) + 1
        placed = rng.random(n) < PLACED
        with loading(cat.db):
            insert_many(
                cat.db,
                "INSERT INTO face (id, photo_id, idx, x, y, w, h, size_px, judged, eyes, is_key,"
                " confidence) VALUES (?, ?, ?, 0.1, 0.1, 0.1, 0.1, 200, 1, 'open', 1, 0.9)",
                [(i + 1, i // FACES_PER_PHOTO + 1, i % FACES_PER_PHOTO) for i in range(n)],
            )
            insert_many(
                cat.db,
                'INSERT INTO "person" ("id", "name", "made_at") VALUES (?, ?, ?)',
                [(p, f"Guest {p}" if p <= 50 else None, utcnow()) for p in range(1, PEOPLE + 1)],
            )
        base_frames, baseline = _timed(plan_frames)
        _place(cat, who, placed)
        frames, plan_s = _timed(plan_frames)
        rows, coverage_s = _timed(people_coverage)
        query = GalleryQuery(metadata=MetadataFilter(people="people with no kept photo"))
        shown, filter_s = _timed(lambda: gallery_query_ids(query))
        listed, list_s = _timed(people_list)
        with_people = sum(1 for f in frames if f.people)
        result = {
            "photos": PHOTOS,
            "faces": n,
            "placed": int(placed.sum()),
            "people_listed": len(listed),
            "people_counting": len(rows),
            "people_no_keep": sum(1 for r in rows if not r.kept),
            "no_keep_photos": len(shown),
            "frames_without_people": len(base_frames),
            "frames": len(frames),
            "frames_with_people": with_people,
            "plan_without_people_s": round(baseline, 3),
            "plan_s": round(plan_s, 3),
            "people_coverage_s": round(coverage_s, 3),
            "no_keep_filter_s": round(filter_s, 3),
            "people_list_s": round(list_s, 3),
        }
        print(result)
        merge_results("coverage.json", result)
    assert rows and shown and with_people
    assert coverage_s <= MAX_READ_RATIO * baseline
    assert filter_s <= MAX_READ_RATIO * baseline
    assert list_s <= MAX_READ_RATIO * baseline  # `curator people`
    assert plan_s <= MAX_PLAN_RATIO * baseline

"""Gallery budgets on a 100,000-photo catalog (docs/product.md): open ≤ 1 s, every
filter/sort ≤ 50 ms p95.

The catalog is built with executemany (tests/bench/gallery_catalog.py:
capture times, scores, ratings, pass states, content types, tags, bursts,
failures). "Open" is the whole app built on it (`build_app`: the gallery's
id query, the model, the window) until the window has been shown and
painted with its first screen of cells. A filter/sort is the user's change
in the toolbar (tests/bench/gallery_switch.py): the first page listed and
painted (shown), then the whole list read off the UI thread and appended
(the append and its paint: the UI thread's share). The budget holds for
both; the whole list's own SQL is printed beside them. Each is run ROUNDS
times; p50/p95 are printed.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from curator.app import build_app
from curator.catalog.db import Catalog
from curator.catalog.gallery_filters import MetadataFilter
from curator.catalog.queries import GalleryQuery, GallerySort, gallery_query_ids, gallery_sql
from curator.paths import resolve_paths
from curator.settings import load_settings
from tests.bench.gallery_catalog import populate
from tests.bench.gallery_switch import time_switches

pytestmark = pytest.mark.bench
N = 100_000
ROUNDS = 20
MARCH = (date(2023, 3, 1), date(2023, 3, 31))


def _p(values: list[float], q: float) -> float:
    return sorted(values)[min(len(values) - 1, round(q * (len(values) - 1)))]


def _time(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return (time.perf_counter() - start) * 1000


QUERIES: dict[str, GalleryQuery] = {
    "all, by time": GalleryQuery(),
    "all, by preference": GalleryQuery(sort=GallerySort.PREFERENCE),
    "all, by sharpness": GalleryQuery(sort=GallerySort.SHARPNESS),
    "all, by rating": GalleryQuery(sort=GallerySort.RATING),
    "unreviewed, by preference": GalleryQuery(cull="unreviewed", sort=GallerySort.PREFERENCE),
    # The cull pass's own order (filter_bar.default_sort: the Unreviewed pass opens on it).
    "unreviewed, likeliest rejects": GalleryQuery(
        cull="unreviewed", sort=GallerySort.LIKELY_REJECTS
    ),
    "all, likeliest rejects": GalleryQuery(sort=GallerySort.LIKELY_REJECTS),
    "kept": GalleryQuery(cull="kept"),
    "rejected": GalleryQuery(cull="rejected"),
    "rating ≥ 3": GalleryQuery(min_rating=3),
    "MATCH": GalleryQuery(match_only=True),
    "MATCH + kept, by sharpness": GalleryQuery(
        cull="kept", match_only=True, sort=GallerySort.SHARPNESS
    ),
    "content type": GalleryQuery(content_type="portrait"),
    "tag": GalleryQuery(tag="tag 007"),
    "burst": GalleryQuery(burst_only=True),
    "failed": GalleryQuery(failed_only=True),
    # Issue 12: the Filter popup and the file-name sort.
    "by file name": GalleryQuery(sort=GallerySort.FILE_NAME),
    "camera": GalleryQuery(metadata=MetadataFilter(camera="X-T3")),
    "camera + kept, by pref.": GalleryQuery(
        cull="kept", sort=GallerySort.PREFERENCE, metadata=MetadataFilter(camera="Canon EOS R6")
    ),
    "lens + ISO 800–3200": GalleryQuery(
        metadata=MetadataFilter(lens="Lens 50mm", iso_min=800, iso_max=3200)
    ),
    "a month": GalleryQuery(metadata=MetadataFilter(date_from=MARCH[0], date_to=MARCH[1])),
    "file name contains": GalleryQuery(metadata=MetadataFilter(name_contains="0123")),
    # Search results shown as the gallery (ids are 1..N in a fresh catalog): every
    # photo ranked (a filter-only text search), and 200 semantic hits under a filter.
    "search: all ranked": GalleryQuery(ranked_ids=tuple(range(N, 0, -1))),
    "search: 200 hits + kept": GalleryQuery(cull="kept", ranked_ids=tuple(range(1, N, 500))),
}


def test_gallery_open_and_filter_sort_on_100k(tmp_path: Path, qtbot: QtBot) -> None:
    paths = resolve_paths()
    with Catalog.open(paths.catalog) as cat:
        t0 = time.perf_counter()
        populate(cat, N)
        print(f"\nbuilt {N} photos in {time.perf_counter() - t0:.1f} s")
    catalog = Catalog.open(paths.catalog)
    try:
        start = time.perf_counter()
        app = build_app(catalog, paths, load_settings(paths.settings_file))
        window = app.window
        qtbot.addWidget(window)
        window.resize(1400, 900)
        window.show()
        window.gallery.repaint()
        open_ms = (time.perf_counter() - start) * 1000
        # The first paint lists a screenful; the rest follows it (issue 21 §1).
        rest_ms = _time(app.model.load_rest)
        assert app.model.rowCount() == N
        print(
            f"gallery open (build_app → first paint): {open_ms:.0f} ms; "
            f"the other {N - 500:,} ids after it: {rest_ms:.0f} ms"
        )

        worst = 0.0
        for name, query in QUERIES.items():
            sql_ms = [_time(lambda q=query: gallery_query_ids(q)) for _ in range(ROUNDS)]
            switched = time_switches(qtbot, app.model, window.gallery, query, ROUNDS)
            n = app.model.rowCount()
            ui_ms = switched.shown
            worst = max(worst, _p(ui_ms, 0.95), _p(switched.append, 0.95))
            print(
                f"{name:28s} {n:6d} photos  whole list SQL p50 {statistics.median(sql_ms):5.1f} "
                f"p95 {_p(sql_ms, 0.95):5.1f} ms   shown p50 "
                f"{statistics.median(ui_ms):5.1f} p95 {_p(ui_ms, 0.95):5.1f} ms   "
                f"rest appended p95 {_p(switched.append, 0.95):5.1f} ms, "
                f"whole list in p95 {_p(switched.whole, 0.95):5.1f} ms"
            )
        # The ids come back in ORDER BY order (group_concat over the ordered subquery).
        for query in QUERIES.values():
            sql, params = gallery_sql(query)
            plain = [pid for (pid,) in catalog.db.execute_sql(sql, params).fetchall()]
            if query.ranked_ids is not None:  # a search: its hits the filters keep, by rank
                kept = set(plain)
                plain = [pid for pid in query.ranked_ids if pid in kept]
            assert gallery_query_ids(query) == plain
        app.shutdown()
        window.close()
    finally:
        catalog.close()
    assert open_ms <= 1000, f"gallery open {open_ms:.0f} ms > 1 s"
    assert worst <= 50, f"filter/sort p95 {worst:.1f} ms > 50 ms"

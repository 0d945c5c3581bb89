"""A live import's technical batches re-read only their own rows (issue 19 §1):
under the default filter and sort the gallery never re-queries its whole list
per batch (the UI thread's stall during an import); under a sort on a measured
value it re-queries, coalesced, and ends in the right order."""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

import pytest
from pytestqt.qtbot import QtBot

import curator.ui.gallery.model as gallery_model
from curator.app import App
from curator.catalog.models import Photo
from curator.catalog.queries import GalleryQuery, GallerySort, gallery_query_ids, gallery_rows
from curator.pipeline.stages.technical_runner import TechnicalRunner
from tests.ui.conftest import make_photo

N = 40


def _library(folder: Path) -> None:
    """N photos large enough to be judged (sharpness needs a 640 px long edge)."""
    folder.mkdir()
    for i in range(N):
        make_photo(folder / f"IMG_{i:04d}.jpg", i, width=720, height=480)


@pytest.fixture
def offline(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("CURATOR_OLLAMA_URL", "http://127.0.0.1:9")
    monkeypatch.setenv("CURATOR_CLIP_PRETRAINED", str(tmp_path / "no-such-weights.pt"))


def _count_full_queries(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """Every whole-list query the gallery model makes from now on (its time)."""
    made: list[float] = []
    real: Callable[..., list[int]] = gallery_query_ids

    def counted(query: GalleryQuery, limit: int | None = None) -> list[int]:
        made.append(time.monotonic())
        return real(query, limit)

    monkeypatch.setattr(gallery_model, "gallery_query_ids", counted)
    return made


@pytest.fixture(autouse=True)
def small_batches(monkeypatch: pytest.MonkeyPatch) -> None:
    """Technical batches of 4 files: at least 10 per import, whatever the machine's
    speed (a slow import writes one every 250 ms, however few files it holds)."""
    import curator.pipeline.service as service

    monkeypatch.setattr(service, "TechnicalRunner", partial(TechnicalRunner, batch_size=4))


def _import(app: App, qtbot: QtBot, lib: Path) -> list[list[int]]:
    batches: list[list[int]] = []
    app.pipeline.photos_changed.connect(batches.append)
    with qtbot.waitSignal(app.pipeline.completed, timeout=240_000):
        assert app.window.start_import(str(lib))
    return batches


def test_technical_batches_do_not_requery_the_default_list(
    offline: None, tmp_path: Path, app: App, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    lib = tmp_path / "lib"
    _library(lib)
    made = _count_full_queries(monkeypatch)
    batches = _import(app, qtbot, lib)
    assert sum(len(b) for b in batches) == N and len(batches) >= 10, batches  # the batches came
    assert len(made) <= 2, f"{len(made)} whole-list queries for {len(batches)} batches"
    print(f"\n{len(made)} whole-list queries for {len(batches)} technical batches")
    # Every row shows its measurement, in capture-time order (the files' EXIF).
    model = app.model
    assert model.rowCount() == N

    # The scores' refresh after the import reads on the rows pool (issue 51
    # §2: never 100,000 rows on the UI thread): the rows fill in shortly after.
    def measured() -> list[Any]:
        rows = [model.photo_row(r) for r in range(N)]
        assert all(row is not None and row.sharpness_score is not None for row in rows)
        return rows

    qtbot.waitUntil(lambda: bool(measured()), timeout=10_000)
    rows = measured()
    assert [row.file_name for row in rows if row] == [f"IMG_{i:04d}.jpg" for i in range(N)]
    assert all(row is not None and (row.thumbnail_key or "").startswith("thumbs/") for row in rows)
    assert model.ids == gallery_query_ids(model.query)


def test_under_a_sort_by_a_measured_value_the_list_ends_in_order(
    offline: None, tmp_path: Path, app: App, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    lib = tmp_path / "lib"
    _library(lib)
    bar = app.window.filter_bar
    bar.sort_combo.setCurrentIndex(bar.sort_combo.findData(GallerySort.SHARPNESS.value))
    assert app.model.query.sort is GallerySort.SHARPNESS
    made = _count_full_queries(monkeypatch)
    batches = _import(app, qtbot, lib)
    model = app.model
    # The last batch's re-query may be the coalesced one still to come.
    qtbot.waitUntil(lambda: model.ids == gallery_query_ids(model.query), timeout=5_000)

    def read_scores() -> list[Any]:  # the rows re-read on the rows pool after the refresh
        return [row.sharpness_score for r in range(N) if (row := model.photo_row(r))]

    qtbot.waitUntil(lambda: len(read_scores()) == N and None not in read_scores(), timeout=10_000)
    scores = read_scores()
    assert scores == sorted(scores, reverse=True)  # type: ignore[type-var]
    names = [row.file_name for r in range(N) if (row := model.photo_row(r))]
    assert names != sorted(names)  # measuring moved them: the order above is a real sort
    assert len(made) <= len(batches) + 2, (len(made), len(batches))


def _by_name() -> dict[str, int]:
    return {
        row.file_name: pid for pid, row in gallery_rows(gallery_query_ids(GalleryQuery())).items()
    }


def test_a_rewritten_row_requeries_only_when_it_moves_and_at_most_twice_a_second(
    library: Path, app: App, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    model = app.model
    model.set_query(GalleryQuery(sort=GallerySort.SHARPNESS))
    ids = _by_name()
    made = _count_full_queries(monkeypatch)
    listed = model.ids

    def in_order() -> bool:
        return model.ids == gallery_query_ids(model.query)

    # Rewritten in place (its measure kept its rank): its row only, no list query.
    assert model.rows_rewritten(listed[2:5]) == listed[2:5]
    assert made == [] and model.ids == listed
    # The last photo becomes the sharpest: the list is re-queried (now: none for 500 ms).
    last = listed[-1]
    Photo.update(sharpness_score=100.0).where(Photo.id == last).execute()
    model.rows_rewritten([last])
    qtbot.waitUntil(lambda: model.ids[0] == last, timeout=2_000)
    assert len(made) == 1 and in_order()
    # Three more moves in a row (a batch every few ms): coalesced, never two
    # re-queries within 500 ms, and the list ends in order.
    for score in (0.0, 99.5, 99.7):
        moved = model.ids[len(model.ids) // 2]
        Photo.update(sharpness_score=score).where(Photo.id == moved).execute()
        model.rows_rewritten([moved])
    qtbot.waitUntil(in_order, timeout=3_000)
    assert 2 <= len(made) <= 4
    assert all(b - a >= 0.45 for a, b in itertools.pairwise(made)), made
    # Membership: the XMP keeps a photo under the kept filter; it joins the list.
    model.set_query(GalleryQuery(cull="kept"))
    assert model.ids == []
    Photo.update(cull="kept").where(Photo.id == ids["IMG_0003.jpg"]).execute()
    assert model.rows_rewritten([ids["IMG_0003.jpg"]]) == [ids["IMG_0003.jpg"]]
    qtbot.waitUntil(lambda: model.ids == [ids["IMG_0003.jpg"]], timeout=2_000)

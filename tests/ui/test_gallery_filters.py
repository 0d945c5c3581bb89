"""Gallery filters and sorts (SQL returning ids), badges, and live rescoring
that keeps the scroll position and the selection."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PySide6.QtCore import QItemSelectionModel
from pytestqt.qtbot import QtBot

from curator.app import App
from curator.catalog.decisions import set_cull, set_rating
from curator.catalog.judgments import store_description
from curator.catalog.models import CullState, Photo
from curator.catalog.queries import GalleryQuery, GallerySort, gallery_query_ids
from curator.catalog.taste.store import write_scores
from curator.pipeline.stages.score import TasteReport
from curator.ui.gallery.flags import PhotoFlags, photo_flags, tooltip
from curator.ui.gallery.model import FlagsRole, PhotoIdRole


def _by_name() -> dict[str, int]:
    return {Path(bytes(p.path).decode()).name: int(p.id) for p in Photo.select()}


def _names(ids: list[int]) -> list[str]:
    back = {v: k for k, v in _by_name().items()}
    return [back[i] for i in ids]


def test_every_filter_and_sort_is_one_query(library: Path, app: App, qtmodeltester: object) -> None:
    ids = _by_name()
    img = [ids[f"IMG_{i:04d}.jpg"] for i in range(8)]
    set_cull(img[0], CullState.KEPT)
    set_rating(img[0], 5)
    set_rating(img[1], 3)
    set_cull(img[2], CullState.REJECTED)
    write_scores(1, img[:4], np.array([10.0, 95.0, 70.0, 30.0]))
    Photo.update(sharpness_score=99.0).where(Photo.id == img[5]).execute()
    Photo.update(burst_group=7).where(Photo.id.in_(img[6:8])).execute()
    store_description(
        img[3],
        subject="x",
        content_type="street",
        lighting_critique="",
        artistic_mood="",
        tags=["night market"],
        model="m",
        prompt_version="p",
    )
    q = GalleryQuery
    cases = {
        q(cull="kept"): ["IMG_0000.jpg", "IMG_0001.jpg"],  # a rating keeps an unreviewed one
        q(cull="rejected"): ["IMG_0002.jpg"],
        q(min_rating=3): ["IMG_0000.jpg", "IMG_0001.jpg"],
        q(min_rating=4): ["IMG_0000.jpg"],
        q(match_only=True): ["IMG_0001.jpg", "IMG_0002.jpg"],
        q(match_only=True, match_threshold=96): [],
        q(content_type="street"): ["IMG_0003.jpg"],
        q(tag="night market"): ["IMG_0003.jpg"],
        q(burst_only=True): ["IMG_0006.jpg", "IMG_0007.jpg"],
        q(failed_only=True): ["broken.jpg"],
        q(match_only=True, cull="rejected"): ["IMG_0002.jpg"],
    }
    for query, expected in cases.items():
        assert _names(gallery_query_ids(query)) == expected, query
    by_pref = _names(gallery_query_ids(q(sort=GallerySort.PREFERENCE)))
    assert by_pref[:4] == ["IMG_0001.jpg", "IMG_0002.jpg", "IMG_0003.jpg", "IMG_0000.jpg"]
    assert _names(gallery_query_ids(q(sort=GallerySort.SHARPNESS)))[0] == "IMG_0005.jpg"
    assert _names(gallery_query_ids(q(sort=GallerySort.RATING)))[:2] == [
        "IMG_0000.jpg",
        "IMG_0001.jpg",
    ]
    by_time = _names(gallery_query_ids(q()))
    assert by_time == [f"IMG_{i:04d}.jpg" for i in range(8)] + ["broken.jpg"]

    # Through the toolbar: the model lists what the bar asks for.
    bar = app.window.filter_bar
    bar.match_box.setChecked(True)
    assert app.model.rowCount() == 2
    qtmodeltester.check(app.model)  # type: ignore[attr-defined]
    bar.sort_combo.setCurrentIndex(bar.sort_combo.findData(GallerySort.PREFERENCE.value))
    assert [app.model.data(app.model.index(r)) for r in range(2)] == [
        "IMG_0001.jpg",
        "IMG_0002.jpg",
    ]
    bar.match_box.setChecked(False)
    bar.rating_combo.setCurrentIndex(bar.rating_combo.findData(3))
    assert app.model.rowCount() == 2
    qtmodeltester.check(app.model)  # type: ignore[attr-defined]


def test_badges_follow_the_scores_and_thresholds(library: Path, app: App) -> None:
    row = app.model.photo_row(0)
    assert row is not None
    flags = photo_flags(row, 70.0)
    assert flags == PhotoFlags()  # measured synthetic photos: sharp, well exposed
    blurry = row.__class__(**{**row.__dict__, "sharpness_score": 12.0, "highlight_clip": 0.2})
    assert photo_flags(blurry, 70).shows("sharpness") and photo_flags(blurry, 70).shows("exposure")
    # A chandelier's 8 % of lights is no clipping warning on its own any more.
    lights = row.__class__(**{**row.__dict__, "highlight_clip": 0.08})
    assert not photo_flags(lights, 70).shows("exposure")
    dark = row.__class__(**{**row.__dict__, "exposure_score": 45.0, "exposure_ev": -1.3})
    assert photo_flags(dark, 70).shows("exposure")
    assert "Under-exposed (≈ \u22121.3 EV)" in tooltip(dark, photo_flags(dark, 70))
    fine = row.__class__(**{**row.__dict__, "exposure_score": 61.0, "exposure_ev": -0.9})
    assert not photo_flags(fine, 70).shows("exposure")
    small = row.__class__(**{**row.__dict__, "sharpness_score": None})
    assert not photo_flags(small, 70).shows("sharpness")  # "too small to judge" is no blur warning
    burst = row.__class__(**{**row.__dict__, "burst_group": 3, "burst_best": True})
    assert photo_flags(burst, 70).burst_best
    scored = row.__class__(**{**row.__dict__, "preference_score": 70.0})
    assert photo_flags(scored, 70).match and not photo_flags(scored, 70.5).match
    assert isinstance(app.model.data(app.model.index(0), FlagsRole), PhotoFlags)


def test_missing_photos_stay_listed_with_a_badge_and_a_filter(library: Path, app: App) -> None:
    from curator.catalog.missing import mark_missing
    from curator.ui.gallery.view import MISSING, flag_pills

    ids = _by_name()
    set_rating(ids["IMG_0003.jpg"], 4)
    (library / "IMG_0003.jpg").unlink()
    assert mark_missing(str(library)) == 1
    app.model.refresh([ids["IMG_0003.jpg"]])
    assert app.model.rowCount() == 9  # still in the normal view (it has a preview)

    bar = app.window.filter_bar
    bar.state_combo.setCurrentIndex(bar.state_combo.findData("missing"))
    assert app.model.ids == [ids["IMG_0003.jpg"]]
    row = app.model.photo_row(0)
    assert row is not None and row.missing and row.rating == 4
    flags = app.model.data(app.model.index(0), FlagsRole)
    assert isinstance(flags, PhotoFlags) and flags.missing
    assert flag_pills(flags)[0][0][0] == MISSING
    assert "Missing" in tooltip(row, flags)
    assert not app.window.gallery.grab().isNull()  # the cell with its badge paints
    bar.state_combo.setCurrentIndex(bar.state_combo.findData("all"))
    assert app.model.rowCount() == 9


def test_a_retrain_rescores_in_place_keeping_selection_and_scroll(
    tmp_path: Path, app: App, qtbot: QtBot, qtmodeltester: object
) -> None:
    from tests.integration.cli_helpers import import_json
    from tests.ui.conftest import make_library

    make_library(tmp_path / "many", 40)
    import_json(tmp_path / "many", "--stages", "technical")
    model, view = app.model, app.window.gallery
    bar = app.window.filter_bar
    ids = [int(p.id) for p in Photo.select().order_by(Photo.id)]
    write_scores(1, ids, np.linspace(0, 100, len(ids)))
    bar.sort_combo.setCurrentIndex(bar.sort_combo.findData(GallerySort.PREFERENCE.value))
    assert model.ids[0] == ids[-1]  # best first
    view.resize(700, 420)
    chosen = model.data(model.index(25), PhotoIdRole)
    view.selectionModel().setCurrentIndex(
        model.index(25), QItemSelectionModel.SelectionFlag.ClearAndSelect
    )
    view.scrollTo(model.index(25))
    scroll = view.verticalScrollBar().value()
    assert scroll > 0
    resets: list[bool] = []
    model.modelReset.connect(lambda: resets.append(True))
    # A new taste model reverses the order; the scheduler's signal drives the refresh.
    write_scores(2, ids, np.linspace(100, 0, len(ids)))
    app.retrain.retrained.emit(TasteReport(2, 20, 0.5, 1.0, len(ids), "Taste model v2"))
    # The new order is listed on the lists pool (issue 51), then applied in place.
    qtbot.waitUntil(lambda: model.ids[0] == ids[0], timeout=10_000)
    assert not resets
    assert model.ids[0] == ids[0] and model.ids[-1] == ids[-1]
    assert view.currentIndex().data(PhotoIdRole) == chosen
    assert [i.data(PhotoIdRole) for i in view.selectionModel().selectedIndexes()] == [chosen]
    assert view.verticalScrollBar().value() == scroll
    qtmodeltester.check(model)  # type: ignore[attr-defined]
    # A photo leaving the filter and another arriving, with a reorder, in one refresh.
    bar.match_box.setChecked(True)
    before = set(model.ids)
    write_scores(3, ids, np.linspace(0, 100, len(ids)))
    model.refresh_scores()
    qtbot.waitUntil(lambda: set(model.ids) != before, timeout=10_000)
    after = set(model.ids)
    assert after != before and after == set(gallery_query_ids(model.query))
    assert model.ids == gallery_query_ids(model.query)
    qtmodeltester.check(model)  # type: ignore[attr-defined]


def test_the_type_and_tag_lists_are_read_off_the_ui_thread_and_the_newest_read_wins(
    library: Path, app: App, qtbot: QtBot, monkeypatch: object
) -> None:
    import threading

    import curator.catalog.queries as queries

    threads: list[threading.Thread] = []
    reads = iter((["landscape"], ["portrait"]))  # the first read asked, then the second

    def tags() -> list[str]:
        threads.append(threading.current_thread())
        return next(reads)

    monkeypatch.setattr(queries, "gallery_tags", tags)  # type: ignore[attr-defined]
    bar = app.window.filter_bar
    loads = bar.choice_loads
    bar.load_choices()
    bar.load_choices()  # asked before the first arrived: only its lists show
    qtbot.waitUntil(lambda: bar.choice_loads > loads)
    qtbot.wait(50)  # the first read's lists, had they been kept, would be here too
    assert bar.choice_loads == loads + 1
    assert threads and all(t is not threading.main_thread() for t in threads)
    assert bar.tag_combo.findData("portrait") >= 0
    assert bar.tag_combo.findData("landscape") < 0

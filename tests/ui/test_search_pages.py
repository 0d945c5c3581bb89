"""A text search with many hits comes back in two steps (issue 21 §2): its first
page shows at once ("3+ photos"), then the whole ranking is appended without a
reset, the current photo and selection where the user left them; a newer
search during the second step wins; fewer hits than a page is one outcome.

The page is patched down to 3 photos (`text.FIRST_PAGE`), and the whole
ranking held back by an event, so each step can be looked at."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from PySide6.QtCore import QItemSelectionModel
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from curator.app import App
from curator.catalog import judgments
from curator.catalog.decisions import set_rating
from curator.catalog.models import Photo
from curator.search import text
from curator.settings import Settings
from curator.ui.common.guard import ErrorReporter
from curator.ui.gallery.model import PhotoIdRole
from curator.ui.search.actions import ActiveSearch
from curator.ui.search.controller import SearchController, SearchKind, SearchOutcome
from tests.pools import make_pool

WAIT = 60_000  # a busy 2-core machine
PAGE = 3


@contextmanager
def _paged(ranked_ids: Callable[..., list[int]]) -> Iterator[None]:
    """Pages of `PAGE` ids, the ranking `ranked_ids`' (a test's stand-in)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(text, "FIRST_PAGE", PAGE)
        patch.setattr(text, "ranked_ids", ranked_ids)
        yield


def _held_back(patch: pytest.MonkeyPatch, release: threading.Event) -> list[int | None]:
    """A 3-photo page; the whole ranking of "harbour" waits for `release` (a
    search of a word typed halfway, on a busy machine, does not). Returns the
    limits "harbour" was asked for."""
    real = text.ranked_ids
    limits: list[int | None] = []

    def ranked_ids(query: str, *, limit: int | None = None, **kw: object) -> list[int]:
        if query == "harbour":
            limits.append(limit)
        if limit is None and query == "harbour":
            release.wait(30)
        return real(query, limit=limit, **kw)  # type: ignore[arg-type]

    patch.setattr(text, "FIRST_PAGE", PAGE)
    patch.setattr(text, "ranked_ids", ranked_ids)
    return limits


def _six_harbours() -> list[int]:
    """Six of the library's photos match "harbour" (more of it ranks higher): the
    whole ranking."""
    photos = sorted(int(p.id) for p in Photo.select())
    for i, pid in enumerate(photos[:6]):
        judgments.store_description(
            pid,
            subject=" ".join(["harbour"] * (1 + i % 3)) + " at dawn",
            content_type="landscape",
            lighting_critique="soft light",
            artistic_mood="calm",
            tags=[],
            model="test-llm",
            prompt_version="1",
        )
    whole = text.ranked_ids("harbour")
    assert len(whole) == 6
    return whole


def _type_harbour(app: App, qtbot: QtBot, first_page: str) -> None:
    """Type "harbour" in the box and wait until its first page shows, counted as
    `first_page` (the box may search "har" on the way, on a busy machine)."""
    app.window.dispatch("search")
    field = app.window.search_box.field
    qtbot.waitUntil(field.hasFocus, timeout=WAIT)
    qtbot.keyClicks(field, "harbour")
    label = app.window.search_label
    qtbot.waitUntil(lambda: label.text().strip() == first_page, timeout=WAIT)


def test_the_first_page_shows_then_the_rest_is_appended_keeping_the_current_photo(
    library: Path, app: App, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    window, model, gallery = app.window, app.model, app.window.gallery
    whole = _six_harbours()
    release = threading.Event()
    limits = _held_back(monkeypatch, release)
    resets: list[int] = []
    model.modelReset.connect(lambda: resets.append(1))

    _type_harbour(app, qtbot, "3+ photos match “harbour”")  # the first page shows
    field = window.search_box.field
    assert model.ids == whole[:PAGE] and window.search.busy  # still counting
    assert window.search_label.text().strip() == "3+ photos match “harbour”"
    assert window.count_label.text().strip() == "3+ photos"
    # The user looks at the third photo and selects the second and third.
    gallery.setCurrentIndex(model.index(2))
    selection = gallery.selectionModel()
    selection.select(model.index(1), QItemSelectionModel.SelectionFlag.Select)
    selected = sorted(i.data(PhotoIdRole) for i in selection.selectedIndexes())
    assert selected == sorted(whole[1:3])
    resets.clear()

    release.set()  # the whole ranking comes in: appended, nothing else moves
    qtbot.waitUntil(lambda: not window.search.busy, timeout=WAIT)
    assert model.ids == whole
    assert limits == [PAGE, None]
    assert resets == []  # no reset: the view keeps its scroll position too
    assert gallery.currentIndex().data(PhotoIdRole) == whole[2]
    assert sorted(i.data(PhotoIdRole) for i in selection.selectedIndexes()) == selected
    assert window.search_label.text().strip() == "6 photos match “harbour”"
    assert window.count_label.text().strip() == "6 photos"
    assert field.hasFocus()  # typing goes on in the box


def test_the_count_settles_when_the_filters_hide_every_photo_past_the_first_page(
    library: Path, app: App, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Nothing is appended (the filters hide the rest), yet the count stops
    saying "+" and counts the hidden ones."""
    window, model = app.window, app.model
    whole = _six_harbours()
    set_rating(whole[1], 4)  # on the first page
    release = threading.Event()
    _held_back(monkeypatch, release)
    window.filter_bar.rating_combo.setCurrentIndex(window.filter_bar.rating_combo.findData(4))
    qtbot.waitUntil(lambda: model.ids == [whole[1]], timeout=WAIT)

    _type_harbour(app, qtbot, "1+ photos match “harbour”")
    release.set()
    qtbot.waitUntil(lambda: not window.search.busy, timeout=WAIT)
    assert model.ids == [whole[1]]
    assert window.search_label.text().strip() == (
        "1 photo matches “harbour” (5 more hidden by the filters)"
    )
    assert window.count_label.text().strip() == "1 photos"


def test_the_loupe_opened_on_the_first_page_walks_the_whole_ranking(
    library: Path, app: App, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    window, session = app.window, app.session
    whole = _six_harbours()
    release = threading.Event()
    _held_back(monkeypatch, release)
    _type_harbour(app, qtbot, "3+ photos match “harbour”")
    window.show_loupe(whole[2])
    assert session.order == whole[:PAGE] and session.current == whole[2]

    release.set()
    qtbot.waitUntil(lambda: not window.search.busy, timeout=WAIT)
    assert session.order == whole and session.current == whole[2]
    assert session.position_text.endswith("3 / 6")


def _controller(qtbot: QtBot) -> tuple[SearchController, list[SearchOutcome]]:
    controller = SearchController(ErrorReporter(), Settings, threads=make_pool(1))
    outcomes: list[SearchOutcome] = []
    controller.finished.connect(outcomes.append)
    return controller, outcomes


def test_a_newer_search_during_the_whole_ranking_wins(catalog: object, qtbot: QtBot) -> None:
    """The first page of "many" lands, its whole ranking is under way, "few" is
    typed: the whole ranking of "many" never lands, "few" shows."""
    release = threading.Event()

    def ranked_ids(query: str, *, limit: int | None = None, **_: object) -> list[int]:
        if query == "few":
            return [7]
        if limit is None:
            release.wait(30)
            return list(range(10))
        return list(range(limit))

    controller, outcomes = _controller(qtbot)
    with _paged(ranked_ids):
        controller.search_text("many")
        qtbot.waitUntil(lambda: len(outcomes) == 1, timeout=WAIT)
        assert outcomes[0].ids == (0, 1, 2) and outcomes[0].partial
        assert controller.busy and not controller.first_pending
        controller.search_text("few")
        assert controller.first_pending
        release.set()
        qtbot.waitUntil(lambda: not controller.busy, timeout=WAIT)
        controller.shutdown()
    QApplication.processEvents()
    assert [(o.query, o.ids, o.partial, o.completes) for o in outcomes] == [
        ("many", (0, 1, 2), True, False),
        ("few", (7,), False, False),
    ]


@pytest.mark.parametrize("hits", [0, 2])
def test_fewer_hits_than_a_page_is_one_outcome(catalog: object, qtbot: QtBot, hits: int) -> None:
    limits: list[int | None] = []

    def ranked_ids(query: str, *, limit: int | None = None, **_: object) -> list[int]:
        limits.append(limit)
        return list(range(hits))

    controller, outcomes = _controller(qtbot)
    with _paged(ranked_ids):
        controller.search_text("few")
        qtbot.waitUntil(lambda: not controller.busy, timeout=WAIT)
        controller.shutdown()  # anything still queued or running is done
    QApplication.processEvents()
    assert limits == [PAGE]  # one query, of the first page
    assert [(o.ids, o.partial, o.kind) for o in outcomes] == [
        (tuple(range(hits)), False, SearchKind.TEXT)
    ]


def test_a_full_page_is_followed_by_the_whole_ranking(catalog: object, qtbot: QtBot) -> None:
    """Exactly a page of hits: there may be more, so the whole ranking follows
    (the same ids here), and `busy` holds until it is in."""
    controller, outcomes = _controller(qtbot)
    with _paged(lambda query, *, limit=None, **_: [4, 5, 6]):
        controller.search_text("just a page")
        qtbot.waitUntil(lambda: not controller.busy, timeout=WAIT)
        controller.shutdown()
    QApplication.processEvents()
    assert [(o.ids, o.partial, o.completes) for o in outcomes] == [
        ((4, 5, 6), True, False),
        ((4, 5, 6), False, True),
    ]


def test_the_count_line_while_counting() -> None:
    partial = ActiveSearch(SearchKind.TEXT, "tag", (1, 2, 3), partial=True)
    assert partial.count_text(3) == "3+ photos match “tag”"
    assert partial.count_text(1) == "1+ photos match “tag”"  # no "hidden" count yet
    assert partial.count_text(0) == "Counting photos that match “tag”…"  # not "no photo"
    whole = ActiveSearch(SearchKind.TEXT, "tag", (1, 2, 3, 4))
    assert whole.count_text(0) == "No photo matches “tag” (4 more hidden by the filters)"

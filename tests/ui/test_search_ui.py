"""Search in the GUI: the toolbar's box (Ctrl+F, /), text and semantic (~) search,
results as the gallery with their count, Esc, filters combined, more-like-this
(loupe M, the gallery's context menu), the loupe walking the results, and a
semantic search that cannot run saying why in the status line."""

from __future__ import annotations

import threading
from pathlib import Path

import numpy as np
import pytest
from numpy.typing import NDArray
from PySide6.QtCore import QItemSelectionModel, Qt
from PySide6.QtWidgets import QApplication, QMenu
from pytestqt.qtbot import QtBot

from curator.app import App
from curator.catalog import judgments
from curator.catalog.decisions import decision_state, set_rating
from curator.catalog.models import Photo
from curator.catalog.types import CullState
from curator.paths import resolve_paths
from curator.search.text import text_search
from curator.settings import Settings, embedding_model_id, load_settings
from curator.ui.common.guard import ErrorReporter
from curator.ui.search.box import SearchRequest, parse_search
from curator.ui.search.controller import SearchController, SearchKind, SearchOutcome
from tests.pools import make_pool
from tests.ui.conftest import running_app

CTRL = Qt.KeyboardModifier.ControlModifier
WAIT = 60_000  # a busy 2-core machine; the first semantic search loads a (tiny) CLIP
SCREENSHOT = Path("/tmp/search-ui.png")


def _by_name() -> dict[str, int]:
    return {Path(bytes(p.path).decode()).name: int(p.id) for p in Photo.select()}


def _good(ids: dict[str, int]) -> list[int]:
    return [ids[f"IMG_{i:04d}.jpg"] for i in range(8)]


def _describe(photo_id: int, subject: str, tags: list[str]) -> None:
    judgments.store_description(
        photo_id,
        subject=subject,
        content_type="landscape",
        lighting_critique="soft light",
        artistic_mood="calm",
        tags=tags,
        model="test-llm",
        prompt_version="1",
    )


def _wait_results(app: App, qtbot: QtBot, kind: SearchKind) -> None:
    window = app.window
    qtbot.waitUntil(
        lambda: (
            not window.search.busy
            and window.active_search is not None
            and window.active_search.kind is kind
        ),
        timeout=WAIT,
    )


def _count_text(app: App) -> str:
    return app.window.search_label.text().strip()


def _unit(v: NDArray[np.float64]) -> NDArray[np.float32]:
    return (v / np.linalg.norm(v)).astype(np.float32)


def test_words_show_matching_photos_with_the_count_filters_narrow_and_esc_restores(
    library: Path, app: App, qtbot: QtBot
) -> None:
    window, model = app.window, app.model
    p = _good(_by_name())
    harbour = {p[1], p[4], p[6]}
    _describe(p[1], "Fishing boats moored in the harbour at dawn", ["boat", "sea"])
    _describe(p[4], "A harbour wall with a red lighthouse", ["lighthouse"])
    _describe(p[2], "A pine forest in fog", ["forest"])
    judgments.store_description(
        p[6],
        subject="Gulls over the water",
        content_type="other",
        lighting_critique="flat",
        artistic_mood="busy",
        tags=["harbour", "gull"],
        model="test-llm",
        prompt_version="1",
    )
    everything = model.ids
    assert len(everything) >= 8

    window.dispatch("search")  # Edit ▸ Find… (Ctrl+F)
    field = window.search_box.field
    qtbot.waitUntil(field.hasFocus, timeout=WAIT)
    qtbot.keyClicks(field, "harbour")  # no Enter: the pause after typing searches
    _wait_results(app, qtbot, SearchKind.TEXT)
    expected = [hit.photo_id for hit in text_search("harbour")]
    assert set(expected) == harbour
    assert model.ids == expected  # rank order, only the matches
    assert _count_text(app) == "3 photos match “harbour”"
    assert field.hasFocus()  # typing goes on in the box

    # The results are the gallery: same thumbnails and badges. A screenshot to look at.
    qtbot.waitUntil(
        lambda: all(
            model.data(model.index(r), Qt.ItemDataRole.DecorationRole) is not None
            for r in range(model.rowCount())
        ),
        timeout=WAIT,
    )
    assert window.grab().save(str(SCREENSHOT))

    # Filters intersect with the search: ≥ 4 stars keeps the one 4-star match.
    set_rating(p[4], 4)
    set_rating(p[3], 5)  # not a match: stays out
    window.filter_bar.rating_combo.setCurrentIndex(window.filter_bar.rating_combo.findData(4))
    qtbot.waitUntil(lambda: model.ids == [p[4]], timeout=WAIT)
    assert _count_text(app) == "1 photo matches “harbour” (2 more hidden by the filters)"
    window.filter_bar.rating_combo.setCurrentIndex(0)
    qtbot.waitUntil(lambda: model.ids == expected, timeout=WAIT)

    # More words narrow it; Enter searches at once.
    field.selectAll()
    qtbot.keyClicks(field, "harbour lighthouse")
    qtbot.keyClick(field, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: model.ids == [p[4]] and not window.search.busy, timeout=WAIT)
    assert _count_text(app) == "1 photo matches “harbour lighthouse”"
    qtbot.waitUntil(window.gallery.hasFocus, timeout=WAIT)  # after Enter: the photos' keys

    # Emptying the box by hand ends the search; the keys stay in the box.
    window.dispatch("search")
    qtbot.waitUntil(field.hasFocus, timeout=WAIT)
    field.selectAll()
    qtbot.keyClick(field, Qt.Key.Key_Backspace)
    qtbot.waitUntil(lambda: window.active_search is None, timeout=WAIT)
    assert model.ids == everything and field.hasFocus()
    qtbot.keyClicks(field, "harbour")
    qtbot.keyClick(field, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: model.ids == expected and not window.search.busy, timeout=WAIT)

    # Esc in the box: the search is gone, the whole gallery is back, keys go to the grid.
    qtbot.keyClick(field, Qt.Key.Key_Escape)
    assert window.active_search is None
    assert field.text() == ""
    assert model.ids == everything
    assert _count_text(app) == ""
    assert app.window.count_label.text().strip() == f"{len(everything)} photos"
    qtbot.waitUntil(window.gallery.hasFocus, timeout=WAIT)


def test_slash_and_ctrl_f_focus_the_box_and_typing_in_it_decides_nothing(
    library: Path, app: App, qtbot: QtBot
) -> None:
    window = app.window
    p = _good(_by_name())
    window.show_loupe(p[0])
    view = window.loupe.view
    qtbot.waitUntil(view.hasFocus, timeout=WAIT)
    field = window.search_box.field

    qtbot.keyClick(view, Qt.Key.Key_Slash)  # / from the loupe
    qtbot.waitUntil(field.hasFocus, timeout=WAIT)
    before = decision_state(p[0])
    # Decision keys (P, X, 1), window keys (E: loupe, G: grid) and / itself are text here.
    qtbot.keyClicks(field, "px1eg/")
    assert field.text() == "px1eg/"
    assert field.hasFocus()
    assert decision_state(p[0]) == before
    assert before.cull is CullState.UNREVIEWED and before.rating is None
    assert app.session.current == p[0]  # the loupe did not move on either

    qtbot.keyClick(field, Qt.Key.Key_Escape)  # clears; the keys go back to the page
    qtbot.waitUntil(lambda: not field.hasFocus(), timeout=WAIT)
    assert field.text() == "" and window.active_search is None

    window.show_gallery()
    qtbot.waitUntil(window.gallery.hasFocus, timeout=WAIT)
    qtbot.keyClick(window.gallery, Qt.Key.Key_F, CTRL)
    qtbot.waitUntil(field.hasFocus, timeout=WAIT)
    qtbot.keyClicks(field, "p")
    assert field.text() == "p"
    assert decision_state(p[0]) == before
    qtbot.waitUntil(lambda: not window.search.busy, timeout=WAIT)


def test_tilde_runs_a_semantic_search_and_the_loupe_walks_the_results(
    library: Path, tiny_clip: Path, qtbot: QtBot
) -> None:
    from curator.ml.embedder import shared_embedder
    from curator.settings import clip_config

    settings = load_settings(resolve_paths().settings_file)
    p = _good(_by_name())
    sea = shared_embedder(clip_config(settings)).embed_text("sea").astype(np.float64)
    rng = np.random.default_rng(7)
    orth = rng.normal(size=sea.shape)
    orth -= orth.dot(sea) / sea.dot(sea) * sea  # orthogonal to "sea"
    orth /= np.linalg.norm(orth)
    vectors = {pid: _unit(rng.normal(size=sea.shape) - 2 * sea) for pid in p}  # away from it
    vectors[p[5]] = _unit(sea)  # the photo of the sea: cosine 1
    vectors[p[2]] = _unit(0.8 * sea + 0.6 * orth)  # close: cosine 0.8
    judgments.store_embeddings(embedding_model_id(settings), list(vectors.items()))

    with running_app(qtbot) as app:
        window, model = app.window, app.model
        everything = model.ids
        said: list[str] = []
        window.search.started.connect(said.append)
        window.dispatch("search")
        field = window.search_box.field
        qtbot.waitUntil(field.hasFocus, timeout=WAIT)
        qtbot.keyClicks(field, "~sea")
        qtbot.keyClick(field, Qt.Key.Key_Return)
        _wait_results(app, qtbot, SearchKind.SEMANTIC)
        assert said[0] == "Loading the CLIP text model…"
        assert model.ids[:2] == [p[5], p[2]]
        assert set(model.ids) == set(p)  # every embedded photo, ranked
        assert _count_text(app) == f"{len(p)} photos match “sea” (by meaning)"

        # The loupe, entered from the results, walks them in rank order.
        window.gallery.setFocus()
        qtbot.keyClick(window.gallery, Qt.Key.Key_E)
        qtbot.waitUntil(window.loupe.view.hasFocus, timeout=WAIT)
        assert app.session.order == model.ids
        assert app.session.current == p[5]
        qtbot.keyClick(window.loupe.view, Qt.Key.Key_Right)
        assert app.session.current == p[2]
        assert app.session.position_text.endswith(f"2 / {len(p)}")

        # The ≈ Similar toggle is the same as the ~ prefix; a second search has
        # the model already and says so.
        window.search_box.clear()
        window.search_box.semantic_button.setChecked(True)
        qtbot.keyClicks(field, "sea")
        qtbot.keyClick(field, Qt.Key.Key_Return)
        qtbot.waitUntil(lambda: len(said) == 2 and not window.search.busy, timeout=WAIT)
        assert said[1] == "Searching by meaning…"
        assert model.ids[:2] == [p[5], p[2]]

        # Clearing the search while the loupe shows: it walks the gallery again.
        window.clear_search()
        assert model.ids == everything
        assert app.session.scope == everything


def test_more_like_this_from_the_loupe_key_and_the_context_menu(
    library: Path, qtbot: QtBot
) -> None:
    settings = load_settings(resolve_paths().settings_file)
    names = _by_name()
    p = _good(names)
    a, dup, burst, c1, c2, c3 = p[0], p[3], p[6], p[1], p[7], p[5]
    e = np.eye(8)
    vectors = {
        a: _unit(e[0]),
        dup: _unit(e[0] + 0.01 * e[1]),  # the same picture (cosine ≈ 1)
        burst: _unit(0.3 * e[0] + e[2]),  # its burst frame, less alike than c1, c2, c3
        c1: _unit(0.9 * e[0] + 0.3 * e[3]),
        c2: _unit(0.7 * e[0] + 0.6 * e[4]),
        c3: _unit(0.5 * e[0] + 0.8 * e[5]),
        p[2]: _unit(0.1 * e[0] + e[6]),
        p[4]: _unit(e[7]),
    }
    judgments.store_embeddings(embedding_model_id(settings), list(vectors.items()))
    Photo.update(burst_group=1).where(Photo.id.in_([a, burst])).execute()
    expected = [dup, burst, c1, c2, c3, p[2], p[4]]

    with running_app(qtbot) as app:
        window, model = app.window, app.model
        everything = model.ids
        window.show_loupe(a)
        qtbot.waitUntil(window.loupe.view.hasFocus, timeout=WAIT)
        qtbot.keyClick(window.loupe.view, Qt.Key.Key_M)
        _wait_results(app, qtbot, SearchKind.LIKE)
        assert model.ids == expected
        assert _count_text(app) == f"Photos like IMG_0000.jpg: {len(expected)}"
        assert window.stack.currentWidget() is window.gallery  # the results are the grid
        qtbot.waitUntil(window.gallery.hasFocus, timeout=WAIT)

        # Esc in the gallery clears it.
        qtbot.keyClick(window.gallery, Qt.Key.Key_Escape)
        assert window.active_search is None and model.ids == everything

        # The context menu of one selected photo: More Like This.
        window.gallery.selectionModel().select(
            model.index(model.row_for(c3) or 0), QItemSelectionModel.SelectionFlag.ClearAndSelect
        )
        menu = window.project_actions.gallery_menu()
        assert isinstance(menu, QMenu)
        item = next(x for x in menu.actions() if x.text() == "More Like This")
        assert item.isEnabled()
        item.trigger()
        _wait_results(app, qtbot, SearchKind.LIKE)
        assert window.active_search is not None and window.active_search.query == "IMG_0005.jpg"
        cosines = {pid: float(vectors[pid] @ vectors[c3]) for pid in vectors if pid != c3}
        assert model.ids == sorted(cosines, key=lambda pid: -cosines[pid])

        # Two photos selected: nothing to be like.
        window.gallery.selectAll()
        menu = window.project_actions.gallery_menu()
        assert not next(x for x in menu.actions() if x.text() == "More Like This").isEnabled()


def test_a_semantic_search_that_cannot_run_says_why_in_the_status_line(
    library: Path, app: App, qtbot: QtBot
) -> None:
    """No CLIP weights on this machine (tests never download them)."""
    window, model = app.window, app.model
    everything = model.ids
    window.dispatch("search")
    field = window.search_box.field
    qtbot.waitUntil(field.hasFocus, timeout=WAIT)
    qtbot.keyClicks(field, "~golden hour by the sea")
    qtbot.keyClick(field, Qt.Key.Key_Return)
    qtbot.waitUntil(
        lambda: (
            not window.search.busy and "curator models pull" in window.statusBar().currentMessage()
        ),
        timeout=WAIT,
    )
    message = window.statusBar().currentMessage()
    assert message.startswith("Semantic search needs the CLIP weights") and message.endswith(".")
    assert QApplication.activeModalWidget() is None  # no dialog
    assert window.active_search is None and model.ids == everything
    assert window.error_label.text() == ""  # not an error: a sentence about the setup

    # Enter tries again (the weights may have been pulled meanwhile).
    tried = window.search.generation
    qtbot.keyClick(field, Qt.Key.Key_Return)
    assert window.search.generation == tried + 1
    qtbot.waitUntil(lambda: not window.search.busy, timeout=WAIT)


def test_the_box_reads_a_tilde_as_semantic_and_blank_as_nothing() -> None:
    assert parse_search("  harbour  ") == SearchRequest("harbour", semantic=False)
    assert parse_search("~ golden hour") == SearchRequest("golden hour", semantic=True)
    assert parse_search("sea", semantic=True) == SearchRequest("sea", semantic=True)
    assert parse_search("   ") is None and parse_search("~") is None


def test_only_the_newest_search_comes_back(catalog: object, qtbot: QtBot) -> None:
    """A slow search overtaken by a newer one: its result is dropped, the newer one
    shows, and `busy` holds until then."""
    release = threading.Event()

    def fake_ranked_ids(query: str, **_: object) -> list[int]:
        if query == "slow":
            release.wait(30)
        return [len(query)]

    controller = SearchController(ErrorReporter(), Settings, threads=make_pool(1))
    outcomes: list[SearchOutcome] = []
    controller.finished.connect(outcomes.append)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("curator.search.text.ranked_ids", fake_ranked_ids)
        controller.search_text("slow")
        controller.search_text("fast!")
        assert controller.busy
        release.set()
        qtbot.waitUntil(lambda: not controller.busy, timeout=WAIT)
        controller.shutdown()
    QApplication.processEvents()
    assert [(o.query, o.ids) for o in outcomes] == [("fast!", (5,))]


def test_enter_gives_the_keys_back_to_the_photos_and_a_refused_search_drops_stale_results(
    library: Path, app: App, qtbot: QtBot
) -> None:
    """Issue 19 §4: after Enter in the box the keys act on the photos again; a
    semantic search that cannot run clears the last search's results (the grid
    never shows a list that is not what the box says)."""
    window, model = app.window, app.model
    p = _good(_by_name())
    _describe(p[1], "Fishing boats moored in the harbour at dawn", ["boat", "sea"])
    _describe(p[4], "A harbour wall with a red lighthouse", ["lighthouse"])
    everything = model.ids
    window.dispatch("search")
    field = window.search_box.field
    qtbot.waitUntil(field.hasFocus, timeout=WAIT)
    qtbot.keyClicks(field, "harbour")
    qtbot.keyClick(field, Qt.Key.Key_Return)
    _wait_results(app, qtbot, SearchKind.TEXT)
    assert set(model.ids) == {p[1], p[4]}
    qtbot.waitUntil(window.gallery.hasFocus, timeout=WAIT)
    first = model.ids[0]
    qtbot.keyClick(window.gallery, Qt.Key.Key_3)  # a decision key: it rates, not types
    qtbot.waitUntil(lambda: decision_state(first).rating == 3, timeout=WAIT)
    assert field.text() == "harbour"

    # A semantic search that cannot run (no CLIP weights): the old results go.
    window.dispatch("search")
    qtbot.waitUntil(field.hasFocus, timeout=WAIT)
    qtbot.keyClicks(field, "~boats at dawn")
    qtbot.keyClick(field, Qt.Key.Key_Return)
    qtbot.waitUntil(
        lambda: not window.search.busy and "CLIP" in window.statusBar().currentMessage(),
        timeout=WAIT,
    )
    assert window.active_search is None and model.ids == everything
    assert field.text() == "~boats at dawn"  # the words stay, Enter may try again

"""Client galleries from the window (issue 81): File ▸ Client Gallery…, Serve
Client Gallery…, Import and Paste Client Selection, over the real app, the
real make (`curator.proof.make`) and a real `curator proof serve` process.

Fixture photos are imported through the CLI (technical stage) and put in a
project; each test waits on the work's signals (never a sleep) and stops
every server it started in a `finally`.
"""

from __future__ import annotations

import base64
import re
import shutil
import threading
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from curator.app import App
from curator.catalog.proofing.galleries import (
    GallerySettings,
    all_galleries,
    gallery_named,
    gallery_photos,
)
from curator.catalog.proofing.picks import confirm, hearted_photo_ids, picks_state, set_heart
from curator.proof.make import MakeRequest, PhotoSource, make_gallery
from curator.proof.selection import canonical
from curator.ui.export.client_actions import ClientGalleryActions
from curator.ui.export.client_gallery import ClientGalleryDialog
from curator.ui.export.client_serve import ClientServeWindow, ServerState
from curator.ui.export.client_work import ImportFinished, MakeFinished
from tests.integration.cli_helpers import import_json, run_cli
from tests.proof_helpers import signed_selection
from tests.ui.conftest import running_app

FIXTURES = Path(__file__).resolve().parents[2].parent / "shared" / "fixtures" / "jpeg"
NAMES = [
    "exiv2_FurnaceCreekInn.jpg",
    "olympus_ep3_iso1600.jpg",
    "nikon_d70s_dark.jpg",
    "jolla_leaf_soft.jpg",
    "nokia83_5G.jpg",
]
CODE = re.compile(r"[0-9A-Z]{5}-[0-9A-Z]{5}")
WAIT_MS = 60_000  # a loaded machine: generous, never relied on for pacing
SERVER_MS = 30_000  # a server process's start (Python, the catalog, uvicorn)


@pytest.fixture
def shoot(tmp_path: Path) -> Path:
    """Five fixture photos imported (technical stage), all in the project Wedding."""
    folder = tmp_path / "shoot"
    folder.mkdir()
    for name in NAMES:
        shutil.copy(FIXTURES / name, folder / name)
    assert import_json(folder, "--stages", "technical")["new"] == len(NAMES)
    assert run_cli("project", "create", "Wedding")[0] == 0
    assert run_cli("project", "add", "Wedding", *map(str, sorted(folder.iterdir())))[0] == 0
    return folder


@pytest.fixture
def app(qtbot: QtBot, shoot: Path) -> Iterator[App]:
    with running_app(qtbot) as built:
        yield built


def _actions(app: App) -> ClientGalleryActions:
    actions = app.window.menus.client
    assert actions is not None
    return actions


def _make_in_process(app: App, name: str = "Anna & Ben", max_picks: int = 3) -> str:
    """A gallery of the project, made as `curator proof make` makes it; its token."""
    request = MakeRequest(
        name=name,
        settings=GallerySettings(title=name, max_picks=max_picks),
        source=PhotoSource(project="Wedding"),
        catalog_dir=_actions(app).place.folder,
    )
    return make_gallery(request, None, workers=1).gallery.token


def _open_dialog(app: App, qtbot: QtBot) -> ClientGalleryDialog:
    dialog = _actions(app).open_dialog()
    qtbot.waitExposed(dialog)
    qtbot.waitUntil(lambda: dialog.source_combo.findData("project:Wedding") >= 0, timeout=WAIT_MS)
    return dialog


def _make(dialog: ClientGalleryDialog, qtbot: QtBot) -> MakeFinished:
    with qtbot.waitSignal(dialog.work.finished, timeout=WAIT_MS) as blocker:
        qtbot.mouseClick(dialog.make_button, Qt.MouseButton.LeftButton)
    finished = blocker.args[0]
    assert isinstance(finished, MakeFinished)
    return finished


def _import(actions: ClientGalleryActions, qtbot: QtBot, source: Path | None) -> str:
    """Import `source` (None: paste the clipboard); the message box's sentence."""
    work = actions.work()
    with qtbot.waitSignal(work.imported, timeout=WAIT_MS) as blocker:
        if source is None:
            actions.paste()
        else:
            actions.import_file(source)
    assert isinstance(blocker.args[0], ImportFinished)
    assert actions.message is not None and actions.message.isVisible()
    text = actions.message.text()
    assert text == blocker.args[0].sentence
    actions.message.close()
    return text


def test_the_dialog_makes_a_gallery_from_a_project_and_shows_its_code_once(
    app: App, qtbot: QtBot
) -> None:
    texts = [a.text() for a in app.window.menus.file.actions()]
    at = texts.index("&Export…")
    assert texts[at + 1 : at + 5] == [
        "Client &Gallery…",
        "Ser&ve Client Gallery…",
        "Import Client &Selection…",
        "Paste Client Selection",
    ]
    dialog = _open_dialog(app, qtbot)
    dialog.name_combo.setEditText("Anna & Ben")
    dialog.title_edit.setText("Anna & Ben, 12 June")
    dialog.min_spin.setValue(1)
    dialog.max_spin.setValue(3)
    dialog.source_combo.setCurrentIndex(dialog.source_combo.findData("project:Wedding"))
    catalog_dir = _actions(app).place.folder
    default = catalog_dir / "Client galleries" / "Anna & Ben"
    assert dialog.folder_edit.placeholderText() == str(default)
    progress: list[tuple[int, int]] = []
    dialog.work.progress.connect(lambda done, total: progress.append((done, total)))

    finished = _make(dialog, qtbot)

    assert finished.made and finished.code is not None and finished.rendered == len(NAMES)
    assert progress[-1] == (len(NAMES), len(NAMES))
    assert CODE.fullmatch(dialog.code_label.text()) and dialog.code_label.text() == finished.code
    assert dialog.code_box.isVisible() and dialog.serve_button.isVisible()
    assert "Made the client gallery 'Anna & Ben'" in dialog.summary_label.text()
    gallery = gallery_named("Anna & Ben")
    assert gallery.settings.title == "Anna & Ben, 12 June" and gallery.settings.max_picks == 3
    assert Path(gallery.folder) == default and (default / "gallery.js").is_file()
    assert len(list((default / "photos").glob("*.jpg"))) == len(NAMES)
    qtbot.mouseClick(dialog.copy_code_button, Qt.MouseButton.LeftButton)
    assert QApplication.clipboard().text() == finished.code
    # Curator keeps only the code's slow hash: not in the catalog's rows, not in its files.
    assert gallery.code_hash.startswith("scrypt$") and finished.code not in gallery.code_hash
    backup = app.window.backup
    assert backup is not None
    stored = b"".join(
        p.read_bytes() for p in backup.catalog_path.parent.glob(backup.catalog_path.name + "*")
    )
    for form in (finished.code, finished.code.replace("-", "")):
        assert form.encode() not in stored

    # Shown again: the code is gone for good; choosing the gallery fills its settings,
    # and making it again renders nothing and shows no code.
    dialog.close()
    dialog = _open_dialog(app, qtbot)
    assert not dialog.code_box.isVisible() and dialog.code_label.text() == ""
    qtbot.waitUntil(lambda: dialog.name_combo.findText("Anna & Ben") >= 0, timeout=WAIT_MS)
    dialog.name_combo.setCurrentIndex(dialog.name_combo.findText("Anna & Ben"))
    assert dialog.title_edit.text() == "Anna & Ben, 12 June" and dialog.max_spin.value() == 3
    assert dialog.make_button.text() == "Update Gallery"
    again = _make(dialog, qtbot)
    assert again.code is None and again.rendered == 0 and again.unchanged == len(NAMES)
    assert not dialog.code_box.isVisible()
    assert "Updated the client gallery" in dialog.summary_label.text()


def test_cancel_stops_the_make_after_the_photos_at_work(
    app: App, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    import curator.proof.make as make_module

    real, started, go = make_module.render_copies, threading.Event(), threading.Event()
    entered: list[str] = []  # every render that began: each one finishes, no other starts

    def held(request: Any) -> Any:  # the renders wait here until the test has cancelled
        entered.append(request.token)
        started.set()
        assert go.wait(WAIT_MS / 1000)
        return real(request)

    monkeypatch.setattr(make_module, "render_copies", held)
    dialog = _open_dialog(app, qtbot)
    dialog.name_combo.setEditText("Anna & Ben")
    dialog.title_edit.setText("Anna & Ben")
    dialog.source_combo.setCurrentIndex(dialog.source_combo.findData("project:Wedding"))
    with qtbot.waitSignal(dialog.work.finished, timeout=WAIT_MS) as blocker:
        qtbot.mouseClick(dialog.make_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(started.is_set, timeout=WAIT_MS)
        assert dialog.progress_box.isVisible() and not dialog.make_button.isEnabled()
        dialog.reject()  # Esc while making: stop it, and stay for the summary
        assert dialog.isVisible() and dialog.cancel_button.text() == "Stopping…"
        go.set()
    finished = blocker.args[0]
    assert isinstance(finished, MakeFinished) and finished.cancelled
    # The photos at work when Cancel came were finished and stored; none began after.
    assert finished.rendered == len(entered) and len(entered) < len(NAMES)
    assert finished.code is not None  # the gallery exists, with what was copied
    assert dialog.summary_label.text().startswith("Cancelled: 'Anna & Ben' holds the")
    assert dialog.cancel_button.text() == "Close" and dialog.make_button.isEnabled()
    assert len(gallery_photos(gallery_named("Anna & Ben").id)) == finished.rendered


def test_settings_a_gallery_cannot_have_are_refused_with_a_sentence(app: App, qtbot: QtBot) -> None:
    qtbot.waitUntil(lambda: app.model.rowCount() == len(NAMES), timeout=WAIT_MS)
    app.window.gallery.selectAll()  # the grid's selection is the first source offered
    dialog = _open_dialog(app, qtbot)
    assert dialog.source_combo.itemData(0) == "selection"
    assert dialog.source_combo.itemText(0) == f"The {len(NAMES)} photos selected in the grid"
    assert dialog.source().photo_ids is not None and len(dialog.source().photo_ids) == len(NAMES)
    dialog.name_combo.setEditText("Anna & Ben")
    dialog.title_edit.setText("Anna & Ben")
    dialog.min_spin.setValue(5)
    dialog.max_spin.setValue(2)
    qtbot.mouseClick(dialog.make_button, Qt.MouseButton.LeftButton)
    assert "The minimum (5) is above the maximum (2)" in dialog.message_label.text()
    assert not dialog.work.running
    dialog.max_spin.setValue(0)  # no maximum
    dialog.title_edit.setText("  ")
    qtbot.mouseClick(dialog.make_button, Qt.MouseButton.LeftButton)
    assert "A gallery needs a title" in dialog.message_label.text()
    assert not dialog.work.running
    # A source with no photo a client can see: the plan's GalleryError, nothing made.
    dialog.title_edit.setText("Anna & Ben")
    dialog.source_combo.setCurrentIndex(dialog.source_combo.findData("approved"))
    finished = _make(dialog, qtbot)
    assert not finished.made and "hold no photo a client can see" in (finished.error or "")
    assert "hold no photo a client can see" in dialog.message_label.text()
    assert all_galleries() == []
    assert not (_actions(app).place.folder / "Client galleries").exists()


def test_the_serve_window_serves_the_gallery_in_a_real_process(app: App, qtbot: QtBot) -> None:
    token = _make_in_process(app)
    gallery = gallery_named("Anna & Ben")
    window: ClientServeWindow | None = None
    try:
        window = _actions(app).serve("Anna & Ben", token)
        qtbot.waitUntil(lambda: window is not None and bool(window.url), timeout=SERVER_MS)
        assert window.url.startswith("http://127.0.0.1:") and window.state is ServerState.SERVING
        pixmap = window.qr_label.pixmap()
        assert not pixmap.isNull() and pixmap.width() >= 100
        assert window.url in window.address_label.text()
        with urllib.request.urlopen(window.url, timeout=10) as answer:
            assert answer.status == 200
        qtbot.waitUntil(
            lambda: (
                "0 of at most 3 hearted · no comments · not confirmed" in window.picks_label.text()
            ),
            timeout=WAIT_MS,
        )
        # The client's say as it changes; a confirmed selection can be reopened.
        tokens = [p.token for p in gallery_photos(gallery.id)]
        set_heart(gallery.id, tokens[0], True)
        confirm(gallery.id)
        qtbot.waitUntil(window.reopen_button.isEnabled, timeout=WAIT_MS)
        assert "1 of at most 3 hearted" in window.picks_label.text()
        qtbot.mouseClick(window.reopen_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: "not confirmed" in window.picks_label.text(), timeout=WAIT_MS)
        assert picks_state(gallery.id).confirmed_at is None
        # Stop ends the process; the button starts it again.
        qtbot.mouseClick(window.stop_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: not window.running, timeout=WAIT_MS)
        assert window.state is ServerState.STOPPED and window.stop_button.text() == "Start"
        assert "Stopped" in window.state_label.text()
        # Started again, then the window closes (the app quits): the server is stopped.
        qtbot.mouseClick(window.stop_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: window is not None and bool(window.url), timeout=SERVER_MS)
        _actions(app).shutdown()
        assert not window.running
    finally:
        if window is not None:
            window.shutdown()
    assert window is not None and not window.running


def test_a_server_that_ends_by_itself_says_why(app: App, qtbot: QtBot) -> None:
    window: ClientServeWindow | None = None
    try:
        window = _actions(app).serve("Gone", "g-0000000000000000")
        qtbot.waitUntil(lambda: window is not None and not window.running, timeout=SERVER_MS)
        text = window.state_label.text()
        assert text.startswith("The server stopped by itself: No client gallery is named")
        assert "g-0000000000000000" in text
        assert window.stop_button.text() == "Start"
    finally:
        if window is not None:
            window.shutdown()


def test_a_tampered_selection_is_refused_and_changes_nothing(app: App, qtbot: QtBot) -> None:
    _make_in_process(app)
    gallery = gallery_named("Anna & Ben")
    tokens = [p.token for p in gallery_photos(gallery.id)]
    good = signed_selection(Path(gallery.folder), tokens[:2], {})
    tampered = {**good, "hearts": sorted(tokens[:3])}
    file = app.window.backup.catalog_path.parent / "selection.json"  # type: ignore[union-attr]
    file.write_bytes(canonical(tampered))
    text = _import(_actions(app), qtbot, file)
    assert "was changed after the client sent it" in text and text.endswith("Nothing changed.")
    assert _actions(app).message is not None
    assert picks_state(gallery.id).hearts == () and hearted_photo_ids(gallery.id) == []
    assert gallery_named("Anna & Ben").confirmed_at is None


def test_a_good_selection_comes_back_from_a_file_and_from_the_clipboard(
    app: App, qtbot: QtBot
) -> None:
    _make_in_process(app)
    gallery = gallery_named("Anna & Ben")
    tokens = [p.token for p in gallery_photos(gallery.id)]
    good = signed_selection(Path(gallery.folder), tokens[:2], {tokens[1]: "Warmer, please"})
    file = Path(gallery.folder).parent / "selection.json"
    file.write_bytes(canonical(good))
    text = _import(_actions(app), qtbot, file)
    assert re.fullmatch(
        r"Imported the client's selection: 2 of 5 hearted, 1 comment, "
        r"confirmed \d\d \w{3} \d\d:\d\d\.",
        text,
    ), text
    state = picks_state(gallery.id)
    assert set(state.hearts) == set(tokens[:2]) and state.confirmed_at is not None
    # The grid shows the client's hearts at once (an import here is no other process's news).
    hearted = {p.photo_id for p in gallery_photos(gallery.id) if p.hearted}

    def tiles_hearted() -> set[int]:
        model = app.model
        rows = (model.photo_row(model.row_for(pid)) for pid in model.ids)
        return {row.id for row in rows if row is not None and row.client_heart}

    qtbot.waitUntil(lambda: tiles_hearted() == hearted, timeout=10_000)
    # Pasted from an e-mail: the block form of another selection, one heart.
    other = signed_selection(Path(gallery.folder), tokens[2:3], {})
    body = base64.b64encode(canonical(other)).decode()
    QApplication.clipboard().setText(
        f"Hello!\n-----BEGIN CURATOR SELECTION-----\n{body}\n-----END CURATOR SELECTION-----\n"
    )
    text = _import(_actions(app), qtbot, None)
    assert text.startswith("Imported the client's selection: 1 of 5 hearted, no comments")
    assert picks_state(gallery.id).hearts == (tokens[2],)
    QApplication.clipboard().setText("   ")
    _actions(app).paste()
    assert _actions(app).message is not None
    assert "The clipboard holds no text" in _actions(app).message.text()

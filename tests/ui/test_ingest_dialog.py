"""File ▸ Ingest from Card…: the dialog over the real engine, in the real app.

The ingest runs on the pipeline's ingest pool and its copies go to the real
pipeline; the catalog is read through the app's own connection (never the
CLI while the app runs: it would open the catalog a second time). A wrapper
around the real engine holds the copy after its first photos landed (an
event, never a sleep) so the test sees the grid fill and the cull start
while the card is still being copied, and cancels at a known point.
"""

from __future__ import annotations

import contextlib
import os
import re
import stat
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

import curator.ui.ingest.controller as controller_module
from curator.app import App
from curator.catalog.queries import list_photos, photo_details
from curator.ingest.eject import NO_EJECT
from curator.ingest.plan import IngestPlan
from curator.ingest.run import run_ingest
from curator.ingest.types import IngestProgress, IngestResult
from curator.ui.common.job_dialog import ERROR_STYLE, HINT_STYLE
from curator.ui.ingest.cards import Card, Volume
from curator.ui.ingest.controller import IngestEngine, IngestFinished, ProgressFn, default_engine
from curator.ui.ingest.dialog import IngestDialog
from tests.card_helpers import card_state, files_under, make_card
from tests.integration.ingest_helpers import assert_each_card_file_once, small_disk
from tests.ui.conftest import running_app

SHOTS = Path("/tmp")  # the dialog's states as PNGs, for a person to look at
WAIT_MS = 120_000  # a busy 2-core machine: generous, never relied on for pacing
RENAME = "{date:%Y%m%d}-{seq}"


class HeldEngine:
    """The real engine, its run held after the first photos landed until
    `release` is set (or the ingest is cancelled)."""

    def __init__(self) -> None:
        self.real = default_engine()
        self.release = threading.Event()
        self.holding = threading.Event()

    def engine(self) -> IngestEngine:
        return IngestEngine(self.real.plan, self.run)

    def run(self, plan: IngestPlan, progress: ProgressFn, cancel: threading.Event) -> IngestResult:
        def hooked(p: IngestProgress) -> None:
            progress(p)
            if p.landed and not self.release.is_set():
                self.holding.set()
                while not (self.release.wait(0.01) or cancel.is_set()):
                    pass

        return run_ingest(plan, progress=hooked, cancel=cancel)


def open_dialog(app: App, qtbot: QtBot, source: Path, dest: Path) -> IngestDialog:
    dialog = app.window.imports.open_ingest()
    assert dialog is not None
    qtbot.waitExposed(dialog)
    dialog.add_folder(str(source))
    dialog.dest_edit.setText(str(dest))
    dialog.rename_edit.setText(RENAME)
    return dialog


@pytest.fixture
def app(qtbot: QtBot) -> Iterator[App]:
    with running_app(qtbot, 1280, 800) as built:
        yield built


def test_the_grid_fills_and_the_cull_starts_while_the_card_is_copied(
    app: App, qtbot: QtBot, tmp_path: Path
) -> None:
    card = make_card(tmp_path / "card", pairs=3)
    before = card_state(tmp_path / "card")
    dest, backup = tmp_path / "photos", tmp_path / "backup"
    dialog = open_dialog(app, qtbot, tmp_path / "card", dest)  # the card's DCIM is taken
    dialog.backup_edit.setText(str(backup))
    assert dialog.source() == str(card.root)
    qtbot.waitUntil(lambda: "→" in dialog.names_view.toPlainText(), timeout=WAIT_MS)
    names = dialog.names_view.toPlainText()
    assert "100CURAT/DSC00001.DNG  →  2024/2024-05-12/20240512-0001.DNG" in names
    assert "100CURAT/DSC00002.DNG.xmp  →  2024/2024-05-12/20240512-0002.DNG.xmp" in names
    assert "7 photos" in dialog.preview_label.text() and "free" in dialog.preview_label.text()
    dialog.grab().save(str(SHOTS / "ingest-dialog-preview.png"))

    held = HeldEngine()
    dialog.controller.engine = held.engine()
    qtbot.mouseClick(dialog.ingest_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(held.holding.is_set, timeout=WAIT_MS)
    # The copy is held after its first photos landed: they are in the grid, and
    # the cull pass takes them, while the rest of the card waits to be copied.
    qtbot.waitUntil(lambda: app.model.rowCount() > 0, timeout=WAIT_MS)
    assert dialog.controller.running and not dialog.form_widgets[0].isEnabled()
    assert dialog.cancel_button.text() == "Cancel"
    assert " of 7 photos" in dialog.progress_label.text()
    qtbot.waitUntil(lambda: app.session.current is not None, timeout=WAIT_MS)
    first = app.session.current
    assert first is not None
    details = photo_details(first)
    assert details is not None
    app.session.reject()  # X: the first photo culled while the card is still being copied
    # The landed copies' run ends while the card is still copied: the status
    # line names the ingest, not a finished import.
    qtbot.waitUntil(lambda: not app.window.pipeline_running, timeout=WAIT_MS)
    summary_line = app.window.pipeline_status.summary.text()
    assert summary_line.startswith("Ingest, the copies landed so far: "), summary_line
    dialog.grab().save(str(SHOTS / "ingest-dialog-running.png"))
    app.window.grab().save(str(SHOTS / "ingest-window-culling.png"))

    with qtbot.waitSignal(dialog.controller.imported, timeout=WAIT_MS):
        held.release.set()
    assert not dialog.controller.running
    summary = dialog.summary
    assert summary.startswith("Ingest finished in ")
    assert f"7 copied to {dest}, verified" in summary and "7 copied to backup" in summary
    dialog.grab().save(str(SHOTS / "ingest-dialog-done.png"))
    assert_each_card_file_once(dest, card)
    assert_each_card_file_once(backup, card)
    photos = list_photos()
    assert len(photos) == 4 and all(p["path"].startswith(str(dest)) for p in photos)
    rejected = [p for p in photos if p["cull"] == "rejected"]
    assert len(rejected) == 1  # the decision made mid-copy stayed, on its pair
    assert details.original_path in [rejected[0]["path"], *rejected[0]["paired_with"]]
    assert {p["rating"] for p in photos if p["path"].endswith("0001.DNG")} == {4}  # card's XMP
    qtbot.waitUntil(lambda: app.model.rowCount() == 4, timeout=WAIT_MS)  # pairs: one tile
    assert card_state(tmp_path / "card") == before
    settings = app.window.settings_file.read_text()
    assert RENAME in settings and str(dest) in settings  # remembered for the next ingest


def test_cancel_mid_copy_keeps_what_landed_and_leaves_no_partial_file(
    app: App, qtbot: QtBot, tmp_path: Path
) -> None:
    card = make_card(tmp_path / "card", pairs=4)
    dest = tmp_path / "photos"
    dialog = open_dialog(app, qtbot, card.root, dest)
    held = HeldEngine()
    dialog.controller.engine = held.engine()
    qtbot.mouseClick(dialog.ingest_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(held.holding.is_set, timeout=WAIT_MS)
    with qtbot.waitSignal(dialog.controller.finished, timeout=WAIT_MS) as blocker:
        qtbot.mouseClick(dialog.cancel_button, Qt.MouseButton.LeftButton)
        # Asked to stop: the button says so and is off until the copy has stopped.
        assert dialog.cancel_button.text() == "Stopping…"
        assert not dialog.cancel_button.isEnabled()
        assert "never left half-written" in dialog.current_label.text()
    finished = blocker.args[0]
    assert isinstance(finished, IngestFinished) and finished.result is not None
    assert finished.result.cancelled
    assert dialog.cancel_button.text() == "Close" and dialog.cancel_button.isEnabled()
    copied = finished.result.copied
    assert 0 < copied < 9
    assert dialog.summary.startswith("Ingest cancelled after ")
    assert not list(dest.glob(".curator-tmp-*"))
    qtbot.waitUntil(lambda: len(list_photos()) > 0, timeout=WAIT_MS)  # what landed is imported
    held.release.set()
    with qtbot.waitSignal(dialog.controller.finished, timeout=WAIT_MS):
        qtbot.mouseClick(dialog.ingest_button, Qt.MouseButton.LeftButton)  # ingest again
    assert_each_card_file_once(dest, card)


def test_a_bad_template_or_a_destination_on_the_card_is_a_sentence(
    app: App, qtbot: QtBot, tmp_path: Path
) -> None:
    card = make_card(tmp_path / "card", pairs=1)
    dialog = open_dialog(app, qtbot, card.root, tmp_path / "photos")
    dialog.rename_edit.setText("{when}")
    qtbot.waitUntil(lambda: "unknown token {when}" in dialog.preview_label.text(), timeout=WAIT_MS)
    assert not dialog.ingest_button.isEnabled()
    dialog.rename_edit.setText(RENAME)
    dialog.dest_edit.setText(str(card.root / "copies"))
    qtbot.waitUntil(lambda: "written onto the card" in dialog.preview_label.text(), timeout=WAIT_MS)
    assert not dialog.ingest_button.isEnabled()
    assert not (card.root / "copies").exists()


def test_the_card_qt_sees_mounted_is_offered_and_ejected(
    app: App, qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with small_disk(tmp_path / "EOS_DIGITAL", 64 * 1024 * 1024) as mount:
        card = make_card(mount, pairs=1)
        dialog = app.window.imports.open_ingest()
        assert dialog is not None
        labels = [dialog.source_combo.itemText(i) for i in range(dialog.source_combo.count())]
        offered = [lab for lab in labels if str(mount) in lab]
        assert offered and "67.1 MB card" in offered[0], labels
        dialog.source_combo.setCurrentIndex(labels.index(offered[0]))
        assert dialog.source() == str(card.root)
        dialog.dest_edit.setText(str(tmp_path / "photos"))

        monkeypatch.setenv("PATH", "")  # no gio, no udisksctl: the sentence says so
        with qtbot.waitSignal(dialog.controller.finished, timeout=WAIT_MS):
            qtbot.mouseClick(dialog.ingest_button, Qt.MouseButton.LeftButton)
        assert dialog.eject_label.isVisible() and dialog.eject_label.text() == NO_EJECT
        assert not dialog.eject_button.isVisible()

        tools = tmp_path / "bin"
        tools.mkdir()
        marker = tmp_path / "ejected"
        gio = tools / "gio"  # the desktop's tool, standing in: says what it was asked
        gio.write_text(f'#!/bin/sh\necho "$@" > {marker}\n')
        gio.chmod(gio.stat().st_mode | stat.S_IXUSR)
        monkeypatch.setenv("PATH", str(tools))
        with qtbot.waitSignal(dialog.controller.finished, timeout=WAIT_MS):
            qtbot.mouseClick(dialog.ingest_button, Qt.MouseButton.LeftButton)
        assert dialog.eject_button.isVisible()
        with qtbot.waitSignal(dialog.controller.ejected, timeout=WAIT_MS):
            qtbot.mouseClick(dialog.eject_button, Qt.MouseButton.LeftButton)
        assert marker.read_text().split() == ["mount", "-e", str(mount)]
        assert dialog.eject_label.text().endswith("was ejected: you can take it out.")


def test_the_dialog_lists_cards_by_their_dcim_folder(
    app: App, qtbot: QtBot, tmp_path: Path
) -> None:
    (tmp_path / "cam" / "DCIM").mkdir(parents=True)
    (tmp_path / "usb").mkdir()
    volumes = [
        Volume(str(tmp_path / "cam"), "NIKON D750", "/dev/sdb1", 64_000_000_000, 1),
        Volume(str(tmp_path / "usb"), "STICK", "/dev/sdc1", 8_000_000_000, 1),
    ]
    from curator.ui.ingest.cards import cards_among

    assert app.ingest_slot is not None
    dialog = IngestDialog(
        app.ingest_slot(),
        app.window.settings,
        cards=lambda: cards_among(volumes),
        parent=app.window,
    )
    try:
        assert dialog.source_combo.count() == 1
        card = dialog.source_combo.currentData()
        assert isinstance(card, Card) and card.dcim == os.path.join(volumes[0].root, "DCIM")
        assert (
            dialog.source_combo.currentText() == f"NIKON D750 — 64.0 GB card at {volumes[0].root}"
        )
    finally:
        dialog.deleteLater()


@pytest.mark.parametrize("disk", ["tmpfs", "reported"])
def test_the_dialog_warns_before_the_start_when_the_card_will_not_fit(
    app: App, qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, disk: str
) -> None:
    """A real 2 MB tmpfs as the destination (where one can be mounted), or a
    disk that reports 1 MB free: the preview says so in red, with the figure
    to free, before anything is copied; Ingest stays offered (it copies what
    fits). A destination with room: no warning."""
    card = make_card(tmp_path / "card", pairs=3, dng_edge=1200)
    size = sum(p.stat().st_size for p in card.photos + card.companions)
    with contextlib.ExitStack() as stack:
        if disk == "tmpfs":
            dest = stack.enter_context(small_disk(tmp_path / "disk", 2 * 1024 * 1024))
        else:
            dest = tmp_path / "photos"
            reported = {str(dest): 1_000_000}
            real = controller_module.free_space
            monkeypatch.setattr(
                controller_module, "free_space", lambda p: reported.get(p) or real(p)
            )
        assert size > 2 * 1024 * 1024  # the card does not fit
        dialog = open_dialog(app, qtbot, card.root, dest)
        qtbot.waitUntil(lambda: "not enough" in dialog.preview_label.text(), timeout=WAIT_MS)
        text = dialog.preview_label.text()
        assert f"{dest} has " in text and " free, not enough for the " in text
        assert re.search(r"to copy there: free [\d.]+ MB more first", text), text
        assert dialog.preview_label.styleSheet() == ERROR_STYLE  # a warning, in red
        assert dialog.ingest_button.isEnabled() and not dialog.controller.running
        assert files_under(dest) == []  # before the start: nothing copied
        dialog.grab().save(str(SHOTS / "ingest-dialog-will-not-fit.png"))

        dialog.dest_edit.setText(str(tmp_path / "roomy"))
        qtbot.waitUntil(lambda: "roomy has " in dialog.preview_label.text(), timeout=WAIT_MS)
        assert "not enough" not in dialog.preview_label.text()
        assert dialog.preview_label.styleSheet() == HINT_STYLE

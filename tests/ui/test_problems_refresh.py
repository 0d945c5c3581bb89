"""The Problems panel reads the error log when it is on screen, not at every
run's end while hidden (issue 19 §1: a 58 ms UI-thread stall at the end of
each import, found by the import-responsiveness bench's stall detector)."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from curator.catalog.writer import record_error
from curator.ui.maintenance.problems_view import ProblemsPanel


def test_a_hidden_panel_reloads_when_shown(catalog: object, qtbot: QtBot) -> None:
    panel = ProblemsPanel()
    qtbot.addWidget(panel)
    assert panel.errors.rowCount() == 0
    record_error(stage="scan", error_type="ScanError", message="A folder could not be read.")
    panel.refresh_when_shown()  # a run ended while the panel is hidden: nothing read
    assert panel.errors.rowCount() == 0
    panel.show()
    qtbot.waitExposed(panel)
    assert panel.errors.rowCount() == 1  # shown: the log as it is now
    record_error(stage="scan", error_type="ScanError", message="Another one.")
    panel.refresh_when_shown()  # on screen: at once
    assert panel.errors.rowCount() == 2

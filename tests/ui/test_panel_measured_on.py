"""The side panel says which pixels a photo's scores were measured on, and
warns when that was only a RAW's small embedded preview (imaging/raw/decode.py)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from curator.catalog.models import Photo
from tests.ui.loupe_harness import loupe_harness, photo_ids_by_name


def test_panel_names_the_metrics_source(library: Path, qtbot: QtBot) -> None:
    ids = photo_ids_by_name()
    p0, p1 = ids["IMG_0000.jpg"], ids["IMG_0001.jpg"]
    Photo.update(metrics_source="raw_preview").where(Photo.id == p0).execute()
    Photo.update(metrics_source="raw_embedded").where(Photo.id == p1).execute()
    with loupe_harness(qtbot) as h:
        measured = h.page.panel.values["Measured on"]
        assert h.session.current == p0
        qtbot.waitUntil(lambda: "small embedded preview" in measured.text(), timeout=10_000)
        assert "less reliable" in measured.text()
        qtbot.keyClick(h.page.view, Qt.Key.Key_Right)
        qtbot.waitUntil(lambda: measured.text() == "the camera's embedded JPEG", timeout=10_000)

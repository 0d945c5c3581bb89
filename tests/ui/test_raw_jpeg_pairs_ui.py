"""RAW+JPEG as one photo in the window (issue 19 §3): one tile with the RAW+JPEG
badge, the setting off regroups at once into two tiles, and the export dialog
sends both files, or the one chosen."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from pathlib import Path

from pytestqt.qtbot import QtBot

from curator.catalog import paths_codec
from curator.paths import resolve_paths
from curator.settings import load_settings
from curator.ui.gallery.model import FlagsRole
from tests.imaging_helpers import make_dng, make_jpeg
from tests.integration.cli_helpers import import_json, run_cli
from tests.ui.conftest import running_app

WAIT_MS = 120_000  # a busy 2-core machine: generous, never relied on for pacing
WHEN = datetime(2024, 5, 6, 7, 8, 9)


def test_one_tile_with_a_badge_two_with_the_setting_off_and_the_dialog_choice(
    qtbot: QtBot, tmp_path: Path
) -> None:
    shoot = tmp_path / "shoot"
    shoot.mkdir()
    make_dng(shoot / "DSC0001.ARW.dng", 64, 48, captured_at=WHEN)  # stem DSC0001.ARW
    make_jpeg(shoot / "DSC0001.ARW.JPG", 640, 480, captured_at=WHEN, pattern="texture")
    make_jpeg(shoot / "DSC0002.JPG", 640, 480, captured_at=WHEN.replace(minute=9))
    import_json(shoot, "--stages", "technical")
    assert run_cli("rate", "--stars", "5", str(shoot / "DSC0001.ARW.JPG"))[0] == 0  # approved
    try:
        with running_app(qtbot) as app:
            model = app.model
            qtbot.waitUntil(lambda: model.rowCount() == 2, timeout=WAIT_MS)
            flags = [model.data(model.index(r), FlagsRole) for r in range(model.rowCount())]
            assert [f.paired for f in flags].count(True) == 1
            app.window.gallery.grab().save(str(tmp_path / "grid.png"))

            dialog = app.window.open_export()
            qtbot.waitExposed(dialog)
            dialog.dest_edit.setText(str(tmp_path / "out"))
            assert dialog.pairs_combo.currentData() == "both"  # the setting's default
            qtbot.waitUntil(
                lambda: dialog.preview_label.text().startswith("2 photos will go out"),
                timeout=WAIT_MS,
            )
            dialog.pairs_combo.setCurrentIndex(dialog.pairs_combo.findData("jpeg"))
            qtbot.waitUntil(
                lambda: dialog.preview_label.text().startswith("1 photo will go out"),
                timeout=WAIT_MS,
            )
            with qtbot.waitSignal(dialog.controller.finished, timeout=WAIT_MS):
                dialog.start_export()
            dialog.close()

            settings = load_settings(resolve_paths().settings_file)
            app.window.settings_changed.emit(replace(settings, pair_raw_jpeg=False))
            assert model.rowCount() == 3
        sent = {p.name for p in (tmp_path / "out").rglob("*") if p.is_file()}
        assert {n for n in sent if not n.endswith((".xmp", ".json"))} == {"DSC0001.ARW.JPG"}
    finally:
        paths_codec.set_pairing(True)


def test_a_raw_landing_after_its_jpeg_takes_its_place_in_the_running_pass(
    qtbot: QtBot, tmp_path: Path
) -> None:
    """A live import (or an ingest) that lists the JPEG before its RAW: the
    JPEG is in the cull pass, the loupe on it, when the RAW lands and makes
    it a follower. The pair stays one photo: the RAW takes the JPEG's place
    and the loupe's; the count does not grow."""
    shoot = tmp_path / "shoot"
    shoot.mkdir()
    make_jpeg(shoot / "DSC0001.ARW.JPG", 640, 480, captured_at=WHEN, pattern="texture")
    make_jpeg(shoot / "DSC0002.JPG", 640, 480, captured_at=WHEN.replace(minute=9))
    with running_app(qtbot) as app:
        window, session = app.window, app.session
        with qtbot.waitSignal(window.pipeline.finished, timeout=WAIT_MS):
            assert window.imports.start_import(str(shoot))
        session.start("cull")
        jpeg = _photo_id(shoot / "DSC0001.ARW.JPG")
        assert len(session.order) == 2 and session.go_to(jpeg)
        at = session.order.index(jpeg)

        make_dng(shoot / "DSC0001.ARW.dng", 64, 48, captured_at=WHEN)  # lands after its JPEG
        with qtbot.waitSignal(window.pipeline.finished, timeout=WAIT_MS):
            assert window.imports.start_import(str(shoot))
        assert len(session.order) == 2, session.order  # one photo, not three
        raw = session.order[at]
        assert raw != jpeg and paths_codec.pair_mates(raw) == [jpeg]
        assert session.current == raw  # the loupe follows the pair to its lead
        assert session.position_text.endswith(f"{at + 1} / 2")
        qtbot.waitUntil(lambda: app.model.rowCount() == 2, timeout=WAIT_MS)  # one tile too


def _photo_id(path: Path) -> int:
    from curator.catalog.models import Photo

    return int(Photo.get(Photo.path == paths_codec.encode_path(str(path))).id)

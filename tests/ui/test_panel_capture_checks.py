"""Issue 12 §1 on the camera fixtures: the side panel names the camera once,
flags a never-set or future camera clock, says when the scores were measured
on a small embedded preview, and the clipping badge is CLIPPED (not CLIP)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from pytestqt.qtbot import QtBot

from curator.catalog.db import Catalog
from curator.catalog.models import Photo
from curator.catalog.queries import gallery_rows, photo_details
from curator.paths import resolve_paths
from curator.ui.common.guard import ErrorReporter
from curator.ui.gallery.flags import PhotoFlags
from curator.ui.gallery.view import flag_pills
from curator.ui.loupe.capture_checks import clock_warning
from curator.ui.loupe.info_panel import InfoPanel
from tests.integration.cli_helpers import import_json


def _ids() -> dict[str, int]:
    return {Path(bytes(p.path).decode()).name: int(p.id) for p in Photo.select()}


def test_the_panel_flags_clock_camera_and_preview_measures(
    fixtures_dir: Path, qtbot: QtBot
) -> None:
    import_json(fixtures_dir / "jpeg", "--stages", "technical")
    import_json(fixtures_dir / "raw_edge", "--stages", "technical")
    catalog = Catalog.open(resolve_paths().catalog)
    try:
        panel = InfoPanel(ErrorReporter(), match_threshold=70.0)
        qtbot.addWidget(panel)
        panel.now = lambda: datetime(2026, 6, 1, 12, 0)  # the fixture's future date is 2026-11-24
        ids = _ids()

        def show(name: str) -> dict[str, str]:
            pid = ids[name]
            panel.show_photo(gallery_rows([pid])[pid], photo_details(pid))
            return {key: label.text() for key, label in panel.values.items()}

        nikon = show("nikon_d70s_dark.jpg")
        assert nikon["Camera"] == "Nikon D70s"  # not "NIKON CORPORATION NIKON D70s"
        assert "⚠" not in nikon["Captured"]
        assert nikon["Measured on"] == "the full image"

        unset = show("sony_a200_unset_clock.jpg")
        assert unset["Captured"].startswith("2007-01-01 00:00:00")
        assert "never set" in unset["Captured"]
        assert unset["Camera"] == "Sony DSLR-A200"

        future = show("polaroid_ion230_future_date.jpg")
        assert "in the future" in future["Captured"]

        # A RAW whose sensor data can't be decoded was measured on its preview.
        on_preview = [
            name
            for name, pid in ids.items()
            if (d := photo_details(pid)) is not None and d.metrics_source == "raw_preview"
        ]
        assert on_preview, "no fixture RAW fell back to its embedded preview"
        assert "embedded preview" in show(on_preview[0])["Measured on"]
    finally:
        catalog.close()


def test_clock_rules_and_the_clipped_badge() -> None:
    now = datetime(2026, 6, 1)
    assert clock_warning(datetime(1980, 1, 1, 0, 0), now) is not None
    assert clock_warning(datetime(2010, 1, 1, 0, 12, 5), now) is not None  # counting up
    assert clock_warning(datetime(2010, 1, 1, 14, 0), now) is None  # a New Year's walk
    assert clock_warning(datetime(2026, 6, 1, 20, 0), now) is None  # time zones
    assert clock_warning(datetime(2026, 6, 3), now) is not None
    assert clock_warning(None, now) is None
    _top, bottom = flag_pills(PhotoFlags(badges=("exposure",)))
    assert [text for text, _ in bottom] == ["CLIPPED"]

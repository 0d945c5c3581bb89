"""Screenshots of the loupe's viewing tools on the camera fixtures, for the
documentation site (docs/guide/app.md).

    QT_QPA_PLATFORM=offscreen python docs/screenshots_loupe.py [FIXTURES_JPEG_DIR]

Imports the fixtures' JPEGs (technical stage) into a throw-away catalog
(a temporary CURATOR_HOME), opens the real app window offscreen at
1600 × 1000 and grabs:
- docs/loupe-histogram-clipping.png: the loupe with the histogram overlay (H),
  the clipping overlay (J) and the info overlay (I, capture data);
- docs/loupe-peaking.png: focus peaking (Shift+P) on a soft frame;
- docs/survey.png: four photos surveyed (N), one of them decided;
- docs/compare-zoom.png: an HDR pair compared, zoomed together (Z) at a detail.
Nothing outside the temporary folder and docs/ is written.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

DOCS = Path(__file__).resolve().parent
DEFAULT_FIXTURES = DOCS.parent.parent / "shared" / "fixtures" / "jpeg"


def main() -> int:
    fixtures = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_FIXTURES
    if not fixtures.is_dir():
        print(f"no fixtures at {fixtures}", file=sys.stderr)
        return 2
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    with tempfile.TemporaryDirectory(prefix="curator-shots-") as home:
        os.environ["CURATOR_HOME"] = home
        return shoot(fixtures)


def shoot(fixtures: Path) -> int:
    from PySide6.QtCore import QItemSelectionModel, QPoint, Qt
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication

    from curator.app import build_app, dark_palette
    from curator.catalog.db import Catalog
    from curator.cli import main as cli
    from curator.paths import resolve_paths
    from curator.settings import load_settings

    qt_app = QApplication(sys.argv[:1])  # first: the import would make a QCoreApplication
    qt_app.setStyle("Fusion")
    qt_app.setPalette(dark_palette())
    code = cli(["import", str(fixtures), "--stages", "technical", "--no-progress", "--json"])
    if code != 0:
        return code
    paths = resolve_paths()
    catalog = Catalog.open(paths.catalog)
    app = build_app(catalog, paths, load_settings(paths.settings_file))
    window, session, loupe = app.window, app.session, app.window.loupe

    def wait(condition: Callable[[], bool], timeout: float = 60.0) -> None:
        end = time.monotonic() + timeout
        while not condition():
            if time.monotonic() > end:
                raise TimeoutError("the window did not get there in time")
            qt_app.processEvents()
            time.sleep(0.01)

    def settle() -> None:
        for _ in range(30):
            qt_app.processEvents()
            time.sleep(0.02)

    def by_name(name: str) -> int:
        ids = [pid for pid in window.model.ids if loupe.row(pid) is not None]
        return next(pid for pid in ids if loupe.row(pid).file_name == name)  # type: ignore[union-attr]

    def grab(name: str) -> None:
        settle()
        window.grab().save(str(DOCS / name))
        print("wrote", DOCS / name)

    def key(
        target: object, k: Qt.Key, mods: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier
    ) -> None:
        QTest.keyClick(target, k, mods)  # type: ignore[arg-type]
        qt_app.processEvents()

    try:
        window.resize(1600, 1000)
        window.show()
        wait(lambda: window.model.rowCount() >= 15)

        # 1. Loupe: histogram, clipping, info overlay on the clipped chandelier.
        window.show_loupe(by_name("canon_sx60_hdr_NO.jpg"))
        view, tools = loupe.view, loupe.tools
        wait(lambda: view.is_preview)
        key(view, Qt.Key.Key_H)
        key(view, Qt.Key.Key_J)
        key(view, Qt.Key.Key_I)
        key(view, Qt.Key.Key_I)
        wait(lambda: (a := tools.current_analysis()) is not None and a.clipping is not None)
        grab("loupe-histogram-clipping.png")
        key(view, Qt.Key.Key_J)
        key(view, Qt.Key.Key_I)
        key(view, Qt.Key.Key_I)

        # 2. Focus peaking on a frame with a sharp subject.
        session.go_to(by_name("exiv2_FurnaceCreekInn.jpg"))
        wait(lambda: view.is_preview)
        key(view, Qt.Key.Key_P, Qt.KeyboardModifier.ShiftModifier)
        wait(lambda: (a := tools.current_analysis()) is not None and a.peaking is not None)
        grab("loupe-peaking.png")
        key(view, Qt.Key.Key_P, Qt.KeyboardModifier.ShiftModifier)
        key(view, Qt.Key.Key_H)

        # 3. Survey: the Furnace Creek series and the iPhone pair, one kept.
        window.show_gallery()
        selection = window.gallery.selectionModel()
        selection.clearSelection()
        names = (
            "exiv2_FurnaceCreekInn.jpg",
            "exiv2_FurnaceCreekInn2.jpg",
            "exiv2_FurnaceCreekInn3.jpg",
            "iphone6_hdr_YES.jpg",
        )
        for name in names:
            row = window.model.row_for(by_name(name))
            selection.select(window.model.index(row), QItemSelectionModel.SelectionFlag.Select)
        key(window.gallery, Qt.Key.Key_N)
        survey = loupe.survey_view
        wait(lambda: loupe.survey.active_mode)
        key(survey, Qt.Key.Key_Right)
        key(survey, Qt.Key.Key_4)
        wait(lambda: all(loupe.previews.pixmap(k) is not None for k in _survey_keys(loupe)))
        grab("survey.png")
        key(survey, Qt.Key.Key_Escape)

        # 4. Compare the HDR pair, zoomed together at the same detail.
        # (walked as a two-photo scope, as a search for "iphone6_hdr" would give)
        pair = [by_name("iphone6_hdr_NO.jpg"), by_name("iphone6_hdr_YES.jpg")]
        session.set_scope(pair, "“iphone6_hdr”")
        session.start(session.pass_, at_photo=pair[0])
        wait(view.hasFocus)
        key(view, Qt.Key.Key_C)
        wait(lambda: loupe.comparing)
        compare = loupe.compare
        area = compare.photo_areas()[0]
        at = QPoint(int(area.left() + area.width() * 0.62), int(area.top() + area.height() * 0.35))
        compare.toggle_zoom(at)
        wait(lambda: all(loupe.previews.pixmap(k) is not None for k in _compare_keys(loupe)))
        grab("compare-zoom.png")
    finally:
        app.shutdown()
        window.close()
        catalog.close()
    return 0


def _survey_keys(loupe: object) -> list[object]:
    from curator.ui.gallery.listing import preview_key

    rows = [loupe.row(pid) for pid in loupe.survey.ids]  # type: ignore[attr-defined]
    return [k for r in rows if r is not None and (k := preview_key(r)) is not None]


def _compare_keys(loupe: object) -> list[object]:
    from curator.ui.gallery.listing import preview_key

    ids = (loupe.compare_left, loupe.session.current)  # type: ignore[attr-defined]
    rows = [loupe.row(pid) for pid in ids if pid is not None]  # type: ignore[attr-defined]
    return [k for r in rows if r is not None and (k := preview_key(r)) is not None]


if __name__ == "__main__":
    sys.exit(main())

"""Regenerate docs/main-window.png: the main window on the camera fixtures.

    python docs/screenshot.py [--fixtures DIR] [--out PNG]

Offscreen and self-contained: a temporary catalog (CURATOR_HOME in a temp
folder) imports the fixtures' pictures (`SHOWN`: a temp folder of links to
them; the truncated RAWs, a failure test's files, are left out) with the real
pipeline (technical stage: scores, previews), the real window is
built by `curator.app.build_app`, and once every visible thumbnail is drawn
the window is grabbed to the PNG. Nothing of the user's is read or written.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DEFAULT_FIXTURES = REPO.parent / "shared" / "fixtures"
# Six thumbnail columns, no empty margin. At 1300 px the six cells fill the
# grid's width exactly and Qt's list view wraps the sixth (it wants a pixel
# to spare), leaving five columns and a gutter.
SIZE = (1301, 860)
SHOWN = ("jpeg", "raw", "raw_edge")  # the fixtures' folders of real pictures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fixtures", type=Path, default=DEFAULT_FIXTURES)
    parser.add_argument("--out", type=Path, default=REPO / "docs" / "main-window.png")
    args = parser.parse_args(argv)
    if not args.fixtures.is_dir():
        print(f"screenshot: no fixtures at {args.fixtures} (--fixtures DIR)", file=sys.stderr)
        return 2
    os.environ["QT_QPA_PLATFORM"] = "offscreen"
    sys.path.insert(0, str(REPO))
    with tempfile.TemporaryDirectory(prefix="curator-screenshot-") as home:
        os.environ["CURATOR_HOME"] = home
        shown = Path(home) / "photos"
        for folder in SHOWN:
            for path in sorted((args.fixtures / folder).iterdir()):
                if path.is_file():
                    (shown / folder).mkdir(parents=True, exist_ok=True)
                    (shown / folder / path.name).symlink_to(path.resolve())
        return _shoot(shown, args.out.resolve())


def _shoot(fixtures: Path, out: Path) -> int:
    from PySide6.QtCore import QEventLoop, Qt, QTimer
    from PySide6.QtWidgets import QApplication

    from curator.app import build_app, dark_palette
    from curator.catalog.db import Catalog
    from curator.paths import resolve_paths
    from curator.pipeline.importer import run_headless
    from curator.pipeline.service import RunRequest
    from curator.settings import load_settings
    from curator.ui.gallery.model import PhotoRole, thumbnail_key

    qt_app = QApplication(sys.argv[:1])
    qt_app.setStyle("Fusion")
    qt_app.setPalette(dark_palette())
    paths = resolve_paths()
    settings = load_settings(paths.settings_file)
    Catalog.open(paths.catalog).close()
    report = run_headless(
        RunRequest(folder=str(fixtures), stages=("technical", "score")),  # score: bursts
        catalog_path=paths.catalog,
        cache_dir=paths.cache_dir,
        settings=settings,
    )
    print(f"imported {report.counts['new']} photos, {report.counts['failed']} failed")
    catalog = Catalog.open(paths.catalog)
    app = build_app(catalog, paths, settings)
    try:
        window = app.window
        window.resize(*SIZE)
        window.show()
        model = app.model

        def all_visible_drawn() -> bool:
            view = window.gallery
            rows = [
                r
                for r in range(model.rowCount())
                if view.visualRect(model.index(r)).intersects(view.viewport().rect())
            ]
            return bool(rows) and all(drawn(r) for r in rows)

        def drawn(r: int) -> bool:
            key = thumbnail_key(model.data(model.index(r), PhotoRole))
            return (
                key is None
                or app.thumbnails.failed(key)
                or (model.data(model.index(r), Qt.ItemDataRole.DecorationRole) is not None)
            )

        loop = QEventLoop()
        deadline = time.monotonic() + 180
        poll = QTimer()
        poll.timeout.connect(
            lambda: loop.quit() if all_visible_drawn() or time.monotonic() > deadline else None
        )
        poll.start(250)
        loop.exec()
        poll.stop()
        QTimer.singleShot(300, loop.quit)  # one more paint after the last thumbnail
        loop.exec()
        out.parent.mkdir(parents=True, exist_ok=True)
        if not window.grab().save(str(out)):
            print(f"screenshot: could not write {out}", file=sys.stderr)
            return 1
        print(f"wrote {out} ({window.width()}×{window.height()})")
        return 0
    finally:
        app.shutdown()
        window.close()
        catalog.close()


if __name__ == "__main__":
    sys.exit(main())

"""A loupe page built on its own (no main window): the same services app.py
wires — review session, preview/thumbnail loaders, original loader — over
this test's catalog. Tests drive it with real key presses."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from pytestqt.qtbot import QtBot

from curator.catalog.db import Catalog
from curator.catalog.models import Photo
from curator.paths import resolve_paths
from curator.pipeline.stages.score import review_order
from curator.ui.common.guard import ErrorReporter
from curator.ui.common.image_loader import ImageLoader
from curator.ui.common.palette import dark_palette
from curator.ui.loupe import PREFETCH
from curator.ui.loupe.page import LoupePage
from curator.ui.review.session import ReviewSession
from tests.integration.cli_helpers import import_json
from tests.pools import make_pool
from tests.ui.conftest import dispose, make_photo

SHOTS = Path("/tmp/curator-shots")


def imported_photos(folder: Path, stem: str, count: int, *, width: int, height: int) -> Path:
    """`count` generated photos `<stem>_<i>.jpg` of `width` × `height` in
    `folder`, imported with the technical stage (as the loupe sees a shoot):
    the folder."""
    folder.mkdir()
    for i in range(count):
        make_photo(folder / f"{stem}_{i}.jpg", i, width=width, height=height)
    assert import_json(folder, "--stages", "technical")["new"] == count
    return folder


@dataclass
class Harness:
    page: LoupePage
    session: ReviewSession
    errors: ErrorReporter
    notices: list[str]
    reported: list[str]


def photo_ids_by_name() -> dict[str, int]:
    return {Path(bytes(p.path).decode()).name: int(p.id) for p in Photo.select()}


@contextmanager
def loupe_harness(qtbot: QtBot, *, match_threshold: float = 70.0) -> Iterator[Harness]:
    paths = resolve_paths()
    catalog = Catalog.open(paths.catalog)
    errors = ErrorReporter()
    pools = [make_pool(2), make_pool(2), make_pool(2), make_pool(1), make_pool(1), make_pool(1)]
    previews = ImageLoader(paths.cache_dir, pools[0], errors, capacity=2 * PREFETCH + 3)
    thumbnails = ImageLoader(paths.cache_dir, pools[1], errors, capacity=50, max_edge=200)
    session = ReviewSession(lambda pass_: review_order(pass_, ""), lambda: None)
    page = LoupePage(
        session,
        previews,
        thumbnails,
        errors,
        originals_pool=pools[2],
        renditions_pool=pools[4],
        analysis_pool=pools[3],
        rows_pool=pools[5],
        match_threshold=match_threshold,
    )
    notices: list[str] = []
    reported: list[str] = []
    session.notice.connect(notices.append)
    errors.reported.connect(reported.append)
    page.setPalette(dark_palette())  # as the main window has it (screenshots)
    page.resize(1200, 800)
    page.show()
    qtbot.waitExposed(page, timeout=30_000)
    page.activateWindow()
    session.start("cull")
    page.view.setFocus()
    qtbot.waitUntil(page.view.hasFocus, timeout=30_000)
    try:
        yield Harness(page, session, errors, notices, reported)
    finally:
        # The app's order (App.shutdown): loaders closed, pools drained, then the widget.
        previews.close()
        thumbnails.close()
        page.shutdown()
        previews.shutdown()
        thumbnails.shutdown()
        dispose(page)
        catalog.close()


def save_shot(widget: object, name: str) -> Path:
    """Grab a widget to /tmp/curator-shots/NAME.png for a person to look at."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / f"{name}.png"
    widget.grab().save(str(path))  # type: ignore[attr-defined]
    return path


def clip_fractions(photo_id: int) -> tuple[float | None, float | None]:
    """(highlight_clip, shadow_clip) the technical stage stored for a photo (0–1),
    read straight from the catalog: the oracle the loupe's captions are checked
    against (the loupe itself reads them from its GalleryRow)."""
    row = (
        Photo.select(Photo.highlight_clip, Photo.shadow_clip)
        .where(Photo.id == photo_id)
        .tuples()
        .first()
    )
    return (None, None) if row is None else (row[0], row[1])

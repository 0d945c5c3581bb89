"""The loupe's viewing tools: histogram (panel and H overlay) computed off the
UI thread, J clipping overlay marking exactly the ≥ 250 / ≤ 5 pixels, focus
peaking, I info overlay, F full screen, Shift+Tab panels, the filmstrip."""

from __future__ import annotations

import threading
from collections.abc import Iterable
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QImage
from PySide6.QtWidgets import QToolBar
from pytestqt.qtbot import QtBot

from curator.app import App
from curator.catalog.queries import GalleryRow
from curator.imaging.histogram import HIGHLIGHT_RGBA, SHADOW_RGBA, clipping_masks
from curator.ui.common.guard import ErrorReporter
from curator.ui.loupe.preview_analysis import Overlays, PreviewAnalyzer, analyse, qimage_rgb
from curator.ui.loupe.tools import HistogramPanel, histogram_layout, info_lines
from tests.pools import make_pool
from tests.ui.loupe_harness import (
    Harness,
    clip_fractions,
    loupe_harness,
    photo_ids_by_name,
    save_shot,
)

SHIFT = Qt.KeyboardModifier.ShiftModifier


def test_clipping_overlay_marks_exactly_the_clipped_pixels(tmp_path: Path) -> None:
    """A generated image (PNG: no compression shifts a level): red where any
    channel ≥ 250, blue where all ≤ 5, nothing elsewhere."""
    rng = np.random.default_rng(7)
    rgb = rng.integers(0, 256, size=(90, 120, 3), dtype=np.uint8)
    rgb[10:20, 10:30] = (251, 120, 3)  # blown by one channel
    rgb[40:50, 50:70] = (4, 5, 0)  # crushed
    rgb[60:70, 0:20] = (249, 249, 249)  # bright, not clipped
    path = tmp_path / "generated.png"
    Image.fromarray(rgb).save(path)

    result = analyse(1, path, Overlays(clipping=True))
    assert result is not None and result.clipping is not None and result.peaking is None
    overlay = result.clipping.convertToFormat(QImage.Format.Format_ARGB32)
    assert (overlay.width(), overlay.height()) == (120, 90)
    blown, crushed = clipping_masks(rgb)
    marked_red = np.zeros(blown.shape, bool)
    marked_blue = np.zeros(blown.shape, bool)
    for y in range(90):
        for x in range(120):
            colour = QColor(overlay.pixel(x, y))
            alpha = QColor.fromRgba(overlay.pixel(x, y)).alpha()
            rgba = (colour.red(), colour.green(), colour.blue(), alpha)
            marked_red[y, x] = rgba == HIGHLIGHT_RGBA
            marked_blue[y, x] = rgba == SHADOW_RGBA
            if not (marked_red[y, x] or marked_blue[y, x]):
                assert alpha == 0, (x, y, rgba)
    assert (marked_red == blown).all() and (marked_blue == crushed).all()
    assert blown[10:20, 10:30].all() and crushed[40:50, 50:70].all()
    assert not blown[60:70, 0:20].any()
    # The histogram counts what it read (the scaled decode: here the whole image).
    assert result.histogram.pixels == 120 * 90
    assert int(result.histogram.red[251]) == int((rgb[..., 0] == 251).sum())


def _wait_analysis(h: Harness, qtbot: QtBot, **wanted: bool) -> None:
    tools = h.page.tools

    def ready() -> bool:
        found = tools.current_analysis()
        return found is not None and all(
            getattr(found, name) is not None for name, on in wanted.items() if on
        )

    qtbot.waitUntil(ready, timeout=30_000)


def _count(image: QImage, rgb: tuple[int, int, int]) -> int:
    pixels = qimage_rgb(image)
    return int((pixels == np.array(rgb, np.uint8)).all(axis=2).sum())


def test_histogram_and_clipping_overlay_on_the_loupe(library: Path, qtbot: QtBot) -> None:
    with loupe_harness(qtbot) as h:
        page, view, tools = h.page, h.page.view, h.page.tools
        qtbot.waitUntil(lambda: view.is_preview, timeout=30_000)
        _wait_analysis(h, qtbot)
        # The side panel's histogram is the current photo's, with the catalog's clip %.
        qtbot.waitUntil(lambda: tools.panel_histogram.histogram is not None, timeout=30_000)
        found = tools.current_analysis()
        assert found is not None and found.photo_id == h.session.current
        assert tools.panel_histogram.histogram is found.histogram
        highlight, shadow = clip_fractions(found.photo_id)  # what the catalog stored
        assert highlight is not None and shadow is not None
        assert tools.panel_histogram.note == (
            f"Clipped: highlights {highlight * 100:.1f} % · shadows {shadow * 100:.1f} %"
        )
        assert found.histogram.pixels > 10_000

        red = HIGHLIGHT_RGBA[:3]
        before = _count(view.grab().toImage(), red)
        qtbot.keyClick(view, Qt.Key.Key_J)
        assert tools.clipping and "red" in h.notices[-1]
        _wait_analysis(h, qtbot, clipping=True)
        analysis = tools.current_analysis()
        assert analysis is not None and analysis.clipping is not None
        blown, _ = clipping_masks(qimage_rgb(page.view.pixmap.toImage()))  # type: ignore[union-attr]
        after = _count(view.grab().toImage(), red)
        if blown.any():
            assert after > before
        qtbot.keyClick(view, Qt.Key.Key_H)
        assert tools.histogram_overlay
        qtbot.keyClick(view, Qt.Key.Key_P, SHIFT)
        assert tools.peaking
        _wait_analysis(h, qtbot, clipping=True, peaking=True)
        save_shot(page, "loupe-histogram-clipping")

        # Moving on: the next photo's analysis is asked for; the old one is never shown.
        first = h.session.current
        qtbot.keyClick(view, Qt.Key.Key_Right)
        assert h.session.current != first
        _wait_analysis(h, qtbot, clipping=True, peaking=True)
        current = tools.current_analysis()
        assert current is not None and current.photo_id == h.session.current
        qtbot.keyClick(view, Qt.Key.Key_J)
        qtbot.keyClick(view, Qt.Key.Key_H)
        assert not tools.clipping and not tools.histogram_overlay
        assert _count(view.grab().toImage(), red) <= before or not blown.any()


def test_i_cycles_the_info_overlay(library: Path, qtbot: QtBot) -> None:
    with loupe_harness(qtbot) as h:
        view, tools = h.page.view, h.page.tools
        seen = []
        for _ in range(4):
            qtbot.keyClick(view, Qt.Key.Key_I)
            seen.append(tools.info)
        assert seen == ["file", "capture", "scores", "off"]
        pid = h.session.current
        assert pid is not None
        row = h.page.row(pid)
        assert row is not None
        clip = tools.clip(row)
        assert clip == clip_fractions(pid)  # what the technical stage stored
        assert info_lines("off", row, None, clip) == []
        assert info_lines("file", row, None, clip) == [row.file_name]
        capture = info_lines("capture", row, None, clip)
        assert capture[0] == row.file_name and "Synthetic" in capture[1]
        assert "2024-06-01" in capture[3]
        scores = info_lines("scores", row, None, clip)
        assert scores[:4] == capture and "Sharpness" in scores[4] and "Clipped" in scores[5]


def test_full_screen_and_panels(library: Path, qtbot: QtBot) -> None:
    with loupe_harness(qtbot) as h:
        page, view = h.page, h.page.view
        assert page.panel.isVisible() and page.filmstrip.isVisible()
        qtbot.keyClick(view, Qt.Key.Key_Tab, SHIFT)
        assert not page.panel.isVisible() and not page.filmstrip.isVisible()
        assert h.session.pass_ == "cull"  # Shift+Tab is not Tab
        qtbot.keyClick(view, Qt.Key.Key_Tab, SHIFT)
        assert page.panel.isVisible() and page.filmstrip.isVisible()

        qtbot.keyClick(view, Qt.Key.Key_F)
        qtbot.waitUntil(page.window().isFullScreen, timeout=30_000)
        assert not page.panel.isVisible() and not page.filmstrip.isVisible()
        qtbot.keyClick(view, Qt.Key.Key_F)
        qtbot.waitUntil(lambda: not page.window().isFullScreen(), timeout=30_000)
        assert page.panel.isVisible()
        qtbot.keyClick(view, Qt.Key.Key_F)
        qtbot.waitUntil(page.window().isFullScreen, timeout=30_000)
        qtbot.keyClick(view, Qt.Key.Key_Escape)
        qtbot.waitUntil(lambda: not page.window().isFullScreen(), timeout=30_000)
        assert page.panel.isVisible() and page.filmstrip.isVisible()


def test_filmstrip_follows_the_order_and_jumps(library: Path, qtbot: QtBot) -> None:
    ids = photo_ids_by_name()
    with loupe_harness(qtbot) as h:
        strip, session = h.page.filmstrip, h.session
        strip.repaint()
        shown = strip.visible_ids()
        assert shown == session.order[: len(shown)] and len(shown) >= 3
        assert strip.painted_ids == shown
        target = shown[2]
        cells = [rect for pid, rect in strip.cells() if pid == target]
        qtbot.mouseClick(strip, Qt.MouseButton.LeftButton, pos=cells[0].center().toPoint())
        assert session.current == target
        assert h.page.view.hasFocus() or not strip.hasFocus()
        qtbot.keyClick(h.page.view, Qt.Key.Key_X)  # the badge follows the decision
        strip.repaint()
        assert h.page.row(target).cull == "rejected"  # type: ignore[union-attr]
        assert ids  # the library is there


def test_the_filmstrip_reads_its_rows_in_one_query(
    library: Path, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Issue 19 §1: a live import invalidates rows; the strip re-read them one
    # query per frame on the UI thread (a 64-96 ms stall per key).
    import curator.ui.loupe.row_cache as loupe_rows

    with loupe_harness(qtbot) as h:
        strip = h.page.filmstrip
        assert len(strip.visible_ids()) >= 3
        reads: list[int] = []
        original = loupe_rows.gallery_rows

        def counted(ids: Iterable[int]) -> dict[int, GalleryRow]:
            reads.append(1)
            return original(ids)

        monkeypatch.setattr(loupe_rows, "gallery_rows", counted)
        h.page.invalidate()  # every row forgotten: the current photo and the strip re-read
        assert all(h.page.row(pid) is not None for pid in strip.visible_ids())
        assert len(reads) <= 2  # the current photo's, then the strip's (cached now)


def test_an_import_rewrite_paints_the_old_row_until_its_reread_arrives(
    library: Path, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Issue 19 §1: a live import's batch made the next key read the rows again
    # on the UI thread, behind the pipeline's threads (a 77 ms stall).
    import threading

    import curator.ui.loupe.row_cache as loupe_rows
    from curator.catalog.models import Photo

    with loupe_harness(qtbot) as h:
        pid = h.session.current
        assert pid is not None
        old = h.page.row(pid)
        assert old is not None
        on_main: list[bool] = []
        original = loupe_rows.gallery_rows

        def counted(ids: Iterable[int]) -> dict[int, GalleryRow]:
            on_main.append(threading.current_thread() is threading.main_thread())
            return original(ids)

        monkeypatch.setattr(loupe_rows, "gallery_rows", counted)
        Photo.update(sharpness_score=12.5).where(Photo.id == pid).execute()
        h.page.rows_rewritten([pid])
        assert h.page.row(pid) == old  # painted as it was, no read waited for
        qtbot.waitUntil(lambda: getattr(h.page.row(pid), "sharpness_score", None) == 12.5)
        assert on_main and not any(on_main), on_main  # read on the rows pool only
        # A rewritten photo the loupe has not read is not read for it (no
        # catalog read on the UI thread during an import), nor is anything
        # while the loupe is hidden.
        neighbour = next(p for p in h.session.order if p != pid)
        h.page.rows.drop([neighbour])
        on_main.clear()
        h.page.rows_rewritten([neighbour])
        h.page.hide()
        h.page.rows_rewritten([pid])
        stale = h.page.rows.stale
        assert stale is not None and not stale.busy  # no re-read asked for either
        assert on_main == [], on_main


def test_full_screen_in_the_window_hides_the_bars_and_g_leaves_it(
    library: Path, qtbot: QtBot, app: App
) -> None:
    window, page = app.window, app.window.loupe
    qtbot.waitUntil(lambda: window.model.rowCount() >= 8, timeout=30_000)
    window.show_loupe()
    view = page.view
    qtbot.waitUntil(view.hasFocus, timeout=30_000)
    bars = [window.menuBar(), window.statusBar(), *window.findChildren(QToolBar)]
    shown = [bar for bar in bars if bar.isVisible()]
    assert window.menuBar() in shown and window.statusBar() in shown
    qtbot.keyClick(view, Qt.Key.Key_F)
    qtbot.waitUntil(window.isFullScreen, timeout=30_000)
    assert not any(bar.isVisible() for bar in bars)
    assert not page.panel.isVisible() and not page.filmstrip.isVisible()
    qtbot.keyClick(view, Qt.Key.Key_Backtab, SHIFT)  # what a keyboard sends for Shift+Tab
    assert page.chrome.panels_hidden
    qtbot.keyClick(view, Qt.Key.Key_Backtab, SHIFT)
    assert not page.chrome.panels_hidden and not page.panel.isVisible()  # still full screen
    qtbot.keyClick(view, Qt.Key.Key_G)  # the window's keys still work; the grid leaves it
    assert window.stack.currentWidget() is window.gallery
    qtbot.waitUntil(lambda: not window.isFullScreen(), timeout=30_000)
    assert all(bar.isVisible() for bar in shown)


def test_an_analysis_skipped_then_wanted_again_is_computed(tmp_path: Path, qtbot: QtBot) -> None:
    """→ then ← quickly: A's task starts while B is wanted (skips), A is wanted again
    before that skip is delivered — it must still be computed."""
    paths = []
    for i in range(2):
        path = tmp_path / f"{i}.png"
        Image.fromarray(np.full((20, 30, 3), 40 * (i + 1), np.uint8)).save(path)
        paths.append(path)
    analyzer = PreviewAnalyzer(ErrorReporter(), make_pool(1))
    gate = threading.Event()
    analyzer.pool.start(gate.wait)  # holds the one thread: A and B queue behind it
    analyzer.request(1, paths[0], Overlays())
    analyzer.request(2, paths[1], Overlays())
    gate.set()
    analyzer.pool.waitForDone()  # A skipped (B wanted), B computed; nothing delivered yet
    analyzer.request(1, paths[0], Overlays())  # A in flight still: queues nothing itself
    try:
        qtbot.waitUntil(lambda: analyzer.analysis(1) is not None, timeout=30_000)
        found = analyzer.analysis(1)
        assert found is not None and int(found.histogram.red[40]) == 20 * 30
    finally:
        analyzer.shutdown()


def test_the_histogram_curves_come_built_with_the_analysis(tmp_path: Path) -> None:
    """The analysis (on the pool thread) carries each channel's curve in a unit
    box, so painting the panel or the H overlay builds no polygon on the UI thread:
    the tallest bin of any channel touches the top, an empty bin sits on the base,
    levels run left to right, and each curve is closed along the base."""
    rgb = np.zeros((30, 40, 3), np.uint8)
    rgb[:, :20] = (200, 10, 10)
    path = tmp_path / "p.jpg"
    Image.fromarray(rgb).save(path, quality=100)
    result = analyse(1, path, Overlays())
    assert result is not None and result.curves is not None
    assert set(result.curves) == {"red", "green", "blue", "luma"}
    for name, polygon in result.curves.items():
        points = [polygon[i] for i in range(polygon.size())]
        assert len(points) == 258
        assert (points[0].x(), points[0].y(), points[-1].x(), points[-1].y()) == (0, 1, 1, 1)
        assert [p.x() for p in points[1:-1]] == pytest.approx([i / 255 for i in range(256)])
        counts = getattr(result.histogram, name)
        for level in (0, 100, 128, 255):
            if counts[level] == 0:
                assert points[1 + level].y() == 1.0, (name, level)
    tallest = max(result.histogram.channels(), key=lambda nc: int(nc[1].max()))
    level = int(tallest[1].argmax())
    assert result.curves[tallest[0]][1 + level].y() == pytest.approx(0.0)


def test_an_analysis_repaints_the_photo_only_for_an_overlay_and_the_panel_only_when_new(
    library: Path, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The photo is painted before its analysis lands: the analysis repaints the
    view only when an overlay drawn from it is on (peaking, clipping, the H
    histogram), and the panel's histogram is not repainted when a live import
    shows the same row again (each a ~1-3 ms paint on the UI thread, issue 19 §1)."""
    with loupe_harness(qtbot) as h:
        view, tools = h.page.view, h.page.tools
        qtbot.waitUntil(lambda: view.is_preview, timeout=30_000)
        _wait_analysis(h, qtbot)
        qtbot.waitUntil(lambda: tools.panel_histogram.curves is not None, timeout=30_000)
        pid = h.session.current
        assert pid is not None
        updates = {"view": 0, "panel": 0}
        monkeypatch.setattr(
            view, "update", lambda *a: updates.__setitem__("view", updates["view"] + 1)
        )
        monkeypatch.setattr(
            tools.panel_histogram,
            "update",
            lambda *a: updates.__setitem__("panel", updates["panel"] + 1),
        )
        tools.analyzer.analysis_ready.emit(pid)  # what a finished analysis says
        tools.show(h.page.row(pid))  # what a live import's batch does with the row
        assert updates == {"view": 0, "panel": 0}
        tools.peaking = True
        tools.analyzer.analysis_ready.emit(pid)
        assert updates["view"] == 1
        tools.panel_histogram.set_histogram(None, "Not measured yet")  # new content
        assert updates["panel"] == 1


def test_the_histogram_note_is_wrapped_never_cut(qtbot: QtBot) -> None:
    """The side panel's note for a photo not measured yet is longer than the
    panel is wide: it wraps onto the lines it needs, the plot gives them up,
    and nothing is drawn outside the panel (it was cut off mid-sentence)."""
    panel = HistogramPanel()
    qtbot.addWidget(panel)
    panel.resize(280, 120)
    metrics = panel.fontMetrics()
    rect = QRectF(panel.rect())
    for note in ("Not measured yet: the histogram follows the measurement.", "Clipped: —"):
        plot, box = histogram_layout(metrics, rect, note)
        flags = int(Qt.AlignmentFlag.AlignLeft | Qt.TextFlag.TextWordWrap)
        laid_out = metrics.boundingRect(box.toRect(), flags, note)
        assert laid_out.height() <= box.height() + 0.5 and laid_out.width() <= box.width() + 0.5
        assert rect.contains(box) and plot.bottom() <= box.top() and plot.height() > 40
    long_note = "Not measured yet: the histogram follows the measurement."
    assert metrics.horizontalAdvance(long_note) > rect.width() - 12  # one line would cut it
    _, box = histogram_layout(metrics, rect, long_note)
    assert box.height() >= 2 * metrics.lineSpacing() - 1
    panel.set_histogram(None, long_note)
    panel.grab()  # paints without error at this size

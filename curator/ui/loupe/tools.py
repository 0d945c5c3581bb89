"""The loupe's viewing tools: histogram (side panel and H), clipping overlay (J),
focus peaking (Shift+P) and the info overlay (I). `LoupeTools` owns what is on
and the `PreviewAnalyzer`, and paints only finished results through
`LoupeView.overlays`: until a photo's analysis arrives (asked
`REQUEST_DELAY_MS` after it shows) the histogram says "…" and no overlay shows.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QPointF, QRectF, QSizeF, Qt, QThreadPool, QTimer, Slot
from PySide6.QtGui import QColor, QFontMetrics, QPainter, QPaintEvent, QPen, QPolygonF
from PySide6.QtWidgets import QSizePolicy, QWidget

from curator.catalog.queries import GalleryRow, PhotoDetails
from curator.imaging.cache import cache_path
from curator.ui.common import format as fmt
from curator.ui.common.guard import ErrorReporter, guarded_slot
from curator.ui.gallery.listing import preview_key
from curator.ui.loupe.drag_pan import source_rect
from curator.ui.loupe.preview_analysis import Analysis, Overlays, PreviewAnalyzer

if TYPE_CHECKING:  # imaging.histogram is numpy: it loads with the first analysis
    from curator.imaging.histogram import Histogram

INFO_MODES = ("off", "file", "capture", "scores")
CHANNEL_COLOURS = {
    "red": QColor(170, 30, 30),
    "green": QColor(30, 150, 40),
    "blue": QColor(40, 70, 190),
    "luma": QColor(235, 235, 235, 210),
}
OVERLAY_SIZE = QSizeF(270, 130)
# The analysis starts this long after the photo shows: after its paint, never for photos flown past.
REQUEST_DELAY_MS = 40


def paint_histogram(
    painter: QPainter, rect: QRectF, curves: dict[str, QPolygonF] | None, note: str
) -> None:
    """The analysis' `unit_curves` scaled into `rect`, `note` wrapped under them."""
    painter.save()
    painter.fillRect(rect, QColor(0, 0, 0, 170))
    plot, note_box = histogram_layout(painter.fontMetrics(), rect, note)
    if curves is None:
        painter.setPen(QColor(150, 150, 150))
        painter.drawText(plot, int(Qt.AlignmentFlag.AlignCenter), "…")
    else:
        painter.save()
        painter.translate(plot.topLeft())
        painter.scale(plot.width(), plot.height())
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        # Channels add up (where all three overlap the fill is grey), as in Lightroom.
        painter.setCompositionMode(QPainter.CompositionMode.CompositionMode_Plus)
        for name, polygon in curves.items():
            colour = CHANNEL_COLOURS[name]
            if name == "luma":
                painter.setCompositionMode(QPainter.CompositionMode.CompositionMode_SourceOver)
                pen = QPen(colour, 1.0)
                pen.setCosmetic(True)  # one device pixel wide, whatever the scale
                painter.setPen(pen)
                painter.setBrush(Qt.BrushStyle.NoBrush)
            else:
                painter.setPen(Qt.PenStyle.NoPen)
                painter.setBrush(colour)
            painter.drawPolygon(polygon)
        painter.restore()
    painter.setPen(QColor(210, 210, 210))
    painter.drawText(note_box, int(_NOTE_FLAGS), note)
    painter.restore()


_NOTE_FLAGS = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter | Qt.TextFlag.TextWordWrap


def histogram_layout(metrics: QFontMetrics, rect: QRectF, note: str) -> tuple[QRectF, QRectF]:
    """(the plot, the note's box) in `rect`: the note is word-wrapped to the
    box's width and the plot gives up the lines it needs."""
    width = rect.width() - 12
    needed = metrics.boundingRect(0, 0, max(1, int(width)), 10_000, int(_NOTE_FLAGS), note)
    height = max(18.0, float(needed.height()))
    note_box = QRectF(rect.left() + 6, rect.bottom() - height - 2, width, height)
    plot = rect.adjusted(6, 6, -6, -(height + 4))
    return plot, note_box


def clip_note(highlight: float | None, shadow: float | None) -> str:
    """The catalog's clipped fractions as the histogram's caption."""
    if highlight is None and shadow is None:
        return "Clipped: not measured yet"
    parts = []
    if highlight is not None:
        parts.append(f"highlights {highlight * 100:.1f} %")
    if shadow is not None:
        parts.append(f"shadows {shadow * 100:.1f} %")
    return "Clipped: " + " · ".join(parts)


def info_lines(
    mode: str,
    row: GalleryRow,
    details: PhotoDetails | None,
    clip: tuple[float | None, float | None],
) -> list[str]:
    """The info overlay's lines in `mode` (one of INFO_MODES; "off": none)."""
    if mode == "off":
        return []
    lines = [row.file_name]
    if mode in ("capture", "scores"):
        lines.append(" · ".join(x for x in (row.camera, row.lens) if x) or "camera unknown")
        lines.append(fmt.exposure_text(row))
        lines.append(fmt.when_text(row.captured_at))
    if mode == "scores":
        pref = row.preference_score
        lines.append(
            f"Sharpness {fmt.score_text(row.sharpness_score)} · "
            f"exposure {fmt.score_text(row.exposure_score)} · "
            f"preference {'—' if pref is None else fmt.score_text(pref)}"
        )
        lines.append(clip_note(*clip))
        if details is not None and details.burst_size:
            best = " (suggested best)" if details.burst_best else ""
            lines.append(f"Burst of {details.burst_size}{best}")
    return lines


class HistogramPanel(QWidget):
    """The side panel's histogram: luma + RGB, and the catalog's clipped fractions."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setMinimumHeight(120)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.histogram: Histogram | None = None
        self.curves: dict[str, QPolygonF] | None = None
        self.note = ""

    def set_histogram(self, found: Analysis | None, note: str) -> None:
        """Show `found`'s histogram with `note`; no repaint when nothing changed."""
        histogram = None if found is None else found.histogram
        curves = None if found is None else found.curves
        if histogram is self.histogram and curves is self.curves and note == self.note:
            return
        self.histogram, self.curves, self.note = histogram, curves, note
        self.update()

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        paint_histogram(painter, QRectF(self.rect()), self.curves, self.note)


class LoupeTools(QObject):
    """State and painting of the loupe's viewing tools (module docstring)."""

    def __init__(
        self,
        view: QWidget,
        cache_dir: Path,
        errors: ErrorReporter,
        details: Callable[[int], PhotoDetails | None],
        analysis_pool: QThreadPool,
        parent: QObject | None = None,
    ):
        super().__init__(parent)
        self.view, self.cache_dir, self.details = view, cache_dir, details
        self.errors = errors
        self.analyzer = PreviewAnalyzer(errors, analysis_pool, self)
        self.analyzer.analysis_ready.connect(self._on_ready)
        self.panel_histogram = HistogramPanel()
        self.histogram_overlay = False
        self.clipping = False
        self.peaking = False
        self.info_mode = 0
        self.row: GalleryRow | None = None
        self._pending: tuple[int, Path] | None = None
        self._request_timer = QTimer(self)
        self._request_timer.setSingleShot(True)
        self._request_timer.setInterval(REQUEST_DELAY_MS)
        self._request_timer.timeout.connect(self._request)

    @property
    def info(self) -> str:
        return INFO_MODES[self.info_mode]

    # --- keys ---------------------------------------------------------------

    def toggle_histogram(self) -> str:
        self.histogram_overlay = not self.histogram_overlay
        self._refresh()
        return f"Histogram overlay {'on' if self.histogram_overlay else 'off'}."

    def toggle_clipping(self) -> str:
        self.clipping = not self.clipping
        self._refresh()
        return (
            "Clipping shown: blown highlights red, crushed shadows blue."
            if self.clipping
            else "Clipping overlay off."
        )

    def toggle_peaking(self) -> str:
        self.peaking = not self.peaking
        self._refresh()
        return f"Focus peaking {'on: sharp edges tinted green' if self.peaking else 'off'}."

    def cycle_info(self) -> str:
        self.info_mode = (self.info_mode + 1) % len(INFO_MODES)
        self.view.update()
        names = {
            "off": "off",
            "file": "file name",
            "capture": "file and capture data",
            "scores": "file, capture data and scores",
        }
        return f"Info overlay: {names[self.info]}."

    # --- the current photo ----------------------------------------------------

    def show(self, row: GalleryRow | None) -> None:
        """The loupe now shows `row`: ask for its analysis; paint what is known."""
        self.row = row
        if row is None:
            self.panel_histogram.set_histogram(None, "")
            return
        key = preview_key(row)
        if key is None:  # failed (no pixels), or listed by an import and not measured yet
            note = (
                "No preview: nothing to measure."
                if row.failed
                else "Not measured yet: the histogram follows the measurement."
            )
            self.panel_histogram.set_histogram(None, note)
            return
        self._pending = (row.id, cache_path(self.cache_dir, key.cache_key))
        # Not now: the key's paint comes first, and holding → asks for nothing.
        self._request_timer.start()
        self._update_panel()

    @Slot(int)
    @guarded_slot
    def preview_arrived(self, photo_id: int) -> None:
        """`photo_id`'s preview was just decoded: a histogram not read before is asked again."""
        row = self.row
        if row is not None and row.id == photo_id and self.analyzer.analysis(photo_id) is None:
            self.show(row)

    def _request(self) -> None:
        if self._pending is None or self.row is None or self._pending[0] != self.row.id:
            return
        overlays = Overlays(clipping=self.clipping, peaking=self.peaking)
        self.analyzer.request(*self._pending, overlays)

    def clip(self, row: GalleryRow) -> tuple[float | None, float | None]:
        """The stored clip fractions, from the row the page already read."""
        return row.highlight_clip, row.shadow_clip

    def current_analysis(self) -> Analysis | None:
        return None if self.row is None else self.analyzer.analysis(self.row.id)

    def shutdown(self) -> None:
        self._request_timer.stop()
        self.analyzer.shutdown()

    def _refresh(self) -> None:
        self.show(self.row)
        self.view.update()

    def _update_panel(self) -> None:
        row = self.row
        if row is None:
            return
        found = self.analyzer.analysis(row.id)
        self.panel_histogram.set_histogram(found, clip_note(*self.clip(row)))

    @Slot(int)
    @guarded_slot
    def _on_ready(self, photo_id: int) -> None:
        if self.row is not None and photo_id == self.row.id:
            self._update_panel()
            if self.peaking or self.clipping or self.histogram_overlay:
                self.view.update()  # the photo itself is painted already: only these change

    # --- painting (LoupeView.overlays) -------------------------------------------

    def paint(self, painter: QPainter, image: QRectF, area: QRectF) -> None:
        row = self.row
        if row is None:
            return
        found = self.analyzer.analysis(row.id)
        if found is not None and not image.isEmpty():
            painter.save()
            painter.setClipRect(area)
            painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, False)
            for on, overlay in ((self.peaking, found.peaking), (self.clipping, found.clipping)):
                if on and overlay is not None:
                    visible = image.intersected(area)
                    painter.drawImage(
                        visible, overlay, source_rect(visible, image, QSizeF(overlay.size()))
                    )
            painter.restore()
        if self.histogram_overlay:
            box = QRectF(
                QPointF(area.right() - OVERLAY_SIZE.width() - 8, area.top() + 8), OVERLAY_SIZE
            )
            curves = None if found is None else found.curves
            paint_histogram(painter, box, curves, clip_note(*self.clip(row)))
        lines = info_lines(self.info, row, self.details(row.id), self.clip(row))
        if lines:
            paint_info(painter, area, lines)


def paint_info(painter: QPainter, area: QRectF, lines: list[str]) -> None:
    """The info overlay: `lines` on a dark plate at the photo area's top left."""
    painter.save()
    metrics = painter.fontMetrics()
    height = metrics.height() + 3
    width = min(area.width() - 16, max(metrics.horizontalAdvance(t) for t in lines) + 20)
    plate = QRectF(area.left() + 8, area.top() + 8, width, height * len(lines) + 12)
    painter.fillRect(plate, QColor(0, 0, 0, 170))
    for i, text in enumerate(lines):
        painter.setPen(QColor(255, 255, 255) if i == 0 else QColor(215, 215, 215))
        painter.drawText(
            QRectF(plate.left() + 10, plate.top() + 6 + i * height, width - 20, height),
            int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter),
            metrics.elidedText(text, Qt.TextElideMode.ElideRight, int(width - 20)),
        )
    painter.restore()

"""The loupe's people tools: the face boxes (O) and the close-ups (Shift+Z).

- **O** draws every face's box over the photo with its verdict: the eyes
  (open / CLOSED / why unknown) and the face's sharpness, a key face in a
  solid line, the others dashed and dimmer, faces too small to judge as a
  thin outline. Painted through the views' overlay hooks (`LoupeView.overlays`,
  `SyncedPanes.overlays`), so compare and survey show each photo's own boxes.
- **Shift+Z** zooms to 100 % on the next face, the key faces first, largest
  first (Narrative Select's close-ups); again: the next; after the last, back
  to fit. In compare and survey every pane goes to the same point, which in
  a burst is the same face in each frame, side by side.

Faces are stored with boxes in fractions of the upright image; the picture
shown is also turned by the photographer's quarter-turns (`row.rotation`),
so boxes are turned the same way (`turned_box`) before they are drawn.

State is per loupe (on/off, which face is in close-up); the faces come from
the page's `PhotoDetails` (read with the panel's), never a query here.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QPainter, QPen
from PySide6.QtWidgets import QWidget

from curator.catalog.queries import GalleryRow, PhotoDetails
from curator.imaging.orientation import turned_box
from curator.records import EyeState, Face
from curator.ui.loupe.zoom import Point


class ZoomsTo(Protocol):
    def zoom_to(self, center: Point | None) -> None: ...


OPEN = QColor(80, 200, 120)
CLOSED = QColor(235, 80, 60)
UNKNOWN = QColor(190, 190, 190)
SMALL = QColor(150, 150, 150, 150)


def face_label(face: Face) -> str:
    """ "open · 78", "CLOSED · 64", "turned away", "too small"."""
    if not face.judged:
        return face.eyes_note or "too small"
    if face.eyes is EyeState.OPEN:
        eyes = "open"
    elif face.eyes is EyeState.CLOSED:
        eyes = "CLOSED"
    else:
        eyes = face.eyes_note or "eyes ?"
    return eyes if face.sharpness is None else f"{eyes} · {face.sharpness:.0f}"


def close_up_order(faces: tuple[Face, ...]) -> list[Face]:
    """The faces Shift+Z visits: judged ones, key faces first, largest first."""
    judged = [f for f in faces if f.judged]
    return sorted(judged, key=lambda f: (not f.key, -f.size_px))


class LoupeFaces:
    """The face boxes and close-ups of one loupe (see the module docstring)."""

    def __init__(
        self, details: Callable[[int], PhotoDetails | None], notice: Callable[[str], object]
    ):
        self.details, self.notice = details, notice
        self.boxes_on = False
        self.close_up: tuple[int, int] | None = None  # (photo id, index in close_up_order)

    def faces(self, row: GalleryRow | None) -> tuple[Face, ...]:
        details = None if row is None else self.details(row.id)
        return () if details is None or details.people is None else details.people.faces

    def toggle_boxes(self, shown_in: QWidget) -> None:
        """O: the boxes on or off (`shown_in` repaints)."""
        self.boxes_on = not self.boxes_on
        self.notice("Face boxes shown (O hides them)." if self.boxes_on else "Face boxes hidden.")
        shown_in.update()

    def close_up_next(self, row: GalleryRow | None, shown_in: ZoomsTo) -> None:
        """Shift+Z: `shown_in` (the loupe, compare or survey) at 100 % on the next face."""
        point, sentence = self.next_close_up(row)
        shown_in.zoom_to(point)
        self.notice(sentence)

    def next_close_up(self, row: GalleryRow | None) -> tuple[Point | None, str]:
        """The normalised point of the displayed photo to show at 100 % next (None:
        back to fit), and the sentence for the status line."""
        order = close_up_order(self.faces(row))
        if row is None or not order:
            self.close_up = None
            details = None if row is None else self.details(row.id)
            why = details.people.note if details is not None and details.people else ""
            return None, f"No face to zoom to. {why}".strip()
        last = self.close_up[1] if self.close_up and self.close_up[0] == row.id else -1
        index = last + 1
        if index >= len(order):
            self.close_up = None
            return None, "Back to fit (every face seen)."
        self.close_up = (row.id, index)
        face = order[index]
        x, y, w, h = turned_box(face.box, row.rotation)
        what = "key face" if face.key else "face"
        return Point(x + w / 2, y + h / 2), (
            f"Face {index + 1} of {len(order)} at 100 % ({what}, {face_label(face)}); "
            "Shift+Z: the next."
        )

    def forget_close_up(self) -> None:
        self.close_up = None

    def paint(self, painter: QPainter, row: GalleryRow | None, image: QRectF, area: QRectF) -> None:
        """The boxes of `row`'s faces over its picture drawn at `image`, clipped to `area`."""
        if not self.boxes_on or row is None or image.isEmpty():
            return
        faces = self.faces(row)
        if not faces:
            return
        painter.save()
        painter.setClipRect(area)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        metrics = painter.fontMetrics()
        for face in faces:
            x, y, w, h = turned_box(face.box, row.rotation)
            rect = QRectF(
                image.left() + x * image.width(),
                image.top() + y * image.height(),
                w * image.width(),
                h * image.height(),
            )
            colour = _colour(face)
            pen = QPen(colour, 2.0 if face.key else 1.2)
            if face.judged and not face.key:
                pen.setStyle(Qt.PenStyle.DashLine)
            painter.setPen(pen)
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawRect(rect)
            if not face.judged:
                continue
            text = face_label(face)
            plate = QRectF(
                rect.left(),
                rect.bottom() + 2,
                metrics.horizontalAdvance(text) + 8,
                metrics.height() + 2,
            )
            painter.fillRect(plate, QColor(0, 0, 0, 180))
            painter.setPen(colour)
            painter.drawText(plate, int(Qt.AlignmentFlag.AlignCenter), text)
        painter.restore()


def _colour(face: Face) -> QColor:
    if not face.judged:
        return SMALL
    if face.eyes is EyeState.CLOSED:
        return CLOSED
    colour = QColor(OPEN if face.eyes is EyeState.OPEN else UNKNOWN)
    if not face.key:
        colour.setAlpha(170)
    return colour

"""The loupe's people tools: the face boxes (O) and the close-ups (Shift+Z).

- O draws every face's box with its verdict (a key face solid, the others
  dashed, faces too small to judge thin; green eyes open or narrowed in a
  laugh, red shut only, grey can't tell) and a one-word label where it covers
  no other (`face_labels`); the face under the pointer or in close-up says its
  whole reason. Painted through the views' overlay hooks.
- Shift+Z zooms to 100 % on the next face, key faces first, largest first;
  after the last, back to fit; every pane of compare and survey follows.
- A sentence about a photo's faces is replaced when the loupe moves on
  (`photo_shown`), unless someone else spoke since (`heard`).
Boxes, stored in fractions of the upright image, are turned by the
photographer's quarter-turns (`turned_box`). The faces come from the page's
`PhotoDetails`; `painted` keeps what the last paint drew (widget pixels).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from PySide6.QtCore import QEvent, QObject, QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QMouseEvent, QPainter, QPen
from PySide6.QtWidgets import QWidget

from curator.catalog.queries import GalleryRow, PhotoDetails
from curator.imaging.orientation import turned_box
from curator.records import EyeState, Face
from curator.ui.loupe.face_labels import (
    label_order,
    long_label,
    people_sentence,
    place_labels,
    short_label,
)
from curator.ui.loupe.synced_panes import SyncedPanes
from curator.ui.loupe.view import LoupeView
from curator.ui.loupe.zoom import Box, Point


class ZoomsTo(Protocol):
    def zoom_to(self, center: Point | None) -> None: ...


OPEN = QColor(80, 200, 120)
CLOSED = QColor(235, 80, 60)
UNKNOWN = QColor(190, 190, 190)
SMALL = QColor(150, 150, 150, 150)
PLATE = QColor(0, 0, 0, 190)
FOCUS_PLATE = QColor(0, 0, 0, 230)
BACK_TO_FIT = "Back to fit (every face seen)."
PAINTED_KEPT = 16  # photos' painted boxes kept (a survey shows up to 9)


def close_up_order(faces: tuple[Face, ...]) -> list[Face]:
    """The faces Shift+Z visits: judged ones, key faces first, largest first."""
    judged = [f for f in faces if f.judged]
    return sorted(judged, key=lambda f: (not f.key, -f.size_px))


@dataclass(frozen=True)
class PaintedLabel:
    face: int  # index in the photo's faces
    box: Box  # widget pixels
    text: str
    long: bool  # the whole reason (the focused face), not the short word


@dataclass(frozen=True)
class PaintedFaces:
    """What one paint drew over one photo: each face's box, and its label if placed."""

    boxes: tuple[Box, ...]
    labels: tuple[PaintedLabel, ...]
    bounds: Box  # what the labels had to stay in (the visible image)


class LoupeFaces(QObject):
    """The face boxes and close-ups of one loupe; `watch` hooks it into the views
    it paints over (their overlays, and an event filter for the pointer)."""

    def __init__(
        self,
        details: Callable[[int], PhotoDetails | None],
        notice: Callable[[str], object],
        parent: QObject | None = None,
    ):
        super().__init__(parent)
        self.details, self.notice = details, notice
        self.boxes_on = False
        self.close_up: tuple[int, int] | None = None  # (photo id, index in close_up_order)
        self.hovered: tuple[int, int, int] | None = None  # (id(widget), photo id, face index)
        self.painted: dict[tuple[int, int], PaintedFaces] = {}  # (id(widget), photo id)
        self.spoken = ""  # the last sentence said here about one photo's faces
        self.spoken_of: int | None = None  # ... that photo, while it stands

    def watch(self, loupe: LoupeView, *panes: SyncedPanes) -> None:
        """Paint the boxes over these views and follow the pointer on them."""
        loupe.overlays.append(lambda p, image, area: self.paint(p, loupe.photo, image, area))
        for synced in panes:
            synced.overlays.append(self.paint)
        for widget in (loupe, *panes):
            widget.installEventFilter(self)  # the face under the pointer

    def faces(self, row: GalleryRow | None) -> tuple[Face, ...]:
        details = None if row is None else self.details(row.id)
        return () if details is None or details.people is None else details.people.faces

    def toggle_boxes(self, shown_in: QWidget) -> None:
        """O: the boxes on or off (`shown_in` repaints)."""
        self.boxes_on = not self.boxes_on
        if not self.boxes_on:
            self.hovered = None
        self.notice(
            "Face boxes shown (O hides them; point at a face for its whole verdict)."
            if self.boxes_on
            else "Face boxes hidden."
        )
        shown_in.update()

    def close_up_next(self, row: GalleryRow | None, shown_in: ZoomsTo) -> None:
        """Shift+Z: `shown_in` (the loupe, compare or survey) at 100 % on the next face."""
        point, sentence = self.next_close_up(row)
        shown_in.zoom_to(point)
        about = None if row is None or sentence == BACK_TO_FIT else row.id
        self._say(sentence, about)
        if isinstance(shown_in, QWidget):
            shown_in.update()  # the face in close-up gets its whole verdict

    def next_close_up(self, row: GalleryRow | None) -> tuple[Point | None, str]:
        """The normalised point to show at 100 % next (None: fit), and its sentence."""
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
            return None, BACK_TO_FIT
        self.close_up = (row.id, index)
        face = order[index]
        x, y, w, h = turned_box(face.box, row.rotation)
        return Point(x + w / 2, y + h / 2), (
            f"Face {index + 1} of {len(order)} at 100 % ({long_label(face)}); Shift+Z: the next."
        )

    # --- the status line follows the photo ------------------------------------------

    def heard(self, sentence: str) -> None:
        """A sentence went to the status line: one not said here replaces ours."""
        if sentence != self.spoken:
            self.spoken_of = None

    def photo_shown(self, row: GalleryRow | None, *, zoomed: bool) -> None:
        """The loupe now shows `row`: another photo's standing face sentence gives way."""
        if self.spoken_of is None or row is None or row.id == self.spoken_of:
            return
        self._say(self.photo_sentence(row), row.id if zoomed else None)

    def photo_sentence(self, row: GalleryRow) -> str:
        """ "IMG_0412.jpg: 3 faces (1 key): 1 closed · 2 open; key face sharpness 70.
        Shift+Z: face 1 of 3." (or why none was judged)."""
        details = self.details(row.id)
        people = None if details is None else details.people
        faces = () if people is None else people.faces
        judged = len(close_up_order(faces))
        if not judged:
            why = people.note if people is not None else "its faces not read yet."
            return f"{row.file_name}: {why}"
        return f"{row.file_name}: {people_sentence(faces)} Shift+Z: face 1 of {judged}."

    def _say(self, sentence: str, photo_id: int | None) -> None:
        self.spoken, self.spoken_of = sentence, photo_id
        self.notice(sentence)

    # --- the pointer's face ----------------------------------------------------------

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if not self.boxes_on or not isinstance(watched, QWidget):
            return False
        if event.type() == QEvent.Type.MouseMove and isinstance(event, QMouseEvent):
            self.point_at(watched, event.position())
        elif event.type() == QEvent.Type.Leave:
            self.point_at(watched, None)
        return False

    def point_at(self, widget: QWidget, pos: QPointF | None) -> None:
        """The pointer is at `pos` over `widget` (None: it left): the face under
        it (the smallest whose box or label holds it) gets its whole verdict."""
        found: tuple[int, int, int] | None = None
        if pos is not None:
            x, y = pos.x(), pos.y()
            best = float("inf")
            shown = _shown_ids(widget)
            for (wid, photo_id), painted in self.painted.items():
                if wid != id(widget) or photo_id not in shown:
                    continue
                hits = [(i, b) for i, b in enumerate(painted.boxes) if _holds(b, x, y)]
                hits += [(lb.face, lb.box) for lb in painted.labels if _holds(lb.box, x, y)]
                for i, b in hits:
                    if b.width * b.height < best:
                        best, found = b.width * b.height, (wid, photo_id, i)
        if found != self.hovered:
            self.hovered = found
            widget.update()

    # --- painting --------------------------------------------------------------------

    def focus(self, widget_id: int, row: GalleryRow, faces: tuple[Face, ...]) -> list[int]:
        """The faces whose whole verdict shows: the pointer's, the close-up's."""
        out: list[int] = []
        hovered = self.hovered
        if hovered and hovered[:2] == (widget_id, row.id) and hovered[2] < len(faces):
            out.append(hovered[2])
        if self.close_up and self.close_up[0] == row.id:
            order = close_up_order(faces)
            if self.close_up[1] < len(order):
                face = order[self.close_up[1]]
                index = next(i for i, f in enumerate(faces) if f is face)
                if index not in out:
                    out.append(index)
        return out

    def paint(self, painter: QPainter, row: GalleryRow | None, image: QRectF, area: QRectF) -> None:
        """The boxes of `row`'s faces over its picture drawn at `image`, clipped to `area`."""
        if not self.boxes_on or row is None or image.isEmpty():
            return
        faces = self.faces(row)
        if not faces:
            return
        widget_id = id(painter.device())
        visible = image.intersected(area)
        bounds = Box(visible.left(), visible.top(), visible.width(), visible.height())
        boxes = []
        for face in faces:
            x, y, w, h = turned_box(face.box, row.rotation)
            boxes.append(
                Box(
                    image.left() + x * image.width(),
                    image.top() + y * image.height(),
                    w * image.width(),
                    h * image.height(),
                )
            )
        focus = self.focus(widget_id, row, faces)
        metrics = painter.fontMetrics()
        texts: list[str | None] = []
        sizes: list[tuple[float, float] | None] = []
        for i, face in enumerate(faces):
            text: str | None = None
            if i in focus:
                text = long_label(face)
                room = max(0, int(bounds.width) - 8)
                text = metrics.elidedText(text, Qt.TextElideMode.ElideRight, room)
            elif face.judged:
                text = short_label(face)
            texts.append(text)
            sizes.append(
                None
                if not text
                else (metrics.horizontalAdvance(text) + 8.0, metrics.height() + 2.0)
            )
        labelled = [i for i, s in enumerate(sizes) if s is not None]
        places = place_labels(boxes, sizes, bounds, label_order(faces, labelled, focus))
        painter.save()
        painter.setClipRect(area)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        for i, (face, box) in enumerate(zip(faces, boxes, strict=True)):
            pen = QPen(_colour(face), (2.0 if face.key else 1.2) + (1.0 if i in focus else 0.0))
            if face.judged and not face.key:
                pen.setStyle(Qt.PenStyle.DashLine)
            painter.setPen(pen)
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawRect(_qrect(box))
        drawn: list[PaintedLabel] = []
        for i, place in enumerate(places):
            text = texts[i]
            if place is None or text is None:
                continue
            plate = _qrect(place)
            painter.fillRect(plate, FOCUS_PLATE if i in focus else PLATE)
            colour = QColor(_colour(faces[i]))
            colour.setAlpha(255)
            painter.setPen(colour)
            painter.drawText(plate, int(Qt.AlignmentFlag.AlignCenter), text)
            drawn.append(PaintedLabel(i, place, text, i in focus))
        painter.restore()
        key = (widget_id, row.id)
        self.painted.pop(key, None)
        self.painted[key] = PaintedFaces(tuple(boxes), tuple(drawn), bounds)
        while len(self.painted) > PAINTED_KEPT:
            self.painted.pop(next(iter(self.painted)))


def _shown_ids(widget: QWidget) -> set[int]:
    """The photos `widget` shows now (its earlier photos' boxes are not hit)."""
    if isinstance(widget, LoupeView):
        return set() if widget.photo is None else {widget.photo.id}
    if isinstance(widget, SyncedPanes):
        return {row.id for row, _ in widget.pane_photos() if row is not None}
    return set()


def _qrect(box: Box) -> QRectF:
    return QRectF(box.left, box.top, box.width, box.height)


def _holds(box: Box, x: float, y: float) -> bool:
    return box.left <= x <= box.right and box.top <= y <= box.bottom


def _colour(face: Face) -> QColor:
    if not face.judged:
        return SMALL
    if face.eyes is EyeState.CLOSED:
        return CLOSED
    colour = QColor(OPEN if face.eyes in (EyeState.OPEN, EyeState.NARROWED) else UNKNOWN)
    if not face.key:
        colour.setAlpha(170)
    return colour

"""The gallery grid: `ThumbnailDelegate` paints a cell, `GalleryView` asks for
thumbnails of the visible range only: every reason it may have changed is
coalesced into one zero-delay timer, which asks for the visible rows plus one
screen ahead, found by bisecting on `visualRect` (a cost independent of the
number of photos). A changed row asks again only inside the range last asked for.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from functools import partial

from PySide6.QtCore import (
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QPoint,
    QPointF,
    QRect,
    QRectF,
    QSize,
    QSizeF,
    Qt,
    QTimer,
    Signal,
    Slot,
)
from PySide6.QtGui import (
    QBrush,
    QColor,
    QFont,
    QFontMetrics,
    QMouseEvent,
    QPainter,
    QPainterPath,
    QPaintEvent,
    QPen,
    QPixmap,
    QPolygonF,
    QResizeEvent,
    QShowEvent,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QListView,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QWidget,
)

from curator.catalog.types import GalleryRow
from curator.ui.common.guard import ErrorReporter, guarded_slot
from curator.ui.common.image_loader import ImageKey, ImageLoader
from curator.ui.gallery.flags import PhotoFlags, badge_pills
from curator.ui.gallery.listing import thumbnail_key
from curator.ui.gallery.model import FlagsRole, GalleryListModel, PhotoRole
from curator.ui.gallery.scroll_hold import LAYOUT_BATCH, EndFollower, layout_partial
from curator.ui.gallery.tile_stamps import TileStamps
from curator.ui.review.decision_strip import (
    LABEL_COLORS,
    click_action,
    hit,
    strip_targets,
    strip_width,
)

CELL = QSize(212, 196)
TILE_STRIP = 12  # the size of a tile's flag/star/label glyphs
THUMB_EDGE = 196  # long edge the thumbnails are decoded at
_TEXT_H = 36

GOLD = QColor(240, 190, 60)
GREEN = QColor(70, 190, 100)
RED = QColor(220, 70, 60)
AMBER = QColor(235, 140, 40)
BLUE = QColor(80, 150, 235)
BLUE_DIM = QColor(60, 90, 140)
GREY = QColor(120, 120, 120)  # a fact, not a warning: RAW+JPEG
PINK = QColor(232, 84, 128)  # a client's heart (client galleries)
TEAL = QColor(60, 160, 160)  # a near-duplicate
CLIENT_HEART = "♥ CLIENT"
DUPLICATE = "DUPLICATE"  # the same picture stored again (issue 83; View ▸ Duplicates)
# Cull for me: a proposal's pills (its reasons are in the tooltip) and a proposed
# reject's picture, dimmed less than a decided reject's.
HIGHLIGHT, PROPOSED_KEEP, PROPOSED_REJECT = "HIGHLIGHT", "KEEP?", "REJECT?"
PROPOSED_REJECT_OPACITY = 0.55
MISSING = "MISSING"  # the pill on photos whose files are all gone
OFFLINE = "OFFLINE"  # the pill on photos whose file is not there now (what is cached shows)
# The Failed lane emptied (Retry all, or every file came right): not "no match",
# the photos are being measured again and show under All photos.
NO_FAILED = (
    "No failed photos. Photos you retried are being read again and appear under "
    "Show: All as they are measured."
)


def star_polygon(center: QPointF, outer: float) -> QPolygonF:
    points = []
    for i in range(10):
        r = outer if i % 2 == 0 else outer * 0.45
        a = -math.pi / 2 + i * math.pi / 5
        points.append(QPointF(center.x() + r * math.cos(a), center.y() + r * math.sin(a)))
    return QPolygonF(points)


def draw_stars(
    painter: QPainter, left: float, center_y: float, rating: int | None, size: float
) -> None:
    """Five stars, the first `rating` filled."""
    painter.save()
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    for i in range(5):
        poly = star_polygon(QPointF(left + size / 2 + i * (size + 2), center_y), size / 2)
        filled = rating is not None and i < rating
        painter.setPen(QPen(GOLD if filled else QColor(110, 110, 110), 1))
        painter.setBrush(QBrush(GOLD) if filled else Qt.BrushStyle.NoBrush)
        painter.drawPolygon(poly)
    painter.restore()


def draw_badge(painter: QPainter, rect: QRectF, kind: str) -> None:
    """A round badge: 'kept' (check), 'rejected' (cross), 'pick' (flag), 'failed' (!)."""
    painter.save()
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    colour = {"kept": GREEN, "rejected": RED, "pick": QColor(250, 250, 250), "failed": RED}[kind]
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(colour)
    painter.drawEllipse(rect)
    ink = QColor(30, 30, 30) if kind == "pick" else QColor(255, 255, 255)
    pen = QPen(ink, max(1.5, rect.width() / 9))
    pen.setCapStyle(Qt.PenCapStyle.RoundCap)
    painter.setPen(pen)
    x, y, w, h = rect.x(), rect.y(), rect.width(), rect.height()
    path = QPainterPath()
    if kind == "kept":
        path.moveTo(x + w * 0.28, y + h * 0.52)
        path.lineTo(x + w * 0.44, y + h * 0.68)
        path.lineTo(x + w * 0.72, y + h * 0.34)
    elif kind == "rejected":
        path.moveTo(x + w * 0.32, y + h * 0.32)
        path.lineTo(x + w * 0.68, y + h * 0.68)
        path.moveTo(x + w * 0.68, y + h * 0.32)
        path.lineTo(x + w * 0.32, y + h * 0.68)
    elif kind == "pick":
        path.moveTo(x + w * 0.36, y + h * 0.75)
        path.lineTo(x + w * 0.36, y + h * 0.25)
        path.lineTo(x + w * 0.70, y + h * 0.38)
        path.lineTo(x + w * 0.36, y + h * 0.50)
    else:
        path.moveTo(x + w * 0.5, y + h * 0.25)
        path.lineTo(x + w * 0.5, y + h * 0.58)
        path.moveTo(x + w * 0.5, y + h * 0.74)
        path.lineTo(x + w * 0.5, y + h * 0.75)
    painter.setBrush(Qt.BrushStyle.NoBrush)
    painter.drawPath(path)
    painter.restore()


def paint_strip(
    painter: QPainter, left: float, center_y: float, size: float, row: GalleryRow
) -> None:
    """Flags (lit when set), stars, and the label's dot: drawn once per look
    (`_GLYPHS`) and stamped after (~0.8 of a tile's ~1.4 ms otherwise)."""
    state = (row.cull, bool(row.picked), row.rating, row.label)
    height = size + 2
    pixmap = cached_glyph(
        painter,
        ("strip", size, *state),
        QSizeF(strip_width(size) + 2, height),
        lambda p: _draw_strip(p, 1.0, height / 2, size, *state),
    )
    painter.drawPixmap(QPoint(round(left - 1), round(center_y - height / 2)), pixmap)


def _draw_strip(
    painter: QPainter,
    left: float,
    center_y: float,
    size: float,
    cull: str | None,
    picked: bool,
    rating: int | None,
    label: str | None,
) -> None:
    on = {"keep": cull == "kept", "reject": cull == "rejected", "pick": picked}
    targets = strip_targets(left, center_y, size)
    painter.save()
    for target in targets[:3]:
        flag = target.name.removeprefix("flag_")
        painter.setOpacity(1.0 if on[flag] else 0.28)
        draw_badge(painter, target.rect, {"keep": "kept", "reject": "rejected"}.get(flag, flag))
    painter.setOpacity(1.0)
    draw_stars(painter, targets[3].rect.left(), center_y, rating, size)
    color = LABEL_COLORS.get(label or "")
    if color is not None:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(QPen(QColor(20, 20, 20), 1))
        painter.setBrush(color)
        painter.drawEllipse(targets[-1].rect)
    painter.setBrush(Qt.BrushStyle.NoBrush)
    painter.restore()


def _draw_badge_at_origin(painter: QPainter, kind: str) -> None:
    draw_badge(painter, QRectF(0, 0, 20, 20), kind)


_GLYPHS: dict[tuple[object, ...], QPixmap] = {}
_GLYPHS_MAX = 512  # looks x sizes x screens: a few dozen in practice


def cached_glyph(
    painter: QPainter,
    key: tuple[object, ...],
    size: QSizeF,
    draw: Callable[[QPainter], None],
) -> QPixmap:
    """`draw` (which depends on `key` alone) rendered once into a transparent
    pixmap of `size` at the painter's device pixel ratio, and kept."""
    ratio = painter.device().devicePixelRatioF()
    full = (*key, size.width(), size.height(), ratio)
    pixmap = _GLYPHS.get(full)
    if pixmap is None:
        if len(_GLYPHS) >= _GLYPHS_MAX:
            _GLYPHS.clear()
        pixmap = QPixmap(math.ceil(size.width() * ratio), math.ceil(size.height() * ratio))
        pixmap.setDevicePixelRatio(ratio)
        pixmap.fill(Qt.GlobalColor.transparent)
        glyph_painter = QPainter(pixmap)
        try:
            draw(glyph_painter)
        finally:
            glyph_painter.end()
        _GLYPHS[full] = pixmap
    return pixmap


def placeholder_rect(area: QRect, row: GalleryRow) -> QRect:
    """Where a tile's picture will be: `area` fitted to the photo's aspect (from
    its header), so the picture arriving moves nothing; `area` when unknown."""
    if not row.width or not row.height:
        return area
    shape = QSize(row.height, row.width) if row.rotation % 2 else QSize(row.width, row.height)
    size = shape.scaled(area.size(), Qt.AspectRatioMode.KeepAspectRatio)
    target = QRect(0, 0, size.width(), size.height())
    target.moveCenter(area.center())
    return target


def state_badges(row: GalleryRow) -> list[str]:
    badges = []
    if row.failed:
        badges.append("failed")
    if row.cull in ("kept", "rejected"):
        badges.append(row.cull)
    if row.picked:
        badges.append("pick")
    return badges


def draw_pill(painter: QPainter, right: float, top: float, text: str, fill: QColor) -> float:
    """A small rounded label whose right edge is at `right`; returns its left edge."""
    painter.save()
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    font = QFont(painter.font())
    font.setPointSizeF(7.5)
    font.setBold(True)
    painter.setFont(font)
    width = painter.fontMetrics().horizontalAdvance(text) + 10
    rect = QRectF(right - width, top, width, 16)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(fill)
    painter.drawRoundedRect(rect, 4, 4)
    painter.setPen(QColor(25, 25, 25) if fill.lightness() > 140 else QColor(255, 255, 255))
    painter.drawText(rect, int(Qt.AlignmentFlag.AlignCenter), text)
    painter.restore()
    return rect.left()


def draw_pill_rows(
    painter: QPainter,
    area: QRect | QRectF,
    pills: list[tuple[str, QColor]],
    top: float,
    step: float,
) -> None:
    """`pills` right-aligned in `area` from `top`, a new row `step` px further
    when the next would pass the area's left edge (never overflowing)."""
    right = area.right() - 3.0
    for text, colour in pills:
        if right - pill_width(painter, text) < area.left() + 3 and right < area.right() - 3.0:
            right, top = area.right() - 3.0, top + step
        right = draw_pill(painter, right, top, text, colour) - 3


def pill_width(painter: QPainter, text: str) -> float:
    """The width `draw_pill` gives `text`."""
    font = QFont(painter.font())
    font.setPointSizeF(7.5)
    font.setBold(True)
    return float(QFontMetrics(font).horizontalAdvance(text) + 10)


def flag_pills(flags: PhotoFlags) -> tuple[list[tuple[str, QColor]], list[tuple[str, QColor]]]:
    """(top-right pills, bottom-right pills) for a cell's badges."""
    top = [(MISSING, RED)] if flags.missing else [(OFFLINE, AMBER)] if flags.offline else []
    if flags.match:
        top.append(("MATCH", GOLD))
    if flags.highlight:
        top.append((HIGHLIGHT, GOLD))
    if flags.client_heart:  # the client's say, never the photographer's decision
        top.append((CLIENT_HEART, PINK))
    if flags.proposed is not None:  # cull for me: a proposal, never a decision
        text = PROPOSED_KEEP if flags.proposed == "keep" else PROPOSED_REJECT
        top.append((f"{text} {flags.proposed_why}".strip(), GREY))
    bottom = [(text, AMBER) for text in badge_pills(flags)]  # the cull checks' (cull.table)
    if flags.burst_best:
        bottom.append(("BURST ★", BLUE))
    elif flags.burst:
        bottom.append(("BURST", BLUE_DIM))
    if flags.duplicate:
        bottom.append((DUPLICATE, TEAL))
    if flags.paired:
        bottom.append(("RAW+JPEG", GREY))
    return top, bottom


def cell_size(width: int) -> QSize:
    """A gallery cell `width` px wide: the image area in CELL's shape, the text as high."""
    return QSize(width, round((CELL.height() - _TEXT_H) * width / CELL.width()) + _TEXT_H)


def fitted_cell_width(row_width: int, wanted: int) -> int:
    """The width of each cell when cells of about `wanted` px fill `row_width`:
    as many whole columns as fit (at least one), sharing the row less one pixel
    (Qt wraps a cell whose right edge reaches the viewport's)."""
    usable = row_width - 1
    if usable < wanted:
        return wanted
    columns = max(1, usable // wanted)
    return usable // columns


def strip_origin(cell_rect: QRect) -> tuple[float, float]:
    """Where a tile's decision strip starts (left, centre y) in its cell rect."""
    cell = QRect(cell_rect).adjusted(3, 3, -3, -3)
    text_top = cell.bottom() - _TEXT_H + 4
    return float(cell.left() + 8), float(text_top + 8)


def paint_tile(
    painter: QPainter,
    *,
    rect: QRect,
    row: GalleryRow,
    pixmap: QPixmap | None,
    flags: PhotoFlags | None,
    selected: bool,
) -> None:
    """One gallery tile in its cell `rect`, all but its decision strip: the
    picture (a reject dimmed), badges, pills, the label's edge and the name. It
    covers the cell (less its margin) opaquely, so `ThumbnailDelegate` stamps it;
    the strip, which may reach past a small cell's edge, is drawn after it."""
    painter.save()
    cell = QRect(rect).adjusted(3, 3, -3, -3)
    painter.fillRect(cell, QColor(70, 100, 150) if selected else QColor(44, 44, 46))
    image_area = cell.adjusted(6, 6, -6, -_TEXT_H)
    if row.failed:
        painter.fillRect(image_area, QColor(60, 30, 30))
        painter.setPen(QColor(240, 200, 200))
        painter.drawText(
            image_area.adjusted(8, 30, -8, -4),
            int(
                Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop | Qt.TextFlag.TextWordWrap
            ),
            f"Failed\n{row.failed_reason}",
        )
    elif pixmap is not None and not pixmap.isNull():
        size = pixmap.size().scaled(image_area.size(), Qt.AspectRatioMode.KeepAspectRatio)
        target = QRect(0, 0, size.width(), size.height())
        target.moveCenter(image_area.center())
        if row.cull == "rejected":
            painter.setOpacity(0.3)
        elif row.proposal is not None and row.proposal.verdict.value == "reject":
            painter.setOpacity(PROPOSED_REJECT_OPACITY)  # dimmed, less than a reject
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        painter.drawPixmap(target, pixmap)
        painter.setOpacity(1.0)
    else:  # no picture yet: its frame, at the photo's shape when the header told it
        painter.fillRect(placeholder_rect(image_area, row), QColor(56, 56, 58))
    for i, badge in enumerate(state_badges(row)):
        stamp = cached_glyph(
            painter,
            ("badge", badge),
            QSizeF(20, 20),
            partial(_draw_badge_at_origin, kind=badge),
        )
        painter.drawPixmap(QPoint(image_area.left() + 4 + i * 24, image_area.top() + 4), stamp)
    if isinstance(flags, PhotoFlags):
        top, bottom = flag_pills(flags)
        if row.failed:  # the failure text fills the cell: only MISSING is added
            top, bottom = [p for p in top if p[0] in (MISSING, OFFLINE)], []
        draw_pill_rows(painter, image_area, top, image_area.top() + 4, 19)
        draw_pill_rows(painter, image_area, bottom, image_area.bottom() - 19, -19)
    text_top = image_area.bottom() + 4
    label = LABEL_COLORS.get(row.label or "")
    if label is not None:  # the label also edges the cell, seen from afar
        painter.fillRect(QRect(cell.left(), cell.bottom() - 2, cell.width(), 3), label)
    font = QFont(painter.font())
    font.setPointSizeF(max(7.0, font.pointSizeF() * 0.85))
    painter.setFont(font)
    painter.setPen(QColor(120, 120, 120) if row.cull == "rejected" else QColor(210, 210, 210))
    name_rect = QRect(cell.left() + 8, text_top + 16, cell.width() - 16, 16)
    name = painter.fontMetrics().elidedText(
        row.file_name, Qt.TextElideMode.ElideMiddle, name_rect.width()
    )
    painter.drawText(
        name_rect, int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter), name
    )
    painter.restore()


class ThumbnailDelegate(QStyledItemDelegate):
    """Paints thumbnail, stars, keep/reject/pick badges (rejects dimmed), failed
    marker, MISSING, OFFLINE and MATCH badges, blur/clipped warnings and the burst marker."""

    cell = CELL  # GalleryView.set_cell_width changes it per view

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.stamps = TileStamps()  # each tile drawn once per look

    def sizeHint(
        self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> QSize:
        return self.cell

    def paint(
        self,
        painter: QPainter,
        option: QStyleOptionViewItem,
        index: QModelIndex | QPersistentModelIndex,
    ) -> None:
        row = index.data(PhotoRole)
        if not isinstance(row, GalleryRow):
            return
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        pixmap = index.data(Qt.ItemDataRole.DecorationRole)
        flags = index.data(FlagsRole)
        picture = pixmap.cacheKey() if isinstance(pixmap, QPixmap) else None
        look = (picture, flags, selected, painter.font().key())
        self.stamps.paint(
            painter,
            row.id,
            row,
            look,
            QRect(option.rect).adjusted(3, 3, -3, -3),
            partial(
                paint_tile,
                rect=QRect(option.rect),
                row=row,
                pixmap=pixmap,
                flags=flags,
                selected=selected,
            ),
        )
        left, center_y = strip_origin(option.rect)
        paint_strip(painter, left, center_y, TILE_STRIP, row)


class GalleryView(QListView):
    """QListView in IconMode that loads thumbnails for what is on screen. A click
    on a tile's flags or stars emits `decision_clicked(action, id)` instead of
    selecting; an empty grid says why (`empty_text`); tiles on screen listed
    without a thumbnail are named in `thumbnails_wanted(paths)`."""

    decision_clicked = Signal(str, int)  # review action (decision_strip), photo id
    thumbnails_wanted = Signal(list)  # paths of on-screen photos with no thumbnail yet

    def __init__(
        self,
        model: GalleryListModel,
        thumbnails: ImageLoader,
        errors: ErrorReporter,
        parent: QWidget | None = None,
    ):
        super().__init__(parent)
        self.thumbnails, self.errors = thumbnails, errors
        # Made first: Qt calls `updateGeometries` from setModel and the setters below.
        self._visible_timer = QTimer(self)
        self._visible_timer.setSingleShot(True)
        self._visible_timer.setInterval(0)
        self._visible_timer.timeout.connect(self._request_visible)
        self.end_follower = EndFollower(self.verticalScrollBar())
        self.setViewMode(QListView.ViewMode.IconMode)
        self.setResizeMode(QListView.ResizeMode.Adjust)
        self.setMovement(QListView.Movement.Static)
        self.setUniformItemSizes(True)
        self.setGridSize(CELL)
        self.wanted_cell_width = CELL.width()  # the slider's; cells stretch to fill a row
        self.setSpacing(0)
        self.setLayoutMode(QListView.LayoutMode.Batched)
        self.setBatchSize(LAYOUT_BATCH)
        self.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.delegate = ThumbnailDelegate(self)
        self.setItemDelegate(self.delegate)
        self.setModel(model)
        self.gallery_model = model
        self.empty_text = ""
        self._waiting: list[str] = []  # the last `thumbnails_wanted`
        self._asked = range(0)  # the rows the last request covered (visible + ahead)
        # Never connect a signal with arguments straight to QTimer.start: the
        # scroll bar's value (pixels) would become the timer's interval (ms).
        self.verticalScrollBar().valueChanged.connect(self._schedule_visible)
        for signal in (
            model.rowsInserted,
            model.rowsRemoved,
            model.modelReset,
            model.layoutChanged,
        ):
            signal.connect(self._schedule_visible)
        # A row changed (a new thumbnail key): ask for it; DecorationRole alone asks nothing.
        model.dataChanged.connect(self._on_data_changed)

    def _schedule_visible(self, *_args: object) -> None:
        """Ask for the visible thumbnails on the next turn of the event loop (coalesced)."""
        self._visible_timer.start(0)

    def _on_data_changed(
        self, first: QModelIndex, last: QModelIndex, roles: list[int] | None = None
    ) -> None:
        if list(roles or []) == [Qt.ItemDataRole.DecorationRole]:
            return
        # Rows off the range last asked for need nothing: anything that moves
        # the range asks again itself.
        asked = self._asked
        if last.row() < asked.start or first.row() >= asked.stop:
            return
        self._visible_timer.start(0)

    def set_empty_text(self, text: str) -> None:
        if text != self.empty_text:
            self.empty_text = text
            self.viewport().update()

    def paintEvent(self, event: QPaintEvent) -> None:
        visible = self.visible_rows()
        self.gallery_model.read_visible(visible)  # one read for the tiles below
        self.delegate.stamps.keep_screens_of(len(visible))
        super().paintEvent(event)
        if self.gallery_model.rest_pending:  # the first page is on screen: now the rest
            QTimer.singleShot(0, self.gallery_model, self.gallery_model.fetch_rest)
        if self.gallery_model.rowCount() == 0 and self.empty_text:
            painter = QPainter(self.viewport())
            painter.setPen(QColor(170, 170, 170))
            font = QFont(painter.font())
            font.setPointSizeF(font.pointSizeF() * 1.3)
            painter.setFont(font)
            painter.drawText(
                self.viewport().rect().adjusted(20, 20, -20, -20),
                int(Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap),
                self.empty_text,
            )

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            pos = event.position()
            index = self.indexAt(pos.toPoint())
            row = index.data(PhotoRole) if index.isValid() else None
            if isinstance(row, GalleryRow):
                left, center_y = strip_origin(self.visualRect(index))
                target = hit(left, center_y, TILE_STRIP, pos)
                if target is not None:
                    self.decision_clicked.emit(click_action(target, row), row.id)
                    event.accept()
                    return
        super().mousePressEvent(event)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._fit_cells()
        self._visible_timer.start(0)

    def set_cell_width(self, width: int) -> None:
        """Cells about `width` px wide, stretched so the row fills the grid (the
        height in CELL's proportion); the current photo stays in view."""
        self.wanted_cell_width = max(1, int(width))
        if self._fit_cells():
            current = self.currentIndex()
            if current.isValid():
                self.scrollTo(current)
            self._visible_timer.start(0)

    def _fit_cells(self) -> bool:
        """Stretch the cells so a row fills the width (`fitted_cell_width`), taken
        as if the scroll bar showed, so it coming or going never re-lays the grid
        out. True when it changed."""
        size = cell_size(fitted_cell_width(self._row_width(), self.wanted_cell_width))
        if size == self.delegate.cell:
            return False
        self.delegate.cell = size
        self.setGridSize(size)
        return True

    def _row_width(self) -> int:
        scroll_bar = self.verticalScrollBar().sizeHint().width()
        return self.width() - 2 * self.frameWidth() - scroll_bar

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self._visible_timer.start(0)

    def visible_rows(self, ahead_screens: float = 0.0) -> range:
        """Rows whose cells intersect the viewport (plus `ahead_screens` below),
        among the rows laid out so far: rows not laid out yet (an empty rect)
        count as below the viewport, never above."""
        n = self.gallery_model.rowCount()
        if n == 0:
            return range(0)
        height = self.viewport().height()
        bottom = height + int(height * ahead_screens)
        lo, hi = 0, n  # first row whose cell bottom is on screen
        while lo < hi:
            mid = (lo + hi) // 2
            rect = self.visualRect(self.gallery_model.index(mid))
            if rect.isValid() and rect.bottom() < 0:
                lo = mid + 1
            else:
                hi = mid
        first, last = lo, lo
        while last < n:
            rect = self.visualRect(self.gallery_model.index(last))
            if not rect.isValid() or rect.top() > bottom:
                break
            last += 1
        return range(first, last)

    def updateGeometries(self) -> None:
        """Qt's hook after a layout (a batched one's last batch included): the
        scroll range is set once the whole list is laid out (`layout_partial`),
        the end followed (`EndFollower`); the rows on screen may have cells only
        now, so ask for their thumbnails."""
        if layout_partial(self):
            return
        super().updateGeometries()
        self.end_follower.hold()
        self._visible_timer.start(0)

    @Slot()
    @guarded_slot
    def _request_visible(self) -> None:
        keys: list[ImageKey] = []
        waiting: list[str] = []  # listed by an import, no thumbnail decoded yet
        self._asked = self.visible_rows(ahead_screens=1.0)
        self.gallery_model.read_visible(self._asked)  # the screen ahead's rows, in one read
        for row in self._asked:
            photo = self.gallery_model.photo_row(row)
            key = None if photo is None else thumbnail_key(photo)
            if key is not None:
                keys.append(key)
            elif photo and not (photo.preview_key or photo.failed_reason or photo.missing):
                waiting.append(photo.path)
        self.thumbnails.request(keys)
        if waiting and waiting != self._waiting:
            self.thumbnails_wanted.emit(waiting)
        self._waiting = waiting

"""The loupe's widgets: `LoupeView` paints one photo fit to the window,
`InfoPanel` shows its fields, `HelpOverlay` lists every key.

`LoupeView` only paints what it is given (a pixmap, or a placeholder while
the preview loads); loading and prefetch live in the loupe page.
"""

from __future__ import annotations

import contextlib

from PySide6.QtCore import QRect, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QKeyEvent, QMouseEvent, QPainter, QPaintEvent, QPixmap
from PySide6.QtWidgets import QFormLayout, QLabel, QSizePolicy, QWidget

from curator.catalog.queries import GalleryRow
from curator.ui import format as fmt
from curator.ui.gallery_view import draw_badge, draw_stars, state_badges
from curator.ui.keymap import help_rows


class LoupeView(QWidget):
    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMinimumSize(320, 240)
        self.photo: GalleryRow | None = None
        self.pixmap: QPixmap | None = None
        self.is_preview = False  # False: a thumbnail stands in until the preview arrives
        self.caption = ""
        self.empty_text = "Nothing to review."
        self.painted_photo_id: int | None = None  # what the last paint showed (tests, bench)

    def show_photo(
        self, row: GalleryRow | None, pixmap: QPixmap | None, *, is_preview: bool
    ) -> None:
        self.photo, self.pixmap, self.is_preview = row, pixmap, is_preview
        self.update()

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.fillRect(self.rect(), QColor(18, 18, 18))
        row = self.photo
        if row is None:
            painter.setPen(QColor(170, 170, 170))
            painter.drawText(
                self.rect(),
                int(Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap),
                self.empty_text,
            )
            self.painted_photo_id = None
            return
        area = self.rect().adjusted(12, 12, -12, -40)
        if self.pixmap is not None and not self.pixmap.isNull():
            size = self.pixmap.size().scaled(area.size(), Qt.AspectRatioMode.KeepAspectRatio)
            target = QRect(0, 0, size.width(), size.height())
            target.moveCenter(area.center())
            painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
            if row.cull == "rejected":
                painter.setOpacity(0.45)
            painter.drawPixmap(target, self.pixmap)
            painter.setOpacity(1.0)
        elif row.failed:
            painter.setPen(QColor(240, 180, 180))
            painter.drawText(
                area,
                int(Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap),
                f"This photo failed to import.\n{row.failed_reason}",
            )
        else:
            painter.setPen(QColor(150, 150, 150))
            painter.drawText(area, int(Qt.AlignmentFlag.AlignCenter), "Loading…")
        bar_y = self.height() - 28
        for i, badge in enumerate(state_badges(row)):
            draw_badge(painter, QRectF(14 + i * 26, bar_y - 2, 22, 22), badge)
        draw_stars(painter, 14 + 26 * len(state_badges(row)) + 6, bar_y + 9, row.rating, 15)
        painter.setPen(QColor(200, 200, 200))
        painter.drawText(
            QRect(160, bar_y - 4, self.width() - 174, 26),
            int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter),
            self.caption,
        )
        self.painted_photo_id = row.id


class InfoPanel(QWidget):
    """File, capture time, camera/lens/exposure, scores and decision state."""

    FIELDS = (
        "File",
        "Captured",
        "Camera",
        "Lens",
        "Exposure",
        "Size",
        "Sharpness",
        "Exposure score",
        "Preference",
        "State",
        "Rating",
    )

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setFixedWidth(280)
        self.setAutoFillBackground(True)
        layout = QFormLayout(self)
        layout.setLabelAlignment(Qt.AlignmentFlag.AlignRight)
        self.values: dict[str, QLabel] = {}
        for name in self.FIELDS:
            value = QLabel("—")
            value.setWordWrap(True)
            value.setTextInteractionFlags(Qt.TextInteractionFlag.NoTextInteraction)
            self.values[name] = value
            layout.addRow(f"{name}:", value)

    def show_row(self, row: GalleryRow | None) -> None:
        if row is None:
            for label in self.values.values():
                label.setText("—")
            return
        size = f"{row.width} × {row.height}" if row.width and row.height else "—"
        texts = {
            "File": row.file_name,
            "Captured": fmt.when_text(row.captured_at),
            "Camera": row.camera or "—",
            "Lens": row.lens or "—",
            "Exposure": fmt.exposure_text(row),
            "Size": size,
            "Sharpness": fmt.score_text(row.sharpness_score),
            "Exposure score": fmt.score_text(row.exposure_score),
            "Preference": fmt.score_text(row.preference_score),
            "State": fmt.state_text(row) + (" · Failed" if row.failed else ""),
            "Rating": fmt.rating_text(row.rating),
        }
        for name, text in texts.items():
            self.values[name].setText(text)
        self.values["File"].setToolTip(row.path)


class HelpOverlay(QWidget):
    """A translucent sheet over the window listing every key; any key or click closes it."""

    def __init__(self, parent: QWidget):
        super().__init__(parent)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self._return_focus: QWidget | None = None
        self.hide()

    def toggle(self) -> None:
        if self.isVisible():
            self.close_overlay()
            return
        self._return_focus = self.window().focusWidget()
        parent = self.parentWidget()
        if parent is not None:
            self.setGeometry(parent.rect())
        self.show()
        self.raise_()
        self.setFocus()

    def close_overlay(self) -> None:
        """Hide, giving the focus back to where it was (the loupe, usually)."""
        self.hide()
        target, self._return_focus = self._return_focus, None
        if target is not None and target is not self:
            with contextlib.suppress(RuntimeError):  # the widget may be gone by now
                target.setFocus()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        self.close_overlay()
        event.accept()

    def mousePressEvent(self, event: QMouseEvent) -> None:
        self.close_overlay()

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.fillRect(self.rect(), QColor(0, 0, 0, 215))
        rows = [("Key", "Cull pass", "Rating pass"), *help_rows()]
        line = 24
        width = min(self.width() - 40, 760)
        left = (self.width() - width) // 2
        top = max(20, (self.height() - line * (len(rows) + 2)) // 2)
        title = QFont(painter.font())
        title.setPointSizeF(title.pointSizeF() * 1.4)
        title.setBold(True)
        painter.setFont(title)
        painter.setPen(QColor(255, 255, 255))
        painter.drawText(
            QRect(left, top, width, line + 8), int(Qt.AlignmentFlag.AlignLeft), "Keyboard"
        )
        body = QFont(painter.font())
        body.setPointSizeF(title.pointSizeF() / 1.4)
        columns = (0.0, 0.26, 0.63)
        for i, cells in enumerate(rows):
            body.setBold(i == 0)
            painter.setFont(body)
            painter.setPen(QColor(240, 190, 60) if i == 0 else QColor(230, 230, 230))
            y = top + (i + 1) * line + 12
            for j, text in enumerate(cells):
                x = left + int(columns[j] * width)
                w = int(((columns[j + 1] if j + 1 < len(columns) else 1.0) - columns[j]) * width)
                painter.drawText(
                    QRect(x, y, w - 8, line),
                    int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter),
                    text,
                )

"""`TagEditor`: a photo's tags as removable chips, and a field to add one
(completing over the catalog's `tag_names`). Adding goes through
`judgments.add_user_tag` after `normalise_tag` (an unusable name is refused
with a sentence); removing through `judgments.remove_tag` (a removed AI tag is
kept as feedback, a user tag deleted). Both are decisions, undone like a rating.
`TagLineEdit` claims every key while focused; Esc leaves it.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QPoint, QRect, QSize, QStringListModel, Qt, Signal, Slot
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QCompleter,
    QLabel,
    QLayout,
    QLayoutItem,
    QLineEdit,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
    QWidgetItem,
)

from curator.catalog import judgments
from curator.catalog.queries import PhotoTagInfo, tag_names
from curator.tags import TAG_MAX_CHARS, TAG_MIN_CHARS, normalise_tag
from curator.ui.common.guard import ErrorReporter, guarded_slot


class FlowLayout(QLayout):
    """Lays children out left to right, wrapping to the next line (tag chips)."""

    def __init__(self, parent: QWidget | None = None, spacing: int = 4):
        super().__init__(parent)
        self._items: list[QLayoutItem] = []
        self._spacing = spacing
        self.setContentsMargins(0, 0, 0, 0)

    def addItem(self, item: QLayoutItem) -> None:
        self._items.append(item)

    def count(self) -> int:
        return len(self._items)

    def itemAt(self, index: int) -> QLayoutItem | None:
        return self._items[index] if 0 <= index < len(self._items) else None

    def takeAt(self, index: int) -> QLayoutItem | None:
        return self._items.pop(index) if 0 <= index < len(self._items) else None

    def expandingDirections(self) -> Qt.Orientation:
        return Qt.Orientation(0)

    def hasHeightForWidth(self) -> bool:
        return True

    def heightForWidth(self, width: int) -> int:
        return self._arrange(QRect(0, 0, width, 0), move=False)

    def setGeometry(self, rect: QRect) -> None:
        super().setGeometry(rect)
        self._arrange(rect, move=True)

    def sizeHint(self) -> QSize:
        return self.minimumSize()

    def minimumSize(self) -> QSize:
        size = QSize()
        for item in self._items:
            size = size.expandedTo(item.minimumSize())
        return size

    def _arrange(self, rect: QRect, *, move: bool) -> int:
        x, y, line = rect.x(), rect.y(), 0
        for item in self._items:
            hint = item.sizeHint()
            if x + hint.width() > rect.right() + 1 and line > 0:
                x, y, line = rect.x(), y + line + self._spacing, 0
            if move:
                item.setGeometry(QRect(QPoint(x, y), hint))
            x += hint.width() + self._spacing
            line = max(line, hint.height())
        return y + line - rect.y()


class TagLineEdit(QLineEdit):
    """A line edit that owns every key while focused (no shortcut fires)."""

    escaped = Signal()

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ShortcutOverride:
            event.accept()  # the key comes to keyPressEvent instead of a shortcut
            return True
        return super().event(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Escape:
            popup = self.completer().popup() if self.completer() is not None else None
            if popup is None or not popup.isVisible():
                self.clear()
                self.escaped.emit()
                return
        super().keyPressEvent(event)


CHIP_STYLE = {
    "user": "QToolButton { background: #34506e; color: #f0f0f0; border-radius: 9px;"
    " padding: 1px 8px; } QToolButton:hover { background: #8a3a32; }",
    "ai": "QToolButton { background: #3c3c3e; color: #dcdcdc; border-radius: 9px;"
    " padding: 1px 8px; } QToolButton:hover { background: #8a3a32; }",
}


class TagEditor(QWidget):
    """Chips (click one to remove it) and an add field with completion."""

    tags_changed = Signal(int)  # photo id whose tags the user changed
    field_left = Signal()  # Esc in the field: the loupe takes the keys back

    def __init__(self, errors: ErrorReporter, parent: QWidget | None = None):
        super().__init__(parent)
        self.errors = errors
        self.photo_id: int | None = None
        self.tags: tuple[PhotoTagInfo, ...] = ()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(6)
        self.chips = QWidget(self)
        self.chips.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Minimum)
        self.flow = FlowLayout(self.chips)
        self.empty = QLabel("No tags yet.", self)
        self.empty.setStyleSheet("color: #8c8c8c;")
        self.field = TagLineEdit(self)
        self.field.setPlaceholderText("Add a tag…  (Enter)")
        self.field.setClearButtonEnabled(True)
        self.names = QStringListModel(self)
        completer = QCompleter(self.names, self)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        self.field.setCompleter(completer)
        self.message = QLabel("", self)
        self.message.setWordWrap(True)
        self.message.setStyleSheet("color: #ff8a7a;")
        self.message.hide()
        layout.addWidget(self.chips)
        layout.addWidget(self.empty)
        layout.addWidget(self.field)
        layout.addWidget(self.message)
        self.buttons: dict[str, QToolButton] = {}
        self.field.returnPressed.connect(self._on_return)
        self.field.escaped.connect(self._leave_field)
        self.field.textEdited.connect(lambda _text: self.message.hide())

    def show_tags(self, photo_id: int | None, tags: tuple[PhotoTagInfo, ...]) -> None:
        if photo_id != self.photo_id:
            self.field.clear()
            self.message.hide()
        self.photo_id = photo_id
        self.field.setEnabled(photo_id is not None)
        if tags == self.tags and len(self.buttons) == len(tags):
            return
        self.tags = tags
        while (item := self.flow.takeAt(0)) is not None:
            widget = item.widget()
            if widget is not None:
                widget.hide()  # gone from the screen now, deleted when control returns
                widget.deleteLater()
        self.buttons.clear()
        for tag in tags:
            button = QToolButton(self.chips)
            button.setText(f"{tag.name}  ×")
            button.setStyleSheet(CHIP_STYLE["user" if tag.source == "user" else "ai"])
            button.setCursor(Qt.CursorShape.PointingHandCursor)
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # clicking keeps the loupe's keys live
            origin = (
                "Your tag"
                if tag.source == "user"
                else "Suggested by the describer"
                + ("" if tag.confidence is None else f" (confidence {tag.confidence:.0f})")
            )
            button.setToolTip(f"{origin} — click to remove")
            button.clicked.connect(lambda _=False, name=tag.name: self.remove(name))
            self.flow.addItem(QWidgetItem(button))
            button.show()
            self.buttons[tag.name] = button
        self.empty.setVisible(not tags)
        self.flow.invalidate()
        self.chips.updateGeometry()

    def refresh_completions(self) -> None:
        self.names.setStringList(tag_names())

    @guarded_slot
    def add(self, text: str) -> bool:
        """Add `text` as a user tag of the current photo; False (with a message) if refused."""
        if self.photo_id is None or not text.strip():
            return False
        name = normalise_tag(text)
        if name is None:
            self._say(
                f"“{text.strip()}” can't be a tag: use {TAG_MIN_CHARS}–{TAG_MAX_CHARS} letters, "
                "digits, spaces or hyphens, and not a generic word like “photo”."
            )
            return False
        if any(t.name == name and t.source == "user" for t in self.tags):
            self._say(f"Already tagged “{name}”.")
            return False
        judgments.add_user_tag(self.photo_id, name)
        self.field.clear()
        self.message.hide()
        if name not in self.names.stringList():
            self.refresh_completions()
        self.tags_changed.emit(self.photo_id)
        return True

    @guarded_slot
    def remove(self, name: str) -> None:
        if self.photo_id is None:
            return
        if judgments.remove_tag(self.photo_id, name):
            self.tags_changed.emit(self.photo_id)

    def _say(self, text: str) -> None:
        self.message.setText(text)
        self.message.show()

    @Slot()
    def _on_return(self) -> None:
        self.add(self.field.text())

    @Slot()
    def _leave_field(self) -> None:
        self.message.hide()
        self.field_left.emit()

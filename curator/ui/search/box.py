"""`SearchBox`: the toolbar's search field and its "≈ Similar" toggle; it only
says what the user asked for. Plain words are a text search; the toggle or a
`~` prefix a semantic one. Enter searches at once (`entered`), typing after
`DEBOUNCE_MS`; Esc empties it (`escaped`: the keys go back to the page),
emptying by hand is `cleared`. The tooltip lists every filter token
(`search.tokens.tokens_tooltip`); the field takes every printable key.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import Qt, QTimer, Signal, Slot
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QHBoxLayout, QLineEdit, QSizePolicy, QToolButton, QWidget

from curator.search.tokens import tokens_tooltip

DEBOUNCE_MS = 250
SEMANTIC_PREFIX = "~"


@dataclass(frozen=True)
class SearchRequest:
    """What the user asked for: `text` without the `~`, and which kind."""

    text: str
    semantic: bool


def parse_search(raw: str, *, semantic: bool = False) -> SearchRequest | None:
    """The request for the box's text (None: nothing); a `~` prefix makes it semantic."""
    text = raw.strip()
    if text.startswith(SEMANTIC_PREFIX):
        text, semantic = text[len(SEMANTIC_PREFIX) :].strip(), True
    return SearchRequest(text, semantic) if text else None


class SearchField(QLineEdit):
    """A line edit whose Esc is a signal (clear the search), not a no-op."""

    escaped = Signal()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Escape:
            self.escaped.emit()
            event.accept()
            return
        super().keyPressEvent(event)


class SearchBox(QWidget):
    search_requested = Signal(object)  # SearchRequest
    cleared = Signal()  # the user emptied the box by editing: no search any more
    escaped = Signal()  # Esc in the box (now empty): no search, keys back to the page
    entered = Signal()  # Enter in the box: the search is asked for, keys to the photos next

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(4, 0, 4, 0)
        layout.setSpacing(2)
        self.field = SearchField(self)
        self.field.setPlaceholderText("Search (Ctrl+F or /)…  ~ for similar")
        self.field.setClearButtonEnabled(True)
        self.field.setMinimumWidth(300)
        self.field.setMaximumWidth(420)  # the placeholder reads whole; the count stays beside it
        self.field.setToolTip(
            "Words find photos by subject, mood, lighting, type, tags and file name.\n"
            f"{tokens_tooltip()}\n"
            "≈ Similar (or a ~ before the words) finds photos by meaning with CLIP.\n"
            "Enter searches now; Esc clears the search."
        )
        self.semantic_button = QToolButton(self)
        self.semantic_button.setText("≈ Similar")
        self.semantic_button.setCheckable(True)
        self.semantic_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.semantic_button.setToolTip(
            "Search by meaning (CLIP): “golden hour portrait by the sea”. Same as a ~ prefix."
        )
        layout.addWidget(self.field)
        layout.addWidget(self.semantic_button)
        self.setSizePolicy(QSizePolicy.Policy.Maximum, QSizePolicy.Policy.Fixed)
        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(DEBOUNCE_MS)
        self._debounce.timeout.connect(self.submit)
        self._last: SearchRequest | None = None
        self.field.textEdited.connect(self._on_edited)
        self.field.returnPressed.connect(self._on_return)
        self.field.escaped.connect(self._on_escaped)
        self.semantic_button.toggled.connect(self._on_toggled)

    @property
    def request(self) -> SearchRequest | None:
        return parse_search(self.field.text(), semantic=self.semantic_button.isChecked())

    def focus(self) -> None:
        """Ctrl+F or /: the keys go to the box, its text selected (type to replace)."""
        self.field.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.field.selectAll()

    def clear(self) -> None:
        """Empty the box without a signal (the window cleared the search itself)."""
        self._debounce.stop()
        self._last = None
        self.field.clear()

    @Slot()
    def submit(self) -> None:
        """Search for what the box says now (Enter, or the pause after typing)."""
        self._debounce.stop()
        request = self.request
        if request is None:
            if self._last is not None:
                self._last = None
                self.cleared.emit()
            return
        if request != self._last:
            self._last = request
            self.search_requested.emit(request)

    @Slot()
    def _on_return(self) -> None:
        self.submit()
        self.entered.emit()

    @Slot(str)
    def _on_edited(self, _text: str) -> None:
        self._debounce.start()

    @Slot(bool)
    def _on_toggled(self, _checked: bool) -> None:
        if self.field.text().strip():
            self.submit()

    def forget(self) -> None:
        """The last search did not run (unavailable, failed): Enter may try it again."""
        self._last = None

    @Slot()
    def _on_escaped(self) -> None:
        self.clear()
        self.escaped.emit()

"""`StatusLine`: the main window's status bar. A message shows in a word-wrapped
label of a fixed two-line height (never moving the photo above; the full text
in the tooltip), with QStatusBar's `showMessage` API. `show_background` news
waits while a message the user caused is younger than `HOLD_MS`, and is
dropped if the user caused another meanwhile.
"""

from __future__ import annotations

from PySide6.QtCore import QElapsedTimer, Qt, QTimer, Slot
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QLabel, QSizePolicy, QStatusBar, QWidget

HOLD_MS = 4000  # a message the user caused stands at least this long
MESSAGE_MIN_WIDTH = 260  # px the message keeps beside the pipeline's labels
MESSAGE_LINES = 2  # the message's fixed height, in lines


class StatusLine(QStatusBar):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.message = QLabel("", self)
        self.message.setWordWrap(True)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.message.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        # Never squeezed to nothing (a zero-width label wraps one word a line).
        self.message.setMinimumWidth(MESSAGE_MIN_WIDTH)
        lines = self.message.fontMetrics().lineSpacing() * MESSAGE_LINES
        self.message.setFixedHeight(lines + 2)  # never taller or shorter: no reflow
        self._text = ""  # the whole message (the label may show it shortened)
        self.addWidget(self.message, 1)
        self._clear_timer = QTimer(self)
        self._clear_timer.setSingleShot(True)
        self._clear_timer.timeout.connect(self.clearMessage)
        self._since_user = QElapsedTimer()
        self._queued: tuple[str, int] | None = None
        self._queue_timer = QTimer(self)
        self._queue_timer.setSingleShot(True)
        self._queue_timer.timeout.connect(self._show_queued)

    def showMessage(self, text: str, timeout: int | None = 0) -> None:
        """Show `text` (for `timeout` ms; 0: until replaced), caused by the user."""
        self._since_user.start()
        self._queued = None
        self._show(text, timeout or 0)

    def user_message_age(self) -> int:
        """Milliseconds since the user's last message (a large number if none)."""
        return self._since_user.elapsed() if self._since_user.isValid() else 1 << 30

    def show_background(self, text: str, timeout: int = 5000) -> None:
        """Show news the user did not just ask for, after any message they caused."""
        held = HOLD_MS - self.user_message_age()
        if held > 0 and self.currentMessage():
            self._queued = (text, timeout)
            self._queue_timer.start(int(held))
            return
        self._show(text, timeout)

    def clearMessage(self) -> None:
        self._clear_timer.stop()
        self._text = ""
        self.message.setText("")
        self.message.setToolTip("")
        self.messageChanged.emit("")

    def currentMessage(self) -> str:
        return self._text

    def _fit(self) -> None:
        """The message as the label can show it in its lines: whole, or ending in "…"."""
        text, label = self._text, self.message
        width = max(1, label.width())
        if label.heightForWidth(width) <= label.height():
            label.setText(text)
            return
        metrics = label.fontMetrics()
        # Shorten word by word until the wrapped text fits the label's lines.
        words = text.split(" ")
        while len(words) > 1:
            words.pop()
            label.setText(" ".join(words) + " …")
            if label.heightForWidth(width) <= label.height():
                return
        label.setText(metrics.elidedText(text, Qt.TextElideMode.ElideRight, width))

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if self._text:
            self._fit()

    def _show(self, text: str, timeout: int) -> None:
        self._text = text
        self.message.setText(text)
        self._fit()
        self.message.setToolTip(text)
        self.messageChanged.emit(text)
        if timeout > 0:
            self._clear_timer.start(timeout)
        else:
            self._clear_timer.stop()

    @Slot()
    def _show_queued(self) -> None:
        if self._queued is not None:
            text, timeout = self._queued
            self._queued = None
            self._show(text, timeout)

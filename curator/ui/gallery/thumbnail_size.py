"""`ThumbnailSizeSlider`: the status bar's gallery cell-size slider (px, the
`gallery_cell_size` setting's range); `step(±1)` is Ctrl+= / Ctrl+-. Every
change emits `size_changed(int)`; `size_settled` follows a short pause, for
the one settings write a drag deserves.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer, Signal, Slot
from PySide6.QtWidgets import QHBoxLayout, QLabel, QSlider, QWidget

from curator.settings import FIELDS

_FIELD = FIELDS["gallery_cell_size"]
# The setting's own bounds, so the two never disagree.
LOWEST, HIGHEST = int(_FIELD.ge or 120), int(_FIELD.le or 420)
NOTCH = 30
SETTLE_MS = 600


class ThumbnailSizeSlider(QWidget):
    size_changed = Signal(int)  # the cell width, px, on every move
    size_settled = Signal(int)  # the same, once the handle has rested

    def __init__(self, width: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(4, 0, 4, 0)
        small, large = QLabel("▫", self), QLabel("◻", self)
        self.slider = QSlider(Qt.Orientation.Horizontal, self)
        self.slider.setRange(LOWEST, HIGHEST)
        self.slider.setSingleStep(10)
        self.slider.setPageStep(NOTCH)
        self.slider.setFixedWidth(110)
        self.slider.setValue(max(LOWEST, min(HIGHEST, width)))
        self.slider.setToolTip("Thumbnail size (Ctrl+= larger, Ctrl+- smaller)")
        for w in (small, self.slider, large):
            layout.addWidget(w)
        self._settle = QTimer(self)
        self._settle.setSingleShot(True)
        self._settle.setInterval(SETTLE_MS)
        self._settle.timeout.connect(lambda: self.size_settled.emit(self.value))
        self.slider.valueChanged.connect(self._moved)

    @property
    def value(self) -> int:
        return int(self.slider.value())

    def step(self, notches: int) -> None:
        """Ctrl+= (+1) / Ctrl+- (−1): one notch larger or smaller."""
        self.slider.setValue(self.value + notches * NOTCH)

    @Slot(int)
    def _moved(self, value: int) -> None:
        self.size_changed.emit(int(value))
        self._settle.start()

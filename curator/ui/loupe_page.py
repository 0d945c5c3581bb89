"""The loupe page: `LoupeView` + `InfoPanel`, the loupe's shortcuts, and the
preview prefetch around the cursor.

Prefetch protocol: whenever the current photo changes, the page asks the
preview loader for the current photo and its ± `PREFETCH` neighbours in the
pass order (current first, then the next ones before the previous ones).
The loader keeps those decoded as QPixmaps (its LRU holds a few more than
the window), so moving to a neighbour paints from memory. While a preview
is still loading, the gallery thumbnail (when cached) stands in for it.

Shortcuts are QActions on this page with WidgetWithChildrenShortcut
context: they fire only while the focus is inside the loupe — never in a
text field elsewhere in the window.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Slot
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QHBoxLayout, QWidget

from curator.catalog.queries import GalleryRow, gallery_rows
from curator.ui.gallery_model import preview_key, thumbnail_key
from curator.ui.guard import ErrorReporter, guarded_slot
from curator.ui.image_loader import ImageLoader
from curator.ui.keymap import LOUPE_BINDINGS
from curator.ui.loupe_view import InfoPanel, LoupeView
from curator.ui.review import ReviewSession

PREFETCH = 2


class LoupePage(QWidget):
    def __init__(
        self,
        session: ReviewSession,
        previews: ImageLoader,
        thumbnails: ImageLoader,
        errors: ErrorReporter,
        parent: QWidget | None = None,
    ):
        super().__init__(parent)
        self.session, self.previews, self.thumbnails, self.errors = (
            session,
            previews,
            thumbnails,
            errors,
        )
        self.view = LoupeView(self)
        self.panel = InfoPanel(self)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.panel)
        self._rows: dict[int, GalleryRow] = {}
        self.prefetch = PREFETCH  # neighbours kept decoded on each side (0: none)
        self.actions_by_name: dict[str, QAction] = {}
        for binding in LOUPE_BINDINGS:
            action = QAction(binding.cull, self)
            action.setShortcuts([QKeySequence(k) for k in binding.keys])
            action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            action.triggered.connect(lambda _=False, name=binding.action: self.dispatch(name))
            self.addAction(action)
            self.actions_by_name[binding.action] = action
        session.pass_changed.connect(lambda _pass: self.invalidate())
        session.current_changed.connect(self._on_current_changed)
        session.photos_changed.connect(self._on_photos_changed)
        previews.image_ready.connect(self._on_image_ready)
        thumbnails.image_ready.connect(self._on_image_ready)

    @guarded_slot
    def dispatch(self, action: str) -> None:
        """Run one loupe action by its keymap name."""
        s = self.session
        if action.startswith("rate_"):
            s.rate(int(action.removeprefix("rate_")))
            return
        handlers = {
            "pick": s.pick,
            "reject": s.reject,
            "clear": s.clear,
            "next": lambda: s.move(1),
            "previous": lambda: s.move(-1),
            "switch_pass": s.switch_pass,
        }
        handlers[action]()

    def invalidate(self, ids: list[int] | None = None) -> None:
        """Forget cached rows (all, or `ids`): they are re-read when next shown."""
        if ids is None:
            self._rows.clear()
        else:
            for pid in ids:
                self._rows.pop(pid, None)
        if ids is None or self.session.current in ids:
            self._repaint_current()

    def row(self, photo_id: int) -> GalleryRow | None:
        if photo_id not in self._rows:
            self._load_rows([photo_id])
        return self._rows.get(photo_id)

    def _load_rows(self, ids: list[int]) -> None:
        missing = [pid for pid in ids if pid not in self._rows]
        if missing:
            if len(self._rows) > 2000:
                self._rows.clear()
            self._rows.update(gallery_rows(missing))

    def _window(self) -> list[int]:
        """The current photo, then next/previous neighbours out to `prefetch`."""
        order, i = self.session.order, self.session.index
        ids = [order[i]] if 0 <= i < len(order) else []
        for step in range(1, self.prefetch + 1):
            ids += [order[j] for j in (i + step, i - step) if 0 <= j < len(order)]
        return ids

    @Slot(int)
    @guarded_slot
    def _on_current_changed(self, photo_id: int) -> None:
        window = self._window()
        self._load_rows(window)
        keys = [k for pid in window if (r := self._rows.get(pid)) and (k := preview_key(r))]
        self.previews.request(keys)
        self._repaint_current()

    def _repaint_current(self) -> None:
        pid = self.session.current
        row = None if pid is None else self.row(pid)
        self.view.caption = self.session.position_text
        if row is not None:
            self.view.caption = f"{row.file_name}   ·   {self.session.position_text}"
        if row is None:
            self.view.empty_text = (
                f"{self.session.position_text}.\n"
                "Press Tab for the other pass, or G for the gallery."
            )
            self.view.show_photo(None, None, is_preview=False)
            self.panel.show_row(None)
            return
        pkey, tkey = preview_key(row), thumbnail_key(row)
        pixmap = None if pkey is None else self.previews.pixmap(pkey)
        is_preview = pixmap is not None
        if pixmap is None and tkey is not None:
            pixmap = self.thumbnails.pixmap(tkey)
        self.view.show_photo(row, pixmap, is_preview=is_preview)
        self.panel.show_row(row)

    @Slot(list)
    @guarded_slot
    def _on_photos_changed(self, ids: list[int]) -> None:
        self.invalidate(ids)

    @Slot(int)
    @guarded_slot
    def _on_image_ready(self, photo_id: int) -> None:
        if photo_id == self.session.current and not self.view.is_preview:
            self._repaint_current()

"""`DuplicatesReview`: View ▸ Duplicates, the stored groups of near-duplicates
one group at a time, its copies side by side (`ui.duplicates.panes`).

The keys are `ui.duplicates.text.KEYS`' (the hint line is the same table):
← / → or 1–9 choose the copy to keep (a click too), Enter keeps it and
rejects the others (one decision step: the window's Ctrl+Z brings the group
back) and goes on to the next group, N / Space skip to it, P goes back, A
marks the copy under the pointer "not a duplicate" of the keeper (the groups
are searched anew), Z zooms every copy at one point, Esc closes.

Everything it reads or writes runs off the UI thread (`ui.duplicates.work`);
it shows what last arrived. A decision made elsewhere (an undo, the grid) on
a shown copy reads the group again. The chosen keeper is the suggested one
until the photographer chooses another; the previews come from the window's
preview loader, asked again when the review comes back to the front.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, Qt, Slot
from PySide6.QtGui import QKeyEvent, QKeySequence, QPixmap
from PySide6.QtWidgets import QDialog, QLabel, QVBoxLayout, QWidget

from curator.ui.common.guard import ErrorReporter, guarded_slot
from curator.ui.common.image_loader import ImageKey, ImageLoader
from curator.ui.duplicates.panes import DuplicatePane, DuplicatesView
from curator.ui.duplicates.text import KEYS, NONE_FOUND, group_line, hints, resolved_text
from curator.ui.duplicates.work import DuplicatesWork, GroupRead, GroupsListed, WriteDone
from curator.ui.gallery.listing import preview_key, thumbnail_key
from curator.ui.review.session import ReviewSession

# A key's portable text → the review's action (`text.KEYS`).
_ACTIONS = {
    QKeySequence(key).toString(QKeySequence.SequenceFormat.PortableText): k.action
    for k in KEYS
    for key in k.keys
}


class DuplicatesReview(QDialog):
    def __init__(
        self,
        work: DuplicatesWork,
        session: ReviewSession,
        previews: ImageLoader,
        thumbnails: ImageLoader,
        errors: ErrorReporter,
        undo: Callable[[], None],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Duplicates: the same picture stored more than once")
        self.work, self.session, self.errors, self.undo = work, session, errors, undo
        self.previews, self.thumbnails = previews, thumbnails
        self.groups: list[tuple[int, tuple[int, ...]]] = []
        self.index = 0
        self.shown: GroupRead | None = None  # the group on screen, as last read
        self.keeper: int | None = None  # the copy chosen to keep (the suggestion at first)
        self.resolved_said: set[int] = set()  # the copies the last "Kept …" sentence is of
        # The shown group's previews once decoded, by key: the window's preview
        # loader keeps fewer than a group of 8 or 9 (its LRU is the loupe's).
        self.seen: dict[ImageKey, QPixmap] = {}
        self.listed_once = False  # the first list arrived (tests wait on it)
        self.line = QLabel("Reading the groups…", self)
        self.line.setObjectName("duplicates-line")
        self.view = DuplicatesView(self)
        self.status = QLabel("", self)  # what the last key did
        self.status.setWordWrap(True)
        self.keys_line = QLabel(hints(), self)
        self.keys_line.setWordWrap(True)
        self.keys_line.setStyleSheet("color: #999;")
        layout = QVBoxLayout(self)
        for widget in (self.line, self.view, self.status, self.keys_line):
            layout.addWidget(widget, 1 if widget is self.view else 0)
        self.resize(1200, 760)
        work.listed.connect(self._on_listed)
        work.group_read.connect(self._on_group_read)
        work.written.connect(self._on_written)
        self.view.chosen.connect(self._choose_index)
        previews.image_ready.connect(self._on_image_ready)
        session.photos_changed.connect(self._on_photos_changed)

    # --- what is shown ---------------------------------------------------------

    def start(self) -> None:
        """Read the groups anew (the one shown stays, when it still is one)."""
        self.work.list_groups()

    @property
    def copy_ids(self) -> list[int]:
        return [] if self.shown is None else [c.photo_id for c in self.shown.copies]

    @Slot(object)
    @guarded_slot
    def _on_listed(self, listed: GroupsListed) -> None:
        was = self.groups[self.index][0] if self.index < len(self.groups) else None
        self.groups = list(listed.groups)
        self.listed_once = True
        ids = [g for g, _ in self.groups]
        if was in ids:
            self.index = ids.index(was)
        else:
            self.index = min(self.index, max(0, len(self.groups) - 1))
        if not self.groups:
            self.shown, self.keeper = None, None
            self.view.show_copies([], None, "")
            self.line.setText(NONE_FOUND)
            return
        self._read_shown(keep_choice=self.groups[self.index][0] == was)

    def _read_shown(self, *, keep_choice: bool = False) -> None:
        group, ids = self.groups[self.index]
        if not keep_choice:
            self.keeper = None
        self.line.setText(f"{group_line(self.index, len(self.groups), len(ids))} · reading…")
        self.work.read_group(group, ids)

    @Slot(object)
    @guarded_slot
    def _on_group_read(self, read: GroupRead) -> None:
        if not self.groups or read.group != self.groups[self.index][0]:
            return  # the review moved on meanwhile
        if self.shown is None or self.shown.group != read.group:
            self.seen.clear()
        self.shown = read
        if self.keeper not in self.copy_ids:
            self.keeper = read.keeper
        line = group_line(self.index, len(self.groups), len(read.copies))
        resolved = resolved_text(read.copies)
        self.line.setText(f"{line} · {resolved}" if resolved else line)
        if not resolved and self.resolved_said & set(self.copy_ids):
            self._say("")  # undone since: the "Kept …" sentence is no longer true
            self.resolved_said = set()
        self._request_images()
        self._paint()

    def _keys(self) -> list[tuple[ImageKey | None, ImageKey | None]]:
        """(preview, thumbnail) of each shown copy."""
        if self.shown is None:
            return []
        rows = dict(self.shown.rows)
        out: list[tuple[ImageKey | None, ImageKey | None]] = []
        for c in self.shown.copies:
            row = rows.get(c.photo_id)
            out.append((None, None) if row is None else (preview_key(row), thumbnail_key(row)))
        return out

    def _request_images(self) -> None:
        self.previews.request([p for p, _ in self._keys() if p is not None and p not in self.seen])

    def _paint(self) -> None:
        if self.shown is None:
            return
        rows = dict(self.shown.rows)
        panes = []
        for c, (preview, thumb) in zip(self.shown.copies, self._keys(), strict=True):
            pixmap = None if preview is None else self.previews.pixmap(preview)
            if pixmap is not None and preview is not None:
                self.seen[preview] = pixmap
            elif preview is not None:
                pixmap = self.seen.get(preview)
            if pixmap is None and thumb is not None:  # the grid's, while the preview loads
                pixmap = self.thumbnails.pixmap(thumb)
            panes.append(DuplicatePane(c, rows.get(c.photo_id), pixmap))
        why = self.shown.why if self.keeper == self.shown.keeper else "you chose it"
        self.view.show_copies(panes, self.keeper, why)

    @Slot(int)
    @guarded_slot
    def _on_image_ready(self, photo_id: int) -> None:
        if photo_id in self.copy_ids:
            self._paint()

    @Slot(object)  # session.photos_changed: a list of ids
    @guarded_slot
    def _on_photos_changed(self, ids: list[int]) -> None:
        """A decision elsewhere (an undo) on a shown copy: its group read again."""
        if self.isVisible() and self.groups and set(ids) & set(self.copy_ids):
            self._read_shown(keep_choice=True)

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.ActivationChange and self.isActiveWindow():
            self._request_images()  # the loupe may have asked for its own meanwhile

    # --- the keys ----------------------------------------------------------------

    def keyPressEvent(self, event: QKeyEvent) -> None:
        combo = event.keyCombination()
        key = QKeySequence(combo).toString(QKeySequence.SequenceFormat.PortableText)
        action = _ACTIONS.get(key)
        if action is None and combo.keyboardModifiers() & Qt.KeyboardModifier.KeypadModifier:
            plain = QKeySequence(combo.key()).toString(QKeySequence.SequenceFormat.PortableText)
            action = _ACTIONS.get(plain)  # the keypad's Enter and digits
        if action is None:
            super().keyPressEvent(event)
            return
        event.accept()
        self.act(action)

    @guarded_slot
    def act(self, action: str) -> None:
        """Do what a key of `text.KEYS` does (by its action's name)."""
        if action == "close":
            self.close()
        elif action == "undo":
            self.undo()
        elif action == "zoom":
            self.view.toggle_zoom()
        elif action in ("next", "previous"):
            self._step(1 if action == "next" else -1)
        elif action == "resolve":
            self._resolve()
        elif action == "apart":
            self._apart()
        elif action in ("keeper_next", "keeper_previous"):
            ids = self.copy_ids
            if ids and self.keeper in ids:
                step = 1 if action == "keeper_next" else -1
                self._choose_index((ids.index(self.keeper) + step) % len(ids))
        elif action.startswith("keeper_"):
            self._choose_index(int(action.removeprefix("keeper_")) - 1)

    def _say(self, text: str) -> None:
        self.status.setText(text)

    def _step(self, delta: int) -> None:
        if not self.groups:
            self._say(NONE_FOUND)
            return
        at = self.index + delta
        if not 0 <= at < len(self.groups):
            self._say("That was the last group." if delta > 0 else "This is the first group.")
            return
        self.index = at
        self.view.set_fit()
        self._say("")
        self._read_shown()

    @Slot(int)
    @guarded_slot
    def _choose_index(self, index: int) -> None:
        ids = self.copy_ids
        if 0 <= index < len(ids):
            self.keeper = ids[index]
            self._paint()

    def _resolve(self) -> None:
        if self.shown is None or self.keeper is None:
            return
        if self.session.read_only is not None:
            self._say(self.session.read_only)
            return
        if not self.work.resolve(tuple(self.copy_ids), self.keeper):
            self._say("The last change is still being written: press it again in a moment.")
            return
        self._say("Resolving…")

    def _apart(self) -> None:
        if self.shown is None or self.keeper is None:
            return
        ids = self.copy_ids
        pointer = self.view.pointer
        if pointer is None and len(ids) == 2:
            other: int | None = next(pid for pid in ids if pid != self.keeper)
        else:
            other = None if pointer is None or pointer >= len(ids) else ids[pointer]
        if other is None:
            self._say("Point at the copy that is not the same picture, then press A.")
            return
        if other == self.keeper:
            self._say("That is the copy you keep: point at another, then press A.")
            return
        if self.session.read_only is not None:
            self._say(self.session.read_only)
        elif self.work.apart(self.keeper, other):
            self._say("Searching the groups anew…")

    @Slot(object)
    @guarded_slot
    def _on_written(self, done: WriteDone) -> None:
        if done.error is not None:
            self._say(done.error)
            return
        self._say(done.sentence)
        if done.what == "apart":
            self.work.list_groups()
            return
        self.resolved_said = set(done.photo_ids)
        self.session.decided_in_one_step(list(done.photo_ids))  # the grid, the retrain
        if self.isVisible() and self.index + 1 < len(self.groups):
            self._step(1)
            self._say(done.sentence)

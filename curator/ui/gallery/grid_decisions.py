"""The decision keys in the gallery grid, and Edit ▸ Color Label.

The loupe's keys act on every selected photo at once, one undo step
(`ReviewSession.decide_many`), with the meaning of the pass shown. The
shortcuts live on the gallery widget (WidgetShortcut): never in a text field.
The Color Label menu acts on what the keys would. Every one is a `DecisionAction`.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, Qt, Slot
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QAbstractItemView, QMenu

from curator.records import ColorLabel
from curator.ui.common.guard import ErrorReporter, guarded_slot
from curator.ui.gallery.model import PhotoIdRole
from curator.ui.review.actions import DecisionAction
from curator.ui.review.decision_text import done_text
from curator.ui.review.keymap import DECISION_ACTIONS, LABEL_KEYS, LOUPE_BINDINGS
from curator.ui.review.session import ReviewSession


def selected_ids(view: QAbstractItemView) -> list[int]:
    """The selected photos in grid order (the current one when none is selected)."""
    model = view.selectionModel()
    indexes = sorted(model.selectedIndexes(), key=lambda i: i.row()) if model else []
    if not indexes and view.currentIndex().isValid():
        indexes = [view.currentIndex()]
    return [int(i.data(PhotoIdRole)) for i in indexes if i.data(PhotoIdRole) is not None]


class GridDecisions(QObject):
    def __init__(
        self,
        view: QAbstractItemView,
        session: ReviewSession,
        errors: ErrorReporter,
        notify: Callable[[str], None],
    ) -> None:
        super().__init__(view)
        self.view, self.session, self.notify = view, session, notify
        self.errors = errors
        self.actions: dict[str, QAction] = {}
        for binding in LOUPE_BINDINGS:
            decision = DecisionAction.named(binding.action)
            if decision is None or decision not in DECISION_ACTIONS:
                continue
            action = QAction(binding.cull, view)
            action.setShortcuts([QKeySequence(k) for k in binding.keys])
            action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
            action.triggered.connect(lambda _=False, d=decision: self.apply(d))
            view.addAction(action)
            self.actions[decision.value] = action

    @guarded_slot
    def apply(self, action: DecisionAction, ids: list[int] | None = None) -> None:
        """`action` on the given photos (default: the grid's selection)."""
        ids = selected_ids(self.view) if ids is None else ids
        if not ids:
            self.notify("Select the photos first (click, Shift+click, Ctrl+A).")
            return
        records = self.session.decide_many(action, ids)
        if action is DecisionAction.ACCEPT_PROPOSAL:
            return  # the session said what the proposals became (or that there were none)
        if len(ids) > 1 or not records:
            self.notify(done_text(records, len(ids)))

    @Slot(str, int)
    @guarded_slot
    def tile_clicked(self, action: str, photo_id: int) -> None:
        """A click on a tile's flags or stars (`GalleryView.decision_clicked`): that photo."""
        self.session.decide_many(DecisionAction(action), [photo_id])


def build_label_menu(parent: QMenu, apply: Callable[[DecisionAction], None]) -> QMenu:
    """Edit ▸ Color Label: red…purple and none; `apply(action)` decides on the
    photos the keys would (one undo step)."""
    menu = parent.addMenu("Color &Label")
    keys = {color: key for key, color in LABEL_KEYS.items()}
    for label in (*ColorLabel, None):
        text = "No label" if label is None else label.value.capitalize()
        if label in keys:
            text += f"\t{keys[label]}"
        item = menu.addAction(text)
        action = DecisionAction.label(label)
        item.triggered.connect(lambda _=False, action=action: apply(action))
    return menu

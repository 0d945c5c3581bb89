"""`WindowTools`: the main window's thumbnail-size slider (the cell width,
written to `gallery_cell_size` once it rests), the Keyboard Shortcuts and
Settings dialogs (loaded when first opened; saved keys go onto every action
and the help overlay at once) and the switched review orders
(`ui.review.review_orders`), kept out of `main_window`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt, Slot
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QWidget

from curator.settings import Settings, SettingsError, save_changes
from curator.ui.common.guard import ErrorReporter, guarded_slot
from curator.ui.gallery.thumbnail_size import ThumbnailSizeSlider
from curator.ui.gallery.view import GalleryView
from curator.ui.review.keymap import binding_for, keys_for
from curator.ui.review.pass_order import PassOrder
from curator.ui.review.review_orders import ReviewOrders
from curator.ui.review.session import ReviewSession

if TYPE_CHECKING:
    from PySide6.QtCore import QThreadPool

    from curator.ui.review.help_overlay import HelpOverlay
    from curator.ui.window.keymap_page import KeymapDialog
    from curator.ui.window.settings_dialog import SettingsDialog
    from curator.ui.window.state import WindowState

ACTIONS = ("thumbs_larger", "thumbs_smaller", "uncertain_first", "least_sure_first")
# The review orders' toggles: (keymap name, text, tooltip).
_ORDER_TOGGLES = (
    (
        "uncertain_first",
        "Uncertain first",
        "Rating pass: unrated photos the taste model is least sure of first (teaches it fastest)",
    ),
    (
        "least_sure_first",
        "Least sure first",
        "Cull pass: the photos with a proposal, the ones Curator is least sure"
        " of first (A accepts a proposal)",
    ),
)


def apply_key_overrides(actions: Mapping[str, QAction], overrides: Mapping[str, str]) -> None:
    """Give each action (by keymap action name) the keys it has under `overrides`."""
    for name, action in actions.items():
        binding = binding_for(name)
        if binding is not None:
            action.setShortcuts([QKeySequence(k) for k in keys_for(binding, overrides)])


@dataclass
class WindowHooks:
    """What the tools need from the window, as callables (no window type here)."""

    settings: Callable[[], Settings]
    set_settings: Callable[[Settings], None]
    settings_saved: Callable[[Settings], None]  # the Settings dialog's OK: apply them
    settings_file: Path
    notify: Callable[[str], None]
    show_loupe_page: Callable[[], None]  # the loupe as the session stands (no restart)
    embedding_model: Callable[[], str]


class WindowTools(QObject):
    def __init__(
        self,
        hooks: WindowHooks,
        *,
        gallery: GalleryView,
        session: ReviewSession,
        pass_order: PassOrder | None,
        help_parent: QWidget,
        errors: ErrorReporter,
        parent: QWidget,
        order_threads: QThreadPool | None = None,
        window_state: WindowState | None = None,
    ) -> None:
        """`order_threads`: where the switched review orders are read
        (`UiPools.lists`); `window_state`: where the switches are remembered."""
        super().__init__(parent)
        self.window = parent
        self.window_state = window_state
        self.orders: ReviewOrders | None = None
        if pass_order is not None and order_threads is not None:
            remember = None if window_state is None else window_state.set_flag
            self.orders = ReviewOrders(
                session,
                pass_order,
                order_threads,
                embedding_model=hooks.embedding_model,
                notify=hooks.notify,
                show_loupe_page=hooks.show_loupe_page,
                remember=remember,
                parent=self,
            )
        self.hooks, self.gallery, self.session = hooks, gallery, session
        self.pass_order, self.errors = pass_order, errors
        self._help_parent = help_parent
        self.help_overlay: HelpOverlay | None = None  # built at its first showing (`help`)
        self.slider = ThumbnailSizeSlider(hooks.settings().gallery_cell_size)
        self.gallery.set_cell_width(self.slider.value)
        self.slider.size_changed.connect(self.gallery.set_cell_width)
        self.slider.size_settled.connect(self._save_cell_size)
        self.keymap_dialog: KeymapDialog | None = None
        self._action_sets: list[Mapping[str, QAction]] = []

    # --- keys -----------------------------------------------------------------

    def add_actions(self, actions: Mapping[str, QAction]) -> None:
        """Actions (by keymap name) whose keys follow the overrides; applied now."""
        self._action_sets.append(actions)
        apply_key_overrides(actions, self.hooks.settings().key_overrides)
        for name, text, tip in _ORDER_TOGGLES:
            toggle = actions.get(name)
            if toggle is not None:
                toggle.setCheckable(True)
                toggle.setText(text)
                toggle.setToolTip(tip)
                toggle.setEnabled(self.pass_order is not None)

    def apply_keys(self, overrides: Mapping[str, str]) -> None:
        for actions in self._action_sets:
            apply_key_overrides(actions, overrides)
        if self.help_overlay is not None:  # a later one reads them from the settings
            self.help_overlay.overrides = dict(overrides)
            self.help_overlay.update()

    def help(self) -> HelpOverlay:
        """The key sheet (Help, ?), built when first shown, with the keys as remapped."""
        if self.help_overlay is None:
            from curator.ui.review.help_overlay import HelpOverlay

            self.help_overlay = HelpOverlay(self._help_parent)
            self.help_overlay.overrides = dict(self.hooks.settings().key_overrides)
        return self.help_overlay

    @Slot()
    @guarded_slot
    def open_keymap(self) -> KeymapDialog:
        from curator.ui.window.keymap_page import KeymapDialog

        dialog = KeymapDialog(
            self.hooks.settings().key_overrides, self.hooks.settings_file, self.window
        )
        dialog.overrides_changed.connect(self._on_overrides_saved)
        self.keymap_dialog = dialog
        dialog.open()
        return dialog

    @Slot(dict)
    @guarded_slot
    def _on_overrides_saved(self, overrides: dict[str, str]) -> None:
        self.hooks.set_settings(replace(self.hooks.settings(), key_overrides=overrides))
        self.apply_keys(overrides)
        self.hooks.notify("Keyboard shortcuts saved.")

    # --- settings -------------------------------------------------------------

    @Slot()
    @guarded_slot
    def open_settings(self) -> SettingsDialog:
        from curator.ui.window.settings_dialog import SettingsDialog

        dialog = SettingsDialog(self.hooks.settings(), self.hooks.settings_file, self.window)
        dialog.settings_changed.connect(self._on_settings_saved)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        return dialog

    @Slot(object)
    @guarded_slot
    def _on_settings_saved(self, settings: Settings) -> None:
        self.hooks.set_settings(settings)
        self.hooks.settings_saved(settings)
        self.hooks.notify(
            "Settings saved. The MATCH threshold applies now; the rest from the next import."
        )

    # --- dispatch -------------------------------------------------------------

    def dispatch(self, action: str, qaction: QAction | None = None) -> None:
        if action == "thumbs_larger":
            self.slider.step(1)
        elif action == "thumbs_smaller":
            self.slider.step(-1)
        elif action in ("uncertain_first", "least_sure_first") and self.orders is not None:
            switched = getattr(self.orders.pass_order, action)
            on = qaction.isChecked() if qaction is not None else not switched
            self.orders.toggle(action, on)

    def restore_orders(self, actions: Mapping[str, QAction]) -> None:
        """The catalog is open: the review orders left on last time are on again."""
        if self.orders is not None and self.window_state is not None:
            self.orders.restore(self.window_state.flag, actions)

    @Slot(int)
    @guarded_slot
    def _save_cell_size(self, width: int) -> None:
        try:
            save_changes(self.hooks.settings_file, {"gallery_cell_size": width})
        except (OSError, SettingsError) as exc:
            self.errors.report(f"The thumbnail size could not be saved: {exc}")
            return
        self.hooks.set_settings(replace(self.hooks.settings(), gallery_cell_size=width))

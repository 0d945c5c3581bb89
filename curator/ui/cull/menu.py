"""`CullMenu`: the window's Cull menu — Propose…, Accept the Rest, Accept Keeps
Only, Accept Rejects Only; Propose… offers `ui.cull.scopes`' scopes.

It decides nothing: Propose… opens `ProposeDialog`; the accepts ask
`CullController` (both made at first use). It tells the window through
`CullHooks`: after a proposal, `proposals_changed()` (the gallery re-reads its
rows in place) and the counts; after an accept (ONE undo step), `decided(ids)`
(the session's `decided_in_one_step`: the views follow, one debounced retrain)
and a sentence with the counts. A read-only seat (`read_only()`) is told so.

A watched folder: its session is the first scope offered (`watch`); once
proposed, each regrouping with new frames (`watch_grouped`) makes the same
proposal again with the same choices (after any proposal or accept under way).
A proposal never touches a decided photo. A proposal for another scope, or the
watch ending, stops the following.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt, QThreadPool, SignalInstance, Slot
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMenu, QWidget

from curator.ui.common.guard import ErrorReporter, guarded_slot

if TYPE_CHECKING:
    from curator.catalog.proposals.packed import PackedProposals
    from curator.catalog.proposals.plan import Scope
    from curator.catalog.types import GalleryQuery
    from curator.cull.tuning import CullTuning
    from curator.ui.cull.controller import AcceptDone, CullController, ProposeDone
    from curator.ui.cull.dialog import ProposeDialog
    from curator.ui.review.step_queue import StepQueue


@dataclass(frozen=True)
class CullHooks:
    """What the Cull menu asks of the window."""

    project: Callable[[], tuple[int, str] | None]  # the project the gallery shows (id, name)
    folders: Callable[[], Sequence[str]]  # folders to offer (the recent imports)
    notify: Callable[[str], None]  # a sentence in the status bar
    proposals_changed: Callable[[], None]  # re-read every tile (and the loupe's rows)
    # accepted (the photos, the proposals it ended): ReviewSession.decided_in_one_step
    decided: Callable[[Sequence[int], PackedProposals], None]
    read_only: Callable[[], str | None]  # the sentence of a seat that may only read
    # What else a proposal may be for (ui.cull.scopes), as the window holds it now:
    projects: Callable[[], Sequence[tuple[int, str]]] = field(default=lambda: ())  # (id, name)
    grid_query: Callable[[], GalleryQuery | None] = field(default=lambda: None)
    selection: Callable[[], Sequence[int]] = field(default=lambda: ())  # the grid's selected
    steps: StepQueue | None = None  # the review session's: the accept is one of its steps
    # The `shoot_kind` setting as it is now (the dialog's kind of shoot at first).
    shoot_kind: Callable[[], str | None] = field(default=lambda: None)
    # A watched folder (ui.ingest.watch): its folder and session's photos, or None;
    # and the signal that its bursts were grouped again with new frames.
    watch: Callable[[], tuple[str, Sequence[int]] | None] = field(default=lambda: None)
    watch_grouped: SignalInstance | None = None


def accept_text(kept: int, rejected: int, untouched: int) -> str:
    """The accept's sentence for the status bar."""
    if not (kept or rejected or untouched):
        return "No proposals to accept: make them with Cull ▸ Propose…"
    text = f"Accepted {kept:,} keep(s) and {rejected:,} reject(s) as one step (Ctrl+Z undoes it)."
    if untouched:
        text += f" {untouched:,} photo(s) decided since the proposal were left as they are."
    return text


class CullMenu(QObject):
    def __init__(
        self,
        menu: QMenu,
        threads: QThreadPool,
        errors: ErrorReporter,
        hooks: CullHooks,
        parent: QWidget,
    ) -> None:
        super().__init__(parent)
        self.menu, self.threads, self.errors, self.hooks = menu, threads, errors, hooks
        self._window = parent
        self._controller: CullController | None = None
        self.dialog: ProposeDialog | None = None
        self._watch_scopes: list[Scope] = []  # the watch session's scope as offered or followed
        self.following: tuple[CullTuning, int | None, float | None] | None = None
        self._follow_due = False  # new frames while a proposal or an accept was under way
        if hooks.watch_grouped is not None:
            hooks.watch_grouped.connect(self._on_watch_grouped)
        self.propose_action = self._add("&Propose…", self.open_dialog)
        self.propose_action.setToolTip(
            "Propose keeps, rejects and highlights with their reasons; nothing is decided"
        )
        menu.addSeparator()
        self.accept_action = self._add("&Accept the Rest", lambda: self.accept_all())
        self.accept_keeps_action = self._add(
            "Accept the Proposed &Keeps Only", lambda: self.accept_all(rejects=False)
        )
        self.accept_rejects_action = self._add(
            "Accept the Proposed &Rejects Only", lambda: self.accept_all(keeps=False)
        )
        menu.setToolTipsVisible(True)

    def _add(self, text: str, slot: Callable[[], object]) -> QAction:
        action = self.menu.addAction(text)
        action.triggered.connect(lambda _=False: slot())
        return action

    def controller(self) -> CullController:
        """Made at its first use (the catalog is imported by its jobs, not before)."""
        if self._controller is None:
            from curator.ui.cull.controller import CullController

            made = CullController(self.threads, self.errors, parent=self, steps=self.hooks.steps)
            made.proposed.connect(self._on_proposed)
            made.accepted.connect(self._on_accepted)
            made.running_changed.connect(self._on_busy)
            self._controller = made
        return self._controller

    def scopes(self) -> list[tuple[str, Scope]]:
        """The photos a proposal may be for (ui.cull.scopes: the selection, the
        project the gallery shows, what the grid shows, the whole catalog, the
        other projects, the recent folders); no catalog read."""
        from curator.ui.cull.scopes import ScopeSources, offered_scopes

        hooks = self.hooks
        watch = hooks.watch()
        offered = offered_scopes(
            ScopeSources(
                shown_project=hooks.project(),
                projects=hooks.projects(),
                grid_query=hooks.grid_query(),
                selection=hooks.selection(),
                folders=hooks.folders(),
                watch=watch,
            )
        )
        if watch is not None:
            self._watch_scopes.append(offered[0][1])
        return offered

    @Slot()
    @guarded_slot
    def open_dialog(self) -> ProposeDialog | None:
        """Cull ▸ Propose…: a fresh dialog each time (the catalog is read as it is now)."""
        refused = self.hooks.read_only()
        if refused is not None:
            self.hooks.notify(refused)
            return None
        from curator.cull.checks import genre_of
        from curator.ui.cull.dialog import ProposeDialog

        if self.dialog is not None:
            self.dialog.close()
        genre = genre_of(self.hooks.shoot_kind())
        dialog = ProposeDialog(self.controller(), self.scopes(), self._window, genre)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.destroyed.connect(self._dialog_gone)
        self.dialog = dialog
        dialog.show()
        dialog.raise_()
        dialog.activateWindow()
        return dialog

    def _dialog_gone(self, *_: object) -> None:
        self.dialog = None

    @guarded_slot
    def accept_all(self, *, keeps: bool = True, rejects: bool = True) -> bool:
        """Accept this photographer's proposals (keeps, rejects or both) as ONE
        undo step, on the controller's pool; False when refused."""
        refused = self.hooks.read_only()
        if refused is not None:
            self.hooks.notify(refused)
            return False
        if not self.controller().accept(keeps=keeps, rejects=rejects):
            self.hooks.notify("A proposal or an accept is under way; try again when it is done.")
            return False
        self.hooks.notify("Accepting the proposals…")
        return True

    def shutdown(self) -> None:
        """App.shutdown, before the pools drain: nothing more is posted."""
        if self._controller is not None:
            self._controller.shutdown()

    @Slot()
    @guarded_slot
    def _on_watch_grouped(self) -> None:
        """New frames, their bursts grouped: the watch session's proposal follows."""
        if self.following is None:
            return
        watch = self.hooks.watch()
        if watch is None:  # the watch ended
            self.following = None
            return
        if self.controller().running:
            self._follow_due = True
            return
        from curator.catalog.proposals.plan import Scope

        scope = Scope(photo_ids=tuple(watch[1]))
        self._watch_scopes = [scope]
        self._follow_due = False
        self.controller().propose(scope, *self.following)

    @Slot(bool)
    def _on_busy(self, busy: bool) -> None:
        for action in (
            self.propose_action,
            self.accept_action,
            self.accept_keeps_action,
            self.accept_rejects_action,
        ):
            action.setEnabled(not busy)
        if not busy and self._follow_due:
            self._on_watch_grouped()

    @Slot(object)
    @guarded_slot
    def _on_proposed(self, done: ProposeDone) -> None:
        if done.run is None:
            return  # the error went to the error reporter
        from curator.cull.summary import counts_text, failed_text, people_text

        s = done.run.summary
        asked = self.controller().last_proposal
        followed = self.following is not None
        if asked is not None and any(asked[0] is w for w in self._watch_scopes):
            self.following = asked[1:]  # made for the watch session: it follows the frames
        else:
            self.following, self._watch_scopes = None, []
        self.hooks.proposals_changed()
        if self.following is not None and followed:
            self.hooks.notify(
                f"The watch session's proposal follows its {s.photos:,} undecided photo(s): "
                f"{counts_text(s)}."
            )
            return
        if not s.photos:
            self.hooks.notify("Nothing to propose: every photo there is already decided.")
            return
        self.hooks.notify(
            f"Proposed a first cull of {s.photos:,} photo(s): {counts_text(s)}. "
            + (f"{people_text(s)} " if s.no_keep else "")
            + (f"{failed_text(s)}. " if s.failed else "")
            + "Nothing is decided yet: review them, then Cull ▸ Accept the Rest."
        )

    @Slot(object)
    @guarded_slot
    def _on_accepted(self, done: AcceptDone) -> None:
        report = done.report
        if report is None:
            return
        if report.photo_ids:
            self.hooks.decided(report.photo_ids, done.accepted)
        self.hooks.notify(accept_text(report.kept, report.rejected, report.untouched))

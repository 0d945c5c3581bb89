"""`ProjectService`: the GUI's side of projects (named sets), no widgets. It
keeps the list (`projects`, `projects_changed`) and the *current project* the
loupe's B adds to, writes only through `catalog.projects`, and says what
happened on `notice` (a refused name is a sentence, never an exception).
Single-row writes run on the UI thread; writes that may touch many rows run on
a one-thread pool, in order, back through a `Delivery`; `busy`: one runs.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from PySide6.QtCore import QObject, QThreadPool, Signal, Slot

from curator.catalog.types import MembershipChange, ProjectError, ProjectSummary
from curator.engine.delivery import Job, delivery_to
from curator.ui.common.guard import ErrorReporter, guarded_slot

log = logging.getLogger("curator.ui")


@dataclass(frozen=True)
class _Outcome:
    """What a background write hands back to the UI thread."""

    message: str
    photo_ids: tuple[int, ...]  # photos whose membership may have changed
    projects: list[ProjectSummary] | None  # the fresh list (None: the write failed)
    failed: bool = False  # an unexpected failure: shown as an error, logged


def _failed_outcome(exc: Exception) -> _Outcome:
    """A write that raised, as the outcome the UI thread reports (never lost)."""
    if isinstance(exc, ProjectError):
        return _Outcome(str(exc), (), None)
    log.error("a project write failed", exc_info=exc)
    return _Outcome(f"The project change failed: {exc}.", (), None, failed=True)


def _named(count: int) -> str:
    return "1 photo" if count == 1 else f"{count} photos"


class ProjectService(QObject):
    projects_changed = Signal(list)  # list[ProjectSummary], by name
    members_changed = Signal(list)  # photo ids added to / removed from some project
    current_changed = Signal(object)  # the current project's id, or None
    notice = Signal(str)  # a sentence for the status bar

    def __init__(
        self,
        errors: ErrorReporter,
        threads: QThreadPool,
        *,
        match_threshold: float = 70.0,
        parent: QObject | None = None,
    ):
        super().__init__(parent)
        self.errors = errors
        self.match_threshold = match_threshold
        self.projects: list[ProjectSummary] = []
        self.current_id: int | None = None
        self._pool = threads  # one thread: writes run one at a time, in order
        self._delivery = delivery_to(self, self._on_done)
        self._in_flight = 0

    # --- reads ------------------------------------------------------------------

    @property
    def busy(self) -> bool:
        """A background write is queued or running."""
        return self._in_flight > 0

    @property
    def current(self) -> ProjectSummary | None:
        return self.summary(self.current_id)

    def summary(self, project_id: int | None) -> ProjectSummary | None:
        return next((p for p in self.projects if p.id == project_id), None)

    def refresh(self) -> None:
        """Re-read the list (few rows: one per project) and tell the views."""
        from curator.catalog import projects as catalog_projects  # after the first paint

        self._set_projects(catalog_projects.list_projects(self.match_threshold))

    def set_match_threshold(self, threshold: float) -> None:
        """Covers follow the MATCH threshold (the approval rule uses it)."""
        if threshold != self.match_threshold:
            self.match_threshold = threshold
            self.refresh()

    def set_current(self, project_id: int | None) -> None:
        """Make `project_id` the current project (None: no current project)."""
        if project_id is not None and self.summary(project_id) is None:
            project_id = None
        if project_id != self.current_id:
            self.current_id = project_id
            self.current_changed.emit(project_id)

    # --- quick writes on the UI thread ------------------------------------------

    def create(self, name: str) -> ProjectSummary | None:
        """Create a project and make it current; None (and a notice) if refused."""
        from curator.catalog import projects as catalog_projects  # after the first paint

        try:
            made = catalog_projects.create_project(name)
        except ProjectError as exc:
            self.notice.emit(str(exc))
            return None
        self.refresh()
        self.set_current(made.id)
        self.notice.emit(f"Created project “{made.name}”.")
        return made

    def rename(self, project_id: int, name: str) -> bool:
        from curator.catalog import projects as catalog_projects  # after the first paint

        before = self.summary(project_id)
        try:
            renamed = catalog_projects.rename_project(project_id, name)
        except ProjectError as exc:
            self.notice.emit(str(exc))
            return False
        self.refresh()
        old = before.name if before is not None else "the project"
        self.notice.emit(f"Renamed “{old}” to “{renamed.name}”.")
        return True

    def toggle_one(self, project_id: int, photo_id: int, file_name: str) -> bool:
        """The loupe's B key, as Lightroom's quick collection: add ONE photo, or
        take it out when it is already in (single-row writes). True if added."""
        from curator.catalog import projects as catalog_projects  # after the first paint

        try:
            change = catalog_projects.add_photos(project_id, [photo_id])
            added = bool(change.changed)
            if not added:
                change = catalog_projects.remove_photos(project_id, [photo_id])
        except ProjectError as exc:
            self.notice.emit(str(exc))
            return False
        self.set_current(project_id)
        self.refresh()
        if change.changed:
            self.members_changed.emit([photo_id])
        if added:
            self.notice.emit(f"Added {file_name} to “{change.project}”.")
        else:
            self.notice.emit(f"Removed {file_name} from “{change.project}” (B again adds it back).")
        return added

    # --- background writes --------------------------------------------------------

    def add(self, project_id: int, photo_ids: Sequence[int]) -> None:
        """Add photos to a project, off the UI thread (see the module docstring)."""
        self.set_current(project_id)
        self._membership(project_id, list(photo_ids), adding=True)

    def remove(self, project_id: int, photo_ids: Sequence[int]) -> None:
        """Take photos out of a project (the photos are not touched), off the UI thread."""
        self._membership(project_id, list(photo_ids), adding=False)

    def delete(self, project_id: int) -> None:
        """Delete a project and its memberships (never a photo), off the UI thread."""
        from curator.catalog import projects as catalog_projects  # after the first paint

        threshold = self.match_threshold

        def write() -> _Outcome:
            members = tuple(catalog_projects.project_photo_ids(project_id))
            gone = catalog_projects.delete_project(project_id)
            return _Outcome(
                f"Deleted project “{gone.name}” ({_named(gone.count)}); "
                "the photos themselves are not touched.",
                members,
                catalog_projects.list_projects(threshold),
            )

        self._start(write)

    def _membership(self, project_id: int, ids: list[int], *, adding: bool) -> None:
        from curator.catalog import projects as catalog_projects  # after the first paint

        threshold = self.match_threshold

        def write() -> _Outcome:
            change: MembershipChange
            if adding:
                change = catalog_projects.add_photos(project_id, ids)
                message = f"Added {_named(change.changed)} to “{change.project}”"
                rest = f" ({change.unchanged} already in it)." if change.unchanged else "."
            else:
                change = catalog_projects.remove_photos(project_id, ids)
                message = f"Removed {_named(change.changed)} from “{change.project}”"
                rest = " (the photos themselves are not touched)."
            moved = tuple(ids) if change.changed else ()
            return _Outcome(message + rest, moved, catalog_projects.list_projects(threshold))

        self._start(write)

    def _start(self, fn: Callable[[], _Outcome]) -> None:
        self._in_flight += 1
        self._pool.start(Job(fn, self._delivery, _failed_outcome))

    @Slot(object)
    @guarded_slot
    def _on_done(self, outcome: _Outcome) -> None:
        self._in_flight -= 1
        if outcome.projects is not None:
            self._set_projects(outcome.projects)
        if outcome.photo_ids:
            self.members_changed.emit(list(outcome.photo_ids))
        if outcome.failed:
            self.errors.report(outcome.message)
        else:
            self.notice.emit(outcome.message)

    def _set_projects(self, projects: list[ProjectSummary]) -> None:
        self.projects = list(projects)
        if self.current_id is not None and self.summary(self.current_id) is None:
            self.current_id = None
            self.current_changed.emit(None)
        self.projects_changed.emit(self.projects)

    def shutdown(self) -> None:
        """No result is delivered after this; waits for a write under way to commit."""
        self._delivery.close()
        self._pool.clear()
        self._pool.waitForDone()

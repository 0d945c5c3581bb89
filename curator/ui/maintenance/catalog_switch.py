"""`CatalogHost`: the window's catalog, and changing it — File ▸ Open Catalog…
and File ▸ Restore Catalog from Backup… — off the UI thread, the window live.

A change ends the app on the old catalog and builds it again on the new one,
in the same process; every slow part runs on the host's own one-thread pool.

Protocol (the one place it lives):
1. `switch` / `restore` (main thread): refused with a sentence while a change,
   import, ingest, export, purge or backup runs; else `busy` is set and the
   `InputGuard` drops every press.
2. On the pool, the old catalog untouched: the target checked (`check_target`,
   upgraded when older) or the backup (`catalog.backup.check_backup`); a
   refusal ends here.
3. A pending step of the `StepQueue` commits; the old app stops (`App.stop`),
   its pools drained on the pool; on the UI thread the old catalog closes.
4. A restore, on the pool: the backup put back (`restore_in_place`).
5. On the UI thread, each on its own turn: the app built on the new catalog
   (`opener`), shown where the old window was, the old one deleted; the choice
   remembered (`RecentCatalogs`). If that fails the old catalog opens again; if
   neither opens, the sentence ends the app.
Outcomes come back through `Delivery`s; `close()` drops late news.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from PySide6.QtCore import QCoreApplication, QEvent, QObject, QThreadPool, QTimer, Slot
from PySide6.QtGui import QKeyEvent

from curator.engine.delivery import Delivery, Job, delivery_to
from curator.paths import RecentCatalogs, location_key
from curator.ui.common.presses import PRESSES
from curator.ui.maintenance.catalog_upgrade import ProgressThrottle, failure_sentence
from curator.ui.maintenance.catalog_work import (
    KEEPING,
    check_target,
    hold_presence,
    restore_in_place,
)

if TYPE_CHECKING:
    from curator.catalog.db import Catalog
    from curator.engine.lock import AppLock

log = logging.getLogger("curator.ui")

# A press's followers are dropped with it; a wheel is not (unlike while the
# catalog first opens): the grid scrolls while a switch runs.
_FOLLOWERS = frozenset(
    {QEvent.Type.KeyRelease, QEvent.Type.ShortcutOverride, QEvent.Type.MouseButtonRelease}
)


class HostedApp(Protocol):
    """What the host needs of `app.App` (a composition root it may not import)."""

    window: Any
    session: Any
    errors: Any
    backup: Any
    purge: Any
    export_slot: Any
    pools: tuple[QThreadPool, ...]

    def stop(self) -> None: ...

    def shutdown(self) -> None: ...

    def catalog_opened(self) -> None: ...


Opener = Callable[[Path | str], tuple[HostedApp, "Catalog"]]


class InputGuard(QObject):
    """Drops key presses, clicks and drops application-wide while installed,
    and says why (`say(busy)`); paints, wheels and timers go on."""

    def __init__(self, say: Callable[[], None]) -> None:
        super().__init__()
        self._say = say
        self.dropped = 0
        self.wanted = False  # installed, or paused and to be installed again
        self._app: QCoreApplication | None = None

    def install(self) -> None:
        self.wanted = True
        self._attach()

    def remove(self) -> None:
        self.wanted = False
        self._detach()

    @contextmanager
    def paused(self) -> Iterator[None]:
        """Off for a block of UI-thread work (no input is dispatched meanwhile, and
        its widgets send thousands of events); back on after, unless `remove()`d."""
        self._detach()
        try:
            yield
        finally:
            if self.wanted:
                self._attach()

    def _attach(self) -> None:
        if self._app is None:
            self._app = QCoreApplication.instance()
            if self._app is not None:
                self._app.installEventFilter(self)

    def _detach(self) -> None:
        if self._app is not None:
            self._app.removeEventFilter(self)
            self._app = None

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        if kind in PRESSES:
            if not (isinstance(event, QKeyEvent) and event.isAutoRepeat()):
                self.dropped += 1
                self._say()
            return True
        return kind in _FOLLOWERS


@dataclass(frozen=True)
class Checked:
    """A job's outcome: the sentence it ended with, or the error that stopped it."""

    sentence: str = ""
    error: Exception | None = None


def _drain(pools: tuple[QThreadPool, ...]) -> Checked:
    for pool in pools:
        pool.clear()  # queued tasks never start
    for pool in pools:
        pool.waitForDone()
    return Checked()


class CatalogHost(QObject):
    """The app on its catalog, and changing catalogs (module docstring)."""

    def __init__(
        self,
        threads: QThreadPool,
        opener: Opener,
        recent: RecentCatalogs,
        on_quit: Callable[[], None],
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.threads, self.opener, self.recent, self.on_quit = threads, opener, recent, on_quit
        self.app: HostedApp | None = None
        self.catalog: Catalog | None = None
        self.location: Path | str = ""
        self.presence: list[AppLock] = []
        self.busy: str | None = None
        self.adopted: list[Callable[[HostedApp], None]] = []  # wiring of each new window
        self.guard = InputGuard(self._say_busy)
        self._news: Delivery[str] = delivery_to(self, self._on_news)
        self._checked: Delivery[Checked] = delivery_to(self, self._on_checked)
        self._drained: Delivery[Checked] = delivery_to(self, self._on_drained)
        self._worked: Delivery[Checked] = delivery_to(self, self._on_worked)
        self._stop = threading.Event()
        self._target: Path | str = ""  # what opens at step 6
        self._work: Callable[[], Checked] | None = None  # a restore's step 5

    # --- the app on its catalog ---------------------------------------------

    def adopt(self, app: HostedApp, catalog: Catalog, location: Path | str) -> None:
        """`app` on the open `catalog` is the window's now (its presence lock taken)."""
        self.app, self.catalog, self.location = app, catalog, location
        hold_presence(catalog.path, self.presence)
        app.window.closed.connect(self._window_closed)
        self.recent.add(location)
        for wire in self.adopted:
            wire(app)

    def close(self) -> None:
        """At exit (app.main): later news dropped, a backup under way stops."""
        self._stop.set()
        for delivery in (self._news, self._checked, self._drained, self._worked):
            delivery.close()
        self.guard.remove()

    def release(self) -> None:
        """The catalog closed and its lock let go (after the app's shutdown)."""
        if self.catalog is not None:
            self.catalog.close()
            self.catalog = None
        for lock in self.presence:
            lock.release()
        self.presence.clear()

    # --- asking for a change ----------------------------------------------

    def refusal(self) -> str | None:
        """Why a change can't start now, or None."""
        if self.busy is not None:
            return f"{self.busy} Wait until it is done."
        app = self.app
        if app is None:
            return "The catalog is not open yet."
        window = app.window
        running = [
            ("an import", window.pipeline_running),
            ("a backup", app.backup is not None and app.backup.running),
            ("a move to the trash", app.purge is not None and app.purge.running),
            ("an export", app.export_slot.built is not None and app.export_slot.built.running),
        ]
        ingest = getattr(app, "ingest_slot", None)
        if ingest is not None and ingest.built is not None and ingest.built.running:
            running.append(("an ingest", True))
        for what, is_running in running:
            if is_running:
                return (
                    f"Can't change the catalog while {what} runs: let it finish "
                    "(or stop it), then try again."
                )
        return None

    def switch(self, location: Path | str) -> bool:
        """Open the catalog at `location` instead; False when refused (with a sentence)."""
        from curator.paths import describe

        if not self._begin(f"Opening the catalog {describe(location)}…"):
            return False
        self._target, self._work = location, None
        current = self.location
        throttle = ProgressThrottle(self._news.deliver, stop=self._stop)

        def check() -> Checked:
            check_target(location, current, throttle)
            return Checked()

        self.threads.start(Job(check, self._checked, lambda exc: Checked(error=exc)))
        return True

    def restore(self, backup: Path, folder: Path, keep: int) -> bool:
        """Put `backup` back as this catalog (module docstring); False when refused."""
        from curator.catalog.backup import BackupError

        if self.catalog is not None and self.catalog.is_postgres:
            self._refuse(
                "A studio's PostgreSQL catalog is not restored from the window: put a backup "
                "back with `curator catalog copy BACKUP URL --replace` at one seat, with "
                "every other seat closed."
            )
            return False
        if not self._begin(f"Restoring the catalog from {backup.name}…"):
            return False
        assert self.catalog is not None
        catalog_path = self.catalog.path
        self._target = self.location
        throttle = ProgressThrottle(self._news.deliver, stop=threading.Event())

        def work() -> Checked:
            news = self._news.deliver
            result = restore_in_place(catalog_path, backup, folder, keep, throttle, news)
            return Checked(result.sentence())

        self._work = work

        def check() -> Checked:
            from curator.catalog.backup import check_backup

            if Path(backup).resolve() == Path(catalog_path).resolve():
                raise BackupError("That file is the catalog itself, not a backup of it.")
            check_backup(backup)
            return Checked()

        self.threads.start(Job(check, self._checked, lambda exc: Checked(error=exc)))
        return True

    def _begin(self, sentence: str) -> bool:
        why = self.refusal()
        if why is not None:
            self._refuse(why)
            return False
        self.busy = sentence
        self.guard.install()
        self._status(sentence)
        return True

    def _refuse(self, sentence: str) -> None:
        log.info("%s", sentence)
        if self.app is not None:
            self.app.window.show_error(sentence)

    # --- the steps ----------------------------------------------------------

    @Slot(object)
    def _on_news(self, text: str) -> None:
        self._status(text)

    @Slot(object)
    def _on_checked(self, checked: Checked) -> None:
        if checked.error is not None:
            self._end(failure_sentence(checked.error, str(self._target)), error=True)
            return
        steps = None if self.app is None else self.app.session.steps
        if steps is None or steps.idle:
            self._close_old()
            return
        self._status("Waiting for the step under way to finish first…")

        def on_idle(idle: bool) -> None:
            if idle:
                steps.idle_changed.disconnect(on_idle)
                QTimer.singleShot(0, self, self._close_old)  # after the step's own news

        steps.idle_changed.connect(on_idle)

    @Slot()
    def _close_old(self) -> None:
        app = self.app
        assert app is not None
        from curator.paths import describe

        self._status(f"Closing the catalog {describe(self.location)}…")
        window = app.window
        if window.window_state is not None:  # the new window opens where this one was
            window.window_state.save(window)
        app.stop()
        pools = app.pools
        self.threads.start(Job(lambda: _drain(pools), self._drained))

    @Slot(object)
    def _on_drained(self, _: Checked) -> None:
        self.release()  # every worker of the old app is done: nothing reads it any more
        work = self._work
        if work is None:
            self._open(self._target, "")
            return
        self._status(KEEPING)
        self.threads.start(Job(work, self._worked, lambda exc: Checked(error=exc)))

    @Slot(object)
    def _on_worked(self, worked: Checked) -> None:
        if worked.error is not None:
            sentence = failure_sentence(worked.error, str(self._target))
            self._open(self.location, sentence, error=True)
            return
        self._open(self._target, worked.sentence)

    def _open(self, location: Path | str, sentence: str, *, error: bool = False) -> None:
        """Step 6: the app on `location`; the old location again if that fails."""
        old = self.app
        assert old is not None
        with self.guard.paused():
            self._open_paused(old, location, sentence, error)

    def _open_paused(
        self, old: HostedApp, location: Path | str, sentence: str, error: bool
    ) -> None:
        from curator.paths import describe

        try:
            app, catalog = self.opener(location)
        except Exception as exc:
            if location_key(location) == location_key(self.location):
                self._fatal(failure_sentence(exc, describe(location)))
                return
            sentence, error = failure_sentence(exc, describe(location)), True
            try:
                app, catalog = self.opener(self.location)
                location = self.location
            except Exception as again:
                self._fatal(failure_sentence(again, describe(self.location)))
                return
        old.window.closed.disconnect(self._window_closed)
        self.adopt(app, catalog, location)
        done = sentence or f"Opened the catalog {describe(location)}."
        # The new window's first reads, then its first show, each on a turn of its own.
        QTimer.singleShot(0, self, lambda: self._first_reads(app, old, done, error))

    def _first_reads(self, app: HostedApp, old: HostedApp, sentence: str, error: bool) -> None:
        try:
            with self.guard.paused():
                app.catalog_opened()  # the grid's first rows, the window's lists
        except Exception as exc:  # shown; the window is still the new catalog's
            log.exception("the new catalog's first reads failed")
            sentence, error = failure_sentence(exc, str(self.location)), True
        QTimer.singleShot(0, self, lambda: self._show(app, old, sentence, error))

    def _show(self, app: HostedApp, old: HostedApp, sentence: str, error: bool) -> None:
        self.guard.remove()  # before the show's many events, not filtered one by one
        app.window.show()
        app.window.activateWindow()  # the keys go on to the new window, as they went to the old
        old.window.hide()
        old.window.deleteLater()
        self._end(sentence, error=error)

    def _fatal(self, sentence: str) -> None:
        """Neither the new catalog nor the old one opens: said, then the app ends."""
        from PySide6.QtWidgets import QMessageBox

        self.guard.remove()
        self.busy = None
        QMessageBox.critical(None, "Curator", sentence)
        self.on_quit()

    def _end(self, sentence: str, *, error: bool = False) -> None:
        self.busy = None
        self.guard.remove()
        if self.app is None:
            return
        window = self.app.window
        if error:
            window.show_error(sentence)
        else:
            window.statusBar().showMessage(sentence, 10_000)

    def _status(self, text: str) -> None:
        if self.app is not None:
            self.app.window.statusBar().showMessage(text)

    def _say_busy(self) -> None:
        if self.busy is not None:
            self._status(f"{self.busy} The window comes back when it is done.")

    @Slot()
    def _window_closed(self) -> None:
        self.on_quit()


__all__ = [
    "CatalogHost",
    "Checked",
    "HostedApp",
    "InputGuard",
]

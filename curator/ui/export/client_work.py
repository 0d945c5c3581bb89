"""`ClientGalleryWork`: the window's client-gallery jobs, off the UI thread.

`curator.proof.make` and `curator.proof.importing` do the work, as for
`curator proof make|import`. Protocol (`ui.common.job_runner`, as `ExportController`'s):
- Jobs run on `threads` (the export's pool, one thread: the disk the copies
  go to is the resource) with immutable inputs (a `MakeRequest`, bytes, a
  cancel `threading.Event`) and come back only through the controller's
  `Delivery`, as frozen messages carrying the job's generation.
- `load_choices(purpose)`: the galleries and the projects (`ChoicesLoaded`).
- `start(request)`: ONE job, in the make's three steps: `plan_gallery` reads
  the catalog on this pool's thread (a refusal, `GalleryError`, finishes
  with its sentence and nothing made); `run_copies` renders on its own
  worker threads, each photo done delivered as `MakeProgress`, stopping at
  `cancel` after the photos in hand; `apply_gallery` writes once, back on
  this thread, and `MakeFinished` says what happened (with the access code
  of a new gallery: never stored, never logged).
- `import_selection(bytes or a file)`: read → verify → apply (`ImportFinished`).
- `cancel()` stops a make between photos; `shutdown()` (the window closed)
  cancels and closes the Delivery: nothing is posted after it.
"""

from __future__ import annotations

import getpass
import logging
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Signal, Slot

from curator.engine.delivery import Delivery
from curator.ui.common.guard import guarded_slot
from curator.ui.common.job_runner import JobRunner
from curator.ui.export.client_text import imported_text
from curator.ui.export.controller import error_sentence, project_names

if TYPE_CHECKING:
    from curator.catalog.proofing.galleries import GallerySettings
    from curator.proof.make import MakeRequest

log = logging.getLogger("curator.ui")


@dataclass(frozen=True)
class GalleryChoice:
    """An existing gallery as the dialog offers it."""

    name: str
    token: str
    settings: GallerySettings
    folder: str


@dataclass(frozen=True)
class ChoicesLoaded:
    purpose: str  # who asked: the make dialog, or the serve menu item
    galleries: tuple[GalleryChoice, ...]
    projects: tuple[str, ...]
    error: str | None = None


@dataclass(frozen=True)
class MakeProgress:
    generation: int
    done: int
    total: int


@dataclass(frozen=True)
class MakeFinished:
    generation: int
    name: str
    token: str = ""  # the gallery's (what `proof serve` takes); '' when nothing was made
    folder: str = ""
    code: str | None = None  # the access code, only when the gallery was made now
    rendered: int = 0
    unchanged: int = 0
    removed: int = 0
    failed: tuple[tuple[str, str], ...] = ()  # (file name, sentence)
    cancelled: bool = False
    error: str | None = None  # why nothing was made, in a sentence

    @property
    def made(self) -> bool:
        return self.error is None


@dataclass(frozen=True)
class ImportFinished:
    sentence: str
    refused: bool  # True: nothing changed
    photo_ids: tuple[int, ...] = ()  # the gallery's photos, whose hearts may have changed


def read_choices(purpose: str) -> ChoicesLoaded:
    """The galleries (newest first) and the projects (on a worker)."""
    from curator.catalog.proofing.galleries import all_galleries

    galleries = tuple(GalleryChoice(g.name, g.token, g.settings, g.folder) for g in all_galleries())
    return ChoicesLoaded(purpose, galleries, tuple(project_names()))


def seat_user() -> str:
    """Who made the gallery (as `curator proof make` records it)."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return ""


def file_names(ids: list[int]) -> dict[int, str]:
    """The originals' file names of these photos (a failure names its photo)."""
    from curator.catalog.queries import gallery_rows

    return {pid: row.file_name for pid, row in gallery_rows(ids).items()} if ids else {}


def make(
    generation: int,
    request: MakeRequest,
    cancel: threading.Event,
    delivery: Delivery[object],
) -> MakeFinished:
    """The make's three steps (module docstring), on the pool's thread."""
    from curator.catalog.proofing.galleries import GalleryError, gallery_by_token, gallery_named
    from curator.proof.make import apply_gallery, plan_gallery, run_copies

    try:
        existing = gallery_named(request.name)
    except GalleryError:
        existing = None
    try:
        plan = plan_gallery(request, existing)
    except GalleryError as exc:
        return MakeFinished(generation, request.name, error=str(exc))

    def progress(done: int, total: int) -> None:
        delivery.deliver(MakeProgress(generation, done, total))

    outcomes = run_copies(plan, progress=progress, cancel=cancel)
    result = apply_gallery(plan, outcomes, cancelled=cancel.is_set())
    names = file_names([pid for pid, _why in result.failed])
    gallery = gallery_by_token(result.gallery.token) or result.gallery
    return MakeFinished(
        generation,
        gallery.name,
        token=gallery.token,
        folder=str(result.folder),
        code=result.code,
        rendered=result.rendered,
        unchanged=result.unchanged,
        removed=result.removed,
        failed=tuple((names.get(pid, f"photo {pid}"), why) for pid, why in result.failed),
        cancelled=result.cancelled,
    )


def import_selection(source: bytes | Path) -> ImportFinished:
    """A client's selection (pasted text, or a file read here) brought back
    (`proof.importing`), as a sentence."""
    from curator.catalog.proofing.galleries import gallery_photos
    from curator.catalog.proofing.picks import PicksRefused
    from curator.proof.importing import import_selection as apply
    from curator.proof.selection import SelectionRefused

    if isinstance(source, Path):
        try:
            data = source.read_bytes()
        except OSError as exc:
            why = (exc.strerror or str(exc)).lower()
            return ImportFinished(f"{source} can't be read: {why}. Nothing changed.", refused=True)
    else:
        data = source
    try:
        gallery, state, _selection = apply(data)
    except (SelectionRefused, PicksRefused) as exc:
        return ImportFinished(f"{exc} Nothing changed.", refused=True)
    photos = gallery_photos(gallery.id)
    sentence = imported_text(
        len(state.hearts), len(photos), len(state.comments), state.confirmed_at
    )
    return ImportFinished(sentence, refused=False, photo_ids=tuple(p.photo_id for p in photos))


class ClientGalleryWork(JobRunner):
    choices_loaded = Signal(object)  # ChoicesLoaded
    progress = Signal(int, int)  # done, total of the running make
    finished = Signal(object)  # MakeFinished
    imported = Signal(object)  # ImportFinished

    def load_choices(self, purpose: str) -> None:
        if self._shut_down:
            return

        def job() -> ChoicesLoaded:
            try:
                return read_choices(purpose)
            except Exception as exc:
                log.exception("listing the client galleries failed")
                return ChoicesLoaded(purpose, (), (), error_sentence(exc))

        self._post(job)

    def start(self, request: MakeRequest) -> bool:
        """Make (or update) the gallery `request` names; False if one is running."""
        begun = self._begin()
        if begun is None:
            return False
        (generation, cancel), delivery = begun, self._delivery

        def job() -> MakeFinished:
            try:
                return make(generation, request, cancel, delivery)
            except Exception as exc:
                log.exception("making the client gallery %r failed", request.name)
                return MakeFinished(generation, request.name, error=error_sentence(exc))

        return self._started(job)

    def import_selection(self, source: bytes | Path) -> None:
        """Bring a client's selection back, from pasted text or a file
        (`imported` says what happened)."""
        if self._shut_down:
            return

        def job() -> ImportFinished:
            try:
                return import_selection(source)
            except Exception as exc:
                log.exception("importing a client's selection failed")
                return ImportFinished(f"{error_sentence(exc)} Nothing changed.", refused=True)

        self._post(job)

    def _job_failed(self, exc: Exception) -> None:
        log.error("a client gallery task failed", exc_info=exc)

    @Slot(object)
    @guarded_slot
    def _on_posted(self, message: object) -> None:
        if isinstance(message, MakeProgress):
            if message.generation == self._run_generation and self.running:
                self.progress.emit(message.done, message.total)
        elif isinstance(message, MakeFinished):
            if message.generation == self._run_generation:
                self._run_over()
                self.finished.emit(message)
        elif isinstance(message, ChoicesLoaded):
            if message.error:
                self.errors.report(message.error)
            self.choices_loaded.emit(message)
        elif isinstance(message, ImportFinished):
            self.imported.emit(message)

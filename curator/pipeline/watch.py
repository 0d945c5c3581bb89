"""`WatchSession`: a watched folder, live — each frame that lands whole is shown
and measured with its faces by the one pipeline, as it lands. The window (File ▸
Watch Folder…) and `curator watch` drive the same session over the same
`PipelineService`; the session owns no stage logic.

Protocol (the session lives on the service's thread):
- `start()` starts the `FolderWatcher` (ingest.watcher, news through a
  Delivery) and a live run (`RunRequest.live`, pipeline.live) once the service
  is free; a run going is waited out, never interrupted (retried when the
  service finishes, and every `RETRY_S`).
- Each whole file is an arrival: fed to the live run and `outstanding` until
  its measurement or failure is written, or the plan finds it catalogued
  (`feed_settled`). A written measurement is looked up on the prepare pool and
  said in `arrived` (an `Arrival`); a quick-look tile first in `tile_shown`.
- What cannot go on is a sentence (`noted`), never an exception (a file gone,
  a folder vanished: the watcher pauses and catches up, `state_changed`).
  After a storage fault the outstanding files go to a new live run `RETRY_S`
  later: nothing that landed is lost, nothing read twice.
- While frames arrive, bursts are regrouped (`regroup_bursts`, no model) and
  the new frames placed among the near-duplicates on the ML pool at most every
  `REGROUP_S`; `service.scores_changed`, then `grouped`.
- With a backup folder (`backup`, an `IngestRequest`), each whole file is
  also handed to a `LiveBackup` (ingest.live_backup: the card ingest's copy,
  on its own thread); each result is `backed_up`, and an `Arrival` waits for
  its file's first result (`Arrival.backup`); its sentences are `noted`.
- `stop()`: the watcher stops, the live run's feed is closed and the backup
  tries what it owes once more; `stopped` follows once both are done (at once
  when nothing runs). The user cancelling the live run stops the watch too.
"""

from __future__ import annotations

import logging
import os
import time
from dataclasses import dataclass, replace
from functools import partial

from PySide6.QtCore import QObject, QTimer, Signal, Slot

from curator.engine.delivery import Delivery, Job, delivery_to, log_and_deliver
from curator.ingest.live_backup import Backed, BackupNews, BackupStatus, LiveBackup
from curator.ingest.types import IngestRequest
from curator.ingest.watcher import FolderWatcher, WatchNews, WatchState
from curator.pipeline.report import PipelineBusy, RunReport, RunRequest
from curator.pipeline.service import PipelineService
from curator.records import FacesFound, TechnicalFailure
from curator.settings import Settings

log = logging.getLogger(__name__)

RETRY_S = 5.0  # a busy service, another Curator importing, a storage fault: tried again
# Bursts grouped again at most this often while frames arrive (~0.1 s at 2,000 photos).
REGROUP_S = 5.0
STAGES = ("technical", "faces")  # a live run's; the rest follow when the watch stops


@dataclass(frozen=True)
class Arrival:
    """One frame the watch brought in, once its measurement (or failure) is
    written: `status` "new", "duplicate" (bytes the catalog holds already:
    one photo, a second path), "updated" (other bytes at a catalogued path)
    or "failed" (`reason`); seconds after its last byte until its tile was
    in the catalog (`tile_s`, None: not shown before it was measured) and
    until it was measured with its faces (`measured_s`)."""

    path: str
    status: str
    photo_id: int | None
    measured_s: float
    tile_s: float | None = None
    faces: int | None = None
    pair_of: int | None = None  # the RAW this JPEG is one photo with
    reason: str = ""
    backup: Backed | None = None  # its copy in the backup folder (None: no backup folder)


@dataclass(frozen=True)
class WatchTotals:
    """What a watch did, once stopped: frames measured, frames the backup
    folder holds (copied or held before), frames still owed a backup."""

    arrived: int
    backed: int = 0
    owed: int = 0


@dataclass(frozen=True)
class _Looked:
    """Catalog rows of measured paths: path -> (photo id, a second path?, RAW lead)."""

    rows: dict[str, tuple[int, bool, int | None]]
    outcomes: tuple[object, ...]


def look_up(outcomes: tuple[object, ...]) -> _Looked:
    """The rows the measured paths now belong to (on the prepare pool)."""
    from curator.catalog.models import Photo, PhotoPath
    from curator.catalog.paths_codec import decode_path, encode_path

    paths = [str(getattr(o, "path", "")) for o in outcomes]
    encoded = [encode_path(p) for p in paths]
    rows: dict[str, tuple[int, bool, int | None]] = {}
    query = Photo.select(Photo.id, Photo.path, Photo.pair_lead_id).where(Photo.path.in_(encoded))
    for pid, path, lead in query.tuples():
        rows[decode_path(path)] = (int(pid), False, lead)
    extra = PhotoPath.select(PhotoPath.photo, PhotoPath.path).where(PhotoPath.path.in_(encoded))
    for pid, path in extra.tuples():
        rows.setdefault(decode_path(path), (int(pid), True, None))
    return _Looked(rows, outcomes)


def group_bursts(settings: Settings) -> int:
    """The score step's burst grouping, and the frames just measured placed
    among the near-duplicates (stages.duplicates), alone (on the ML pool)."""
    from curator.pipeline.stages.duplicates import place_new
    from curator.pipeline.stages.score import regroup_bursts
    from curator.settings import embedding_model_id

    bursts = regroup_bursts(embedding_model_id(settings), settings)
    place_new()
    return bursts


class WatchSession(QObject):
    """One watched folder (see the module docstring)."""

    arrived = Signal(object)  # Arrival
    tile_shown = Signal(str)  # a path whose quick look is in the catalog
    noted = Signal(str)  # a sentence: what happened that the photographer should know
    state_changed = Signal(str)  # WatchState
    grouped = Signal()  # the bursts were grouped again with the frames that arrived
    backed_up = Signal(object)  # Backed: what the backup did with a file
    stopped = Signal()

    def __init__(
        self,
        folder: str,
        service: PipelineService,
        *,
        exclude: tuple[str, ...] = (),
        backup: IngestRequest | None = None,
        parent: QObject | None = None,
    ):
        super().__init__(parent)
        self.folder = os.path.abspath(folder)
        self.backup = None if backup is None else replace(backup, source=self.folder)
        self.backed = 0  # frames the backup folder holds (copied now, or before)
        self.backup_owed = 0  # frames waiting for their backup
        self._backup: LiveBackup | None = None
        self._backed: dict[str, Backed] = {}  # first results whose arrival is being measured
        self._held: dict[str, Arrival] = {}  # arrivals waiting for their first backup result
        self._backup_news: Delivery[BackupNews] = delivery_to(self, self._on_backup_news)
        self._ending: set[str] = set()  # what `stopped` waits for: "run", "backup"
        self.service = service
        self.watching = False
        self.cancelled = False  # the user cancelled the live run: that stopped the watch
        self.state = WatchState.WATCHING
        self.count = 0  # arrivals measured (or failed) so far
        self.last_at: float | None = None  # monotonic time of the last one
        self.photo_ids: set[int] = set()  # the session's photos (Cull ▸ Propose's scope)
        self.outstanding: dict[str, float] = {}  # path -> landed at (monotonic)
        self._tiles: dict[str, float] = {}  # path -> its quick look written at
        self._timed: dict[str, tuple[float, float]] = {}  # measured: (tile at, measured at)
        self._refeed: list[str] = []  # a batch that could not be planned, fed again soon
        self._mine = False  # the service's run is this session's live run
        self._busy_said = False
        self._exclude = exclude
        self._watcher: FolderWatcher | None = None
        self._news: Delivery[WatchNews] = delivery_to(self, self._on_news)
        self._looked: Delivery[_Looked] = delivery_to(self, self._on_looked)
        self._retry = QTimer(self)
        self._retry.setSingleShot(True)
        self._retry.setInterval(int(RETRY_S * 1000))
        self._retry.timeout.connect(self._ensure_run)
        self._regroup = QTimer(self)
        self._regroup.setSingleShot(True)
        self._regroup.setInterval(int(REGROUP_S * 1000))
        self._regroup.timeout.connect(self._group_bursts)
        self._grouping = False
        self._grouped: Delivery[object] = delivery_to(self, self._on_grouped)
        service.paths_listed.connect(self._on_listed)
        service.paths_measured.connect(self._on_measured)
        service.feed_settled.connect(self._on_settled)
        service.feed_failed.connect(self._on_feed_failed)
        service.finished.connect(self._on_finished)

    # --- control ------------------------------------------------------------------

    def start(self) -> None:
        """Watch (the caller checked the folder: fs.folders.folder_problem)."""
        if self.watching:
            return
        self.watching = True
        if self.backup is not None:
            self._backup = LiveBackup(self.backup, self._backup_news.deliver)
            self._backup.start()
        self._watcher = FolderWatcher(self.folder, self._news.deliver, exclude=self._exclude)
        self._watcher.start()
        self._ensure_run()

    def stop(self) -> None:
        """Stop watching; `stopped` once the live run has measured what it has."""
        if not self.watching:
            return
        self.watching = False
        self._retry.stop()
        if self._watcher is not None:
            self._watcher.stop()
            self._watcher = None
        self._ending = {"run"}
        if self._backup is not None:
            self._ending.add("backup")
            self._backup.close()
        if self._mine and self.service.running:
            self.service.end_feed()
        else:
            QTimer.singleShot(0, self, lambda: self._ended("run"))

    def _ended(self, part: str) -> None:
        """`part` of the watch is done after `stop()`; `stopped` once all are."""
        if part not in self._ending:
            return
        self._ending.discard(part)
        if not self._ending:
            for arrival in self._held.values():  # none left unless the backup ended early
                self.arrived.emit(arrival)
            self._held.clear()
            self.stopped.emit()

    def totals(self) -> WatchTotals:
        return WatchTotals(self.count, self.backed, self.backup_owed)

    def shutdown(self) -> None:
        """Stop at once (app exit): the watcher ends, nothing more is delivered."""
        self.watching = False
        self._retry.stop()
        if self._watcher is not None:
            self._watcher.stop()
            self._watcher = None
        self._regroup.stop()
        if self._backup is not None:
            self._backup.cancel()  # the copy stops between chunks; a restart catches up
            self._backup = None
        self._news.close()
        self._looked.close()
        self._grouped.close()
        self._backup_news.close()

    # --- the live run --------------------------------------------------------------

    @Slot()
    def _ensure_run(self) -> None:
        """Start this session's live run when the service is free, with what is
        outstanding; feed it again what it could not plan."""
        if not self.watching:
            return
        if self._mine and self.service.running:
            refeed, self._refeed = self._refeed, []
            if refeed and not self.service.feed(refeed):
                self._refeed = refeed
            return
        if self.service.running:
            self._wait("Curator is importing; the watch's frames follow when it is done.")
            return
        request = RunRequest(
            paths=tuple(self.outstanding),
            stages=STAGES,
            part_of="Watch",
            live=True,
            watching=self.folder,
        )
        try:
            self.service.start(request)
        except PipelineBusy as exc:
            self._wait(str(exc))
            return
        self._mine, self._busy_said, self._refeed = True, False, []

    def _wait(self, sentence: str) -> None:
        if not self._busy_said:
            self._busy_said = True
            self.noted.emit(sentence)
        self._retry.start()

    @Slot(object)
    def _on_finished(self, report: RunReport) -> None:
        if not self._mine:
            self._ensure_run()  # the service is free now: ours may start
            return
        self._mine = False
        if not self.watching:
            self._ended("run")
        elif report.error:
            self.noted.emit(
                f"{report.error} The watch goes on; Curator tries again in {RETRY_S:g} s."
            )
            self._retry.start()
        elif report.cancelled:
            self.noted.emit(f"Stopped watching {self.folder}: the import was cancelled.")
            self.cancelled = True
            self.stop()
        else:
            self._ensure_run()

    # --- news ------------------------------------------------------------------------

    @Slot(object)
    def _on_news(self, news: WatchNews) -> None:
        if not self.watching:
            return
        if news.state is not None and news.state != self.state:
            self.state = news.state
            self.state_changed.emit(news.state.value)
        if news.sentence:
            self.noted.emit(news.sentence)
        for skipped in news.skipped:
            self.noted.emit(skipped.text)
        paths = [w.path for w in news.whole]
        for whole in news.whole:
            self.outstanding[whole.path] = whole.landed_at
        if self._backup is not None:
            self._backup.take(news.whole)
        if paths and self._mine and self.service.feed(paths):
            return
        if paths:
            self._ensure_run()

    @Slot(list)
    def _on_listed(self, paths: list[str]) -> None:
        now = time.monotonic()
        for path in paths:
            if path in self.outstanding and path not in self._tiles:
                self._tiles[path] = now
                self.tile_shown.emit(path)

    @Slot(object)
    def _on_measured(self, outcomes: list[object]) -> None:
        ours = tuple(o for o in outcomes if getattr(o, "path", None) in self.outstanding)
        if not ours:
            return
        now = time.monotonic()
        for outcome in ours:
            path = str(getattr(outcome, "path", ""))
            landed = self.outstanding.pop(path)
            self._timed[path] = (self._tiles.pop(path, now) - landed, now - landed)
        self.service.pools.prepare.start(Job(partial(look_up, ours), self._looked))

    @Slot(object)
    def _on_looked(self, looked: _Looked) -> None:
        for outcome in looked.outcomes:
            path = str(getattr(outcome, "path", ""))
            times = self._timed.pop(path, None)
            if times is None:
                continue
            tile_s, measured_s = times
            photo_id, extra, lead = looked.rows.get(path, (None, False, None))
            arrival = self._arrival(outcome, path, photo_id, extra, lead, tile_s, measured_s)
            self.count += 1
            self.last_at = time.monotonic()
            if photo_id is not None:
                self.photo_ids.add(photo_id)
            if self.backup is not None:
                backed = self._backed.pop(path, None)
                if backed is None:
                    self._held[path] = arrival  # said with its backup's first result
                    continue
                arrival = replace(arrival, backup=backed)
            self.arrived.emit(arrival)
        if not self._regroup.isActive():
            self._regroup.start()

    @Slot()
    def _group_bursts(self) -> None:
        """The bursts grouped again on the ML pool (one grouping at a time)."""
        if self._grouping:
            self._regroup.start()  # the last one is still at it: after it
            return
        self._grouping = True
        job = partial(group_bursts, self.service.settings)
        self.service.pools.ml.start(Job(job, self._grouped, log_and_deliver))

    @Slot(object)
    def _on_grouped(self, result: object) -> None:
        self._grouping = False
        if isinstance(result, Exception):
            self.noted.emit(f"Curator could not group the bursts just shot: {result}")
            return
        self.service.scores_changed.emit()  # the window re-reads bursts as after a score step
        self.grouped.emit()

    @staticmethod
    def _arrival(
        outcome: object,
        path: str,
        photo_id: int | None,
        extra: bool,
        lead: int | None,
        tile_s: float,
        measured_s: float,
    ) -> Arrival:
        shown = tile_s if tile_s < measured_s else None
        if isinstance(outcome, TechnicalFailure):
            return Arrival(path, "failed", photo_id, measured_s, shown, reason=outcome.message)
        faces = getattr(outcome, "faces", None)
        found = len(faces.faces) if isinstance(faces, FacesFound) else None
        status = "duplicate" if extra else "new" if shown is not None else "updated"
        return Arrival(path, status, photo_id, measured_s, shown, found, lead)

    @Slot(list)
    def _on_settled(self, paths: list[str]) -> None:
        for path in paths:
            self.outstanding.pop(path, None)
            self._tiles.pop(path, None)
            self._backed.pop(path, None)

    @Slot(object)
    def _on_backup_news(self, news: BackupNews) -> None:
        for sentence in news.sentences:
            self.noted.emit(sentence)
        self.backup_owed = news.owed
        for backed in news.backed:
            if backed.status is not BackupStatus.FAILED:
                self.backed += 1
            held = self._held.pop(backed.path, None)
            if held is not None:
                self.arrived.emit(replace(held, backup=backed))
            elif backed.path in self.outstanding or backed.path in self._timed:
                self._backed.setdefault(backed.path, backed)  # its arrival is on its way
            self.backed_up.emit(backed)
        if news.ended:
            self._backup = None
            self._ended("backup")

    @Slot(list, str)
    def _on_feed_failed(self, paths: list[str], sentence: str) -> None:
        names = ", ".join(os.path.basename(p) for p in paths[:3])
        more = f" and {len(paths) - 3} more" if len(paths) > 3 else ""
        self.noted.emit(
            f"{names}{more} could not be imported yet ({sentence}); Curator tries again "
            f"in {RETRY_S:g} s."
        )
        self._refeed.extend(paths)
        self._retry.start()

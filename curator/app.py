"""The composition root: builds the catalog, services and main window, and
wires them together explicitly (no service locator, no global signal bus).

`main(argv)` is `curator [--catalog PATH] [FOLDER]`; `build_app` is the one
place the object graph is assembled (tests call it on a catalog they opened).
Start-up stays light: nothing here imports torch or the LLM client.

Pools, one per resource, are all made here (`_pool`; a layering test checks
no other GUI module makes one) and drained by `App.shutdown`; every worker
reports back the one way `engine/delivery.py` describes. The pipeline is the
CLI's `pipeline.service.PipelineService`, observed through
`ui.window.pipeline_controller`. While the window is up the app holds the
catalog's `AppLock`. `apply_settings`: the MATCH threshold at once, the rest at
the next run.
"""

from __future__ import annotations

import argparse
import dataclasses
import logging
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Generic, TypeVar

from PySide6.QtCore import QThreadPool, QTimer
from PySide6.QtWidgets import QApplication

from curator.catalog.types import GalleryQuery
from curator.engine.collector import active_collector, collected_on_main_thread
from curator.engine.thread_priority import lower_pool_priority
from curator.paths import AppPaths, RecentCatalogs, paths_for, resolve_paths
from curator.pipeline.phase import PipelinePools
from curator.pipeline.previews import PreviewRebuilder
from curator.pipeline.stages.retrain import LiveEmbeddings, RetrainScheduler
from curator.pipeline.stages.taste_report import RETRAIN_FAILED, clip_weights_missing
from curator.settings import Settings, SettingsError, load_settings, root_pairs
from curator.ui.common.guard import ErrorReporter
from curator.ui.common.image_loader import ImageLoader
from curator.ui.common.palette import dark_palette
from curator.ui.common.pools import UiPools
from curator.ui.common.preview_fill import PreviewFill
from curator.ui.gallery.model import GalleryListModel
from curator.ui.gallery.view import THUMB_EDGE
from curator.ui.loupe import ORIGINAL_THREADS, PREFETCH
from curator.ui.maintenance.backup_controller import BackupController
from curator.ui.maintenance.catalog_menu import CatalogMenu
from curator.ui.maintenance.catalog_switch import CatalogHost
from curator.ui.maintenance.catalog_upgrade import CatalogUpgrade, failure_sentence
from curator.ui.maintenance.catalog_work import open_catalog_here
from curator.ui.maintenance.purge_controller import PurgeController
from curator.ui.review.pass_order import PassOrder
from curator.ui.review.session import ReviewSession
from curator.ui.review.step_queue import StepQueue
from curator.ui.window.live_seats import LiveSeats
from curator.ui.window.main_window import MainWindow
from curator.ui.window.opening import LoopQuit, Opening
from curator.ui.window.pipeline_controller import PipelineController
from curator.ui.window.recent_folders import RecentFolders
from curator.ui.window.state import WindowState
from curator.ui.window.taste_menu import TasteMenu

if TYPE_CHECKING:
    from pathlib import Path

    from curator.catalog.db import Catalog
    from curator.pipeline.service import PipelineService
    from curator.ui.export.controller import ExportController
    from curator.ui.ingest.controller import IngestController

EXIT_OK, EXIT_USAGE, EXIT_CATALOG = 0, 2, 3
THUMBNAIL_CACHE = 600  # ~200 px pixmaps: ~60 MB
log = logging.getLogger("curator")
T = TypeVar("T")


class MadeOnUse(Generic[T]):
    """A controller made at its first use (File ▸ Export…, Ingest from Card…): its
    modules are not part of the first paint. `built` is None until then."""

    def __init__(self, make: Callable[[], T]) -> None:
        self._make = make
        self.built: T | None = None

    def __call__(self) -> T:
        if self.built is None:
            self.built = self._make()
        return self.built


@dataclass
class App:
    """Everything `build_app` made; `shutdown()` stops the pools before exit."""

    window: MainWindow
    model: GalleryListModel
    session: ReviewSession
    pipeline: PipelineController
    embeddings: LiveEmbeddings
    retrain: RetrainScheduler
    thumbnails: ImageLoader
    previews: ImageLoader
    errors: ErrorReporter
    export_slot: MadeOnUse[ExportController]
    pools: tuple[QThreadPool, ...]
    purge: PurgeController | None = None
    backup: BackupController | None = None
    when_catalog_open: Callable[[], None] = lambda: None
    ingest_slot: MadeOnUse[IngestController] | None = None
    seats: LiveSeats | None = None  # a studio catalog's other seats (ui.window.live_seats)
    rebuilder: PreviewRebuilder | None = None  # missing previews made again, on demand
    fill: PreviewFill | None = None  # ...and the rest, in the background

    def catalog_opened(self) -> None:
        """The catalog is open: the grid lists its first rows, the window reads
        its lists, the pass's order and the vectors follow (`build_window`)."""
        self.when_catalog_open()

    @property
    def export(self) -> ExportController:
        """The export's controller (made now if File ▸ Export… never was)."""
        return self.export_slot()

    def shutdown(self) -> None:
        """Stop everything that could still call into the window, in one order:
        1. timers stopped, except the pipeline's own (its cancel may need them);
        2. loaders closed: results in flight are dropped without touching a
           QObject; the originals' child process stops;
        3. the pipeline and the export cancelled, their deliveries closed;
        4. every pool drained (`waitForDone`);
        5. only then may the caller delete the widgets and close the catalog.
        Idempotent. `stop()` is steps 1-3 alone, for a catalog change that
        drains the pools off the UI thread (ui.maintenance.catalog_switch)."""
        if getattr(self, "_drained", False):
            return
        self._drained = True
        self.stop()
        for pool in self.pools:
            pool.clear()  # queued tasks never start
        for pool in self.pools:
            pool.waitForDone()

    def stop(self) -> None:
        """`shutdown` less the pools' drain (its steps 1-3); idempotent."""
        if getattr(self, "_stopped", False):
            return
        self._stopped = True
        self.retrain.stop()
        if self.backup is not None:
            self.backup.shutdown()  # no quit backup from here on; a copy under way ends whole
        pipeline = (self.pipeline, self.pipeline.made)
        for timer in self.window.findChildren(QTimer):
            owner = timer.parent()
            while owner is not None and owner not in pipeline:
                owner = owner.parent()
            if owner is None:
                timer.stop()
        if self.seats is not None:
            self.seats.stop()  # the LISTEN loop ends within its poll; nothing applied after
        self.thumbnails.close()
        self.previews.close()
        if self.fill is not None:
            self.fill.close()  # stops after the photo in hand; its child is stopped
        if self.rebuilder is not None:
            self.rebuilder.close()  # a decode under way is stopped; its job's result dropped
        self.model.close()  # the gallery's row re-reads: dropped from here on
        if self.session.steps is not None:
            self.session.steps.close()  # a step under way still commits; its news is dropped
        if self.window.tools.orders is not None:
            self.window.tools.orders.close()  # a review order's read: dropped from here on
        loupe = self.window.loupe_slot.built  # never built: nothing of it to stop
        if loupe is not None:
            loupe.originals.close()
        self.pipeline.shutdown()
        if self.export_slot.built is not None:
            self.export_slot.built.shutdown()
        if self.ingest_slot is not None and self.ingest_slot.built is not None:
            self.ingest_slot.built.shutdown()  # stops between chunks; what landed stays
        if self.purge is not None:
            self.purge.shutdown()  # stops between two files; what went is applied
        if loupe is not None:
            loupe.shutdown()  # originals and histograms closed, their pools drained
        self.window.projects.shutdown()  # a project write under way commits first
        self.window.search.shutdown()  # a search under way finishes, its result dropped
        self.window.tag_cloud.shutdown()  # a count under way: its result dropped
        self.window.filter_bar.close_choices()  # a type and tag lists' read: dropped
        self.window.cull.shutdown()  # a proposal or an accept under way commits, posts nothing


def _pool(threads: int) -> QThreadPool:
    pool = QThreadPool()
    pool.setMaxThreadCount(threads)
    return pool


@cache
def _embedding_model(clip_model: str, clip_pretrained: str) -> str:
    from curator.settings import embedding_model_id  # light: no torch, no LLM stack

    return embedding_model_id(Settings(clip_model=clip_model, clip_pretrained=clip_pretrained))


# How long a thread may hold the GIL while another asks for it (CPython's default
# is 5 ms): the UI thread waits fewer hand-overs behind the pool threads (key →
# paint p95 29-42 → 21-29 ms, docs/decisions/ui.md). Only the GUI sets it.
UI_SWITCH_INTERVAL_S = 0.001
BACKGROUND_NICENESS = 5  # the pipeline's own threads, below the UI thread
REBUILD_CHILDREN = 2  # decoder children making missing previews for the tiles wanted now


CACHE_NOTE_MS = 20_000  # the one sentence about a cache folder that failed


def seat_paths(paths: AppPaths, settings: Settings) -> tuple[AppPaths, str | None]:
    """`paths` with the `cache_folder` setting's folder, or the seat's own when
    that one cannot be written, and the sentence that says so."""
    from curator.imaging.cache import choose_cache_folder  # stdlib only: light at start-up

    shared = paths.with_cache_folder(settings.cache_folder)
    cache_dir, note = choose_cache_folder(shared.cache_dir, paths.cache_dir)
    return dataclasses.replace(shared, cache_dir=cache_dir), note


def build_app(catalog: Catalog, paths: AppPaths, settings: Settings) -> App:
    """The app on a catalog already open (the tests; `main` opens it after the paint)."""
    app = build_window(catalog.path, paths, settings)
    app.catalog_opened()
    return app


def build_window(catalog_path: Path, paths: AppPaths, settings: Settings) -> App:
    """Everything but the catalog (nothing here imports or reads it);
    `App.catalog_opened` follows once the catalog at `catalog_path` is open."""
    sys.setswitchinterval(UI_SWITCH_INTERVAL_S)  # the UI thread gets the GIL back in 1 ms
    errors = ErrorReporter()
    thumb_pool, preview_pool, ml_pool, export_pool = _pool(2), _pool(2), _pool(1), _pool(1)
    purge_pool = _pool(1)  # Edit ▸ Move Rejected to Trash…: file moves, then one write
    backup_pool = _pool(1)  # catalog backups (on quit, File ▸ Back Up Catalog Now)
    pipeline_pools = PipelinePools.create(_pool, settings.llm_concurrency)
    # The pipeline's threads yield the cores to the UI thread (engine/thread_priority.py).
    for pool in (pipeline_pools.write, pipeline_pools.prepare, pipeline_pools.ml):
        lower_pool_priority(pool, BACKGROUND_NICENESS)
    ui_pools = UiPools(
        originals=_pool(ORIGINAL_THREADS),
        renditions=_pool(1),
        analysis=_pool(1),
        projects=_pool(1),
        search=_pool(1),
        choices=_pool(1),
        rows=_pool(1),
        lists=_pool(1),
        seats=_pool(1),
        cull=_pool(1),
    )
    live = {"settings": settings}  # replaced by apply_settings
    # A missing or damaged preview is made again from the photo's file, in a
    # decoder child, by the loader that wanted it (ui/common/image_loader.py);
    # the first one starts the background fill of the rest (ui/common/preview_fill.py).
    rebuilder = PreviewRebuilder(paths.cache_dir, REBUILD_CHILDREN)
    thumbnails = ImageLoader(
        paths.cache_dir,
        thumb_pool,
        errors,
        capacity=THUMBNAIL_CACHE,
        max_edge=THUMB_EDGE,
        remake=rebuilder.remake,
    )
    previews = ImageLoader(
        paths.cache_dir,
        preview_pool,
        errors,
        capacity=2 * PREFETCH + 3,
        remake=rebuilder.remake,
    )
    fill_pool = _pool(1)
    lower_pool_priority(fill_pool, BACKGROUND_NICENESS)
    fill = PreviewFill(str(paths.cache_dir), fill_pool, errors)
    for loader in (thumbnails, previews):
        loader.first_remade.connect(fill.start)

    def embedding_model() -> str:
        s = live["settings"]
        return _embedding_model(s.clip_model, s.clip_pretrained)

    embeddings = LiveEmbeddings(ml_pool)
    retrain = RetrainScheduler(
        embedding_model,
        ml_pool,
        cache=embeddings.snapshot,
        weights_missing=lambda: clip_weights_missing(live["settings"])(),
    )
    # The pass orders need no embedding model (only "uncertain first" does).
    pass_order = PassOrder(embedding_model)
    session = ReviewSession(
        pass_order,
        retrain.note_decision,
        members=pass_order.members,
        followers=pass_order.followers,
        # Undo, redo and accept: one at a time, in order, on the Cull pool (issue 51 §1).
        steps=StepQueue(ui_pools.cull, collector=active_collector()),
    )
    session.advance_after_rating = settings.advance_after_rating

    def make_pipeline() -> PipelineService:  # on the first import, not before the paint
        from curator.pipeline.service import PipelineService
        from curator.pipeline.stages.technical import DECODER_NICENESS

        return PipelineService(
            catalog_path,
            paths.cache_dir,
            live["settings"],
            pipeline_pools,
            embeddings=embeddings.snapshot,
            on_embedded=embeddings.add,
            decoder_niceness=DECODER_NICENESS,  # the loupe goes first on busy cores
        )

    pipeline = PipelineController(make_pipeline, settings, errors)

    def make_export() -> ExportController:
        from curator.ui.export.choices import ExportChoicesFile
        from curator.ui.export.controller import ExportController

        made = ExportController(export_pool, errors, ExportChoicesFile(paths.config_dir))
        made.setParent(window)  # lives exactly as long as the window, like the services below
        return made

    export = MadeOnUse(make_export)

    def make_ingest() -> IngestController:
        from curator.ui.ingest.controller import IngestController

        made = IngestController(
            pipeline_pools.ingest,
            pipeline,
            pipeline.completed,
            errors,
            lambda: live["settings"],
            paths.settings_file,
        )
        made.setParent(window)
        return made

    ingest = MadeOnUse(make_ingest)
    # A studio catalog is named by its URL without the password (never its local stand-in).
    shown = paths.catalog_name if paths.catalog_url else str(catalog_path)
    purge = PurgeController(purge_pool)
    backup = BackupController(
        catalog_path, lambda: live["settings"], backup_pool, source_url=paths.catalog_url
    )
    model = GalleryListModel(
        thumbnails,
        errors,
        match_threshold=settings.match_threshold,
        rows_pool=ui_pools.rows,
        lists_pool=ui_pools.lists,
    )
    window = MainWindow(
        model=model,
        thumbnails=thumbnails,
        previews=previews,
        session=session,
        pipeline=pipeline,
        errors=errors,
        export=export,
        recent=RecentFolders(paths.config_dir),
        settings=settings,
        settings_file=paths.settings_file,
        title=f"Curator — {shown}",
        pools=ui_pools,
        search_vectors=lambda: embeddings.snapshot(embedding_model()),
        purge=purge,
        backup=backup,
        pass_order=pass_order,
        embedding_model=embedding_model,
        window_state=WindowState(paths.config_dir),
        ingest=ingest,
    )
    window.setPalette(dark_palette())

    def resync() -> None:  # back after a lost connection: re-read what is shown
        model.refresh_scores()
        window.loupe_slot.invalidate(session.order)

    seats = LiveSeats(
        ui_pools.seats,
        errors,
        on_added=window.live.on_added,
        on_changed=window.live.on_changed,
        resync=resync,
        rescore=model.refresh_scores,
        notify=lambda sentence: window.show_background(sentence, 8000),
        parent=window,
    )
    seats.people_changed.connect(window.people.people_changed)  # names given at other seats
    seats.projects_changed.connect(window.projects.refresh)  # projects made at other seats
    if window.imports.watch is not None:  # a terminal's watch: its arrivals counted here
        seats.applied.connect(window.imports.watch.other.heard)

    told_not_enough = [False]  # the "too few decisions" sentence, said once a session

    def on_retrained(report: object) -> None:
        message = str(getattr(report, "message", ""))
        if getattr(report, "version", None) is None:  # no model: nothing was rescored
            # "Needs at least 20 decisions…" is not repeated after every decision;
            # a failure is always shown.
            if not message.startswith(RETRAIN_FAILED):
                if told_not_enough[0]:
                    return
                told_not_enough[0] = True
            window.show_background(message, 8000)
            return
        window.show_background(message, 8000)
        model.refresh_scores()  # in place: scroll position and selection stay

    live_roots = [settings.root_map, settings.taste]

    def apply_settings(new: Settings) -> None:
        live["settings"] = new
        pipeline.settings = new  # workers, preview sizes, models: from the next run
        embeddings.ensure(embedding_model())
        model.set_match_threshold(new.match_threshold)  # badges: now
        session.advance_after_rating = new.advance_after_rating  # the next key: now
        if window.loupe_slot.built is not None:  # side panel: now (a later page reads it)
            window.loupe_slot.built.set_match_threshold(new.match_threshold)
        window.projects.set_match_threshold(new.match_threshold)  # covers: now
        from curator.catalog.paths_codec import pairing_on, set_pairing, set_root_map

        if new.pair_raw_jpeg != pairing_on():  # RAW+JPEG as one photo, or two: now
            set_pairing(new.pair_raw_jpeg)
            model.set_query(model.query)
        if new.taste != live_roots[1]:  # whose taste: its scores now, its retrain next
            live_roots[1] = new.taste
            from curator.catalog.taste.choice import choose, owner_of

            choose(owner_of(new.taste))
            model.refresh_scores()
            retrain.note_decision()
        if new.root_map != live_roots[0]:  # where the shared drive is: the paths shown, now
            live_roots[0] = new.root_map
            set_root_map(root_pairs(new.root_map))
            model.refresh_scores()

    retrain.retrained.connect(on_retrained)
    window.settings_changed.connect(apply_settings)

    def taste_picked(value: str) -> None:  # View ▸ Taste: saved, then applied as a setting
        from dataclasses import replace

        from curator.settings import save_changes

        save_changes(paths.settings_file, {"taste": value})
        window.settings = replace(live["settings"], taste=value)
        apply_settings(window.settings)

    taste_menu = TasteMenu(window.menus.view, lambda: live["settings"].taste, errors, window)
    taste_menu.picked.connect(taste_picked)
    # Parent the non-widget services to the window so they live exactly as long.
    services = (errors, thumbnails, previews, retrain, session, pipeline, model, fill)
    fill.finished.connect(lambda sentence: window.show_background(sentence, 8000))
    for obj in (*services, purge, backup):
        obj.setParent(window)
    embeddings.setParent(window)

    # The pass's order (~0.1 s at 100k photos) is read on a worker after the first rows.
    def first_pass() -> None:
        if not session.started and window.tools.orders is not None:
            window.tools.orders.start_first_pass()
        elif not session.started:
            session.start(session.pass_)

    def catalog_opened() -> None:
        seats.take_desk(catalog_path)  # this window's decisions and undo: its own
        studio_seat(window, session, seats, shown)  # a shared catalog: the other seats, live
        # The first screenful only; the rest off the UI thread (GalleryListModel.show_query).
        window.catalog_opened()  # first: the grid's rows tell the window (its labels)
        model.show_query(GalleryQuery(match_threshold=live["settings"].match_threshold))
        QTimer.singleShot(0, session, first_pass)
        # The vectors for rescoring load on the ML pool, off the UI thread.
        QTimer.singleShot(0, lambda: embeddings.ensure(embedding_model()))

    return App(
        window,
        model,
        session,
        pipeline,
        embeddings,
        retrain,
        thumbnails,
        previews,
        errors,
        export,
        (
            thumb_pool,
            preview_pool,
            ml_pool,
            export_pool,
            purge_pool,
            backup_pool,
            fill_pool,
            *pipeline_pools.all(),
            *ui_pools.all(),
        ),
        purge,
        backup,
        catalog_opened,
        ingest,
        seats,
        rebuilder,
        fill,
    )


def studio_seat(window: MainWindow, session: ReviewSession, seats: LiveSeats, shown: str) -> None:
    """Hear what other seats and processes write (`LiveSeats`): on a PostgreSQL
    catalog the other seats, where a seat that may only read says "review
    only" and refuses decisions and imports with a sentence; on an embedded
    catalog the terminal's commands and the other windows (the change feed)."""
    from curator.catalog.models import Photo

    db = Photo._meta.database
    if not getattr(getattr(db, "dialect", None), "is_postgres", False):
        listen_to_the_file(db, seats)
        return
    from curator.catalog.backends.listen import SeatListener

    listener = SeatListener(db.location, db.own_backends)
    listener.listen_now()  # before the grid's first read: nothing in between goes unheard
    seats.start(listener)
    sentence = getattr(db, "read_only_sentence", None)
    if sentence:
        window.setWindowTitle(f"Curator — {shown} (review only)")
        session.read_only = window.imports.read_only = sentence
        window.errors.explain = lambda exc: sentence if "permission denied" in str(exc) else None


def listen_to_the_file(db: object, seats: LiveSeats) -> None:
    """On an embedded catalog: the other processes' writes, from its change feed."""
    import sqlite3

    from curator.catalog.backends.feed import FeedListener
    from curator.catalog.backends.seat import current_seat

    name = getattr(db, "database", None)
    if not isinstance(name, str) or name in ("", ":memory:") or name.startswith("file:"):
        return  # an in-memory or read-only catalog: nobody else writes it
    listener = FeedListener(name, current_seat())
    try:
        listener.listen_now()  # before the grid's first read: nothing in between goes unheard
    except sqlite3.Error as exc:
        log.warning("cannot follow the catalog's other processes: %s", exc)
        return
    seats.start(listener)


def show_fatal(message: str) -> None:
    """A modal box with the sentence (the app can't go on without its catalog)."""
    from PySide6.QtWidgets import QMessageBox  # only then: its type costs start-up time

    QMessageBox.critical(None, "Curator", message)


def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="curator", description="Curator: the photo culler.")
    parser.add_argument("--catalog", metavar="PATH", help="catalog file")
    parser.add_argument("folder", nargs="?", help="a folder to import on start")
    return parser.parse_args(list(argv))


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    existing = QApplication.instance()
    qt_app = existing if isinstance(existing, QApplication) else QApplication(sys.argv[:1])
    qt_app.setApplicationName("Curator")
    qt_app.setStyle("Fusion")
    qt_app.setPalette(dark_palette())
    recent = RecentCatalogs(resolve_paths().config_dir)  # the catalog open last time
    paths = paths_for(args.catalog or recent.last())
    try:
        settings = load_settings(paths.settings_file)
    except SettingsError as exc:
        log.error("%s", exc)
        show_fatal(str(exc))
        return EXIT_CATALOG
    paths, cache_note = seat_paths(paths, settings)  # a studio's shared previews

    # Cycle collection on the main thread while the pools run (engine/collector.py),
    # what a costly full collection leaves frozen out of the next walks (issue 51 §2).
    with collected_on_main_thread(freeze_survivors=True) as collector:
        collector.away = lambda: QApplication.activeWindow() is None  # its long walk: then
        switch_pool = _pool(1)  # File ▸ Open Catalog…, Restore…: outlives each App
        quit_app = LoopQuit(qt_app)  # ignored once the loop returned (its docstring)
        host = CatalogHost(switch_pool, open_app, recent, quit_app)
        menu = CatalogMenu(host, lambda: host.app.window.settings if host.app else settings)
        host.adopted.append(menu.install)
        try:
            app = build_window(paths.catalog, paths, settings)
            if cache_note is not None:
                log.warning("%s", cache_note)
                app.window.show_background(cache_note, CACHE_NOTE_MS)
            previous_hook = sys.excepthook

            def hook(kind: type[BaseException], exc: BaseException, tb: object) -> None:
                # An exception outside a guarded slot: logged and shown, never fatal.
                (host.app or app).errors.report_exception("an unguarded handler", exc)

            sys.excepthook = hook
            app.window.closed.connect(quit_app)  # until the host adopts it

            studio = paths.catalog_url is not None  # a seat whose role may only read still opens
            assert app.backup is not None  # its pool backs up and migrates an old catalog
            upgrade = CatalogUpgrade(app.backup.threads, app.window)

            def open_catalog(error: Exception | None) -> None:
                # After the first paint and the catalog's upgrade, if it needed one;
                # input reaches the window after this.
                if not app.window.isVisible():
                    return  # closed before its catalog opened: nothing to open
                try:
                    if error is not None:
                        raise error
                    catalog = open_catalog_here(paths, settings)
                except Exception as exc:  # the window can't go on without its catalog
                    opening.release()
                    message = failure_sentence(exc, paths.catalog_name)  # logged too
                    app.window.hide()  # not closed: `closed` would quit with 0
                    show_fatal(message)
                    qt_app.exit(EXIT_CATALOG)
                    return
                app.window.closed.disconnect(quit_app)
                host.adopt(app, catalog, paths.catalog_location)
                app.catalog_opened()
                ignored = opening.release()
                if ignored:
                    app.window.show_background(
                        f"{ignored} key presses or clicks came while the catalog was opening "
                        "and were ignored.",
                        8000,
                    )
                if args.folder:
                    app.window.start_import(args.folder)

            upgrade.show_in(app.window, then=open_catalog)
            opening = Opening(app.window, lambda: upgrade.start(paths.catalog_location, studio))
            app.window.show()
            try:
                return quit_app.exec()
            finally:
                sys.excepthook = previous_hook
                upgrade.close()
                host.close()  # a change under way: its news dropped
                (host.app or app).shutdown()  # an upgrade under way ends first (the pool's drain)
                switch_pool.waitForDone()
        finally:
            host.release()  # the catalog closed, its lock let go


def open_app(location: Path | str) -> tuple[App, Catalog]:
    """The app built on the catalog at `location` (UI thread), once a worker has
    checked and upgraded it; `App.catalog_opened` is left to the caller."""
    paths = paths_for(location)
    settings = load_settings(paths.settings_file)
    paths, _ = seat_paths(paths, settings)
    catalog = open_catalog_here(paths, settings)
    try:
        app = build_window(paths.catalog, paths, settings)  # its first reads: the caller's
    except BaseException:
        catalog.close()
        raise
    return app, catalog

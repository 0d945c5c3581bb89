"""`MainWindow`: toolbar, status bar and the gallery ⇄ loupe stack; the menu
bar and the window's key actions are `WindowMenus`' (ui.window.menus).

Holds no business logic: every action forwards to a service passed in by
`curator.app`. Gallery updates caused by decisions (or a project membership
change) are deferred while the loupe shows, so a keypress in the loupe never
pays for re-querying the gallery. Around the stack: the filter/sort bar,
`PipelineStatus`, the Problems dock, backups (`BackupController`), Settings…
(`settings_changed`; app.py applies it) and Export… (`ExportDialog`); projects
(`ProjectService`, `ProjectActions`), search (`SearchActions`) and imports
(`ImportActions`) have their own.

The loupe follows the gallery: entered from the grid it walks what the grid
shows, in its order, and the pass is the grid's (Unreviewed: cull, Kept:
rating). Tab in the loupe shows the other pass in the grid and walks that.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QModelIndex, QTimer, Signal, Slot
from PySide6.QtGui import (
    QCloseEvent,
    QDragEnterEvent,
    QDropEvent,
    QPaintEvent,
)
from PySide6.QtWidgets import (
    QLabel,
    QMainWindow,
    QStackedWidget,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from curator.catalog.types import GalleryFilter, GalleryQuery
from curator.settings import Settings
from curator.ui.common.guard import ErrorReporter, guarded_slot
from curator.ui.common.image_loader import ImageLoader
from curator.ui.common.pools import UiPools
from curator.ui.duplicates.slot import DuplicatesSlot
from curator.ui.export.client_actions import ClientGalleryParts
from curator.ui.gallery.filter_bar import GalleryFilterBar
from curator.ui.gallery.grid_decisions import selected_ids
from curator.ui.gallery.model import GalleryListModel, PhotoIdRole
from curator.ui.gallery.view import NO_FAILED, GalleryView
from curator.ui.maintenance.backup_controller import BackupController, BackupDone
from curator.ui.maintenance.purge_controller import PurgeController
from curator.ui.people.slot import PeopleSlot
from curator.ui.projects.actions import ProjectActions
from curator.ui.projects.service import ProjectService
from curator.ui.review.actions import DecisionAction
from curator.ui.review.pass_order import PassOrder
from curator.ui.review.session import ReviewPass, ReviewSession
from curator.ui.search.actions import ActiveSearch, SearchActions, SearchHooks
from curator.ui.search.box import SearchBox
from curator.ui.search.controller import SearchController
from curator.ui.window.cull_slot import CullParts, cull_menu
from curator.ui.window.import_actions import ImportActions
from curator.ui.window.live_import import LiveImport
from curator.ui.window.loupe_slot import LoupeParts, LoupeSlot
from curator.ui.window.menus import MenuHooks, MenuParts, WindowMenus
from curator.ui.window.pipeline_controller import PipelineController
from curator.ui.window.pipeline_status import PipelineStatus
from curator.ui.window.problems_slot import ProblemsSlot
from curator.ui.window.recent_folders import RecentFolders
from curator.ui.window.state import WindowState, available_area, fit_to
from curator.ui.window.status_line import StatusLine
from curator.ui.window.tag_cloud_slot import TagCloudSlot
from curator.ui.window.tools import ACTIONS as TOOL_ACTIONS
from curator.ui.window.tools import WindowHooks, WindowTools

if TYPE_CHECKING:  # the dialogs load when first opened, not before the first paint
    from curator.ui.export.controller import ExportController
    from curator.ui.export.dialog import ExportDialog
    from curator.ui.ingest.controller import IngestController
    from curator.ui.loupe.page import LoupePage  # built after the first paint (`loupe`)
    from curator.ui.maintenance.problems_view import ProblemsPanel  # when the dock shows
    from curator.ui.review.help_overlay import HelpOverlay

ERROR_SHOWN_MS = 15_000
EMPTY_CATALOG = "Import a folder (Ctrl+I) or drop one here"
OPENING_CATALOG = "Opening the catalog…"  # the first paint's grid (`catalog_opened`)
NOTHING_SHOWN = "No photo matches these filters."
# The pass the loupe reviews when entered from a grid showing this state.
PASS_OF_FILTER = {GalleryFilter.UNREVIEWED: ReviewPass.CULL, GalleryFilter.KEPT: ReviewPass.RATING}


class MainWindow(QMainWindow):
    closed = Signal()  # the close was accepted (after an import wound down, if any)
    settings_changed = Signal(object)  # Settings saved by the dialog; app.py applies them

    def __init__(
        self,
        *,
        model: GalleryListModel,
        thumbnails: ImageLoader,
        previews: ImageLoader,
        session: ReviewSession,
        pipeline: PipelineController,
        errors: ErrorReporter,
        export: Callable[[], ExportController],  # made at the first File ▸ Export…
        recent: RecentFolders,
        settings: Settings,
        settings_file: Path,
        title: str,
        pools: UiPools,
        search_vectors: Callable[[], object | None] | None = None,
        purge: PurgeController | None = None,
        backup: BackupController | None = None,
        pass_order: PassOrder | None = None,
        embedding_model: Callable[[], str] = lambda: "",
        window_state: WindowState | None = None,
        ingest: Callable[[], IngestController] | None = None,  # made at its first use
        parent: QWidget | None = None,
    ):
        super().__init__(parent)
        self.model, self.session, self.pipeline, self.errors = model, session, pipeline, errors
        self.thumbnails = thumbnails
        self.pools = pools  # app.py's, drained by App.shutdown
        self.projects = ProjectService(
            errors, pools.projects, match_threshold=settings.match_threshold, parent=self
        )
        self.recent, self.export = recent, export
        self.imports = ImportActions(
            self, pipeline, recent, model, errors, ingest=ingest, settings=lambda: self.settings
        )
        self.export_dialog: ExportDialog | None = None
        self.purge_controller = purge
        self.backup = backup
        self.settings, self.settings_file = settings, settings_file
        self.setAcceptDrops(True)
        self.setWindowTitle(title)
        self.window_state = window_state
        central = QWidget(self)
        layout = QVBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        self.stack = QStackedWidget(central)
        layout.addWidget(self.stack)
        self.gallery = GalleryView(model, thumbnails, errors, self.stack)
        self.stack.addWidget(self.gallery)
        self.setCentralWidget(central)
        self._pending_gallery: set[int] = set()
        self._closing = False
        self.search = SearchController(  # search_vectors: in memory, no catalog re-read
            errors, lambda: self.settings, search_vectors, self, threads=pools.search
        )
        # Thumbnail size, keyboard page, uncertain-first (issue 12): ui.window.tools.
        self.tools = WindowTools(
            WindowHooks(
                settings=lambda: self.settings,
                set_settings=self._set_settings,
                settings_saved=self.settings_changed.emit,
                settings_file=settings_file,
                notify=self._show_notice,
                show_loupe_page=self._show_loupe_page,
                embedding_model=embedding_model,
            ),
            gallery=self.gallery,
            session=session,
            pass_order=pass_order,
            help_parent=central,
            errors=errors,
            parent=self,
            order_threads=pools.lists,  # the switched review orders (issue 51 §2)
            window_state=window_state,
        )
        self.loupe_slot = LoupeSlot(  # the loupe page, after the first paint (issue 21 §1)
            self.stack,
            LoupeParts(
                session,
                previews,
                thumbnails,
                errors,
                pools,
                match_threshold=lambda: self.model.match_threshold,  # apply_settings sets it
                add_actions=self.tools.add_actions,
                tags_changed=self._on_tags_changed,
                project_requested=lambda name: self.project_actions.on_project_key(name),
                like_requested=self.more_like,
                window_state=window_state,
            ),
        )
        self._build_toolbar()
        self._build_status_bar()
        self._build_problems_dock()
        self.tag_cloud = TagCloudSlot(  # View ▸ Tags (Shift+T)
            self, pools.choices, self.current_query, self.filter_bar, errors
        )
        self.people = PeopleSlot(  # View ▸ People (Shift+O)
            self, pools.choices, session, self.filter_bar, previews.cache_dir, errors
        )
        self._build_actions()
        self.duplicates = DuplicatesSlot(self, previews)  # View ▸ Duplicates (Shift+D)
        self.catalog_open = False  # `catalog_opened`: until then the window reads nothing
        self.gallery.set_empty_text(OPENING_CATALOG)
        self._wire()
        # A size that fits the screen (1366×768 too), or where it was last time.
        if window_state is None or not window_state.restore(self):
            self.setGeometry(fit_to(available_area(self)))

    @property
    def help(self) -> HelpOverlay:  # the key sheet, built at its first showing
        return self.tools.help()

    @property
    def loupe(self) -> LoupePage:
        """The loupe page: built after the first paint, or at once by its first use."""
        return self.loupe_slot.page()

    # --- construction -------------------------------------------------------

    def _build_toolbar(self) -> None:
        bar = QToolBar("View", self)
        bar.setObjectName("filter-bar")
        bar.setMovable(False)
        self.filter_bar = GalleryFilterBar(self.pools.choices, bar)
        self.filter_combo = self.filter_bar.state_combo
        bar.addWidget(self.filter_bar)
        self.count_label = QLabel("", bar)
        bar.addWidget(self.count_label)
        self.project_actions = ProjectActions(
            self,
            service=self.projects,
            filter_bar=self.filter_bar,
            gallery=self.gallery,
            model=self.model,
            session=self.session,
            thumbnails=self.thumbnails,
            errors=self.errors,
            notify=self._show_notice,
            keys_back=self._keys_back,
        )
        self.addToolBar(bar)
        self.addToolBarBreak()
        # The second row: search, the pass counter, Uncertain first (at 1280 px the
        # filter row hid them behind its » menu), then the shown project's line.
        search_bar = QToolBar("Search", self)
        search_bar.setObjectName("search-bar")
        search_bar.setMovable(False)
        self.search_box = SearchBox(search_bar)
        search_bar.addWidget(self.search_box)
        self.search_label = QLabel("", search_bar)  # "12 photos match “harbour”"
        search_bar.addWidget(self.search_label)
        search_bar.addSeparator()
        self.pass_label = QLabel("", search_bar)
        search_bar.addWidget(self.pass_label)
        self.view_toolbar = search_bar  # the row the pass's own actions go on
        self.search_actions = SearchActions(
            SearchHooks(
                filter_query=lambda: self.filter_bar.query(self.model.match_threshold),
                loupe_showing=self.loupe_slot.showing,
                show_grid_page=lambda: self.stack.setCurrentWidget(self.gallery),
                scope_to_gallery=self._scope_to_gallery,
                drop_pending=lambda: self._pending_gallery.clear(),
                keys_to_page=self._keys_to_page,
                show_error=self.show_error,
                status=self.statusBar,
                counts_changed=self._update_labels,
            ),
            box=self.search_box,
            controller=self.search,
            model=self.model,
            session=self.session,
            gallery=self.gallery,
            errors=self.errors,
            parent=self,
        )
        self.addToolBar(search_bar)
        self.addToolBar(self.project_actions.make_toolbar(self))

    def _build_status_bar(self) -> None:
        # Messages wrap instead of being cut off; background news waits for
        # the user's own message (status_line).
        self.status_line = StatusLine(self)
        self.setStatusBar(self.status_line)
        self.pipeline_status = PipelineStatus(self)
        self.progress_label = self.pipeline_status.summary
        self.error_label = QLabel("", self)
        self.error_label.setStyleSheet("color: #ff6b5a;")
        self.error_label.setWordWrap(True)
        self.error_label.setMaximumWidth(420)
        self.statusBar().addPermanentWidget(self.error_label)
        self.statusBar().addPermanentWidget(self.pipeline_status)
        self.statusBar().addPermanentWidget(self.tools.slider)
        self._error_timer = QTimer(self)
        self._error_timer.setSingleShot(True)
        self._error_timer.setInterval(ERROR_SHOWN_MS)
        self._error_timer.timeout.connect(self.error_label.clear)

    def _build_problems_dock(self) -> None:  # its panel is built when first shown
        self.problems_slot = ProblemsSlot(self, self.imports.on_retry_requested, self.errors)
        self.problems_dock = self.problems_slot.dock

    @property
    def problems(self) -> ProblemsPanel:
        return self.problems_slot.panel()

    def _build_actions(self) -> None:
        self.menus = WindowMenus(
            self,
            MenuParts(
                imports=self.imports,
                projects=self.project_actions,
                tools=self.tools,
                gallery=self.gallery,
                session=self.session,
                errors=self.errors,
                problems_dock=self.problems_dock,
                view_toolbar=self.view_toolbar,
                purge=self.purge_controller,
                backup=self.backup,
                client=ClientGalleryParts(
                    self.export, self.pools.choices, self.closed, self.model.refresh
                ),
            ),
            MenuHooks(
                dispatch=self.dispatch,
                label_chosen=self._label_from_menu,
                notify=self._show_notice,
                status=lambda text: self.statusBar().showMessage(text),
                purged=self._on_purged,
                backup_finished=self._on_backup_finished,
                close=self.close,
            ),
            self.settings,
        )
        menus = self.menus  # the parts the window and its tests reach for
        self.import_action, self.recent_menu = self.imports.import_action, self.imports.recent_menu
        self.window_actions, self.label_menu = menus.actions, menus.label_menu
        self.grid_decisions, self.problems_action = menus.grid_decisions, menus.problems_action
        if menus.backup_action is not None:
            self.backup_action = menus.backup_action
        if menus.purge is not None:
            self.purge = menus.purge
        self.cull = cull_menu(  # Cull ▸ Propose…, Accept the Rest (issue 42 §3)
            menus.cull, self.pools.cull, CullParts(self.errors, self.model, self.loupe_slot,
            self.session, self.projects, self.filter_bar, self.recent, self.statusBar(),
            self.gallery, lambda: self.settings.shoot_kind, self.imports.watch), self,
        )  # fmt: skip
        if (watch := self.imports.watch) is not None:  # an empty grid says what it waits for
            watch.changed.connect(self._update_labels)
            watch.changed.connect(self._follow_a_watch)  # one started at the end follows it
        menus.cull.addSeparator()  # reviewing them photo by photo: also in View and the toolbar
        menus.cull.addAction(self.window_actions["least_sure_first"])

    def _follow_a_watch(self) -> None:
        if self.imports.watch is not None and self.imports.watch.session is not None:
            self.gallery.end_follower.follow_if_at_end()

    def _wire(self) -> None:
        self.session.pass_scope = self._show_pass_in_gallery
        self.filter_bar.query_changed.connect(self._on_query_changed)
        self.gallery.activated.connect(self._on_gallery_activated)
        self.gallery.decision_clicked.connect(self.grid_decisions.tile_clicked)
        self.gallery.thumbnails_wanted.connect(self.pipeline.prefer_thumbnails)
        self.errors.reported.connect(self.show_error)
        status = self.pipeline_status
        self.pipeline.started.connect(self._on_import_started)
        self.pipeline.finished.connect(status.show_summary)
        self.pipeline.finished.connect(self._on_run_finished)
        self.pipeline.stage_progress.connect(status.show_progress)
        self.live = LiveImport(
            self.pipeline,
            self.model,
            self.loupe_slot.invalidate,
            self.session,
            self.errors,
            self._update_labels,
            parent=self,
        )
        self.pipeline.scores_changed.connect(self._on_scores_changed)
        status.pause_requested.connect(self.imports.on_pause_requested)
        status.cancel_requested.connect(self.cancel_pipeline)
        self.session.photos_changed.connect(self._on_decided)
        self.session.notice.connect(self._show_notice)
        self.session.tags_stepped.connect(self.refresh_filter_choices)  # an undone tag edit
        if self.session.steps is not None:  # a long undo, redo or accept says so
            self.session.steps.under_way.connect(self._show_notice)
        self.session.pass_changed.connect(self._update_labels)
        self.session.current_changed.connect(self._update_labels)
        for signal in (self.model.rowsInserted, self.model.rowsRemoved, self.model.modelReset):
            signal.connect(self._update_labels)
        self.projects.members_changed.connect(self._on_members_changed)
        cloud = self.tag_cloud  # follows the gallery: ui.window.tag_cloud_slot
        self.model.modelReset.connect(cloud.refresh_now)
        for signal in (self.model.rowsInserted, self.model.rowsRemoved):
            signal.connect(cloud.refresh_soon)
        self.pipeline.stage_progress.connect(cloud.on_stage_progress)
        self.pipeline.finished.connect(self.people.people_changed)  # new faces grouped
        self.project_actions.menu_extras.append(self.search_actions.add_like_item)

    # --- actions ------------------------------------------------------------

    @guarded_slot
    def dispatch(self, action: str) -> None:
        if action == "grid":
            self.show_gallery()
        elif action == "loupe":
            self.show_loupe()
        elif action == "undo":  # on the session's step queue (`tags_stepped` when done)
            self.session.undo()
        elif action == "redo":
            self.session.redo()
        elif action == "help":
            self.help.toggle()
        elif action == "export":
            self.open_export()
        elif action == "search":
            self.search_box.focus()
        elif action == "tags":
            self.tag_cloud.toggle()
        elif action == "people":
            self.people.toggle()
        elif action in TOOL_ACTIONS:
            self.tools.dispatch(action, self.window_actions.get(action))
        elif action == "survey":
            self.show_survey(selected_ids(self.gallery))

    def show_survey(self, ids: list[int]) -> None:
        """N: the loupe page surveys `ids` (2–9), else a sentence says why not."""
        if self.stack.currentWidget() is not self.gallery:
            self._show_notice("Survey starts from the grid (G): select 2–9 photos, press N.")
            return
        self.show_loupe(ids[0] if ids else None)
        problem = self.loupe.start_survey(ids)
        if problem is not None:
            self.show_gallery()
            self._show_notice(problem)

    def show_gallery(self) -> None:
        self._flush_gallery()
        self.stack.setCurrentWidget(self.gallery)
        current = self.session.current
        row = None if current is None else self.model.row_for(current)
        if row is not None:
            self.gallery.setCurrentIndex(self.model.index(row))
        self.gallery.setFocus()

    def show_loupe(self, photo_id: int | None = None) -> None:
        if photo_id is None:
            index = self.gallery.currentIndex()
            photo_id = index.data(PhotoIdRole) if index.isValid() else None
        # The loupe walks what the gallery shows, in its order (search results
        # in rank order); the grid's Unreviewed/Kept filter says which pass.
        pass_ = PASS_OF_FILTER.get(self.filter_bar.state, self.session.pass_)
        orders = self.tools.orders  # a switched order stays on through the grid (§3)
        if orders is not None and orders.enter(pass_, photo_id):
            return
        self._scope_to_gallery()
        self.session.start(pass_, at_photo=photo_id)
        self.stack.setCurrentWidget(self.loupe)
        self.loupe.view.setFocus()

    def _show_loupe_page(self) -> None:
        self.stack.setCurrentWidget(self.loupe)
        self.loupe.view.setFocus()

    def _set_settings(self, settings: Settings) -> None:
        self.settings = settings

    def start_import(self, folder: str) -> bool:
        return self.imports.start_import(folder)

    def cancel_pipeline(self) -> None:
        self.pipeline.cancel()

    @property
    def pipeline_running(self) -> bool:
        return self.pipeline.running

    @Slot(int)
    def _on_tags_changed(self, photo_id: int) -> None:
        self.model.refresh([photo_id])
        self.refresh_filter_choices()

    def catalog_opened(self) -> None:
        """The catalog is open (after the first paint, app.py): nothing before reads it."""
        self.catalog_open = self.tag_cloud.catalog_open = self.people.catalog_open = True
        self.projects.refresh()
        self.tools.restore_orders(self.window_actions)  # left on last time: on again
        self.imports.catalog_opened()  # a watched folder left on watches again
        self.refresh_filter_choices()

    def refresh_filter_choices(self) -> None:
        """The filter bar's type and tag lists, read on its pool (~0.3 s at 100k)."""
        self.filter_bar.load_choices()
        self.tag_cloud.tags_changed()  # a tag edit, undo or redo: the cloud follows

    def current_query(self) -> GalleryQuery:
        """The filter bar's query, narrowed to the search results while a search shows."""
        return self.search_actions.query()

    @property
    def active_search(self) -> ActiveSearch | None:
        return self.search_actions.active

    def more_like(self, photo_id: int) -> None:
        self.search_actions.more_like(photo_id)

    def clear_search(self) -> None:
        self.search_actions.clear()

    def _label_from_menu(self, action: DecisionAction) -> None:
        """Edit ▸ Color Label: the loupe's photo, or the grid's selection."""
        if self.loupe_slot.showing():
            current = self.session.current
            self.grid_decisions.apply(action, [] if current is None else [current])
        else:
            self.grid_decisions.apply(action)

    def _scope_to_gallery(self) -> None:
        self.session.set_scope(self.model.ids, self.search_actions.scope_label)

    def _show_pass_in_gallery(self, pass_: ReviewPass) -> list[int]:
        """Tab in the loupe: the gallery shows that pass; the loupe walks it."""
        self._flush_gallery()
        state = GalleryFilter.KEPT if pass_ is ReviewPass.RATING else GalleryFilter.UNREVIEWED
        self.filter_bar.show_state(state)  # query_changed → the model re-queries
        return self.model.ids

    def _keys_to_page(self) -> None:
        """The keys leave the search box for the page that shows."""
        if self.loupe_slot.showing():
            self.loupe.focus_canvas()
        else:
            self.gallery.setFocus()

    @Slot()
    @guarded_slot
    def open_export(self) -> ExportDialog:
        """File ▸ Export…: one dialog at a time (a running export's dialog is
        raised again, not doubled)."""
        if self.export_dialog is None:
            from curator.ui.export.dialog import ExportDialog

            self.export_dialog = ExportDialog(
                self.export(), match_threshold=self.model.match_threshold, parent=self
            )
        dialog = self.export_dialog
        dialog.sidecar_names = self.settings.xmp_sidecar_names
        dialog.set_pair_export(self.settings.pair_export)
        dialog.reopen(self.model.match_threshold, self.settings.match_approves_at)
        dialog.show()
        dialog.raise_()
        dialog.activateWindow()
        return dialog

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        self.imports.accept_drag(event)

    def dropEvent(self, event: QDropEvent) -> None:
        self.imports.drop(event)  # a dropped folder starts an import

    # --- projects -------------------------------------------------------------

    @Slot(list)
    @guarded_slot
    def _on_members_changed(self, ids: list[int]) -> None:
        """Memberships changed: a gallery showing a project follows — later, like a
        decision, when the change came from the loupe (B never re-queries the grid)."""
        if self.model.query.project_id is None:
            return
        self._pending_gallery.update(ids)
        if self.stack.currentWidget() is self.gallery:
            self._flush_gallery()

    # --- slots --------------------------------------------------------------

    @Slot(str)
    def show_error(self, message: str) -> None:
        self.error_label.setText(message)
        self.error_label.setToolTip(message)
        self.statusBar().showMessage(message, ERROR_SHOWN_MS)
        self._error_timer.start()

    @Slot(str)
    def _show_notice(self, message: str) -> None:
        self.statusBar().showMessage(message, 5000)

    def show_background(self, message: str, timeout: int = 5000) -> None:
        """News the user did not just ask for (a retrained model): shown after
        the message their last action caused, never over it."""
        self.status_line.show_background(message, timeout)

    @Slot(object)
    @guarded_slot
    def _on_query_changed(self, _query: object) -> None:
        self._pending_gallery.clear()
        self.model.show_query(self.current_query())  # a reset: the tag cloud follows

    @Slot(str)
    @guarded_slot
    def _on_import_started(self, _folder: str) -> None:
        self.pipeline_status.clear_stages()

    @Slot(str)
    @guarded_slot
    def _on_run_finished(self, _sentence: str) -> None:
        self.problems_slot.refresh()
        if self._closing and not self.pipeline_running:
            self.close()

    @Slot(object)
    @guarded_slot
    def _on_backup_finished(self, done: BackupDone) -> None:
        if done.error is not None:
            self.show_error(done.error)
        elif done.result is not None:
            self.statusBar().showMessage(done.result.sentence(), 8000)

    @Slot()
    @guarded_slot
    def _on_scores_changed(self) -> None:
        self.model.refresh_scores()
        self.refresh_filter_choices()

    @Slot(QModelIndex)
    @guarded_slot
    def _on_gallery_activated(self, index: QModelIndex) -> None:
        self.show_loupe(index.data(PhotoIdRole))

    @Slot(object)  # session.photos_changed: a list of ids
    @guarded_slot
    def _on_decided(self, ids: list[int]) -> None:
        self._pending_gallery.update(ids)
        if self.stack.currentWidget() is self.gallery:
            self._flush_gallery()

    @Slot(list)
    @guarded_slot
    def _on_purged(self, ids: list[int]) -> None:
        """Rejected photos went to the trash: they leave the gallery and the pass
        (and the search results, which would count them as hidden otherwise)."""
        gone = set(ids)
        self.search_actions.forget(gone)
        self.model.refresh(ids)
        current = self.session.current
        if self.session.scope is not None:  # search results: the purged leave them too
            scope = [pid for pid in self.session.scope if pid not in gone]
            self.session.set_scope(scope, self.session.scope_label)
        self.session.start(self.session.pass_, current if current not in ids else None)

    def _keys_back(self) -> None:
        """A dialog closed: the keys go back to the loupe's canvas when it shows."""
        if self.loupe_slot.showing():
            self.loupe.focus_canvas()

    def _flush_gallery(self) -> None:
        if self._pending_gallery:
            ids, self._pending_gallery = self._pending_gallery, set()
            self.model.refresh(ids)

    def _update_labels(self, *_: object) -> None:
        shown = self.model.rowCount()
        search = self.search_actions.active
        if shown == 0 and self.catalog_open:  # until then: OPENING_CATALOG
            from curator.catalog.queries import catalog_is_empty

            failed_lane = self.model.filter is GalleryFilter.FAILED
            nothing = NO_FAILED if failed_lane else NOTHING_SHOWN
            watch = self.imports.watch
            empty = (watch.empty_text if watch is not None else None) or EMPTY_CATALOG
            self.gallery.set_empty_text(empty if catalog_is_empty() else nothing)
        self.count_label.setText(f"  {shown}{self.search_actions.counting} photos  ")
        self.search_label.setText("" if search is None else f"  {search.count_text(shown)}  ")
        sort = self.filter_bar.sort_combo
        sort.setEnabled(search is None)  # search results keep their rank order
        self.search_actions.clear_action.setEnabled(search is not None)
        sort.setToolTip("" if search is None else "Search results are shown best first.")
        self.pass_label.setText(f"  {self.session.position_text}  ")

    def paintEvent(self, event: QPaintEvent) -> None:
        super().paintEvent(event)
        self.loupe_slot.first_paint()  # what the first frame did not need, after it

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.pipeline_running:
            # Quitting mid-import asks nothing and loses nothing: stop taking new
            # work, let in-flight photos finish and be written, then close
            # (`_on_run_finished`). A hidden window does not end the app by
            # itself: `closed` does (app.py).
            event.ignore()
            self.hide()
            self._closing = True
            self.cancel_pipeline()
            return
        if self.catalog_open and self.backup is not None and self.backup.hold_quit():
            event.ignore()  # the backup's `quit_ready` closes again (backup_controller.py)
            return
        event.accept()
        if self.window_state is not None:
            self.window_state.save(self)
            self.loupe_slot.save_state()
        self.closed.emit()

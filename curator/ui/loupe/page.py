"""The loupe page: the single-photo canvas (`LoupeView`) or the side-by-side
`CompareView`, the `InfoPanel`, the loupe's shortcuts, the preview prefetch
around the cursor and the full-resolution original for 100 %.

Prefetch: whenever the current photo changes, the page asks the preview loader
for it and its ± `PREFETCH` neighbours in pass order (current, next, previous;
in compare, the left photo first); a cached gallery thumbnail stands in while
loading. Zoom: Z (or a click) toggles fit and 100 %; at 100 % the upscaled
preview shows until `OriginalLoader` brings the original (an unreadable one
leaves a sentence); the zoom survives moving to another photo.

Compare: C shows the current photo (left, the reference) and the next (right,
the candidate, where the cursor and every decision key are). Unpinned, → / ←
slide both; Shift+C pins the left one. C or Esc leaves: to the left photo when
unpinned, to the candidate when pinned. A pass switch leaves compare.

Viewing tools (loupe_tools, loupe_chrome, survey_view, filmstrip) paint over
the photo through `LoupeView.overlays`, from results computed off the UI thread.
Shortcuts are QActions with WidgetWithChildrenShortcut context: they fire only
while the focus is inside the loupe, never in a text field (tag_editor.TagLineEdit).
"""

from __future__ import annotations

from PySide6.QtCore import Qt, QThreadPool, QTimer, Signal, Slot
from PySide6.QtGui import QAction, QHideEvent, QKeySequence, QPixmap
from PySide6.QtWidgets import QHBoxLayout, QSplitter, QStackedWidget, QVBoxLayout, QWidget

from curator.catalog.queries import GalleryRow, PhotoDetails
from curator.imaging.cache import hash_of_key
from curator.settings import FIELDS
from curator.ui.common.guard import ErrorReporter, guarded_slot
from curator.ui.common.image_loader import ImageLoader
from curator.ui.gallery.listing import preview_key, thumbnail_key
from curator.ui.loupe import PREFETCH, STEP_ROWS
from curator.ui.loupe.chrome import LoupeChrome
from curator.ui.loupe.compare_view import ComparePane, CompareView
from curator.ui.loupe.faces import LoupeFaces
from curator.ui.loupe.filmstrip import Filmstrip
from curator.ui.loupe.follow import FollowNewest
from curator.ui.loupe.info_panel import InfoPanel
from curator.ui.loupe.original_loader import OriginalLoader
from curator.ui.loupe.row_cache import LoupeRows
from curator.ui.loupe.survey_view import Survey, SurveyPane, SurveyView
from curator.ui.loupe.tools import LoupeTools
from curator.ui.loupe.view import LoupeView
from curator.ui.review.actions import DecisionAction
from curator.ui.review.keymap import LOUPE_BINDINGS
from curator.ui.review.session import ReviewSession

_NOT_IN_SURVEY = ("compare", "pin_compare", "first", "last")  # zoom: every photo at once
RENDITION_MARGIN = 1.05  # a rendition is due when fit needs 5 % more pixels than it has
RENDITION_SETTLE_MS = 150
PREVIEW_EDGE = int(FIELDS["preview_long_edge"].default)
DEFAULT_MATCH_THRESHOLD = float(FIELDS["match_threshold"].default)


class LoupePage(QWidget):
    tags_changed = Signal(int)  # photo id whose tags the user edited in the panel
    # B / Shift+B: the keymap action name; the main window (which owns the
    # projects) adds the current photo or opens the picker.
    project_requested = Signal(str)
    # M: more like the current photo; the main window runs the search.
    like_requested = Signal(int)

    def __init__(
        self,
        session: ReviewSession,
        previews: ImageLoader,
        thumbnails: ImageLoader,
        errors: ErrorReporter,
        parent: QWidget | None = None,
        *,
        originals_pool: QThreadPool,
        renditions_pool: QThreadPool,
        analysis_pool: QThreadPool,
        rows_pool: QThreadPool | None = None,
        match_threshold: float = DEFAULT_MATCH_THRESHOLD,
    ):
        """The originals, the screen renditions and the histograms run on pools
        app.py made (and drains)."""
        super().__init__(parent)
        self.session, self.previews = session, previews
        self.thumbnails, self.errors = thumbnails, errors
        self.originals = originals = OriginalLoader(originals_pool, errors, self)
        # Fit on a screen larger than the preview: the original decoded for that
        # screen (one photo, one child process of its own, so a 100 % decode and a
        # rendition never wait on each other).
        # Cached on disk beside the previews: after a restart, fit shows it at once.
        self.renditions = OriginalLoader(
            renditions_pool, errors, self, cache_dir=str(previews.cache_dir)
        )
        self._rendition_timer = QTimer(self)  # a resize settles before a new decode
        self._rendition_timer.setSingleShot(True)
        self._rendition_timer.setInterval(RENDITION_SETTLE_MS)
        self._rendition_timer.timeout.connect(self._request_rendition)
        self.stack = QStackedWidget(self)
        self.view = LoupeView(self.stack)
        self.compare = CompareView(self.stack)
        self.survey_view = SurveyView(self.stack)
        self.survey = Survey(session, errors, self)
        self.stack.addWidget(self.view)
        self.stack.addWidget(self.compare)
        self.stack.addWidget(self.survey_view)
        self.panel = InfoPanel(errors, match_threshold=match_threshold, parent=self)
        self.filmstrip = Filmstrip(thumbnails, self.row, self, load_rows=self._load_rows)
        self.tools = LoupeTools(
            self.view, previews.cache_dir, errors, self.details, analysis_pool, self
        )
        self.view.overlays.append(self.tools.paint)
        self.faces = LoupeFaces(self.details, session.notice.emit, self)  # O and Shift+Z
        session.notice.connect(self.faces.heard)  # another sentence replaces a face's
        self.faces.watch(self.view, self.compare, self.survey_view)
        self.follow = FollowNewest(session, self, [self.view, self.compare, self.survey_view])
        panel_body = self.panel.widget()
        panel_column = None if panel_body is None else panel_body.layout()
        if isinstance(panel_column, QVBoxLayout):
            panel_column.insertWidget(0, self.tools.panel_histogram)
        canvas_widget = QWidget(self)
        canvas = QVBoxLayout(canvas_widget)
        canvas.setContentsMargins(0, 0, 0, 0)
        canvas.setSpacing(0)
        canvas.addWidget(self.stack, 1)
        canvas.addWidget(self.filmstrip)
        # The side panel's width is the user's (drag the handle); the window
        # remembers it (window_state: every named QSplitter).
        self.splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.splitter.setObjectName("loupe_splitter")
        self.splitter.addWidget(canvas_widget)
        self.splitter.addWidget(self.panel)
        self.splitter.setStretchFactor(0, 1)
        self.splitter.setStretchFactor(1, 0)
        self.splitter.setCollapsible(0, False)
        self.splitter.setCollapsible(1, False)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.splitter)
        self.chrome = LoupeChrome(self, [self.panel, self.filmstrip])
        self.rows = LoupeRows(errors, self, pool=rows_pool, on_fresh=self._on_rows_fresh)
        self.prefetch = PREFETCH  # neighbours kept decoded on each side (0: none)
        self.comparing = False
        self.compare_left: int | None = None  # the reference photo (None: none before)
        self.compare_pinned = False
        self._survey_pixmaps: dict[int, QPixmap] = {}
        self.actions_by_name: dict[str, QAction] = {}
        for binding in LOUPE_BINDINGS:
            action = QAction(binding.cull, self)
            action.setShortcuts([QKeySequence(k) for k in binding.keys])
            action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            action.triggered.connect(lambda _=False, name=binding.action: self.dispatch(name))
            self.addAction(action)
            self.actions_by_name[binding.action] = action
        session.pass_changed.connect(self._on_pass_changed)
        session.current_changed.connect(self._on_current_changed)
        session.order_grew.connect(self._on_order_grew)
        session.photos_changed.connect(self._on_photos_changed)
        previews.image_ready.connect(self._on_image_ready)
        previews.image_ready.connect(self.tools.preview_arrived)
        thumbnails.image_ready.connect(self._on_image_ready)
        self.view.zoom_changed.connect(self._on_zoom_changed)
        self.view.resized.connect(self._rendition_timer.start)
        self.renditions.original_ready.connect(self._on_rendition_ready)
        self.compare.zoom_changed.connect(self._on_zoom_changed)
        self.survey_view.zoom_changed.connect(self._on_zoom_changed)
        self.view.wheel_step.connect(self._move)
        self.view.decision_clicked.connect(self._on_decision_clicked)
        originals.original_ready.connect(self._on_original_ready)
        originals.original_failed.connect(self._on_original_failed)
        self.panel.tags.tags_changed.connect(self._on_tags_changed)
        self.panel.tags.field_left.connect(self.focus_canvas)
        self.filmstrip.jump.connect(self._go_to)
        self.survey_view.clicked.connect(self._go_to)
        self.survey_view.step.connect(self._move)
        self.survey.ended.connect(self._on_survey_ended)

    # --- actions --------------------------------------------------------------

    @guarded_slot
    def dispatch(self, action: str) -> None:
        """Run one loupe action by its keymap name."""
        s = self.session
        if (decision := DecisionAction.named(action)) is not None:
            s.act(decision)  # in compare and survey: the candidate / framed photo
            return
        handlers = {
            "next": lambda: self._move(1),
            "previous": lambda: self._move(-1),
            "switch_pass": s.switch_pass,
            "zoom": self._toggle_zoom,
            "zoom_in": lambda: self._step_zoom(1),
            "zoom_out": lambda: self._step_zoom(-1),
            "first": lambda: self._jump(last=False),
            "last": lambda: self._jump(last=True),
            "compare": self.toggle_compare,
            "pin_compare": self.toggle_pin,
            "leave": self._leave,
            "add_to_project": lambda: self.project_requested.emit(action),
            "choose_project": lambda: self.project_requested.emit(action),
            "more_like_this": self._more_like_this,
            "histogram": lambda: s.notice.emit(self.tools.toggle_histogram()),
            "clipping": lambda: s.notice.emit(self.tools.toggle_clipping()),
            "peaking": lambda: s.notice.emit(self.tools.toggle_peaking()),
            "info": lambda: s.notice.emit(self.tools.cycle_info()),
            "faces": lambda: self.faces.toggle_boxes(self._zoomable()),
            "next_face": lambda: self.faces.close_up_next(self._current_row(), self._zoomable()),
            "fullscreen": lambda: s.notice.emit(self.chrome.toggle_full_screen()),
            "panels": lambda: s.notice.emit(self.chrome.toggle_panels()),
            "follow_newest": lambda: s.notice.emit(self.follow.toggle()),
        }
        if self.survey.active_mode and action in _NOT_IN_SURVEY:
            s.notice.emit("Leave the survey (Esc) first.")
            return
        if self.survey.active_mode and action == "switch_pass":
            self.survey.leave()
        handlers[action]()

    def start_survey(self, ids: list[int]) -> str | None:
        """Survey these photos (N in the grid); a sentence when it cannot."""
        self.leave_compare(go_back=False)
        self.view.set_fit()
        problem = self.survey.start(ids)
        if problem is None:
            self.stack.setCurrentWidget(self.survey_view)
            self.survey_view.setFocus()
            self._repaint_current()
        return problem

    def _on_survey_ended(self) -> None:
        self._survey_pixmaps.clear()
        self.survey_view.set_fit()  # its originals are let go (zoom_changed)
        self.stack.setCurrentWidget(self.view)
        self.view.setFocus()
        self._repaint_current()

    def _go_to(self, photo_id: int) -> None:
        self.session.go_to(photo_id)

    def hideEvent(self, event: QHideEvent) -> None:
        if not event.spontaneous():
            self.survey.leave()  # the gallery shows: the survey is over
        super().hideEvent(event)

    def _more_like_this(self) -> None:
        if self.session.current is not None:
            self.like_requested.emit(self.session.current)

    def focus_canvas(self) -> None:
        """Give the keys back to whichever canvas is showing."""
        if self.survey.active_mode:
            self.survey_view.setFocus()
        else:
            (self.compare if self.comparing else self.view).setFocus()

    def follow_session(self) -> None:
        """Show the session's pass and photo as they stand (a page built after the
        session started, ui.window.loupe_slot, heard none of its signals)."""
        self._on_current_changed(-1 if self.session.current is None else self.session.current)

    def set_match_threshold(self, threshold: float) -> None:
        self.panel.set_match_threshold(threshold)
        self._repaint_current()

    def shutdown(self) -> None:
        """Stop the original loader (its child process too) and drain its pool.

        The preview and thumbnail loaders belong to app.py, which closes them.
        """
        self.tools.shutdown()
        self.rows.close()  # an import's row re-reads: dropped from here on
        self._rendition_timer.stop()
        self.originals.shutdown()
        self.renditions.shutdown()

    def _move(self, delta: int) -> None:
        if not self.comparing:
            self.session.move(delta)
            return
        s = self.session
        target = s.index + delta
        if self.compare_pinned:
            if 0 <= target < len(s.order) and s.order[target] == self.compare_left:
                target += delta  # never compare the reference with itself
            lowest = 0
        else:
            lowest = 1  # the left photo is the one before the candidate
        if not lowest <= target < len(s.order):
            where = "end" if delta > 0 else "start"
            s.notice.emit(f"At the {where} of the {s.pass_.label.lower()}.")
            return
        s.go_to(s.order[target])

    def _jump(self, *, last: bool) -> None:
        """Home / End: the first or last photo of the pass (in compare, the first
        candidate that has a photo before it)."""
        s = self.session
        if not s.order:
            return
        lowest = 1 if self.comparing and not self.compare_pinned else 0
        target = len(s.order) - 1 if last else min(lowest, len(s.order) - 1)
        if target != s.index:
            self._move(target - s.index)

    def _step_zoom(self, direction: int) -> None:
        if self.survey.active_mode:
            self.survey_view.step_zoom(direction)  # every photo, at the same point
            return
        if self.comparing:
            self.compare.step_zoom(direction)  # both panes, at the same point
            return
        self.view.step_zoom(direction)

    def _zoomable(self) -> LoupeView | CompareView | SurveyView:
        """What the zoom keys act on now: the survey, compare, or the loupe."""
        return (
            self.survey_view
            if self.survey.active_mode
            else (self.compare if self.comparing else self.view)
        )

    def _current_row(self) -> GalleryRow | None:
        return None if self.session.current is None else self.row(self.session.current)

    def _toggle_zoom(self) -> None:
        if self.survey.active_mode:
            self.survey_view.toggle_zoom()  # every photo, at the same point
            return
        if self.comparing:
            self.compare.toggle_zoom()  # both panes, at the same point
            return
        self.view.toggle_zoom()

    def _leave(self) -> None:
        if self.survey.active_mode and self.survey_view.zoomed:
            self.survey_view.set_fit()
        elif self.survey.active_mode:
            self.survey.leave()
        elif self.comparing and self.compare.zoomed:
            self.compare.toggle_zoom()
        elif self.comparing:
            self.leave_compare()
        elif self.view.zoomed:
            self.view.set_fit()
        elif self.chrome.full_screen:
            self.chrome.leave_full_screen()

    # --- compare ----------------------------------------------------------------

    def toggle_compare(self) -> None:
        if self.comparing:
            self.leave_compare()
        else:
            self.enter_compare(pinned=False)

    def toggle_pin(self) -> None:
        if not self.comparing:
            self.enter_compare(pinned=True)
            return
        self.compare_pinned = not self.compare_pinned
        if not self.compare_pinned:
            self._follow_candidate()
        self.session.notice.emit(
            "Left photo pinned: → / ← change only the right one."
            if self.compare_pinned
            else "Left photo unpinned: → / ← move both."
        )
        self._repaint_compare()

    def enter_compare(self, *, pinned: bool) -> None:
        s = self.session
        if s.current is None or s.index + 1 >= len(s.order):
            s.notice.emit("There is no next photo to compare with.")
            return
        self.view.set_fit()
        self.comparing, self.compare_left, self.compare_pinned = True, s.current, pinned
        self.stack.setCurrentWidget(self.compare)
        self.compare.setFocus()
        s.move(1)  # the candidate becomes current: the keys act on it

    def leave_compare(self, *, go_back: bool = True) -> None:
        if not self.comparing:
            return
        left, pinned = self.compare_left, self.compare_pinned
        self.comparing, self.compare_left, self.compare_pinned = False, None, False
        self.stack.setCurrentWidget(self.view)
        self.view.setFocus()
        if go_back and not pinned and left is not None and self.session.go_to(left):
            return
        self._on_current_changed(-1 if self.session.current is None else self.session.current)

    def _follow_candidate(self) -> None:
        s = self.session
        self.compare_left = s.order[s.index - 1] if 1 <= s.index < len(s.order) else None

    # --- rows and details -------------------------------------------------------

    def invalidate(self, ids: list[int] | None = None) -> None:
        """Forget cached rows (all, or `ids`): they are re-read when next shown."""
        self.rows.drop(ids)
        shown = {self.session.current, self.compare_left if self.comparing else None}
        if ids is None or shown & set(ids):
            # A turned photo's original and screen rendition are decoded turned.
            self._request_original()
            self._request_rendition()
            self._repaint_current()

    def rows_rewritten(self, ids: list[int]) -> None:
        """A live import or a step (> STEP_ROWS photos) rewrote these: the loupe
        paints their old rows and re-reads those it shows off the UI thread
        (LoupeRows); `_on_rows_fresh` repaints when they are in."""
        if self.rows.stale is None:
            self.invalidate(ids)
            return
        self.rows.rows_rewritten(ids)
        if self.isVisible():  # hidden: asked for when next served
            on_screen = set(self._window()) | set(self.filmstrip.visible_ids())
            self.rows.want([pid for pid in ids if pid in on_screen])  # no read here

    def _on_rows_fresh(self, ids: list[int]) -> None:
        window = self._window()
        if not set(ids) & (set(window) | set(self.filmstrip.visible_ids())):
            return
        shown = {self.session.current, self.compare_left if self.comparing else None}
        if shown & set(ids):
            self._request_original()
            self._request_rendition()
        rows = [r for pid in window if (r := self.rows.cached(pid))]
        self.previews.request([k for r in rows if (k := preview_key(r))])
        self._repaint_current()

    def row(self, photo_id: int) -> GalleryRow | None:
        return self.rows.row(photo_id)

    def details(self, photo_id: int) -> PhotoDetails | None:
        return self.rows.details(photo_id)

    def _load_rows(self, ids: list[int]) -> None:
        self.rows.load(ids)

    def _window(self) -> list[int]:
        """The compared left photo, the current one, then neighbours out to `prefetch`."""
        order, i = self.session.order, self.session.index
        ids = [order[i]] if 0 <= i < len(order) else []
        if self.survey.active_mode:  # every surveyed photo, the active one first
            return list(dict.fromkeys(ids + self.survey.ids))
        if self.comparing and self.compare_left is not None:
            ids.insert(0, self.compare_left)
        for step in range(1, self.prefetch + 1):
            ids += [order[j] for j in (i + step, i - step) if 0 <= j < len(order)]
        return list(dict.fromkeys(ids))

    def _pixmap_for(self, row: GalleryRow) -> tuple[QPixmap | None, bool]:
        """The preview when decoded (True), else the thumbnail standing in (False)."""
        pkey, tkey = preview_key(row), thumbnail_key(row)
        pixmap = None if pkey is None else self.previews.pixmap(pkey)
        if pixmap is not None:
            return pixmap, True
        return (None if tkey is None else self.thumbnails.pixmap(tkey)), False

    # --- painting -----------------------------------------------------------------

    @Slot()
    @guarded_slot
    def _on_order_grew(self) -> None:
        """A live import made the pass longer: the caption's count and the
        filmstrip follow at once (the photo itself is unchanged)."""
        if self.comparing or self.survey.active_mode:
            self._repaint_current()
            return
        pid = self.session.current
        row = None if pid is None else self.row(pid)
        position = self.session.position_text
        self.view.caption = position if row is None else f"{row.file_name}   ·   {position}"
        self.filmstrip.show_around(self.session.order, self.session.index)

    def _repaint_current(self) -> None:
        pid = self.session.current
        row = None if pid is None else self.row(pid)
        self.view.caption = self.session.position_text
        self.filmstrip.show_around(self.session.order, self.session.index)
        self.tools.show(row)  # the panel's histogram: the photo the keys act on
        if self.survey.active_mode:
            self._repaint_survey(row)
            return
        if row is None:
            self.view.empty_text = (
                f"{self.session.position_text}.\n"
                "Press Tab for the other pass, or G for the gallery."
            )
            self.view.show_photo(None, None, is_preview=False)
            self.panel.show_photo(None, None)
            if self.comparing:
                self._repaint_compare()
            return
        self.view.caption = f"{row.file_name}   ·   {self.session.position_text}"
        pixmap, is_preview = self._pixmap_for(row)
        full, note = None, ""
        if self.view.zoomed:
            full = self.originals.image(row.id, row.rotation)
            if full is None:
                failed = row.failed or self.originals.failure(row.id) is not None
                note = "preview only: the original can't be read" if failed else "loading…"
        fit = None if self.view.zoomed else self.renditions.image(row.id, row.rotation)
        self.view.show_photo(
            row, pixmap, is_preview=is_preview, full_image=full, zoom_note=note, fit_image=fit
        )
        self.panel.show_photo(row, self.details(row.id))
        if self.comparing:
            self._repaint_compare()

    def _repaint_survey(self, row: GalleryRow | None) -> None:
        panes = []
        for pid in self.survey.ids:
            found = self.row(pid)
            if found is not None:
                full = (
                    self.originals.image(found.id, found.rotation)
                    if self.survey_view.zoomed
                    else None
                )
                panes.append(SurveyPane(found, self._survey_pixmap(found), full))
        self.survey_view.show_panes(panes, None if row is None else row.id)
        self.panel.show_photo(row, None if row is None else self.details(row.id))

    def _survey_pixmap(self, row: GalleryRow) -> QPixmap | None:
        """The preview once seen (kept here: the loader's LRU may hold fewer than 9)."""
        pixmap, is_preview = self._pixmap_for(row)
        if is_preview and pixmap is not None:
            self._survey_pixmaps[row.id] = pixmap
        return self._survey_pixmaps.get(row.id, pixmap)

    def _repaint_compare(self) -> None:
        def pane(photo_id: int | None, caption: str) -> ComparePane:
            row = None if photo_id is None else self.row(photo_id)
            if row is None:
                return ComparePane(None, None)
            full = self.originals.image(row.id, row.rotation) if self.compare.zoomed else None
            return ComparePane(row, self._pixmap_for(row)[0], f"{row.file_name}{caption}", full)

        self.compare.show_pair(
            pane(self.compare_left, ""),
            pane(self.session.current, f"   ·   {self.session.position_text}"),
            pinned=self.compare_pinned,
        )

    def _request_original(self) -> None:
        """Want the originals of what shows zoomed: survey's photos, compare's
        pair, else the loupe's photo; nothing when none is zoomed."""
        shown: list[int | None]
        if self.survey.active_mode:
            shown = list(self.survey.ids) if self.survey_view.zoomed else []
        elif self.comparing:
            shown = [self.compare_left, self.session.current] if self.compare.zoomed else []
        else:
            shown = [self.session.current] if self.view.zoomed else []
        wanted = []
        turns: dict[int, int] = {}
        for pid in shown:
            row = None if pid is None else self.row(pid)
            details = None if pid is None else self.details(pid)
            if row is not None and details is not None and not row.failed:
                wanted.append((row.id, details.original_path))
                turns[row.id] = row.rotation
        self.originals.request_many(wanted, turns=turns)

    def _request_rendition(self) -> None:
        """At fit, when the photo takes more screen pixels than its preview has
        (a large screen, full screen): its original decoded for that size."""
        pid = self.session.current
        row = None if pid is None else self.row(pid)
        needed = self.view.fit_long_edge()
        preview, is_preview = (None, False) if row is None else self._pixmap_for(row)
        if preview is not None and is_preview:
            have = max(preview.width(), preview.height())
        else:  # not decoded yet: the size the pipeline makes previews at
            have = 0 if row is None else min(PREVIEW_EDGE, max(row.width or 0, row.height or 0))
        details = None if pid is None else self.details(pid)
        if (
            row is None
            or details is None
            or row.failed
            or needed is None
            or self.comparing
            or self.survey.active_mode
            or needed <= have * RENDITION_MARGIN
        ):
            self.renditions.request_many([])
            return
        held = self.renditions.image(row.id, row.rotation)
        if held is not None and max(held.width(), held.height()) * RENDITION_MARGIN < needed:
            self.renditions.release()  # the window grew: a larger one
        content_hash = hash_of_key(row.preview_key)  # previews are named by content
        self.renditions.request(row.id, details.original_path, needed, row.rotation, content_hash)

    @Slot(int)
    @guarded_slot
    def _on_rendition_ready(self, photo_id: int) -> None:
        if photo_id == self.session.current and not self.view.zoomed:
            self._repaint_current()

    # --- slots ----------------------------------------------------------------------

    @Slot(str)
    @guarded_slot
    def _on_pass_changed(self, _pass: str) -> None:
        self.leave_compare(go_back=False)
        if not self.survey.restarting:
            self.survey.leave()  # a pass switch (Tab) ends the survey
        if not self.survey.active_mode:
            self._survey_pixmaps.clear()
        self.invalidate()

    @Slot(int)
    @guarded_slot
    def _on_current_changed(self, photo_id: int) -> None:
        if self.comparing and not self.compare_pinned:
            self._follow_candidate()
        window = self._window()
        self._load_rows(window)
        keys = [k for pid in window if (r := self.rows.cached(pid)) and (k := preview_key(r))]
        self.previews.request(keys)
        self._request_original()  # the zoomed photos' originals, or none
        self._request_rendition()
        self._repaint_current()
        self.faces.photo_shown(self._current_row(), zoomed=self._zoomable().zoomed)

    @Slot(bool)
    @guarded_slot
    def _on_zoom_changed(self, _zoomed: bool) -> None:
        self._request_original()  # the zoomed photos' originals; none back at fit
        self._repaint_current()

    @Slot(object)  # session.photos_changed: a list of ids
    @guarded_slot
    def _on_photos_changed(self, ids: list[int]) -> None:
        (self.rows_rewritten if len(ids) > STEP_ROWS else self.invalidate)(ids)

    @Slot(int)
    @guarded_slot
    def _on_image_ready(self, photo_id: int) -> None:
        if self.survey.active_mode:
            if photo_id in self.survey.ids:
                self._repaint_current()
            return
        if self.comparing and photo_id in (self.compare_left, self.session.current):
            self._repaint_compare()
        if photo_id == self.session.current and not self.view.is_preview:
            self._repaint_current()

    @Slot(str)
    @guarded_slot
    def _on_decision_clicked(self, action: str) -> None:
        if self.session.current is not None:
            self.session.decide_many(DecisionAction(action), [self.session.current])

    @Slot(int)
    @guarded_slot
    def _on_original_ready(self, photo_id: int) -> None:
        surveyed = self.survey.active_mode and photo_id in self.survey.ids
        if (
            surveyed
            or photo_id == self.session.current
            or (self.comparing and photo_id == self.compare_left)
        ):
            self._repaint_current()

    @Slot(int, str)
    @guarded_slot
    def _on_original_failed(self, photo_id: int, message: str) -> None:
        if photo_id == self.session.current:
            self.session.notice.emit(message)
            self._repaint_current()

    @Slot(int)
    @guarded_slot
    def _on_tags_changed(self, photo_id: int) -> None:
        self.rows.drop_details(photo_id)
        if photo_id == self.session.current:
            self._repaint_current()
        self.tags_changed.emit(photo_id)

"""`SearchActions`: the main window's search, in one place.

The `SearchBox` says what to find, `SearchController` runs it, and the results
ARE the gallery: the query gets the ranked ids (`GalleryQuery.ranked_ids`),
narrowed by the filters, in rank order; the loupe walks them. A first page
("500+") is widened by the whole ranking in place
(`GalleryListModel.widen_query`). Esc clears the search; stale results are not kept.

Invariants: `active` is the search shown (None: the filters alone); each change
re-queries the gallery once; the window is reached only through `SearchHooks`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace

from PySide6.QtCore import QObject, Qt, Slot
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMenu, QStatusBar

from curator.catalog.types import GalleryQuery
from curator.ui.common.guard import ErrorReporter, guarded_slot
from curator.ui.gallery.model import GalleryListModel
from curator.ui.gallery.view import GalleryView
from curator.ui.review.session import ReviewSession
from curator.ui.search.box import SearchBox, SearchRequest
from curator.ui.search.controller import SearchController, SearchKind, SearchOutcome

ERROR_SHOWN_MS = 15_000


@dataclass(frozen=True)
class ActiveSearch:
    """The search the gallery shows: its kind, words (or file name) and ranked ids."""

    kind: SearchKind
    query: str
    ids: tuple[int, ...]
    partial: bool = False  # only the first page of the ranking: the rest is coming

    @property
    def label(self) -> str:
        """What the loupe's position line calls the results."""
        return f"Like {self.query}" if self.kind is SearchKind.LIKE else f"“{self.query}”"

    def count_text(self, shown: int) -> str:
        hidden = len(self.ids) - shown
        if self.kind is SearchKind.LIKE:
            text = f"Photos like {self.query}: {shown}"
        elif self.partial and shown == 0:  # the filters hide the first page: wait
            text = f"Counting photos that match “{self.query}”…"
        elif self.partial:  # still counting: at least these
            text = f"{shown}+ photos match “{self.query}”"
        elif shown == 0:
            text = f"No photo matches “{self.query}”"
        else:
            noun = "photo matches" if shown == 1 else "photos match"
            text = f"{shown} {noun} “{self.query}”"
        if self.kind is SearchKind.SEMANTIC:
            text += " (by meaning)"
        if hidden > 0 and not self.partial:
            text += f" ({hidden} more hidden by the filters)"
        return text


@dataclass(frozen=True)
class SearchHooks:
    """What the search needs of the window, and nothing more."""

    filter_query: Callable[[], GalleryQuery]  # the filter bar's query, without the search
    loupe_showing: Callable[[], bool]
    show_grid_page: Callable[[], None]  # the grid on top (no flush, no focus change)
    scope_to_gallery: Callable[[], None]  # the loupe walks what the gallery shows
    drop_pending: Callable[[], None]  # deferred gallery refreshes are moot after a re-query
    keys_to_page: Callable[[], None]  # the keys leave the box for the page that shows
    show_error: Callable[[str], None]
    status: Callable[[], QStatusBar]
    counts_changed: Callable[[], None]  # the count labels say what `active` holds now


class SearchActions(QObject):
    """The search box, its controller and the results as the gallery."""

    def __init__(
        self,
        hooks: SearchHooks,
        *,
        box: SearchBox,
        controller: SearchController,
        model: GalleryListModel,
        session: ReviewSession,
        gallery: GalleryView,
        errors: ErrorReporter,
        parent: QObject | None = None,
    ):
        super().__init__(parent)
        self.hooks, self.box, self.controller, self.errors = hooks, box, controller, errors
        self.model, self.session, self.gallery = model, session, gallery
        self.active: ActiveSearch | None = None
        self._keys_after_results = False  # Enter was pressed: the photos get the keys
        box.search_requested.connect(self._on_requested)
        box.entered.connect(self._on_entered)
        box.cleared.connect(self._on_cleared)
        box.escaped.connect(self._on_escaped)
        controller.started.connect(self._on_started)
        controller.finished.connect(self._on_finished)
        # Esc in the grid clears a search (enabled only while one shows).
        self.clear_action = QAction("Clear the search", gallery)
        self.clear_action.setShortcut(QKeySequence("Esc"))
        self.clear_action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        self.clear_action.setEnabled(False)
        self.clear_action.triggered.connect(self._on_cleared)
        gallery.addAction(self.clear_action)

    def query(self) -> GalleryQuery:
        """The filter bar's query, narrowed to the search results while a search shows."""
        query = self.hooks.filter_query()
        if self.active is not None:
            query = replace(query, ranked_ids=self.active.ids)
        return query

    @property
    def scope_label(self) -> str:
        return "" if self.active is None else self.active.label

    def more_like(self, photo_id: int) -> None:
        """M in the loupe, or the gallery's "More Like This": the closest photos."""
        from curator.catalog.queries import gallery_rows  # the catalog: after the paint

        row = gallery_rows([photo_id]).get(photo_id)
        name = row.file_name if row is not None else f"photo {photo_id}"
        self.box.clear()
        self.controller.more_like(photo_id, name)

    def clear(self) -> None:
        """Back to the gallery the filters select (a search under way is dropped)."""
        status = self.hooks.status()
        if self.controller.busy:
            status.clearMessage()  # "Loading the CLIP text model…" is moot
        self.controller.cancel()
        self.box.clear()
        if self._drop_results():
            status.clearMessage()

    def _drop_results(self) -> bool:
        """The search's results leave the gallery (the words stay); False when none showed."""
        if self.active is None:
            return False
        self.active = None
        self.hooks.drop_pending()
        self.model.set_query(self.query())
        current = self.session.current
        self.hooks.scope_to_gallery()
        if self.hooks.loupe_showing():
            self.session.start(self.session.pass_, at_photo=current)
        else:  # the gallery keeps the photo last looked at; the focus stays where it is
            row = None if current is None else self.model.row_for(current)
            if row is not None:
                self.gallery.setCurrentIndex(self.model.index(row))
        return True

    def forget(self, gone: Iterable[int]) -> None:
        """Photos left the catalog (purged): they leave the results too."""
        if self.active is not None:
            drop = set(gone)
            kept = tuple(pid for pid in self.active.ids if pid not in drop)
            self.active = replace(self.active, ids=kept)

    def count_text(self, shown: int) -> str:
        return "" if self.active is None else self.active.count_text(shown)

    @property
    def counting(self) -> str:
        """A "+" after the count while only the first page of the results shows."""
        return "+" if self.active is not None and self.active.partial else ""

    def add_like_item(self, menu: QMenu, ids: list[int]) -> None:
        """The gallery's context menu: "More Like This" for one photo."""
        action = menu.addAction("More Like This")
        action.setEnabled(len(ids) == 1)
        if len(ids) == 1:
            action.triggered.connect(lambda _=False, pid=ids[0]: self.more_like(pid))
        menu.addSeparator()

    # --- slots ------------------------------------------------------------------

    @Slot(object)
    @guarded_slot
    def _on_requested(self, request: SearchRequest) -> None:
        if request.semantic:
            self.controller.search_semantic(request.text)
        else:
            self.controller.search_text(request.text)

    @Slot()
    @guarded_slot
    def _on_entered(self) -> None:
        if self.controller.first_pending:
            self._keys_after_results = True  # when the results show
        elif self.active is not None:
            self.hooks.show_grid_page()
            self.gallery.setFocus()  # the results already show: cull them

    @Slot()
    @guarded_slot
    def _on_cleared(self) -> None:
        self.clear()

    @Slot()
    @guarded_slot
    def _on_escaped(self) -> None:
        self.clear()
        self.hooks.keys_to_page()

    @Slot(str)
    def _on_started(self, what: str) -> None:
        self.hooks.status().showMessage(what)

    @Slot(object)
    @guarded_slot
    def _on_finished(self, outcome: SearchOutcome) -> None:
        if outcome.completes and outcome.ids is not None:
            self._complete(outcome.ids)
            return
        status = self.hooks.status()
        status.clearMessage()
        keys_to_photos, self._keys_after_results = self._keys_after_results, False
        if outcome.ids is None:
            self.box.forget()  # Enter tries again (weights pulled meanwhile…)
            # New words: the last search's results go (stale results mislead).
            self._drop_results()
            if outcome.failed:
                self.hooks.show_error(outcome.message)
            else:  # SearchUnavailable: its sentence, in the status line, no dialog
                status.showMessage(outcome.message, ERROR_SHOWN_MS)
            return
        self.active = ActiveSearch(outcome.kind, outcome.query, outcome.ids, outcome.partial)
        self.hooks.drop_pending()
        self.model.set_query(self.query())
        in_box = self.box.field.hasFocus()
        self.hooks.show_grid_page()
        if self.model.rowCount():
            self.gallery.setCurrentIndex(self.model.index(0))
            self.gallery.scrollToTop()
        if not in_box or keys_to_photos:  # typing goes on in the box, unless Enter
            self.gallery.setFocus()

    def _complete(self, ids: tuple[int, ...]) -> None:
        """The whole ranking after the first page: its rows appended, nothing else moves."""
        if self.active is None:  # cleared meanwhile (the controller drops that too)
            return
        self.active = replace(self.active, ids=ids, partial=False)
        self.hooks.drop_pending()
        self.model.widen_query(self.query())
        self.hooks.counts_changed()  # "500+" becomes the count, rows appended or not
        if self.hooks.loupe_showing() and self.session.scope is not None:
            current = self.session.current
            self.hooks.scope_to_gallery()
            self.session.start(self.session.pass_, at_photo=current)

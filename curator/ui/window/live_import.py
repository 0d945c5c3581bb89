"""`LiveImport`: what the window does with each batch a running import writes
(the UI thread's hot path: tests/bench/test_live_import_bench.py): new photos
are inserted where the query shows them (`GalleryListModel.insert_new`, its
reads off the UI thread, `arrivals_listed` once in) and appended to the
session's pass; rewritten rows are re-read, the list only
when one moved (`rows_rewritten`); new thumbnails re-read their rows only.
The loupe forgets its cached rows of those photos; the pass count follows.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, Slot

from curator.ui.common.guard import ErrorReporter, guarded_slot
from curator.ui.gallery.model import GalleryListModel
from curator.ui.review.session import ReviewSession
from curator.ui.window.pipeline_controller import PipelineController


class LiveImport(QObject):
    """Applies import batches to the gallery, the loupe and the pass (see the docstring)."""

    def __init__(
        self,
        pipeline: PipelineController,
        model: GalleryListModel,
        invalidate: Callable[[list[int]], None],
        session: ReviewSession,
        errors: ErrorReporter,
        after: Callable[[], None],
        parent: QObject | None = None,
    ):
        super().__init__(parent)  # the window: lives as long as it
        self.model, self.session, self.errors = model, session, errors
        self._invalidate = invalidate  # the loupe forgets these rows (once it exists)
        self._after = after  # the window's labels (pass count, photo count)
        pipeline.photos_added.connect(self.on_added)
        model.arrivals_listed.connect(self.on_listed)
        pipeline.photos_changed.connect(self.on_changed)
        pipeline.thumbnails_changed.connect(self.on_thumbnails)

    @Slot(list)
    @guarded_slot
    def on_added(self, ids: list[int]) -> None:
        """A quick-look batch: new photos only (the grid places them off the UI
        thread: `on_listed` once they are in)."""
        self.model.insert_new(ids)
        self._invalidate(ids)
        if self.session.scope is None:
            self.session.extend(ids)
            self._after()

    @Slot(list)
    @guarded_slot
    def on_listed(self, shown: list[int]) -> None:
        """New photos the grid now shows."""
        if self.session.scope is not None:  # the loupe walks the gallery: appended
            self.session.append_to_scope(shown)
        self._after()

    @Slot(list)
    @guarded_slot
    def on_changed(self, ids: list[int]) -> None:
        """A technical (or XMP) batch: rows rewritten, maybe new ones too."""
        shown = self.model.rows_rewritten(ids)
        self._invalidate(ids)
        if self.session.scope is None:
            self.session.extend(ids)
        else:  # the gallery shows them, or will at its coalesced re-query
            self.session.append_to_scope(shown)
        self._after()

    @Slot(list)
    @guarded_slot
    def on_thumbnails(self, ids: list[int]) -> None:
        """Quick thumbnails for listed photos: same places, new pictures."""
        self.model.reload_rows(ids)
        self._invalidate(ids)

"""`SearchController`: runs the searches off the UI thread, no widgets.

- Text search (`curator.search.text`), semantic search and more-like-this
  (`curator.search.semantic`) run on a one-thread pool (the first semantic
  search loads the CLIP text encoder); the engines are imported in the task
  and called through their modules (a test patches them there).
- Only the newest request counts (`generation`): queued ones are dropped, an
  older result ignored. `started(str)` says what is under way,
  `finished(SearchOutcome)` hands back the ids or the sentence.
- A text search comes back as its first page (`partial`), then, when that
  page was full, the whole ranking (`completes`: a second job, the same ids
  first), dropped by a newer search.
Results come through a `Delivery`; each job closes its catalog connection.
`busy`: the newest search is not back whole; `first_pending`: nothing of it yet.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import cast

from PySide6.QtCore import QObject, QThreadPool, Signal, Slot

from curator.engine.delivery import Job, delivery_to
from curator.search.types import SearchHit, SearchUnavailable
from curator.settings import Settings
from curator.ui.common.guard import ErrorReporter, guarded_slot

log = logging.getLogger("curator.ui")

SEMANTIC_LIMIT = 200  # a gallery of the closest photos; the tail of a cosine ranking is noise
LIKE_LIMIT = 200


class SearchKind(StrEnum):
    TEXT = "text"
    SEMANTIC = "semantic"
    LIKE = "like"


@dataclass(frozen=True)
class SearchOutcome:
    """One finished search: `ids` best first, or `message` (why there are none)."""

    generation: int
    kind: SearchKind
    query: str  # the words, or the file name of the photo for more-like-this
    ids: tuple[int, ...] | None  # None: the search did not run (see message)
    message: str = ""  # SearchUnavailable's sentence, or what went wrong
    failed: bool = False  # an unexpected error (logged): shown as an error
    partial: bool = False  # the first page of a longer ranking: the whole one follows
    completes: bool = False  # the whole ranking after this generation's first page


def _run_search(
    kind: SearchKind,
    query: str,
    photo_id: int | None,
    settings: Settings,
    vectors: object | None,
    whole: bool,
) -> tuple[list[int], bool]:
    """The ids found, best first, and whether they are a text search's first page
    with more to come (`whole`: the whole ranking)."""
    if kind is SearchKind.TEXT:
        from curator.search import text  # looked up per call: patchable

        # No hit objects, no reasons: ~100 ms less at 100k hits.
        limit = None if whole else text.FIRST_PAGE
        ids = text.ranked_ids(query, limit=limit)
        return ids, limit is not None and len(ids) >= limit  # a full page: maybe more
    from curator.search import semantic

    hits: list[SearchHit]
    if kind is SearchKind.SEMANTIC:
        hits = semantic.semantic_search(
            query, settings, limit=SEMANTIC_LIMIT, embeddings=cast("semantic.Vectors", vectors)
        )
    else:
        assert photo_id is not None
        hits = semantic.more_like_this(
            photo_id, settings, limit=LIKE_LIMIT, embeddings=cast("semantic.Vectors", vectors)
        )
    return [h.photo_id for h in hits], False


@dataclass(frozen=True)
class _Search:
    """One search request, immutable (run on the pool thread)."""

    generation: int
    kind: SearchKind
    query: str
    photo_id: int | None
    settings: Settings
    vectors: object | None
    completes: bool = False  # a text search's second step: the whole ranking

    def run(self) -> SearchOutcome:
        try:
            ids, partial = _run_search(
                self.kind, self.query, self.photo_id, self.settings, self.vectors, self.completes
            )
        except SearchUnavailable as exc:
            return SearchOutcome(self.generation, self.kind, self.query, None, str(exc))
        return SearchOutcome(
            self.generation,
            self.kind,
            self.query,
            tuple(ids),
            partial=partial,
            completes=self.completes,
        )

    def failed(self, exc: Exception) -> SearchOutcome:
        """An unexpected error: logged, and reported on the UI thread (never lost)."""
        log.error("a %s search failed", self.kind.value, exc_info=exc)
        return SearchOutcome(
            self.generation, self.kind, self.query, None, f"The search failed: {exc}.", failed=True
        )


class SearchController(QObject):
    started = Signal(str)  # a sentence for the status bar: what is under way
    finished = Signal(object)  # SearchOutcome of the newest request

    def __init__(
        self,
        errors: ErrorReporter,
        settings: Callable[[], Settings],
        vectors: Callable[[], object | None] | None = None,
        parent: QObject | None = None,
        *,
        threads: QThreadPool,
    ):
        super().__init__(parent)
        self.errors, self._settings = errors, settings
        # The in-memory embeddings, taken here (None: the engine reads the catalog's).
        self._vectors = vectors or (lambda: None)
        self._pool = threads  # one thread: one search at a time; the newest wins
        self._delivery = delivery_to(self, self._on_done)
        self.generation = 0
        self._answered = 0  # the newest generation whose whole outcome came back (or cancelled)
        self._first_in = 0  # the newest generation whose first outcome came back (or cancelled)
        self._text_model_for: tuple[str, str] | None = None  # CLIP the engine has loaded

    @property
    def busy(self) -> bool:
        """The newest search has not come back whole yet (its first page may show)."""
        return self._answered < self.generation

    @property
    def first_pending(self) -> bool:
        """Nothing of the newest search has come back yet."""
        return self._first_in < self.generation

    def search_text(self, query: str) -> int:
        return self._start(SearchKind.TEXT, query, None, "Searching…")

    def search_semantic(self, query: str) -> int:
        if self._text_model_for == self._clip():
            what = "Searching by meaning…"
        else:
            what = "Loading the CLIP text model…"
        return self._start(SearchKind.SEMANTIC, query, None, what)

    def more_like(self, photo_id: int, name: str) -> int:
        return self._start(SearchKind.LIKE, name, photo_id, f"Finding photos like {name}…")

    def cancel(self) -> None:
        """Forget what is under way: queued searches never start, running ones' results drop."""
        self.generation += 1
        self._answered = self._first_in = self.generation
        self._pool.clear()

    def shutdown(self) -> None:
        """No result after this returns; the running search (if any) is waited for."""
        self._delivery.close()
        self._pool.clear()
        self._pool.waitForDone()

    # --- internals --------------------------------------------------------------

    def _clip(self) -> tuple[str, str]:
        s = self._settings()
        return (s.clip_model, s.clip_pretrained)

    def _start(self, kind: SearchKind, query: str, photo_id: int | None, what: str) -> int:
        self.generation += 1
        self._pool.clear()  # queued, older requests never start
        vectors = None if kind is SearchKind.TEXT else self._vectors()
        search = _Search(self.generation, kind, query, photo_id, self._settings(), vectors)
        self.started.emit(what)
        self._pool.start(Job(search.run, self._delivery, search.failed))
        return self.generation

    @Slot(object)
    @guarded_slot
    def _on_done(self, outcome: SearchOutcome) -> None:
        if outcome.kind is SearchKind.SEMANTIC and outcome.ids is not None:
            self._text_model_for = self._clip()
        if outcome.generation != self.generation:
            return  # an older request: the user has moved on
        self._first_in = outcome.generation
        if outcome.partial:  # the whole ranking next, unless a newer search comes first
            whole = _Search(
                outcome.generation,
                outcome.kind,
                outcome.query,
                None,
                self._settings(),
                None,
                completes=True,
            )
            self._pool.start(Job(whole.run, self._delivery, whole.failed))
        else:
            self._answered = outcome.generation
        self.finished.emit(outcome)

"""The GUI's live side of the score stage: the vectors kept in memory and the
debounced retraining (`pipeline.stages.score` does the work they start).

`LiveEmbeddings` holds the vectors (loaded on a worker, extended by the embed
stage) and hands out immutable `EmbeddingSnapshot`s. `RetrainScheduler`
restarts a short timer on every decision; one arriving during a retrain causes
exactly one more.

The window is built with both before the catalog opens: this module imports no
peewee and no catalog module. What they hand on is in `pipeline.stages.taste_report`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import partial
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QThreadPool, QTimer, Signal, Slot

from curator.engine.delivery import Job, delivery_to, log_and_deliver
from curator.pipeline.stages.taste_report import (
    RETRAIN_FAILED,
    EmbeddingSnapshot,
    TasteReport,
    not_enough,
)

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray

    from curator.catalog.judgments import EmbeddingCache


class LiveEmbeddings(QObject):
    """The app's in-memory vectors for rescoring (see the module docstring).

    Main thread only; workers get `snapshot()`s. `ensure(model)` loads the
    vectors on a worker (once per model); `add` mirrors what the embed
    stage stored.
    """

    loaded = Signal(str)

    def __init__(self, threads: QThreadPool, parent: QObject | None = None):
        super().__init__(parent)
        self._cache: EmbeddingCache | None = None
        self._loading: str | None = None
        self.threads = threads
        self._delivery = delivery_to(self, self._on_loaded)

    def ensure(self, model: str) -> None:
        if (self._cache is not None and self._cache.model == model) or self._loading == model:
            return
        self._loading = model
        # Built on the worker too: the cache's numpy import (~0.1 s, the first
        # thing after the window's first paint) stays off the UI thread.
        from curator.pipeline.stages.score import load_cache  # the catalog: after the first paint

        self.threads.start(Job(partial(load_cache, model), self._delivery, log_and_deliver))

    @Slot(object)
    def _on_loaded(self, result: EmbeddingCache | Exception) -> None:
        from curator.catalog.judgments import EmbeddingCache

        if isinstance(result, EmbeddingCache) and result.model == self._loading:
            self._cache = result
            self._loading = None
            self.loaded.emit(result.model)
        elif not isinstance(result, EmbeddingCache):
            self._loading = None  # failed: rescoring reads the catalog (cold path)

    def snapshot(self, model: str) -> EmbeddingSnapshot | None:
        cache = self._cache
        if cache is None or cache.model != model:
            return None
        n = len(cache.ids)
        return EmbeddingSnapshot(model, tuple(cache.ids), cache.matrix[:n])

    def add(self, model: str, items: Sequence[tuple[int, NDArray[np.float32]]]) -> None:
        if self._cache is not None and self._cache.model == model:
            self._cache.add(items)


class RetrainScheduler(QObject):
    """Debounced, never-dropped retraining (see the module docstring)."""

    retrained = Signal(object)  # TasteReport

    def __init__(
        self,
        model: Callable[[], str],
        threads: QThreadPool,
        *,
        delay_ms: int = 1500,
        cache: Callable[[str], EmbeddingSnapshot | None] = lambda _model: None,
        weights_missing: Callable[[], bool] = lambda: False,
        parent: QObject | None = None,
    ):
        super().__init__(parent)
        self._model, self._cache = model, cache
        self._weights_missing = weights_missing
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(delay_ms)
        self._timer.timeout.connect(self._start_retrain)
        self._busy = False
        self._dirty = False
        self.threads = threads
        self._delivery = delivery_to(self, self._on_done)
        self.runs = 0

    @property
    def pending(self) -> bool:
        return self._dirty or self._busy or self._timer.isActive()

    def note_decision(self) -> None:
        self._dirty = True
        if not self._busy:
            self._timer.start()  # restart: debounce

    def stop(self) -> None:
        """Shutdown: no new retrain starts (one in flight finishes on its worker)."""
        self._timer.stop()
        self._dirty = False

    @Slot()
    def _start_retrain(self) -> None:
        if self._busy:
            return
        self._dirty = False
        self._busy = True
        self.runs += 1
        model = self._model()
        snapshot = self._cache(model)
        missing = self._weights_missing

        def retrain() -> TasteReport:
            from curator.pipeline.stages import score  # read now: tests stand in for it

            return score.retrain_and_rescore(model, snapshot, weights_missing=missing)

        self.threads.start(Job(retrain, self._delivery, log_and_deliver))

    @Slot(object)
    def _on_done(self, result: TasteReport | Exception) -> None:
        if isinstance(result, TasteReport):
            report = result
        else:
            report = not_enough(0, f"{RETRAIN_FAILED} {result}")
        self._busy = False
        self.retrained.emit(report)
        if self._dirty:
            self._timer.start()

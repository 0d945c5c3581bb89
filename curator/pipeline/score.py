"""The score stage: retrain the taste model from decisions, rescore, regroup bursts.

plan → run → apply: `plan` reads the training set from the catalog (main
thread), `run` is `ml.taste.fit_taste` (pure, may run on the ML pool), and
`apply` stores the model and rescores every embedded photo in one vectorised
pass and one transaction.

`RetrainScheduler` debounces retraining for the GUI: every decision restarts
a short timer, so a burst of keypresses gives one retrain shortly after the
last one. A decision that arrives while a retrain runs marks the scheduler
dirty and causes exactly one more retrain after it — never a dropped one.
The CLI retrains once at the end of each decision command.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from PySide6.QtCore import QObject, QRunnable, QThreadPool, QTimer, Signal, Slot

from curator.catalog import judgments
from curator.catalog.models import CullState, Photo
from curator.ml.bursts import find_bursts
from curator.ml.taste import MIN_SAMPLES, FittedTaste, NotEnoughDecisions, fit_taste
from curator.settings import Settings


@dataclass(frozen=True)
class TasteReport:
    version: int | None
    samples: int
    spearman: float | None
    alpha: float | None
    scored: int
    message: str


def rescore(model: str, cache: judgments.EmbeddingCache | None = None) -> int:
    """Score every photo embedded with `model` by the newest taste model for it.

    With a warm `EmbeddingCache` (the GUI keeps one) this is one matrix-vector
    product and one UPDATE: ~0.3 s for 100k photos; cold, loading the vectors
    from the catalog adds ~0.4 s.
    """
    stored = judgments.latest_taste(model)
    if stored is None:
        return 0
    if cache is not None and cache.model == model:
        ids, x = cache.ids, cache.matrix
    else:
        ids, x = judgments.load_embeddings(model)
    if not ids or x.shape[1] != stored.fitted.weights.shape[0]:
        return 0
    judgments.write_scores(stored.version, ids, stored.fitted.predict_score(x))
    return len(ids)


def plan_training(model: str) -> judgments.TrainingSet:
    return judgments.training_set(model)


def apply_fitted(
    model: str, fitted: FittedTaste, cache: judgments.EmbeddingCache | None = None
) -> TasteReport:
    version = judgments.store_taste_model(fitted, model)
    scored = rescore(model, cache)
    rho = "n/a" if fitted.spearman is None else f"{fitted.spearman:.2f}"
    return TasteReport(
        version,
        fitted.n_samples,
        fitted.spearman,
        fitted.alpha,
        scored,
        f"Taste model v{version}: {fitted.n_samples} decisions, held-out Spearman {rho}; "
        f"{scored} photos scored.",
    )


def not_enough(samples: int, reason: str) -> TasteReport:
    return TasteReport(None, samples, None, None, 0, reason)


def retrain_and_rescore(model: str) -> TasteReport:
    """Synchronous retrain (CLI): plan, fit, apply."""
    data = plan_training(model)
    try:
        fitted = fit_taste(data.x, data.y, data.weight)
    except NotEnoughDecisions as exc:
        return not_enough(len(data.y), str(exc))
    return apply_fitted(model, fitted)


def regroup_bursts(model: str, settings: Settings) -> int:
    """Recompute burst groups (windowed sweep); returns how many bursts."""
    bursts = find_bursts(
        judgments.burst_frames(model),
        max_gap_s=settings.burst_gap_s,
        min_cosine=settings.burst_min_cosine,
    )
    judgments.write_bursts(bursts)
    return len(bursts)


class _FitSignals(QObject):
    done = Signal(object)  # FittedTaste | NotEnoughDecisions


class _FitTask(QRunnable):
    def __init__(self, data: judgments.TrainingSet, signals: _FitSignals):
        super().__init__()
        self.data, self.signals = data, signals

    def run(self) -> None:
        try:
            result: object = fit_taste(self.data.x, self.data.y, self.data.weight)
        except NotEnoughDecisions as exc:
            result = exc
        except Exception as exc:
            result = NotEnoughDecisions(f"Retraining failed: {exc}")
        self.signals.done.emit(result)


class RetrainScheduler(QObject):
    """Debounced, never-dropped retraining (see the module docstring)."""

    retrained = Signal(object)  # TasteReport

    def __init__(
        self,
        model: Callable[[], str],
        threads: QThreadPool,
        *,
        delay_ms: int = 1500,
        cache: Callable[[], judgments.EmbeddingCache | None] = lambda: None,
        parent: QObject | None = None,
    ):
        super().__init__(parent)
        self._model, self._threads, self._cache = model, threads, cache
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(delay_ms)
        self._timer.timeout.connect(self._start_retrain)
        self._busy = False
        self._dirty = False
        self._signals = _FitSignals(self)
        self._signals.done.connect(self._on_fitted)
        self.runs = 0

    @property
    def pending(self) -> bool:
        return self._dirty or self._busy or self._timer.isActive()

    def note_decision(self) -> None:
        self._dirty = True
        if not self._busy:
            self._timer.start()  # restart: debounce

    @Slot()
    def _start_retrain(self) -> None:
        if self._busy:
            return
        self._dirty = False
        self._busy = True
        self.runs += 1
        data = plan_training(self._model())
        self._threads.start(_FitTask(data, self._signals))

    @Slot(object)
    def _on_fitted(self, result: object) -> None:
        model = self._model()
        if isinstance(result, FittedTaste):
            report = apply_fitted(model, result, self._cache())
        else:
            report = not_enough(0, str(result))
        self._busy = False
        self.retrained.emit(report)
        if self._dirty:
            self._timer.start()


def active_learning_order(model: str, photo_ids: list[int]) -> list[int]:
    """`photo_ids` most-uncertain first (rating pass: "teach me where I'm unsure")."""
    stored = judgments.latest_taste(model)
    if stored is None or not photo_ids:
        return photo_ids
    ids, x = judgments.load_embeddings(model, photo_ids)
    if not ids:
        return photo_ids
    spread = stored.fitted.uncertainty(x)
    order = [ids[i] for i in np.argsort(-spread, kind="stable")]
    rest = [pid for pid in photo_ids if pid not in set(order)]
    return order + rest


def review_order(pass_: str, model: str, *, uncertain_first: bool = False) -> list[int]:
    """Photo ids for a review pass, in the order the loupe shows them.

    cull: unreviewed photos, lowest predicted preference first (obvious rejects
    go quickly) once a taste model has scored them, capture time before that
    (and for photos it has not scored yet, after the scored ones).
    rating: the survivors (kept), in capture time so burst siblings sit next
    to each other; `uncertain_first` puts the photos the model is least sure
    of first (active learning: the ratings that teach it most).
    """
    alive = Photo.deleted_at.is_null()
    if pass_ == "cull":
        rows = (
            Photo.select(Photo.id)
            .where(alive, Photo.cull == CullState.UNREVIEWED.value)
            .order_by(
                Photo.preference_score.is_null(),
                Photo.preference_score,
                Photo.captured_at.is_null(),
                Photo.captured_at,
                Photo.id,
            )
            .tuples()
        )
        return [int(pid) for (pid,) in rows]
    if pass_ != "rating":
        raise ValueError(f"unknown review pass {pass_!r} (cull or rating)")
    rows = (
        Photo.select(Photo.id)
        .where(alive, Photo.cull == CullState.KEPT.value)
        .order_by(Photo.captured_at.is_null(), Photo.captured_at, Photo.id)
        .tuples()
    )
    ids = [int(pid) for (pid,) in rows]
    return active_learning_order(model, ids) if uncertain_first else ids


__all__ = ["MIN_SAMPLES", "RetrainScheduler", "TasteReport", "retrain_and_rescore"]

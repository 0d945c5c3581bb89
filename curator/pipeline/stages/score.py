"""The score stage: retrain the taste model from decisions, rescore, regroup bursts.

plan → run → apply: `plan` reads the training set from the catalog (plain
decision states and vectors), `run` labels it and fits (`ml.taste.labels`,
`fit_taste`: pure), and `apply` stores the model's coefficients
(`FittedTaste.to_record`) and rescores every embedded photo in one vectorised
pass and one transaction. The catalog holds plain records only; turning a
stored model back into a `FittedTaste` happens here (`latest_fitted`).

Threads: in the GUI all of it — reading 100k vectors, fitting, the UPDATE of
100k scores, regrouping bursts — runs on the ML pool (an `engine.delivery.Job`
running `retrain_and_rescore` or `run_score_step`), writing through that
thread's own SQLite connection (WAL lets the UI thread read meanwhile); the UI
thread only hears the report through a `Delivery` and repaints.
`LiveEmbeddings` keeps the vectors in memory (loaded on a worker at start,
extended by the embed stage) and hands workers an immutable
`EmbeddingSnapshot`, so a rescore is one matrix-vector product.
The CLI calls the same functions synchronously.

`RetrainScheduler` debounces retraining for the GUI: every decision restarts
a short timer, so a burst of keypresses gives one retrain shortly after the
last one. A decision that arrives while a retrain runs marks the scheduler
dirty and causes exactly one more retrain after it — never a dropped one.
The CLI retrains once at the end of each decision command.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import TYPE_CHECKING

from peewee import SQL, Expression
from PySide6.QtCore import QObject, QThreadPool, QTimer, Signal, Slot

from curator.catalog import judgments
from curator.catalog.approval import quality_text
from curator.catalog.models import CullState, Photo, Stage, StageRun, StageStatus
from curator.catalog.paths_codec import FOLLOWERS_SQL, has_followers, pairing_on
from curator.catalog.queries import ordered_ids
from curator.engine.delivery import Job, delivery_to, log_and_deliver
from curator.settings import Settings

if TYPE_CHECKING:
    # numpy and the fitting code (ml.taste, ml.active) load at first use: the
    # window paints before them (issue 21 §1; tests/ui/test_window.py).
    import numpy as np
    from numpy.typing import NDArray

    from curator.ml.taste import FittedTaste

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class EmbeddingSnapshot:
    """The vectors of one embedding model at one moment (immutable for workers)."""

    model: str
    ids: Sequence[int]
    matrix: NDArray[np.float32]


@dataclass(frozen=True)
class TasteReport:
    version: int | None
    samples: int
    spearman: float | None
    alpha: float | None
    scored: int
    message: str
    spearman_low: float | None = None  # the held-out Spearman's 95 % interval
    spearman_high: float | None = None
    early: bool = False  # fewer than 20 decisions


Vectors = judgments.EmbeddingCache | EmbeddingSnapshot


def rescore(model: str, cache: Vectors | None = None) -> int:
    """Score every photo embedded with `model` by the newest taste model for it.

    With warm vectors (the GUI's `LiveEmbeddings` snapshot) this is one
    matrix-vector product and one UPDATE: ~0.2 s for 100k photos; cold,
    loading the vectors from the catalog adds ~0.4 s.
    """
    latest = latest_fitted(model)
    if latest is None:
        return 0
    version, fitted = latest
    if cache is not None and cache.model == model:
        ids, x = cache.ids, cache.matrix
    else:
        ids, x = judgments.load_embeddings(model)
    if not ids or x.shape[1] != fitted.weights.shape[0]:
        return 0
    judgments.write_scores(version, ids, fitted.predict_score(x))
    return len(ids)


def latest_fitted(model: str) -> tuple[int, FittedTaste] | None:
    """(version, model) of the newest taste model stored for `model`'s embeddings."""
    from curator.ml.taste import FittedTaste

    stored = judgments.latest_taste(model)
    if stored is None:
        return None
    return stored.version, FittedTaste.from_record(stored.coefficients)


def plan_training(model: str) -> judgments.TrainingSet:
    return judgments.training_set(model)


def apply_fitted(model: str, fitted: FittedTaste, cache: Vectors | None = None) -> TasteReport:
    version = judgments.store_taste_model(fitted.to_record(), model)
    scored = rescore(model, cache)
    quality = quality_text(
        fitted.n_samples, fitted.spearman, fitted.spearman_low, fitted.spearman_high
    )
    return TasteReport(
        version,
        fitted.n_samples,
        fitted.spearman,
        fitted.alpha,
        scored,
        f"Taste model v{version}: {quality}; {scored} photos scored.",
        fitted.spearman_low,
        fitted.spearman_high,
        fitted.early,
    )


RETRAIN_FAILED = "Retraining failed:"  # how a failed retrain's report begins


def not_enough(samples: int, reason: str) -> TasteReport:
    return TasteReport(None, samples, None, None, 0, reason)


def retrain_and_rescore(
    model: str,
    cache: Vectors | None = None,
    *,
    weights_missing: bool | Callable[[], bool] = False,
) -> TasteReport:
    """Plan, fit, apply: the CLI calls it directly, the GUI on the ML pool.
    `weights_missing` (asked only when there are too few decisions) adds the
    hint to pull the CLIP weights to the not-enough message."""
    from curator.ml.taste_minimum import MIN_SAMPLES, not_enough_message

    counts = judgments.decision_counts(model)
    if counts.embedded_decisions < MIN_SAMPLES:
        # fit_taste's own first check, from three COUNTs: too few decisions to
        # learn from loads no vectors and no numpy (an empty import stays light).
        missing = weights_missing() if callable(weights_missing) else weights_missing
        message = not_enough_message(counts, weights_missing=missing)
        return not_enough(counts.embedded_decisions, message)
    from curator.ml.taste import NotEnoughDecisions, fit_taste, labels

    data = plan_training(model)
    y, weight = labels(data.states)
    try:
        fitted = fit_taste(
            data.x,
            y,
            weight,
            groups=data.groups,
            counts=data.counts,
            weights_missing=weights_missing,
        )
    except NotEnoughDecisions as exc:
        return not_enough(len(y), str(exc))
    return apply_fitted(model, fitted, cache)


def clip_weights_missing(settings: Settings) -> Callable[[], bool]:
    """A file-system check (no torch) for the not-enough message's hint."""

    def missing() -> bool:
        from curator.ml.config import clip_config
        from curator.ml.embedder import weights_present

        return not weights_present(clip_config(settings))

    return missing


def regroup_bursts(model: str, settings: Settings) -> int:
    """Recompute burst groups (windowed sweep); returns how many bursts. Runs
    without embeddings too: the structural signatures group bursts and brackets."""
    if judgments.burst_candidates() < 2:
        judgments.write_bursts([])  # no burst has one frame; OpenCV and numpy stay unloaded
        return 0
    from curator.ml.bursts import find_bursts  # OpenCV's structure signatures: not at start-up

    bursts = find_bursts(
        judgments.burst_frames(model),
        max_gap_s=settings.burst_gap_s,
        min_cosine=settings.burst_min_cosine,
        max_structure_distance=settings.burst_max_structure_distance,
    )
    judgments.write_bursts(bursts)
    return len(bursts)


def score_tags(settings: Settings, model: str) -> int:
    """CLIP's confidence for new AI tags (needs the CLIP weights; else left empty)."""
    from curator.ml.config import ModelUnavailable, clip_config

    rows = judgments.tags_needing_confidence(model)
    if not rows:
        return 0  # before the embedder's import: no new tag loads no numpy
    from curator.ml.embedder import ClipEmbedder, weights_present
    from curator.ml.tag_confidence import tag_confidences

    config = clip_config(settings)
    if not weights_present(config):
        return 0
    ids, x = judgments.load_embeddings(model, sorted({pid for _, pid, _ in rows}))
    try:
        embedder = ClipEmbedder(config).load()
        values = tag_confidences(rows, dict(zip(ids, x, strict=True)), embedder.embed_texts)
    except ModelUnavailable:
        return 0
    judgments.write_tag_confidences(values)
    return len(values)


@dataclass(frozen=True)
class ScoreJob:
    """The score step's immutable input (built on the caller's thread)."""

    model: str
    settings: Settings
    snapshot: EmbeddingSnapshot | None = None
    tags: bool = True


@dataclass
class ScoreResult:
    scored: int = 0
    new_model_version: int | None = None
    bursts: int = 0
    tags_scored: int = 0
    taste_message: str = ""
    error: str = ""  # a sentence when a step failed (the others still ran)
    counts: dict[str, int | None] = field(default_factory=dict)


def run_score_step(job: ScoreJob) -> ScoreResult:
    """After embed/describe: rescore with the newest taste model (or train the
    first one), regroup bursts, CLIP confidences for new AI tags. Each part
    runs even if an earlier one failed; failures become `error`."""
    result = ScoreResult()
    errors: list[str] = []
    try:
        if judgments.latest_taste(job.model) is None:
            report = retrain_and_rescore(
                job.model, job.snapshot, weights_missing=clip_weights_missing(job.settings)
            )
            result.scored, result.new_model_version = report.scored, report.version
            result.taste_message = report.message
        else:
            result.scored = rescore(job.model, job.snapshot)
    except Exception as exc:
        log.exception("rescoring failed")
        errors.append(f"Scoring failed: {exc}")
    try:
        result.bursts = regroup_bursts(job.model, job.settings)
    except Exception as exc:
        log.exception("burst grouping failed")
        errors.append(f"Grouping bursts failed: {exc}")
    if job.tags:
        try:
            result.tags_scored = score_tags(job.settings, job.model)
        except Exception as exc:
            log.exception("tag confidence failed")
            errors.append(f"Tag confidences failed: {exc}")
    result.error = " ".join(errors)
    result.counts = {
        "scored": result.scored,
        "new_model_version": result.new_model_version,
        "bursts": result.bursts,
        "tags_scored": result.tags_scored,
    }
    return result


def load_cache(model: str) -> judgments.EmbeddingCache:
    """`model`'s vectors from the catalog (on the ML pool)."""
    return judgments.EmbeddingCache(model).load()


class LiveEmbeddings(QObject):
    """The app's in-memory vectors for rescoring (see the module docstring).

    Main thread only; workers get `snapshot()`s. `ensure(model)` loads the
    vectors on a worker (once per model); `add` mirrors what the embed
    stage stored.
    """

    loaded = Signal(str)

    def __init__(self, threads: QThreadPool, parent: QObject | None = None):
        super().__init__(parent)
        self._cache: judgments.EmbeddingCache | None = None
        self._loading: str | None = None
        self.threads = threads
        self._delivery = delivery_to(self, self._on_loaded)

    def ensure(self, model: str) -> None:
        if (self._cache is not None and self._cache.model == model) or self._loading == model:
            return
        self._loading = model
        # Built on the worker too: the cache's numpy import (~0.1 s, the first
        # thing after the window's first paint) stays off the UI thread.
        self.threads.start(Job(partial(load_cache, model), self._delivery, log_and_deliver))

    @Slot(object)
    def _on_loaded(self, result: judgments.EmbeddingCache | Exception) -> None:
        if isinstance(result, judgments.EmbeddingCache) and result.model == self._loading:
            self._cache = result
            self._loading = None
            self.loaded.emit(result.model)
        elif not isinstance(result, judgments.EmbeddingCache):
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
            return retrain_and_rescore(model, snapshot, weights_missing=missing)

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


def active_learning_order(model: str, photo_ids: list[int]) -> list[int]:
    """`photo_ids` most-uncertain first (rating pass: "teach me where I'm unsure"),
    diverse (`ml.active.uncertain_order`); photos without an embedding last."""
    from curator.ml.active import uncertain_order

    latest = latest_fitted(model)
    if latest is None or not photo_ids:
        return photo_ids
    ids, x = judgments.load_embeddings(model, photo_ids)
    if not ids:
        return photo_ids
    order = [ids[i] for i in uncertain_order(latest[1], x)]
    placed = set(order)
    rest = [pid for pid in photo_ids if pid not in placed]
    return order + rest


def review_order(pass_: str, model: str, *, uncertain_first: bool = False) -> list[int]:
    """Photo ids for a review pass, in the order the loupe shows them.

    cull: unreviewed photos, lowest predicted preference first (obvious rejects
    go quickly) once a taste model has scored them, capture time before that
    (and for photos it has not scored yet, after the scored ones).
    rating: the survivors (kept), in capture time so burst siblings sit next
    to each other; `uncertain_first` lists only the kept photos not rated
    yet, the ones the model is least sure of first (active learning: the
    ratings that teach it most; a rated photo has taught it already).
    Photos the technical stage failed on are in neither (the Failed lane).
    """
    if pass_ == "cull":
        rows = (
            Photo.select(Photo.id)
            .where(*_pass_conditions(pass_, uncertain_first=False))
            .order_by(
                Photo.preference_score.is_null(),
                Photo.preference_score,
                Photo.captured_at.is_null(),
                Photo.captured_at,
                Photo.id,
            )
        )
        return ordered_ids(*rows.sql())  # one string, not 100k rows (the window opens on it)
    rows = (
        Photo.select(Photo.id)
        .where(*_pass_conditions(pass_, uncertain_first=uncertain_first))
        .order_by(Photo.captured_at.is_null(), Photo.captured_at, Photo.id)
    )
    ids = ordered_ids(*rows.sql())
    return active_learning_order(model, ids) if uncertain_first else ids


def review_members(
    pass_: str, photo_ids: Sequence[int], *, uncertain_first: bool = False
) -> set[int]:
    """Those of `photo_ids` that `review_order(pass_, …)` lists: a query over
    these rows only (a live import's batch), never the whole pass."""
    ids = [int(pid) for pid in photo_ids]
    found: set[int] = set()
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        where = [*_pass_conditions(pass_, uncertain_first=uncertain_first), Photo.id.in_(chunk)]
        found.update(int(pid) for (pid,) in Photo.select(Photo.id).where(*where).tuples())
    return found


def _pass_conditions(pass_: str, *, uncertain_first: bool) -> list[Expression]:
    """The WHERE of a review pass: live, not failed, and the pass's state."""
    failed = StageRun.select(StageRun.photo).where(
        StageRun.stage == Stage.TECHNICAL.value, StageRun.status == StageStatus.FAILED.value
    )
    conditions: list[Expression] = [Photo.deleted_at.is_null(), Photo.id.not_in(failed)]
    if pairing_on() and has_followers():  # a RAW+JPEG pair is one photo to review: its lead
        conditions.append(Photo.id.not_in(SQL(f"({FOLLOWERS_SQL})")))
    if pass_ == "cull":
        return [*conditions, Photo.cull == CullState.UNREVIEWED.value]
    if pass_ != "rating":
        raise ValueError(f"unknown review pass {pass_!r} (cull or rating)")
    conditions.append(Photo.cull == CullState.KEPT.value)
    if uncertain_first:
        conditions.append(Photo.rating.is_null())
    return conditions

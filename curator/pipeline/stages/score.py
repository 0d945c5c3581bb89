"""The score stage: retrain the taste model from decisions, rescore, regroup bursts.

plan → run → apply: `plan` reads the training set, `run` labels and fits
(`ml.taste.labels`, `fit_taste`, inputs from ml.taste_inputs), `apply` stores
the coefficients (`FittedTaste.to_record`) and rescores every embedded photo in
one pass and one transaction; `latest_fitted` turns a stored model back into
a `FittedTaste`.

In the GUI all of it runs on the ML pool (`retrain_and_rescore`,
`run_score_step` in an `engine.delivery.Job`); the UI thread only hears the
report. `LiveEmbeddings` and `RetrainScheduler` (`pipeline.stages.retrain`)
serve the GUI; the CLI calls the same functions synchronously.

Whose taste: the one this seat trains (catalog.taste.choice): everyone's, or
one photographer's on a shared catalog.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from peewee import SQL, Expression

from curator.catalog import judgments
from curator.catalog.approval import quality_text
from curator.catalog.gallery_filters import ordered_ids
from curator.catalog.models import (
    CullState,
    Photo,
    Stage,
    StageRun,
    StageStatus,
)
from curator.catalog.paths_codec import FOLLOWERS_SQL, has_followers, pairing_on
from curator.catalog.queries import GalleryQuery, GallerySort, gallery_query_ids
from curator.catalog.taste import choice
from curator.catalog.taste import store as taste_store
from curator.pipeline.stages.duplicates import place_new
from curator.pipeline.stages.taste_report import (  # re-exported: the window's names
    RETRAIN_FAILED as RETRAIN_FAILED,
)
from curator.pipeline.stages.taste_report import EmbeddingSnapshot, TasteReport, not_enough
from curator.pipeline.stages.taste_report import clip_weights_missing as clip_weights_missing
from curator.settings import Settings

if TYPE_CHECKING:
    # numpy and the fitting code (ml.taste, ml.active) load at first use: the
    # window paints before them (issue 21 §1; tests/ui/test_window.py).

    import numpy as np
    from numpy.typing import NDArray

    from curator.ml.taste import FittedTaste

log = logging.getLogger(__name__)


Vectors = judgments.EmbeddingCache | EmbeddingSnapshot


def rescore(model: str, cache: Vectors | None = None) -> int:
    """Score every photo embedded with `model` by the newest taste model for it
    (of the taste this seat trains and shows: catalog.taste.choice).

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
    inputs = taste_inputs(fitted, ids, x) if ids else None
    if inputs is None:
        return 0
    taste_store.write_scores(version, ids, fitted.predict_score(inputs), choice.chosen())
    return len(ids)


def taste_inputs(
    fitted: FittedTaste, ids: Sequence[int], x: NDArray[np.float32]
) -> NDArray[np.float32] | None:
    """What `fitted` takes for these photos: their embeddings, with the faces
    stage's verdicts beside them for a model trained with them
    (ml.taste_inputs); None when the model fits neither."""
    from curator.catalog.people.store import face_columns
    from curator.ml.taste_inputs import inputs_for

    return inputs_for(fitted.weights.shape[0], x, lambda: face_columns(ids))


def latest_fitted(model: str) -> tuple[int, FittedTaste] | None:
    """(version, model) of the newest taste model stored for `model`'s embeddings."""
    from curator.ml.taste import FittedTaste

    stored = taste_store.latest_taste(model, choice.chosen())
    if stored is None:
        return None
    return stored.version, FittedTaste.from_record(stored.coefficients)


def plan_training(model: str) -> judgments.TrainingSet:
    return judgments.training_set(model, choice.chosen())


def apply_fitted(model: str, fitted: FittedTaste, cache: Vectors | None = None) -> TasteReport:
    owner = choice.chosen()
    version = taste_store.store_taste_model(fitted.to_record(), model, owner)
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
        f"Taste model v{version}{'' if owner is None else f' ({owner})'}: {quality};"
        f" {scored} photos scored.",
        fitted.spearman_low,
        fitted.spearman_high,
        fitted.early,
    )


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

    counts = judgments.decision_counts(model, choice.chosen())
    if counts.embedded_decisions < MIN_SAMPLES:
        # fit_taste's own first check, from three COUNTs: too few decisions to
        # learn from loads no vectors and no numpy (an empty import stays light).
        missing = weights_missing() if callable(weights_missing) else weights_missing
        message = not_enough_message(counts, weights_missing=missing)
        return not_enough(counts.embedded_decisions, message)
    from curator.catalog.people.store import face_columns
    from curator.ml.taste import NotEnoughDecisions, fit_taste, labels
    from curator.ml.taste_inputs import with_faces

    data = plan_training(model)
    y, weight = labels(data.states)
    try:
        fitted = fit_taste(
            with_faces(data.x, face_columns(data.photo_ids)) if data.photo_ids else data.x,
            y,
            weight,
            groups=data.groups,
            counts=data.counts,
            weights_missing=weights_missing,
        )
    except NotEnoughDecisions as exc:
        return not_enough(len(y), str(exc))
    return apply_fitted(model, fitted, cache)


def regroup_bursts(model: str, settings: Settings) -> int:
    """Recompute burst groups (windowed sweep); returns how many bursts. Runs
    without embeddings too: the structural signatures group bursts and brackets."""
    if judgments.burst_candidates() < 2:
        judgments.write_bursts([])  # no burst has one frame; OpenCV and numpy stay unloaded
        return 0
    from curator.cull.checks import genre_of, values_expressions
    from curator.ml.bursts import find_bursts  # OpenCV's structure signatures: not at start-up

    bursts = find_bursts(
        judgments.burst_frames(model),
        max_gap_s=settings.burst_gap_s,
        min_cosine=settings.burst_min_cosine,
        max_structure_distance=settings.burst_max_structure_distance,
        smiles=values_expressions(genre_of(settings.shoot_kind)),  # issue 49: sports, landscape
        key_eyes=judgments.key_eyes,  # read for the bursts' frames with faces only
    )
    judgments.write_bursts(bursts)
    return len(bursts)


def score_tags(settings: Settings, model: str) -> int:
    """CLIP's confidence for new AI tags (needs the CLIP weights; else left empty)."""
    from curator.ml.config import ModelUnavailable
    from curator.settings import clip_config

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
    duplicate_groups: int = 0  # groups of near-duplicates the new photos are in
    tags_scored: int = 0
    taste_message: str = ""
    error: str = ""  # a sentence when a step failed (the others still ran)
    counts: dict[str, int | None] = field(default_factory=dict)


def run_score_step(job: ScoreJob) -> ScoreResult:
    """After embed/describe: rescore with the newest taste model (or train the
    first one), regroup bursts, place the new photos among the near-duplicates
    (stages.duplicates), CLIP confidences for new AI tags. Each part
    runs even if an earlier one failed; failures become `error`."""
    result = ScoreResult()
    errors: list[str] = []
    try:
        if taste_store.latest_taste(job.model, choice.chosen()) is None:
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
    try:
        result.duplicate_groups = place_new().groups
    except Exception as exc:
        log.exception("near-duplicates failed")
        errors.append(f"Finding near-duplicates failed: {exc}")
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
        "duplicate_groups": result.duplicate_groups,
        "tags_scored": result.tags_scored,
    }
    return result


def load_cache(model: str) -> judgments.EmbeddingCache:
    """`model`'s vectors from the catalog (on the ML pool)."""
    return judgments.EmbeddingCache(model).load()


def active_learning_order(model: str, photo_ids: list[int]) -> list[int]:
    """`photo_ids` most-uncertain first (rating pass: "teach me where I'm unsure"),
    diverse (`ml.active.uncertain_order`); photos without an embedding last."""
    from curator.ml.active import uncertain_order

    latest = latest_fitted(model)
    if latest is None or not photo_ids:
        return photo_ids
    ids, x = judgments.load_embeddings(model, photo_ids)
    inputs = taste_inputs(latest[1], ids, x) if ids else None
    if inputs is None:
        return photo_ids
    order = [ids[i] for i in uncertain_order(latest[1], inputs)]
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
        # The gallery's Unreviewed pass in its own default sort: the same photos
        # (live, not failed, a RAW+JPEG pair once) in the same order, which
        # the gallery sorts in numpy (~100 ms of SQL sort at 100k photos).
        return gallery_query_ids(
            GalleryQuery(cull=CullState.UNREVIEWED.value, sort=GallerySort.LIKELY_REJECTS)
        )
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

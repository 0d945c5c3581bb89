"""Score stage and judgment storage on a real catalog with synthetic embeddings."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import numpy as np
from pytestqt.qtbot import QtBot

from curator.catalog import judgments
from curator.catalog.db import Catalog
from curator.catalog.decisions import set_cull, set_picked, set_rating
from curator.catalog.models import CullState, Photo, PhotoPreference, PhotoTag, Tag
from curator.pipeline.stages.retrain import RetrainScheduler
from curator.pipeline.stages.score import (
    active_learning_order,
    regroup_bursts,
    rescore,
    retrain_and_rescore,
)
from curator.settings import Settings
from tests.scores import score_of

MODEL = "tiny/test"


def _photos(n: int, d: int = 32, seed: int = 0) -> tuple[list[int], np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, d)).astype(np.float32)
    x /= np.linalg.norm(x, axis=1, keepdims=True)
    taste = x @ rng.normal(size=d)
    ids = []
    t0 = datetime(2024, 6, 1, 12, 0, 0)
    for i in range(n):
        p = Photo.create(
            path=f"/lib/p{i}.jpg".encode(),
            content_hash=f"h{i}",
            captured_at=t0 + timedelta(minutes=i),
            sharpness_score=80,
            exposure_score=80,
        )
        ids.append(p.id)
    judgments.store_embeddings(MODEL, list(zip(ids, x, strict=True)))
    return ids, x, taste


def _decide(ids: list[int], taste: np.ndarray, count: int) -> None:
    order = np.argsort(taste)
    cut = np.quantile(taste, [0.2, 0.4, 0.6, 0.8])
    for i in order[:count] if count <= len(order) else order:
        stars = int(np.searchsorted(cut, taste[i])) + 1
        if stars == 1:
            set_cull(ids[i], CullState.REJECTED, pass_="cull")
        else:
            set_rating(ids[i], stars, pass_="rating")


def test_no_model_before_10_decisions_an_early_one_then_scores_everything(
    tmp_path: Path,
) -> None:
    with Catalog.open(tmp_path / "c.sqlite"):
        ids, _, taste = _photos(80)
        idx = np.random.default_rng(5).permutation(80)
        for i in idx[:9]:
            set_rating(ids[i], 3 if taste[i] < 0 else 5)
        report = retrain_and_rescore(MODEL)
        assert report.version is None and "at least 10" in report.message
        assert PhotoPreference.select().count() == 0
        # From 10 decisions: an early model, marked as such, that already scores.
        set_rating(ids[idx[9]], 3 if taste[idx[9]] < 0 else 5)
        early = retrain_and_rescore(MODEL)
        assert early.version == 1 and early.early and "early model" in early.message
        assert early.scored == 80
        PhotoPreference.delete().execute()
        assert PhotoPreference.select().count() == 0

        for i in idx[10:50]:
            if taste[i] < -0.5:
                set_cull(ids[i], CullState.REJECTED)
            elif taste[i] > 0.8:
                set_picked(ids[i], True)
            else:
                set_rating(ids[i], 2 if taste[i] < 0 else 4)
        report = retrain_and_rescore(MODEL)
        assert report.version == 2 and report.samples == 50 and report.scored == 80
        assert report.spearman is not None and report.spearman > 0.3 and not report.early
        assert report.spearman_low is not None and report.spearman_high is not None
        assert report.spearman_low <= report.spearman <= report.spearman_high
        scores = {int(s.photo_id): s.score for s in PhotoPreference.select()}
        assert len(scores) == 80
        assert all(0 <= s <= 100 for s in scores.values())
        unseen = idx[50:]
        from scipy.stats import spearmanr

        assert spearmanr([scores[ids[i]] for i in unseen], taste[unseen]).statistic > 0.4
        assert {s.model_version for s in PhotoPreference.select()} == {2}


def test_a_model_refuses_embeddings_of_another_clip_model(tmp_path: Path) -> None:
    with Catalog.open(tmp_path / "c.sqlite"):
        ids, _, taste = _photos(40)
        _decide(ids, taste, 40)
        assert retrain_and_rescore(MODEL).version == 1
        other = np.random.default_rng(9).normal(size=(1, 64)).astype(np.float32)
        extra = Photo.create(path=b"/lib/x.jpg", content_hash="hx")
        judgments.store_embeddings("other/model", [(extra.id, other[0])])
        assert rescore("other/model") == 0  # no taste model for that embedding model
        assert score_of(extra.id) is None


def test_uncertain_first_puts_outliers_first(tmp_path: Path) -> None:
    with Catalog.open(tmp_path / "c.sqlite"):
        ids, x, taste = _photos(60)
        _decide(ids, taste, 60)
        retrain_and_rescore(MODEL)
        odd = Photo.create(path=b"/lib/odd.jpg", content_hash="hodd")
        judgments.store_embeddings(MODEL, [(odd.id, (x[0] * -4).astype(np.float32))])
        order = active_learning_order(MODEL, [ids[1], ids[2], odd.id])
        assert order[0] == odd.id


def test_retrain_is_debounced_and_never_dropped(tmp_path: Path, qtbot: QtBot) -> None:
    from PySide6.QtCore import QThreadPool

    with Catalog.open(tmp_path / "c.sqlite"):
        ids, _, taste = _photos(40)
        _decide(ids, taste, 30)
        pool = QThreadPool()
        scheduler = RetrainScheduler(lambda: MODEL, pool, delay_ms=50)
        reports = []
        scheduler.retrained.connect(reports.append)
        for _ in range(10):  # a burst of keypresses
            scheduler.note_decision()
        qtbot.waitUntil(lambda: len(reports) == 1, timeout=10_000)
        assert scheduler.runs == 1 and reports[0].samples == 30
        # A decision while it trains: exactly one more retrain follows.
        undecided = np.argsort(taste)[30:]  # _decide took the 30 lowest
        set_rating(ids[int(undecided[-1])], 5)
        scheduler.note_decision()
        scheduler._start_retrain()  # start training now ...
        set_rating(ids[int(undecided[-2])], 4)
        scheduler.note_decision()  # ... and decide again while it runs
        qtbot.waitUntil(lambda: len(reports) == 3, timeout=10_000)
        qtbot.waitUntil(lambda: not scheduler.pending, timeout=10_000)
        assert scheduler.runs == 3
        assert reports[-1].samples == 32
        pool.waitForDone()


def test_removed_ai_tags_do_not_come_back(tmp_path: Path) -> None:
    with Catalog.open(tmp_path / "c.sqlite"):
        p = Photo.create(path=b"/lib/t.jpg", content_hash="ht")
        fields = {
            "subject": "a dog on a beach",
            "content_type": "landscape",
            "lighting_critique": "Soft light.",
            "artistic_mood": "calm",
            "model": "ollama/llava",
            "prompt_version": "describe-1",
        }
        judgments.store_description(p.id, tags=["dog", "beach", "sea"], **fields)
        assert judgments.remove_tag(p.id, "beach")
        judgments.add_user_tag(p.id, "holiday")
        judgments.store_description(p.id, tags=["dog", "beach", "sand"], **fields)
        live = {
            (t.tag.name, t.source)
            for t in PhotoTag.select()
            .join(Tag)
            .where(PhotoTag.photo == p.id, PhotoTag.removed_at.is_null())
        }
        assert live == {("dog", "ai"), ("sand", "ai"), ("holiday", "user")}


def test_bursts_are_written_with_a_best_frame(tmp_path: Path) -> None:
    with Catalog.open(tmp_path / "c.sqlite"):
        rng = np.random.default_rng(2)
        v = rng.normal(size=16).astype(np.float32)
        v /= np.linalg.norm(v)
        t0 = datetime(2024, 1, 1, 9, 0, 0)
        made = []
        for i, sharp in enumerate([60, 90, 70]):
            p = Photo.create(
                path=f"/b/{i}.jpg".encode(),
                content_hash=f"b{i}",
                camera_make="Canon",
                camera_model="R6",
                captured_at=t0 + timedelta(milliseconds=300 * i),
                sharpness_score=sharp,
                exposure_score=85,
            )
            made.append(p.id)
        lone = Photo.create(
            path=b"/b/lone.jpg", content_hash="bl", captured_at=t0 + timedelta(hours=1)
        )
        judgments.store_embeddings(MODEL, [(pid, v) for pid in [*made, lone.id]])
        assert regroup_bursts(MODEL, Settings()) == 1
        rows = {p.id: (p.burst_group, p.burst_best) for p in Photo.select()}
        assert rows[made[0]] == (made[0], False)
        assert rows[made[1]] == (made[0], True)
        assert rows[lone.id] == (None, False)


def test_review_orders(tmp_path: Path) -> None:
    from curator.pipeline.stages.score import review_order

    with Catalog.open(tmp_path / "c.sqlite"):
        ids, _, taste = _photos(60)
        # Before any model: the cull pass is in capture time.
        assert review_order("cull", MODEL) == ids
        _decide(ids, taste, 40)  # the 40 lowest: rejects and ratings (ratings keep nothing)
        for pid in ids[:5]:
            set_cull(pid, CullState.KEPT)
        retrain_and_rescore(MODEL)
        cull = review_order("cull", MODEL)
        unreviewed = {p.id for p in Photo.select().where(Photo.cull == "unreviewed")}
        assert set(cull) == unreviewed
        scores = [score_of(pid) for pid in cull]
        assert scores == sorted(scores)  # lowest predicted preference first
        rating = review_order("rating", MODEL)
        assert rating == [pid for pid in ids if Photo.get_by_id(pid).cull == "kept"]
        # Most uncertain first: the kept photos not rated yet (a rating has taught it).
        unrated = [pid for pid in rating if Photo.get_by_id(pid).rating is None]
        assert any(Photo.get_by_id(pid).rating for pid in rating)  # some are left out
        assert sorted(review_order("rating", MODEL, uncertain_first=True)) == sorted(unrated)

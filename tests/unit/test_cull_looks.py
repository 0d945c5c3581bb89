"""How a moment's people look decides its keep, never a reject (issue 49 §2-§3):
the shoot-kind gate on the burst star and on the proposal, the proposal's
"expressions" check, and the words a keep chosen for its people says."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

import numpy as np
import pytest

from curator.cull.check_types import Genre, Sensitivity
from curator.cull.checks import checks_for, genre_of, values_expressions
from curator.cull.looks import prefer_looks, ready_reason
from curator.cull.rules import propose
from curator.cull.summary import keep_reasons, keeps_text
from curator.cull.tuning import CullTuning, default_levels, tuned_checks
from curator.ml.bursts import best_frame, find_bursts
from curator.records import (
    EyeState,
    Face,
    FacesSummary,
    Frame,
    Looking,
    ProposalFrame,
    ProposalReason,
    ProposalVerdict,
)

KEEP, REJECT = ProposalVerdict.KEEP, ProposalVerdict.REJECT
BOX = (0.4, 0.3, 0.15, 0.2)


def key_face(smile: float, looking: Looking | None, eyes: EyeState = EyeState.OPEN) -> Face:
    return Face(BOX, 200, True, eyes=eyes, key=True, smile=smile, looking=looking)


def frame(
    pid: int,
    *,
    smile: float = 0.1,
    looking: Looking | None = Looking.CAMERA,
    face_sharpness: float = 70.0,
    sharpness: float = 80.0,
) -> ProposalFrame:
    """An acceptable frame of burst 1 with one key face, open-eyed."""
    face = key_face(smile, looking)
    summary = FacesSummary(
        count=1,
        judged=1,
        key=1,
        eyes_open=True,
        key_sharpness=face_sharpness,
        smiling=bool(face.smiling),
        all_at_camera=looking is Looking.CAMERA,
        ready=int(looking is Looking.CAMERA),
    )
    return ProposalFrame(
        photo_id=pid,
        sharpness_score=sharpness,
        exposure_score=95.0,
        exposure_ev=0.0,
        highlight_clip=0.01,
        burst=1,
        faces=summary,
        key_boxes=(BOX,),
        key_faces=(face,),
    )


def kept(frames: list[ProposalFrame], genre: Genre | None) -> list[int]:
    run = propose(frames, checks_for(genre))
    return [p.photo_id for p in run.proposals if p.verdict is KEEP]


def test_only_people_portrait_and_event_shoots_value_expressions() -> None:
    assert [values_expressions(g) for g in Genre] == [True, True, True, False, False]
    assert values_expressions(None)  # the kind not said: as people
    assert genre_of("sports") is Genre.SPORTS
    assert genre_of("any") is None and genre_of(None) is None and genre_of("bogus") is None


def test_the_proposal_keeps_the_smiling_frame_only_where_the_shoot_values_it() -> None:
    # The glum frame is the sharper one and the burst's star (computed without smiles);
    # both are acceptable and their faces nearly as sharp.
    glum = replace(frame(1, face_sharpness=75.0, sharpness=88.0), burst_best=True)
    smiling = frame(2, smile=0.95, face_sharpness=62.0, sharpness=80.0)
    for genre in (Genre.PEOPLE, Genre.PORTRAIT, Genre.EVENT, None):
        assert kept([glum, smiling], genre) == [2], genre
    for genre in (Genre.SPORTS, Genre.LANDSCAPE):
        assert kept([glum, smiling], genre) == [1], genre


def test_the_burst_star_weighs_a_smile_only_when_told() -> None:
    when = datetime(2024, 6, 1, 12)
    glum = Frame(1, "cam", when, None, 80.0, 90.0, None, eyes_open=True, closed_eyes=False,
                 key_face_sharpness=75.0, faces_ready=1, all_at_camera=True,
                 smiling=False)  # fmt: skip
    smiling = replace(glum, photo_id=2, captured_at=when + timedelta(seconds=1),
                      key_face_sharpness=62.0, smiling=True)  # fmt: skip
    assert best_frame([glum, smiling]) == 2
    assert best_frame([glum, smiling], smiles=False) == 1
    # find_bursts passes it on to the star of every burst it forms
    same = np.ones(4, dtype=np.float32) / 2.0  # one scene: the same embedding
    frames = [replace(f, embedding=same) for f in (glum, smiling)]
    assert find_bursts(frames)[0].best_id == 2
    assert find_bursts(frames, smiles=False)[0].best_id == 1


def test_a_smile_is_never_worth_a_soft_face() -> None:
    glum = frame(1, face_sharpness=80.0)
    soft_smile = frame(2, smile=0.95, face_sharpness=50.0)  # 30 points softer
    assert kept([glum, soft_smile], Genre.PEOPLE) == [1]


def test_looking_at_the_camera_wins_the_moment_but_looking_away_is_never_a_reject() -> None:
    away = frame(1, looking=Looking.AWAY, face_sharpness=78.0)
    camera = frame(2, looking=Looking.CAMERA, face_sharpness=70.0)
    run = propose([away, camera], checks_for(Genre.PEOPLE))
    got = {p.photo_id: p for p in run.proposals}
    assert got[2].verdict is KEEP
    assert got[1].reasons == (ProposalReason.DUPLICATE,)  # a duplicate, not a look
    # alone in its moment, a frame looking away and not smiling is kept
    alone = replace(frame(3, looking=Looking.AWAY), burst=None)
    assert kept([alone], Genre.PEOPLE) == [3]


def test_prefer_looks_narrows_never_to_nothing_and_leaves_unjudged_frames_alone() -> None:
    frames = [frame(1), frame(2, smile=0.9), frame(3, smile=0.88)]  # as broad: both stay
    assert prefer_looks([0, 1, 2], frames, expressions=True) == [1, 2]
    assert prefer_looks([0, 1, 2], frames, expressions=False) == [0, 1, 2]
    bare = [replace(f, faces=None) for f in frames]
    assert prefer_looks([0, 1, 2], bare, expressions=True) == [0, 1, 2]


def test_a_keep_chosen_for_its_people_says_why_in_the_loupes_words() -> None:
    couple = (key_face(0.9, Looking.CAMERA), key_face(0.8, Looking.CAMERA))
    summary = FacesSummary(count=2, judged=2, key=2, eyes_open=True, key_sharpness=70.0,
                           smiling=True, all_at_camera=True, ready=2)  # fmt: skip
    both = replace(frame(2), faces=summary, key_faces=couple)
    run = propose([frame(1), both], checks_for(Genre.EVENT))
    words = {p.photo_id: p.why for p in run.proposals}
    assert words == {1: "", 2: "everyone's eyes open · both smiling, looking at the camera"}
    assert words[2] == ready_reason(couple)
    assert keeps_text(keep_reasons(run.proposals)) == f"1 {words[2]}"
    # a frame alone in its moment was not chosen over anything: no words
    alone = replace(both, photo_id=3, burst=None)
    assert [p.why for p in propose([alone], checks_for(None)).proposals] == [""]
    # sports: expressions chose nothing, so nothing is said of them
    assert {p.why for p in propose([frame(1), both], checks_for(Genre.SPORTS)).proposals} == {""}


def test_the_expressions_check_follows_the_kind_of_shoot_and_can_be_turned() -> None:
    assert default_levels(Genre.EVENT)["expressions"] is Sensitivity.NORMAL
    assert default_levels(Genre.SPORTS)["expressions"] is Sensitivity.OFF
    assert tuned_checks(CullTuning(genre=Genre.PEOPLE)).applies("expressions")
    assert not tuned_checks(CullTuning(genre=Genre.LANDSCAPE)).applies("expressions")
    off = tuned_checks(CullTuning(Genre.PEOPLE, {"expressions": Sensitivity.OFF}))
    on = tuned_checks(CullTuning(Genre.SPORTS, {"expressions": Sensitivity.NORMAL}))
    assert not off.applies("expressions") and on.applies("expressions")
    glum = replace(frame(1, face_sharpness=75.0, sharpness=88.0), burst_best=True)
    smiling = frame(2, smile=0.95, face_sharpness=62.0)
    assert [p.photo_id for p in propose([glum, smiling], off).proposals if p.verdict is KEEP] == [1]
    assert [p.photo_id for p in propose([glum, smiling], on).proposals if p.verdict is KEEP] == [2]


def test_the_shoot_kind_setting_reaches_the_star_when_bursts_are_regrouped(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from curator.catalog import judgments
    from curator.pipeline.stages.score import regroup_bursts
    from curator.settings import Settings

    when = datetime(2024, 6, 1, 12)
    same = np.ones(4, dtype=np.float32) / 2.0
    glum = Frame(1, "cam", when, same, 80.0, 90.0, None, eyes_open=True, closed_eyes=False,
                 key_face_sharpness=75.0, faces_ready=1, all_at_camera=True,
                 smiling=False)  # fmt: skip
    smiling = replace(glum, photo_id=2, captured_at=when + timedelta(seconds=1),
                      key_face_sharpness=62.0, smiling=True)  # fmt: skip
    written: list[list[object]] = []
    monkeypatch.setattr(judgments, "burst_candidates", lambda: 2)
    monkeypatch.setattr(judgments, "burst_frames", lambda model: [glum, smiling])
    monkeypatch.setattr(judgments, "key_eyes", lambda ids: {})  # no openness measured
    monkeypatch.setattr(judgments, "write_bursts", lambda bursts: written.append(list(bursts)))
    stars = {}
    for kind in ("any", "event", "sports", "landscape"):
        regroup_bursts("m", Settings(shoot_kind=kind))
        stars[kind] = written[-1][0].best_id  # type: ignore[attr-defined]
    assert stars == {"any": 2, "event": 2, "sports": 1, "landscape": 1}

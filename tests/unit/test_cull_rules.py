"""The proposal's pure rules (cull.rules, cull.checks, cull.moments, issue 42):
each rule on plain frames, each able to fail on its own."""

from __future__ import annotations

from dataclasses import replace

import pytest

from curator.cull.check_types import Genre
from curator.cull.checks import checks_for, judge
from curator.cull.moments import moments
from curator.cull.rules import propose, target_of
from curator.records import (
    CullState,
    FacesSummary,
    ProposalFrame,
    ProposalReason,
    ProposalVerdict,
)

KEEP, REJECT = ProposalVerdict.KEEP, ProposalVerdict.REJECT
R = ProposalReason
CHECKS = checks_for(None)
FACE_LEFT = ((0.1, 0.3, 0.15, 0.2),)
FACE_RIGHT = ((0.7, 0.3, 0.15, 0.2),)


def good(pid: int, **kw: object) -> ProposalFrame:
    base = ProposalFrame(
        photo_id=pid,
        sharpness_score=80.0,
        exposure_score=95.0,
        exposure_ev=0.0,
        highlight_clip=0.01,
    )
    return replace(base, **kw)  # type: ignore[arg-type]


def one_face(closed: bool = False, soft: bool = False) -> FacesSummary:
    return FacesSummary(
        count=1, judged=1, key=1, closed_eyes=closed, soft_face=soft, eyes_open=not closed
    )


def by_id(frames: list[ProposalFrame], target: int | None = None, genre: Genre | None = None):
    run = propose(frames, checks_for(genre), target)
    return {p.photo_id: p for p in run.proposals}, run.summary


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"sharpness_score": 12.0}, R.BLUR),
        ({"sharpness_score": 12.0, "exposure_time": 1 / 4, "focal_length": 50.0}, R.SHAKE),
        ({"exposure_score": 20.0, "exposure_ev": -2.5}, R.UNDER_EXPOSED),
        ({"exposure_score": 20.0, "exposure_ev": 2.5}, R.OVER_EXPOSED),
        ({"highlight_clip": 0.4}, R.OVER_EXPOSED),
        ({"faces": one_face(closed=True)}, R.CLOSED_EYES),
        ({"faces": one_face(soft=True)}, R.SOFT_FACE),
    ],
)
def test_each_check_rejects_a_frame_alone_for_its_reason(
    changes: dict[str, object], reason: ProposalReason
) -> None:
    frames = [good(1), good(2, **changes)]
    got, summary = by_id(frames)
    assert got[1].verdict is KEEP and got[1].reasons == ()
    assert got[2].verdict is REJECT and got[2].reasons[0] is reason
    assert 0.5 <= got[2].confidence <= 1.0
    assert summary.acceptable == 1


def test_a_sharp_short_exposure_is_blur_not_shake_and_a_worse_one_is_surer() -> None:
    got, _ = by_id(
        [good(1, sharpness_score=25.0, exposure_time=1 / 500), good(2, sharpness_score=3.0)]
    )
    assert got[1].reasons == (R.BLUR,) and got[2].reasons == (R.BLUR,)
    assert got[2].confidence > got[1].confidence


def test_a_soft_frame_the_technical_stage_saw_smeared_one_way_is_shake() -> None:
    got, _ = by_id(
        [
            good(1, sharpness_score=12.0, exposure_time=1 / 500, shaken=True),  # fast, yet smeared
            good(2, sharpness_score=12.0, exposure_time=1 / 500),
            good(3, sharpness_score=80.0, shaken=True),  # a sharp frame: nothing to say
        ]
    )
    assert got[1].reasons == (R.SHAKE,) and got[2].reasons == (R.BLUR,)
    assert got[3].verdict is KEEP and got[3].reasons == ()


def test_the_kind_of_shoot_changes_which_checks_weigh() -> None:
    blink = good(1, faces=one_face(closed=True))
    soft = good(2, sharpness_score=35.0)
    assert judge(blink, checks_for(Genre.PEOPLE)).reasons == (R.CLOSED_EYES,)
    assert judge(blink, checks_for(Genre.SPORTS)).acceptable
    assert judge(blink, checks_for(Genre.LANDSCAPE)).acceptable
    assert judge(soft, checks_for(None)).acceptable
    assert judge(soft, checks_for(Genre.PORTRAIT)).reasons == (R.BLUR,)
    motion = good(3, sharpness_score=27.0)
    assert judge(motion, checks_for(Genre.SPORTS)).acceptable
    assert not judge(motion, checks_for(Genre.EVENT)).acceptable


def test_a_burst_keeps_its_best_frame_and_rejects_the_rest_as_duplicates() -> None:
    frames = [
        good(1, burst=7, sharpness_score=70.0),
        good(2, burst=7, sharpness_score=85.0, burst_best=True),
        good(3, burst=7, sharpness_score=10.0),
        good(4),  # alone in its moment
    ]
    got, summary = by_id(frames)
    assert got[2].verdict is KEEP
    assert got[1].verdict is REJECT and got[1].reasons == (R.DUPLICATE,)
    assert got[3].verdict is REJECT and got[3].reasons == (R.BLUR,)
    assert got[4].verdict is KEEP
    assert (summary.keep, summary.reject) == (2, 2)


def test_a_defective_stored_best_gives_way_to_an_acceptable_frame() -> None:
    frames = [
        good(1, burst=3, burst_best=True, faces=one_face(closed=True)),
        good(2, burst=3, faces=one_face()),
    ]
    got, _ = by_id(frames)
    assert got[2].verdict is KEEP and got[1].reasons == (R.CLOSED_EYES,)


def test_a_burst_with_nothing_acceptable_still_keeps_its_best_but_a_lone_frame_does_not() -> None:
    frames = [
        good(1, burst=5, sharpness_score=20.0),
        good(2, burst=5, sharpness_score=25.0, burst_best=True),
        good(3, sharpness_score=5.0),
    ]
    got, _ = by_id(frames)
    assert got[2].verdict is KEEP and got[2].reasons == (R.BLUR,) and got[2].confidence < 0.5
    assert got[1].verdict is REJECT
    assert got[3].verdict is REJECT and got[3].reasons == (R.BLUR,)


def test_different_people_before_the_same_backdrop_are_different_moments() -> None:
    face = one_face()
    frames = [
        good(1, burst=1, faces=face, key_boxes=FACE_LEFT, sharpness_score=70.0),
        good(2, burst=1, faces=face, key_boxes=FACE_LEFT, sharpness_score=80.0),
        good(3, burst=1, faces=face, key_boxes=FACE_RIGHT, sharpness_score=75.0),
        good(4, burst=1, faces=face, key_boxes=FACE_RIGHT, sharpness_score=60.0),
    ]
    assert moments(frames) == [[0, 1], [2, 3]]
    got, _ = by_id(frames)
    assert [got[i].verdict for i in (1, 2, 3, 4)] == [REJECT, KEEP, KEEP, REJECT]
    # Sports: the layout moving is the action, one moment.
    assert moments(frames, by_faces=checks_for(Genre.SPORTS).faces_make_moments) == [[0, 1, 2, 3]]


def test_the_same_people_moving_a_little_are_one_moment_and_unknown_faces_join() -> None:
    nudged = ((0.12, 0.31, 0.16, 0.21),)
    face = one_face()
    frames = [
        good(1, burst=1, faces=None),
        good(2, burst=1, faces=face, key_boxes=FACE_LEFT),
        good(3, burst=1, faces=face, key_boxes=nudged),
        good(4, burst=1, faces=FacesSummary(count=0)),  # the stage looked: nobody there
    ]
    assert moments(frames) == [[0, 1, 2], [3]]


def test_a_moment_already_kept_by_the_photographer_needs_no_other_keep() -> None:
    frames = [good(1, burst=2, decided=CullState.KEPT), good(2, burst=2), good(3, burst=2)]
    got, summary = by_id(frames)
    assert {1}.isdisjoint(got)  # a decided photo is never proposed
    assert {got[2].verdict, got[3].verdict} == {REJECT}
    assert got[2].reasons == (R.DUPLICATE,)
    assert summary.photos == 2


def test_a_target_keeps_exactly_n_the_best_moments_first_then_duplicates() -> None:
    frames = [good(i, sharpness_score=40.0 + i, taste=float(10 * i)) for i in range(1, 6)]
    frames += [good(10, burst=9, taste=95.0, burst_best=True), good(11, burst=9, taste=90.0)]
    got, summary = by_id(frames, target=3)
    keeps = sorted(pid for pid, p in got.items() if p.verdict is KEEP)
    assert keeps == [4, 5, 10]
    assert got[3].reasons == (R.BELOW_TASTE,)
    assert got[11].reasons == (R.DUPLICATE,)
    assert summary.keep == 3 and not summary.short
    got, summary = by_id(frames, target=7)  # every acceptable frame, duplicates included
    assert summary.keep == 7 and not summary.short


def test_a_target_beyond_the_acceptable_frames_keeps_fewer_and_says_so() -> None:
    frames = [good(1), good(2), good(3, sharpness_score=5.0)]
    got, summary = by_id(frames, target=3)
    assert summary.keep == 2 and summary.short and summary.acceptable == 2
    assert got[3].verdict is REJECT and got[3].reasons == (R.BLUR,)


def test_without_taste_scores_a_cut_says_below_the_target() -> None:
    got, _ = by_id([good(1, sharpness_score=80.0), good(2, sharpness_score=50.0)], target=1)
    assert got[1].verdict is KEEP and got[2].reasons == (R.BELOW_TARGET,)


def test_without_a_target_taste_alone_never_rejects_a_lone_frame() -> None:
    frames = [good(i, taste=float(i)) for i in range(1, 21)]
    got, summary = by_id(frames)
    assert summary.keep == 20 and all(p.verdict is KEEP for p in got.values())


def test_highlights_are_the_best_fifteen_percent_of_the_keeps() -> None:
    frames = [good(i, taste=float(i)) for i in range(1, 21)]
    got, summary = by_id(frames)
    highlighted = sorted(pid for pid, p in got.items() if p.highlight)
    assert highlighted == [18, 19, 20] and summary.highlights == 3
    assert all(got[pid].verdict is KEEP for pid in highlighted)


def test_confidence_follows_the_margin_of_a_keep() -> None:
    got, _ = by_id(
        [
            good(1, sharpness_score=31.0, exposure_score=61.0),
            good(2, sharpness_score=90.0, exposure_score=99),
        ]
    )
    assert got[1].confidence < got[2].confidence


def test_target_of_counts_a_percentage_of_the_undecided_frames() -> None:
    assert target_of(10, None, 500) == 10
    assert target_of(None, 20.0, 2000) == 400
    assert target_of(None, None, 2000) is None

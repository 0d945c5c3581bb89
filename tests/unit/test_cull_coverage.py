"""Coverage (issue 50 §4): a target-count proposal keeps a good frame of every
person of the shoot before filling the rest by taste (cull.coverage, through
cull.rules.propose), and the summary names who is left without a keep."""

from __future__ import annotations

from dataclasses import replace

from curator.cull.checks import checks_for
from curator.cull.coverage import cover, no_keep, shoot_people
from curator.cull.rules import ProposalSummary, propose
from curator.cull.summary import people_text
from curator.records import (
    PEOPLE_MIN_FRAMES,
    CullState,
    FramePerson,
    ProposalFrame,
    ProposalReason,
    ProposalVerdict,
)

KEEP = ProposalVerdict.KEEP
CHECKS = checks_for(None)
GRANNY = FramePerson(7, "Grandmother")
ANNA, BEN = FramePerson(1, "Anna"), FramePerson(2, "Ben")


def frame(pid: int, taste: float, *people: FramePerson, **kw: object) -> ProposalFrame:
    base = ProposalFrame(
        photo_id=pid,
        sharpness_score=80.0,
        exposure_score=95.0,
        exposure_ev=0.0,
        highlight_clip=0.01,
        taste=taste,
        people=people,
    )
    return replace(base, **kw)  # type: ignore[arg-type]


def kept(frames: list[ProposalFrame], target: int | None) -> tuple[set[int], ProposalSummary]:
    run = propose(frames, CHECKS, target)
    return {p.photo_id for p in run.proposals if p.verdict is KEEP}, run.summary


def wedding() -> list[ProposalFrame]:
    """Six frames of the couple the photographer likes, one of grandmother they like less."""
    couple = [frame(i, 90.0 - i, ANNA, BEN) for i in range(1, 7)]
    return [*couple, frame(20, 30.0, GRANNY)]


def test_taste_alone_drops_grandmother_coverage_keeps_her() -> None:
    frames = wedding()
    without_people = [replace(f, people=()) for f in frames]
    keeps, _ = kept(without_people, 3)
    assert keeps == {1, 2, 3}  # taste alone: grandmother's only frame is cut
    keeps, summary = kept(frames, 3)
    assert keeps == {20, 1, 2}  # her frame first, then the best by taste
    assert summary.keep == 3 and summary.no_keep == ()
    assert people_text(summary) == ""


def test_a_person_with_only_failing_frames_is_named_and_not_forced() -> None:
    blurred = frame(30, 99.0, FramePerson(9, "Ben's uncle"), sharpness_score=5.0)
    frames = [*wedding(), blurred]
    run = propose(frames, CHECKS, 3)
    by_id = {p.photo_id: p for p in run.proposals}
    assert by_id[30].verdict is ProposalVerdict.REJECT
    assert ProposalReason.BLUR in by_id[30].reasons
    assert run.summary.keep == 3 and by_id[20].verdict is KEEP
    assert [p.name for p in run.summary.no_keep] == ["Ben's uncle"]
    assert people_text(run.summary) == "1 person has no keep: Ben's uncle."


def test_unnamed_people_count_from_min_frames() -> None:
    stranger = FramePerson(50)
    guest = FramePerson(51)
    few = [frame(100 + i, 10.0, stranger) for i in range(PEOPLE_MIN_FRAMES - 1)]
    many = [frame(200 + i, 10.0 + i, guest) for i in range(PEOPLE_MIN_FRAMES)]
    keeps, summary = kept([*wedding(), *few, *many], 4)
    best_guest = 200 + PEOPLE_MIN_FRAMES - 1
    assert keeps == {20, best_guest, 1, 2}  # the guest's best frame by taste; no stranger
    assert summary.no_keep == ()
    keeps, summary = kept([*wedding(), *few, *many], 1)
    assert keeps == {1}  # the most photographed named people first (Anna and Ben)
    assert summary.beyond_target == 2  # no room for grandmother nor the guest
    assert people_text(summary).startswith("2 people have no keep: Grandmother and 1 unnamed.")


def test_more_people_than_the_target_is_said() -> None:
    frames = [frame(1, 50.0, ANNA), frame(2, 60.0, BEN), frame(3, 40.0, GRANNY)]
    keeps, summary = kept(frames, 1)
    assert keeps == {1}  # as often seen, named people in name order: Anna first
    assert summary.beyond_target == 2
    assert [p.name for p in summary.no_keep] == ["Ben", "Grandmother"]
    assert people_text(summary) == (
        "2 people have no keep: Ben and Grandmother. 2 of them had a good frame,"
        " but there were more people than the 1 keep(s) asked for."
    )


def test_a_person_the_photographer_kept_needs_no_other_keep() -> None:
    granny_kept = frame(40, 20.0, GRANNY, decided=CullState.KEPT)
    frames = [*wedding(), granny_kept]
    keeps, summary = kept(frames, 3)
    assert keeps == {1, 2, 3}  # 20 not forced: she is in a kept photo already
    assert summary.no_keep == ()


def test_one_frame_covers_everyone_in_it() -> None:
    together = frame(50, 5.0, GRANNY, ANNA)
    frames = [*(frame(i, 90.0 - i) for i in range(1, 5)), together, frame(60, 1.0, ANNA)]
    keeps, _ = kept(frames, 2)
    assert keeps == {50, 1}  # Anna's best frame is the one with grandmother


def test_no_keep_without_a_target_and_the_summary_words() -> None:
    alone = [frame(1, 50.0, ANNA, sharpness_score=5.0), frame(2, 50.0, BEN, sharpness_score=5.0)]
    unnamed = [frame(10 + i, 50.0, FramePerson(77), sharpness_score=5.0) for i in range(3)]
    _, summary = kept([*alone, *unnamed, frame(20, 60.0, GRANNY)], None)
    assert people_text(summary) == "3 people have no keep: Anna, Ben and 1 unnamed."


def test_the_pure_parts_alone() -> None:
    frames = [frame(1, 50.0, ANNA), frame(2, 50.0, ANNA, BEN), frame(3, 50.0, FramePerson(5))]
    people = shoot_people(frames)
    assert [(p.id, p.frames, p.counts) for p in people] == [
        (1, 2, True),
        (2, 1, True),
        (5, 1, False),
    ]
    assert cover(frames, [1, 0, 2], target=5).keeps == (1,)  # Anna's best covers Ben too
    assert no_keep(frames, [0]) == (BEN,)

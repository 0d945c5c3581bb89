"""The burst star's rule where the faces say more than the frame (issue 49 §2):
the sharpness gate reads the key faces where every frame has them judged,
and of frames that all smile the broadest smile wins a tie of sharpness;
`star_steps` names the steps `best_frame` runs."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

import pytest

from curator.cull.looks import prefer_looks
from curator.ml.bursts import (
    best_frame,
    find_bursts,
    people_first,
    star_steps,
)
from curator.ml.faces.moment import SMILE_MARGIN
from curator.records import (
    EyeState,
    Face,
    FacesSummary,
    Frame,
    KeyEyes,
    Looking,
    ProposalFrame,
)

WHEN = datetime(2024, 6, 1, 12)
BOX = (0.4, 0.3, 0.15, 0.2)


def person(pid: int, sharpness: float, face: float | None, **kw: object) -> Frame:
    """A frame of one moment with one key face, open-eyed, at the camera."""
    looks: dict[str, object] = {
        "faces_ready": 1,
        "all_at_camera": True,
        "smiling": False,
        "smile": 0.05,
    }
    looks.update(kw)
    return Frame(
        pid, "cam", WHEN + timedelta(seconds=pid), None, sharpness, 95.0, None,
        eyes_open=True, closed_eyes=False, key_face_sharpness=face, **looks,  # type: ignore[arg-type]
    )  # fmt: skip


def test_a_smiling_frame_with_a_face_as_sharp_is_not_gated_by_its_frames_detail() -> None:
    # The glum frame shows more texture (59 against 33: under the 60 % gate by
    # the frame), but the smiling face is within 13 points of the glum one.
    glum = person(1, 58.5, 44.7)
    smiling = person(2, 32.6, 31.8, smiling=True, smile=0.99)
    assert best_frame([glum, smiling]) == 2
    assert best_frame([glum, smiling], smiles=False) == 1  # sports: the sharper face


def test_a_clearly_softer_face_is_still_gated_and_so_is_a_shaken_frame() -> None:
    sharp = person(1, 80.0, 52.0)
    soft = person(2, 31.0, 21.8, smiling=True, smile=0.99)  # its face under 60 % of the level
    assert best_frame([sharp, soft]) == 1
    # a frame without a judged key face: the frames' detail decides, as before
    unjudged = replace(soft, key_face_sharpness=None, smiling=None, smile=None)
    assert best_frame([unjudged, sharp]) == 1
    shaken_face = person(3, 25.0, 20.0, smiling=True, smile=0.99)
    assert best_frame([shaken_face, person(4, 80.0, 75.0)]) == 4


def test_of_two_smiles_the_clearly_broader_wins_a_tie_of_sharpness() -> None:
    sharper = person(1, 76.5, 34.2, smiling=True, smile=0.94)
    broader = person(2, 53.0, 41.3, smiling=True, smile=0.998)
    assert best_frame([sharper, broader]) == 2
    # as broad as each other (within SMILE_MARGIN): the technical scores decide
    sure = replace(broader, smile=0.99)
    surer = replace(sharper, smile=0.995)
    assert best_frame([surer, sure]) == 1
    # never a smile over a face clearly softer (beyond the faces' 8 points)
    soft = replace(broader, key_face_sharpness=20.0)
    assert best_frame([sharper, soft]) == 1
    # and only where smiles count
    assert best_frame([sharper, broader], smiles=False) == 1


def test_a_likely_smile_under_the_line_beats_a_glum_face_but_faint_ones_decide_nothing() -> None:
    glum = person(1, 80.0, 70.0, smile=0.02)
    likely = person(2, 78.0, 69.0, smile=0.4)  # a smile the 0.5 line missed
    assert people_first([glum, likely]) == [likely]
    assert best_frame([glum, likely]) == 2
    assert best_frame([glum, likely], smiles=False) == 1  # sports: the technical scores
    faint = replace(likely, smile=0.08)  # under SMILE_HINT: no smile to speak of
    assert people_first([glum, faint]) == [glum, faint]
    close = replace(glum, smile=likely.smile - SMILE_MARGIN / 2)  # within the margin
    assert people_first([close, likely]) == [close, likely]
    broader = replace(glum, smile=likely.smile + 2 * SMILE_MARGIN)  # beyond it: it decides
    assert people_first([broader, likely]) == [broader]
    unread = replace(glum, smile=None, smiling=None)
    assert people_first([unread, likely]) == [unread, likely]


def test_the_steps_are_the_rule_and_each_narrows_to_a_non_empty_subset() -> None:
    frames = [person(1, 58.5, 44.7), person(2, 32.6, 31.8, smiling=True, smile=0.99)]
    names = [name for name, _ in star_steps()]
    assert names[0] == "sharpness gate and bracket" and "broadest smile" in names
    assert "smiling" not in [name for name, _ in star_steps(smiles=False)]
    pool = list(frames)
    for _, step in star_steps():
        narrowed = step(pool)
        assert narrowed and all(f in pool for f in narrowed)
        pool = narrowed
    assert [f.photo_id for f in pool] == [2]


def shot(pid: int, smile: float, openness: float | None = None) -> ProposalFrame:
    """A proposal's frame of one moment: one key face, open-eyed at the camera."""
    face = Face(BOX, 200, True, eyes=EyeState.OPEN, openness=openness, key=True, smile=smile,
                looking=Looking.CAMERA)  # fmt: skip
    summary = FacesSummary(1, 1, 1, eyes_open=True, key_sharpness=70.0, smiling=smile >= 0.5,
                           all_at_camera=True, ready=1)  # fmt: skip
    return ProposalFrame(pid, sharpness_score=80.0, exposure_score=95.0, exposure_ev=0.0,
                         highlight_clip=0.01, burst=1, faces=summary, key_boxes=(BOX,),
                         key_faces=(face,))  # fmt: skip


def test_the_proposal_prefers_the_broadest_smile_too() -> None:
    frames = [shot(1, 0.9), shot(2, 0.999)]
    assert prefer_looks([0, 1], frames, expressions=True) == [1]
    assert prefer_looks([0, 1], frames, expressions=False) == [0, 1]


def test_the_faces_keep_a_frame_in_the_gate_never_put_one_out() -> None:
    # The smiling frame's second key face is nearly nothing (a face in the
    # crowd judged key): its least key face is far under the blink's, but its
    # own detail passes, so it stays and the blink never wins on that.
    smiling = person(1, 86.7, 1.9, smiling=True, smile=1.0)
    blink = replace(person(2, 52.0, 9.4), eyes_open=False, closed_eyes=True, faces_ready=0)
    assert best_frame([smiling, blink]) == 1


def group(pid: int, sharpness: float, openness: tuple[float, ...], **kw: object) -> Frame:
    """A frame of a group that held still: a key face per person, side by side,
    each as open as `openness` says; everyone ready, glum, at the camera."""
    eyes = tuple(KeyEyes(0.2 + 0.3 * i, 0.4, 0.15, 0.2, o) for i, o in enumerate(openness))
    return replace(person(pid, sharpness, 60.0, faces_ready=len(openness), **kw), key_eyes=eyes)


def test_of_frames_alike_the_star_goes_where_no_one_is_half_blinking() -> None:
    # The middle person's eyes read open in frame 2, but half as open as in
    # frames 1 and 3 (a blink on its way, a shut face read open): frame 2 is
    # the sharpest, and loses; alike, it would have won.
    frames = [group(1, 70.0, (0.28, 0.27, 0.30)), group(2, 90.0, (0.29, 0.13, 0.30)),
              group(3, 80.0, (0.27, 0.28, 0.31))]  # fmt: skip
    assert best_frame(frames) == 3
    assert best_frame(frames, smiles=False) == 3  # the eyes count in any kind of shoot
    alike = replace(frames[1], key_eyes=frames[2].key_eyes)
    assert best_frame([frames[0], alike, frames[2]]) == 2
    assert star_steps()[-4][0] == "eyes most open"  # before the widest laugh, the people's last


def test_only_the_same_person_is_compared_and_narrowed_eyes_keep_their_smile() -> None:
    # Another person at another place, or another size, is not the same person:
    # narrower eyes there decide nothing.
    wide = group(1, 70.0, (0.30,))
    elsewhere = replace(group(2, 90.0, (0.12,)), key_eyes=(KeyEyes(0.8, 0.4, 0.15, 0.2, 0.12),))
    assert best_frame([wide, elsewhere]) == 2
    nearer = replace(group(2, 90.0, (0.12,)), key_eyes=(KeyEyes(0.2, 0.4, 0.3, 0.4, 0.12),))
    assert best_frame([wide, nearer]) == 2
    # A smile narrows the eyes: the smiling frame keeps the star over a glum
    # one whose eyes are wider (the smiles decide before the eyes' openness).
    smiling = group(3, 70.0, (0.14,), smiling=True, smile=0.98)
    assert best_frame([wide, smiling]) == 3
    # Where nobody smiles, the narrow one is the half blink.
    assert best_frame([wide, group(4, 90.0, (0.14,))]) == 1


def test_one_person_s_place_is_compared_in_the_frame_s_own_width_and_height() -> None:
    # A 3:2 frame: a face 0.10 of the width across is 0.15 of the height tall.
    # Between the frames it moved down 0.06 of the height, 0.4 of its own
    # height: the same person, whose half-shut eyes lose the star (read
    # against its width, 0.06 would have been more than half a face).
    open_wide = replace(group(1, 70.0, (0.30,)), key_eyes=(KeyEyes(0.4, 0.40, 0.10, 0.15, 0.30),))
    half_shut = replace(group(2, 90.0, (0.12,)), key_eyes=(KeyEyes(0.4, 0.46, 0.10, 0.15, 0.12),))
    assert best_frame([open_wide, half_shut]) == 1
    # Moved down 0.6 of its height: another person, nothing compared.
    below = replace(half_shut, key_eyes=(KeyEyes(0.4, 0.49, 0.10, 0.15, 0.12),))
    assert best_frame([open_wide, below]) == 2


def test_the_proposal_compares_one_persons_eyes_between_frames_too() -> None:
    frames = [shot(1, 0.02, openness=0.12), shot(2, 0.02, openness=0.3)]
    assert prefer_looks([0, 1], frames, expressions=True) == [1]
    assert prefer_looks([0, 1], frames, expressions=False) == [1]
    unmeasured = [frames[0], replace(frames[1], key_faces=())]
    assert prefer_looks([0, 1], unmeasured, expressions=True) == [0, 1]


SCENE = bytes((1, 16)) + bytes(20 + (i * 37) % 200 for i in range(256))  # one scene's signature


def test_find_bursts_asks_once_for_the_key_eyes_of_its_bursts_frames_with_faces() -> None:
    # Frames 1-2 are a burst of one person; 3 has no key face; 4 is alone (60 s
    # later). Frame 2 is the sharpest, but its person's eyes read half as open.
    later = WHEN + timedelta(seconds=60)
    one = [
        replace(group(1, 70.0, ()), struct_sig=SCENE),
        replace(group(2, 90.0, ()), struct_sig=SCENE),
        replace(group(3, 60.0, ()), struct_sig=SCENE, eyes_open=None, closed_eyes=None),
        replace(group(4, 80.0, ()), struct_sig=SCENE, captured_at=later),
    ]
    asked: list[list[int]] = []

    def load(ids: object) -> dict[int, tuple[KeyEyes, ...]]:
        asked.append(sorted(ids))  # type: ignore[call-overload]
        return {1: (KeyEyes(0.2, 0.4, 0.15, 0.2, 0.3),), 2: (KeyEyes(0.2, 0.4, 0.15, 0.2, 0.12),)}

    (burst,) = find_bursts(one, key_eyes=load)
    assert burst.photo_ids == (1, 2, 3) and burst.best_id == 1
    assert asked == [[1, 2]]  # once; not the faceless frame, not the lone one
    assert find_bursts(one)[0].best_id == 2  # without the eyes: the sharpest


def test_regrouping_reads_the_key_eyes_from_the_catalog(monkeypatch: pytest.MonkeyPatch) -> None:
    from curator.catalog import judgments
    from curator.pipeline.stages.score import regroup_bursts
    from curator.settings import Settings

    frames = [
        replace(group(1, 70.0, ()), struct_sig=SCENE),
        replace(group(2, 90.0, ()), struct_sig=SCENE),
    ]
    eyes = {1: (KeyEyes(0.2, 0.4, 0.15, 0.2, 0.3),), 2: (KeyEyes(0.2, 0.4, 0.15, 0.2, 0.12),)}
    written: list[list[object]] = []
    monkeypatch.setattr(judgments, "burst_candidates", lambda: 2)
    monkeypatch.setattr(judgments, "burst_frames", lambda model: frames)
    monkeypatch.setattr(judgments, "key_eyes", lambda ids: {i: eyes[i] for i in ids})
    monkeypatch.setattr(judgments, "write_bursts", lambda bursts: written.append(list(bursts)))
    regroup_bursts("m", Settings())
    assert written[-1][0].best_id == 1  # type: ignore[attr-defined]

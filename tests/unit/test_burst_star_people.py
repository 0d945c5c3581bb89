"""A burst's star compares the same people across its frames (issue 74 §2,
ml.faces.moment): a person one frame missed makes it neither sharper nor
smilier; of frames alike so far, the one where everyone the burst holds is
found wins; a face found in one frame alone (a passer-by, a false
detection) is not one of the moment's people; eyes Curator can't tell are not
compared for how open; where no frame has everyone smiling, the most smiles
win; the sharpness gate weighs the people every frame found."""

from __future__ import annotations

from dataclasses import replace

from curator.ml.bursts import star_steps
from curator.records import EyeState, Face, Frame, Looking
from tests.unit.test_burst_star_laughs import PLACES, UNTOLD, U, person, shot, star

OPEN = EyeState.OPEN


def face(at: int, smile: float, sharpness: float = 70.0) -> Face:
    """Person `at`'s key face, eyes open at the camera, as sharp as said."""
    x, y = PLACES[at]
    return Face(
        (x, y, 0.1, 0.15), 150, True, OPEN, None, 0.28, sharpness, True, 0.9, smile, Looking.CAMERA
    )


def replace_open(f: Face, openness: float) -> Face:
    """`f` with its eyes' openness as given."""
    return replace(f, openness=openness)


def small_face(box: tuple[float, float, float, float], smile: float, sharpness: float) -> Face:
    """A key face at `box`, eyes open at the camera, smiling and as sharp as said."""
    return Face(box, 80, True, OPEN, None, 0.17, sharpness, True, 0.9, smile, Looking.CAMERA)


def test_a_person_one_frame_missed_does_not_make_it_the_sharpest() -> None:
    """Person 2 is soft in every frame that found them; the frame that missed
    them is not sharper for it (before: its softest key face was 70 against
    45, and it won), and the frame where everyone is found and smiles wins."""
    everyone = shot(1, face(0, 0.9), face(1, 0.9), face(2, 0.9, sharpness=45.0))
    missed = shot(2, face(0, 0.9), face(1, 0.9))
    glum = shot(3, face(0, 0.02), face(1, 0.03), face(2, 0.01, sharpness=45.0))
    assert star(everyone, missed, glum) == {1}


def test_a_face_one_frame_alone_found_neither_sinks_nor_lifts_it() -> None:
    """Nobody reads smiling in either frame (a passer-by's glum face in the
    first); the broadest smile is that of the people both frames found."""
    laugh = shot(1, face(0, 0.9), face(1, 0.9), face(2, 0.05))
    faint = shot(2, face(0, 0.4), face(1, 0.4))
    assert laugh.smiling is False and faint.smiling is False
    assert star(laugh, faint) == {1}
    extra = shot(2, face(0, 0.9), face(1, 0.9), face(2, 0.9))  # found here alone
    alike = shot(1, face(0, 0.9), face(1, 0.9))
    glum = shot(3, face(0, 0.02), face(1, 0.03))
    assert star(alike, extra, glum) == {1}  # a tie: the first in capture order


def test_everyone_found_is_a_named_step_after_the_smiles() -> None:
    names = [name for name, _ in star_steps()]
    assert names.index("smiling") < names.index("everyone found") < names.index("broadest smile")


def test_frames_not_judged_stay_where_everyone_found_is_counted() -> None:
    """A frame the faces stage did not judge is not a frame that missed the
    people: "everyone found" keeps it for the other rules."""
    judged = shot(1, face(0, 0.9), face(1, 0.9), face(2, 0.9))
    again = shot(2, face(0, 0.9), face(1, 0.9), face(2, 0.9))
    bare = replace(shot(3, face(0, 0.9)), eyes_open=None, key_eyes=())
    missed = shot(4, face(0, 0.9), face(1, 0.9))
    frames: list[Frame] = [judged, again, bare, missed]
    step = dict(star_steps(burst=frames))["everyone found"]
    assert step(frames) == [judged, again, bare]


def test_eyes_curator_can_t_tell_are_not_compared_for_how_open() -> None:
    """A face too small to tell its eyes has its lids measured low; it is not
    a half blink against the same person's open eyes in the other frame: the
    frames tie, and the first in capture order wins."""
    small = shot(1, person(0, U, 0.9, openness=0.05), person(1, OPEN, 0.9, look=UNTOLD))
    opened = shot(
        2, person(0, OPEN, 0.9, openness=0.28, look=UNTOLD), person(1, OPEN, 0.9, look=UNTOLD)
    )
    assert star(small, opened) == {1}


def test_where_nobody_has_everyone_smiling_the_most_smiles_win() -> None:
    """No frame has all three smiling (a smile the first frame read under the
    line); the frame where two of them smile beats the one where one does,
    though the person smiling there has wider eyes in the other (a smile
    narrows them: before, the "eyes most open" step gave the star away)."""
    two = shot(1, face(0, 0.08), replace_open(face(1, 0.99), 0.19), face(2, 0.95))
    one = shot(2, face(0, 0.1), face(1, 0.14), face(2, 0.95))
    glum = shot(3, face(0, 0.16), face(1, 0.18), face(2, 0.0))
    assert not any(f.smiling for f in (two, one, glum))
    assert star(two, one, glum) == {1}


def test_the_sharpness_gate_weighs_the_people_every_frame_found() -> None:
    """The smiling frame is softer overall and counts a small soft face key that
    the other frames found too small to be key (or missed); its people found
    in every frame are as sharp as the others': it passes the gate (before,
    that one face put it under the gate and a glum frame won)."""
    small = (0.4, 0.3, 0.05, 0.07)
    smiles = shot(1, face(0, 0.93), face(1, 0.9), small_face(small, 0.39, 34.0), sharpness=65.0)
    glum = shot(2, face(0, 0.0, 81.0), face(1, 0.04, 64.0), sharpness=73.0)
    one = shot(3, face(0, 0.0, 81.0), face(1, 0.9), sharpness=85.0)
    assert star(smiles, glum, one) == {1}

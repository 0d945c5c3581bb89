"""A laugh is not a blink (issue 74 §1): the eyes' verdict in a photographer's
words, each branch of the rule (ml.faces.eyes) on synthetic readings, and what
the photo's summary and readiness make of them (ml.faces.verdicts)."""

from __future__ import annotations

import numpy as np
import pytest

from curator.ml.faces import eyes
from curator.ml.faces.networks import LEFT_EYE_LIDS, RIGHT_EYE_LIDS, Mesh
from curator.ml.faces.verdicts import is_ready, summarize
from curator.records import EyeState, Face, Looking

WIDTH = 40.0
SHUT = (0.7, 0.7)  # both eyes' blink: shut by the blink alone
LAUGH = {"smile": 0.9, "brow_down": 0.3}  # a broad smile, brows pulled down


def lids(meet: float, x: float = 100.0, y: float = 100.0, gap: float = 1.0) -> np.ndarray:
    """16 lid points of a nearly shut eye (`gap` px between the lids' middles)
    whose lids meet `meet` eye widths above the corners' line (negative:
    under it): a laugh's crescent meets above it, a blink's lids under it."""
    t = np.linspace(0, 1, 9)
    xs = x + t * WIDTH
    middle = np.sin(np.pi * t) * (-meet * WIDTH)  # image y grows downwards
    lower = np.stack([xs, y + middle + np.sin(np.pi * t) * gap / 2], axis=1)
    upper = np.stack([xs, y + middle - np.sin(np.pi * t) * gap / 2], axis=1)
    return np.vstack([lower[:9], upper[1:8]]).astype(np.float64)


def mesh(meet: float, presence: float = 1.0) -> Mesh:
    points = np.zeros((478, 2))
    points[list(RIGHT_EYE_LIDS)] = lids(meet)
    points[list(LEFT_EYE_LIDS)] = lids(meet, x=200.0)
    points[eyes.RIGHT_CHEEK] = (120.0, 140.0)
    points[eyes.LEFT_CHEEK] = (220.0, 140.0)
    return Mesh(points, presence, 200.0)


def skin(level: int = 170) -> np.ndarray:
    return np.full((300, 400), level, np.uint8)


def test_where_the_lids_meet_is_measured_above_the_corners_line_in_eye_widths() -> None:
    assert eyes.lids_meet(lids(0.03)) == pytest.approx(0.03, abs=1e-6)
    assert eyes.lids_meet(lids(-0.05)) == pytest.approx(-0.05, abs=1e-6)
    assert eyes.lids_meet(np.zeros((16, 2))) is None  # no eye


@pytest.mark.parametrize(
    ("meet", "smile", "brow_down", "state"),
    [
        (0.02, 0.9, 0.3, EyeState.NARROWED),  # a crescent, a broad smile, brows down: a laugh
        (eyes.LAUGH_MID + 0.001, 0.9, 0.3, EyeState.NARROWED),  # just over the lids' line
        (0.02, eyes.LAUGH_SMILE, eyes.LAUGH_BROW, EyeState.NARROWED),  # on both other lines
        (-0.05, 0.9, 0.3, EyeState.CLOSED),  # the lids meet under the corners: a blink
        (0.02, 0.6, 0.3, EyeState.CLOSED),  # smiling, not broadly: shut
        (0.02, None, 0.3, EyeState.CLOSED),  # the smile not read: shut
        (0.02, 0.9, 0.02, EyeState.CLOSED),  # brows level: a smiling blink
    ],
)
def test_eyes_the_blink_reads_shut_are_narrowed_in_a_laugh_only_when_all_three_say_so(
    meet: float, smile: float | None, brow_down: float, state: EyeState
) -> None:
    reading = eyes.judge_eyes(skin(), mesh(meet), SHUT, 300, brow_down, smile)
    assert reading.state is state
    assert reading.note is None


def test_open_eyes_stay_open_whatever_the_face_does() -> None:
    reading = eyes.judge_eyes(skin(), mesh(0.02), (0.05, 0.05), 300, **LAUGH)
    assert reading.state is EyeState.OPEN


def test_the_laugh_test_never_turns_can_t_tell_into_a_verdict() -> None:
    """A shut reading the mesh is unsure of, or on a face too small to call
    shut, stays "can't tell", laugh or not: the test only takes "closed" away."""
    unsure = eyes.judge_eyes(skin(), mesh(0.02, presence=0.7), SHUT, 300, **LAUGH)
    assert unsure.state is EyeState.UNKNOWN and unsure.note == eyes.CANT_TELL
    small = eyes.judge_eyes(skin(), mesh(0.02), SHUT, eyes.CLOSED_FROM_PX - 4, **LAUGH)
    assert small.state is EyeState.UNKNOWN and small.note == eyes.TOO_SMALL_TO_TELL


def test_a_narrowed_reading_is_read_again_as_a_shut_one_is() -> None:
    narrowed = eyes.judge_eyes(skin(), mesh(0.02), SHUT, 300, **LAUGH)
    assert narrowed.state is EyeState.NARROWED
    assert eyes.read_shut(narrowed)  # the second framing's reading stands (ml.faces.find)


def test_a_lens_with_a_glint_is_sunglasses_by_its_median() -> None:
    """Dark lenses whose glint lifts the 90th percentile over `DARK_LENS`:
    the eye regions' median, far under the cheek's, still says sunglasses —
    can't tell, never closed, even when the blink reads shut."""
    face = skin(170)
    for x0 in (90, 190):
        face[80:120, x0 : x0 + 60] = 25  # the lens
        face[95:105, x0 + 20 : x0 + 40] = 250  # its glint
    region = face[82:118, 102:138]  # the eye region `dark_lenses` reads (0.9 eye widths)
    assert np.percentile(region, 90) >= eyes.DARK_LENS * 170  # the 90th percentile misses it
    reading = eyes.judge_eyes(face, mesh(-0.05), SHUT, 300)
    assert reading.state is EyeState.UNKNOWN and reading.note == eyes.SUNGLASSES
    shade = skin(170)
    shade[80:120, 90:150] = 60  # one eye in shadow, the other bare: not sunglasses
    assert eyes.judge_eyes(shade, mesh(-0.05), SHUT, 300).state is EyeState.CLOSED


def face(eyes_: EyeState, looking: Looking | None = None, key: bool = True) -> Face:
    return Face((0.1, 0.1, 0.2, 0.2), 200, True, eyes_, key=key, smile=0.9, looking=looking)


def test_only_shut_eyes_are_closed_eyes_and_a_laugh_is_ready() -> None:
    laugh = face(EyeState.NARROWED)
    summary = summarize([laugh, face(EyeState.OPEN, Looking.CAMERA)], 80.0)
    assert summary.closed_eyes is False and summary.laughing is True
    assert summary.eyes_open is False  # narrowed eyes are not open ones
    assert summary.ready == 2  # a laughing key face counts ready: its gaze is not told
    assert is_ready(laugh) and not is_ready(face(EyeState.NARROWED, key=False))
    assert not is_ready(face(EyeState.NARROWED, Looking.AWAY))
    shut = summarize([face(EyeState.CLOSED), laugh], 80.0)
    assert shut.closed_eyes is True and shut.laughing is True
    behind = summarize([face(EyeState.OPEN), face(EyeState.NARROWED, key=False)], 80.0)
    assert behind.laughing is False  # only key faces say it


def test_closed_keeps_its_stored_word_and_every_state_reads_back() -> None:
    """A catalog's "open", "closed" and "unknown" (issue 32 on) read as they
    were; "closed" is shut."""
    assert [EyeState(v) for v in ("open", "closed", "unknown", "narrowed")] == [
        EyeState.OPEN,
        EyeState.CLOSED,
        EyeState.UNKNOWN,
        EyeState.NARROWED,
    ]

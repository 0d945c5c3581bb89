"""Burst rules on synthetic frames (ml.bursts): embedding OR structure, the first
frame as the anchor, a deterministic order, and the bracket's best frame."""

from __future__ import annotations

import functools
import random
from dataclasses import replace
from datetime import datetime, timedelta

import cv2
import numpy as np

from curator.imaging.structure import structure_signature
from curator.ml.bursts import Frame, best_frame, find_bursts
from tests.bracket_scenes import BRACKET_EVS, render, scene

T0 = datetime(2024, 5, 1, 10, 0, 0)


@functools.cache
def _sig(seed: int, ev: float = 0.0) -> bytes:
    luma = cv2.cvtColor(render(scene(seed), ev), cv2.COLOR_RGB2GRAY)
    return structure_signature(luma)


def _frame(
    pid: int,
    t: float,
    *,
    sig: bytes | None = None,
    emb: np.ndarray | None = None,
    name: str = "",
    seq: int | None = None,
    bias: float | None = None,
    sharp: float | None = 80.0,
    expo: float = 80.0,
    pref: float | None = None,
) -> Frame:
    return Frame(
        pid,
        "Cam",
        T0 + timedelta(seconds=t),
        emb,
        sharp,
        expo,
        pref,
        sequence_number=seq,
        name=name or f"f{pid}.jpg",
        path=f"/lib/{name or f'f{pid}.jpg'}",
        exposure_bias=bias,
        struct_sig=sig,
    )


def _unit(v: np.ndarray) -> np.ndarray:
    return (v / np.linalg.norm(v)).astype(np.float32)


def test_a_bracket_groups_by_structure_when_the_embeddings_disagree() -> None:
    rng = np.random.default_rng(0)
    frames = [
        # Bright frames' embeddings drift below the cosine threshold: only structure holds.
        _frame(i + 1, 0.2 * i, sig=_sig(1, ev), emb=_unit(rng.normal(size=16)), bias=ev)
        for i, ev in enumerate(BRACKET_EVS)
    ]
    (burst,) = find_bursts(frames)
    assert burst.photo_ids == (1, 2, 3, 4, 5)


def test_without_embeddings_the_time_gate_and_structure_still_group() -> None:
    frames = [
        _frame(1, 0.0, sig=_sig(2)),
        _frame(2, 0.4, sig=_sig(2)),
        _frame(3, 0.8, sig=_sig(3)),  # another scene in the same second
        _frame(4, 10.0, sig=_sig(2)),  # the first scene again, outside the gate
        _frame(5, 10.5, sig=None),  # nothing to compare: never grouped
    ]
    assert [b.photo_ids for b in find_bursts(frames)] == [(1, 2)]


def test_frames_compare_with_the_first_frame_so_groups_do_not_drift() -> None:
    a = _unit(np.array([1.0, 0.0, 0.0]))
    b = _unit(np.array([1.0, 0.35, 0.0]))  # cos(a, b) ≈ 0.94
    c = _unit(np.array([1.0, 0.75, 0.0]))  # cos(b, c) ≈ 0.97 but cos(a, c) ≈ 0.80
    assert float(a @ b) >= 0.92 and float(b @ c) >= 0.92 and float(a @ c) < 0.92
    frames = [_frame(1, 0.0, emb=a), _frame(2, 0.5, emb=b), _frame(3, 1.0, emb=c)]
    assert [b.photo_ids for b in find_bursts(frames)] == [(1, 2)]


def test_order_is_time_then_sequence_then_name_never_the_photo_id() -> None:
    sig = _sig(4)
    specs = [  # (name, seconds, sequence)
        ("z.jpg", 0.0, 7),
        ("y.jpg", 0.0, 8),  # same instant: the sequence number decides
        ("b.jpg", 0.3, None),
        ("a.jpg", 0.3, None),  # same instant, no sequence: the name decides
        ("c.jpg", 0.1, 9),  # a tenth of a second later: after both, whatever its number
    ]
    expected = ("z.jpg", "y.jpg", "c.jpg", "a.jpg", "b.jpg")
    results = set()
    for attempt in range(6):
        ids = list(range(1, len(specs) + 1))
        random.Random(attempt).shuffle(ids)
        frames = [
            _frame(pid, t, sig=sig, name=name, seq=seq)
            for pid, (name, t, seq) in zip(ids, specs, strict=True)
        ]
        random.Random(attempt + 100).shuffle(frames)
        names = {f.photo_id: f.name for f in frames}
        (burst,) = find_bursts(frames)
        results.add((tuple(names[p] for p in burst.photo_ids), names[burst.best_id]))
    assert len(results) == 1
    ((order, _best),) = results
    assert order == expected


def test_the_metered_frame_wins_a_bracket_when_it_is_as_sharp() -> None:
    bracket = [
        _frame(1, 0.0, bias=-1.3, sharp=88, expo=100, pref=99),  # scores and taste best
        _frame(2, 0.2, bias=0.0, sharp=88, expo=80, pref=10),
        _frame(3, 0.4, bias=0.7, sharp=90, expo=100),
        _frame(4, 0.6, bias=-0.7, sharp=86, expo=100),
    ]
    assert best_frame(bracket) == 2
    # Without the metered frame the nearest to it wins, then exposure decides.
    rest = [bracket[0], replace(bracket[2], exposure=60), bracket[3]]
    assert best_frame(rest) == 4
    # A shaken metered frame never gets the star: the best-exposed sharp one does
    # (issue 20: an AEB bracket whose 0 EV frame is shaken picked it on 4/4 sources).
    shaken = [bracket[0], replace(bracket[1], sharpness=48), bracket[2], bracket[3]]
    assert best_frame(shaken) == 3


def test_a_shaken_frame_never_gets_the_star_for_its_exposure() -> None:
    # The sharp frames 0.7 EV brighter score worse on exposure (issue 20: the
    # shaken frame took the star on 4/4 sources).
    burst = [
        _frame(1, 0.0, sharp=90, expo=70),
        _frame(2, 0.1, sharp=45, expo=99, pref=100),  # shaken
        _frame(3, 0.2, sharp=91, expo=72),
    ]
    assert best_frame(burst) == 1  # the sharp ones tie: the first in capture order


def test_a_manual_bracket_reads_its_exposure_from_the_settings() -> None:
    # No bias tag (manual bracketing): shutter/ISO say −1.3 / 0 / +1.3 EV, and the
    # −1.3 EV frame sorts first by name; the middle (metered) frame wins.
    def frame(pid: int, t: float, shutter: float, iso: int) -> Frame:
        return replace(
            _frame(pid, t, sharp=None, expo=95),  # too small to judge: no gate
            exposure_time=shutter,
            f_number=3.2,
            iso=iso,
            name=f"a{pid}.jpg",
        )

    bracket = [frame(1, 0.0, 1 / 30, 4000), frame(2, 0.2, 1 / 20, 6400), frame(3, 0.4, 1 / 8, 6400)]
    assert best_frame(bracket) == 2
    # Settings that differ by under 0.5 EV are a burst (auto exposure drifting).
    drift = [frame(4, 0.0, 1 / 20, 6400), frame(5, 0.1, 1 / 25, 6400)]
    assert best_frame(drift) == 4


def test_a_burst_picks_exposure_then_sharpness_then_preference() -> None:
    burst = [
        _frame(1, 0.0, sharp=90, expo=50, pref=100),  # badly exposed
        _frame(2, 0.1, sharp=40, expo=95, pref=100),  # shaken
        _frame(3, 0.2, sharp=88, expo=94, pref=20),
        _frame(4, 0.3, sharp=86, expo=93, pref=70),  # as good, preferred
    ]
    assert best_frame(burst) == 4
    ties = [_frame(5, 0.0), _frame(6, 0.1)]
    assert best_frame(ties) == 5  # a full tie: the first in capture order


def test_the_time_gate_is_strict_and_counts_from_the_end_of_the_exposure() -> None:
    # Single shots exactly 3 s apart (the RX100 VI's DSC08191/08192): two pictures.
    apart = [_frame(1, 0.0, sig=_sig(2)), _frame(2, 3.0, sig=_sig(2))]
    assert find_bursts(apart) == []
    assert [b.photo_ids for b in find_bursts([apart[0], _frame(2, 2.9, sig=_sig(2))])] == [(1, 2)]
    # A night bracket of 2 s exposures starts 4 s apart: each starts 2 s after the
    # previous one ended (the camera says it is one bracket).
    night = [
        replace(
            _frame(i + 1, 4.0 * i, sig=_sig(5, ev), bias=ev),
            exposure_time=2.0,
            drive_mode="bracket",
        )
        for i, ev in enumerate((0.0, -0.7, 0.7))
    ]
    assert [b.photo_ids for b in find_bursts(night)] == [(1, 2, 3)]
    # Single shots of 1/4 s, 3 s apart (DSC08191/08192): still two pictures.
    singles = [replace(f, exposure_time=0.25, drive_mode="single") for f in apart]
    assert find_bursts(singles) == []


def test_the_camera_sequence_holds_a_bracket_and_starts_the_next() -> None:
    def frame(pid: int, t: float, index: int, seed: int) -> Frame:
        return replace(_frame(pid, t, sig=_sig(seed)), drive_mode="bracket", sequence_index=index)

    # Frames 2 and 3 show another structure (a passing car): the camera's
    # sequence still says they belong; then a new bracket of the same scene
    # starts within the gate and is its own group.
    frames = [
        frame(1, 0.0, 1, 6),
        frame(2, 0.3, 2, 7),
        frame(3, 0.6, 3, 8),
        frame(4, 0.9, 1, 6),
        frame(5, 1.2, 2, 6),
        frame(6, 1.5, 3, 6),
    ]
    assert [b.photo_ids for b in find_bursts(frames)] == [(1, 2, 3), (4, 5, 6)]

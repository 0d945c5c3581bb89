"""The burst star against ground truth (issue 20 §1): bursts and brackets made
from the fixtures, where the right frame is known by construction, and the
real Sony RX100 VI night brackets when they are on disk.

Cases, per source (the score bench's 1440 px originals, `score_series`):
- "brighter sharp frames": a burst of three whose middle frame is shaken
  (21 px at 1440 px) while the two sharp frames are 0.7 EV brighter (the
  shaken one is the better exposed): the star must be a sharp frame;
- "AEB, 0 EV shaken": a 0/−0.7/+0.7/−1.3/+1.3 bracket (EXIF bias) whose
  metered frame is shaken: the star must be a sharp ±0.7 EV frame (the
  best-exposed of the sharp ones);
- "manual bracket": the same bracket, all sharp, without the bias tag — the
  exposure in the shutter/ISO settings (1/30 s ISO 4000 … as the RX100 does)
  and the −1.3 EV frame first by file name: the star must be the metered one.
Every frame is measured by the product (`imaging.metrics`) and the star is
picked by `ml.bursts.best_frame` — and, in the same run, by the rule before
issue 20 (`naive_best_frame`: exposure within 5 points first, bias only).

The RX100 VI brackets (15 night JPEGs, DSC08191–08205, from the public
repository dsoprea/bracketed-image-finder, tests/assets/images; GPL-2.0) are
read from `$BENCH_RX100_DIR` when it is set (they are not in the shared
fixtures): imported through the product's EXIF reader and measures, grouped
by `find_bursts` in five shuffled orders, with and without the bias tag.
"""

from __future__ import annotations

import os
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import cv2
import numpy as np

from curator.imaging.exif import read_exif
from curator.imaging.metrics import measure_exposure, measure_sharpness
from curator.imaging.structure import structure_signature
from curator.ml.bursts import Frame, best_frame, find_bursts
from tests.bench.score_series import Source, camera_shake, exposure_shift, luma_of

T0 = datetime(2024, 5, 1, 10, 0, 0)
AEB = (0.0, -0.7, 0.7, -1.3, 1.3)
# The RX100's night bracket settings: (shutter, ISO) per bias at f/3.2.
SETTINGS = {0.0: (1 / 20, 6400), -0.7: (1 / 30, 6400), 0.7: (1 / 13, 6400),
            -1.3: (1 / 30, 4000), 1.3: (1 / 8, 6400)}  # fmt: skip


def naive_best_frame(frames: Sequence[Frame], tech_tolerance: float = 5.0) -> int:
    """The star before issue 20: bias nearest 0 (when biases differ), then the
    exposure score, then sharpness, each within 5 points, then preference."""
    pool = list(frames)
    biases = {f.exposure_bias for f in pool if f.exposure_bias is not None}
    if len(biases) > 1:
        nearest = min(abs(b) for b in biases)
        pool = [f for f in pool if f.exposure_bias is not None and abs(f.exposure_bias) == nearest]
    for get in (lambda f: f.exposure or 0.0, lambda f: f.sharpness or 0.0):
        top = max(get(f) for f in pool)
        pool = [f for f in pool if get(f) >= top - tech_tolerance]
    top_pref = max(f.preference or 0.0 for f in pool)
    return next(f for f in pool if (f.preference or 0.0) == top_pref).photo_id


def measured_frame(pid: int, rgb: np.ndarray, t: float, name: str, **extra: object) -> Frame:
    luma = luma_of(rgb)
    sharp = measure_sharpness(luma)
    expo = measure_exposure(luma, rgb)
    return Frame(
        pid,
        "Bench",
        T0 + timedelta(seconds=t),
        None,
        sharp.score,
        expo.score,
        None,
        name=name,
        path=f"/bench/{name}",
        struct_sig=structure_signature(luma),
        exposure_ev=expo.ev,
        **extra,  # type: ignore[arg-type]
    )


@dataclass(frozen=True)
class StarCase:
    name: str
    frames: tuple[Frame, ...]
    right: frozenset[int]  # photo ids a photographer would accept as the star
    shaken: frozenset[int] = frozenset()  # the frames that must never get it


def cases_for(source: Source, index: int) -> list[StarCase]:
    rgb = source.rgb
    shaken = camera_shake(rgb, 21.0, index)
    bright = exposure_shift(rgb, 0.7)
    burst = (
        measured_frame(1, bright, 0.0, "a.jpg"),
        measured_frame(2, shaken, 0.1, "b.jpg"),
        measured_frame(3, exposure_shift(rgb, 0.7), 0.2, "c.jpg"),
    )
    aeb = []
    for i, ev in enumerate(AEB):
        pixels = exposure_shift(rgb, ev) if ev else shaken  # the metered frame is shaken
        aeb.append(measured_frame(10 + i, pixels, 0.2 * i, f"aeb_{i}.jpg", exposure_bias=ev))
    manual = []
    for i, ev in enumerate(sorted(AEB)):  # −1.3 first: first by name too
        shutter, iso = SETTINGS[ev]
        pixels = exposure_shift(rgb, ev) if ev else rgb
        manual.append(
            measured_frame(
                20 + i,
                pixels,
                0.2 * i,
                f"m{i}.jpg",
                exposure_time=shutter,
                f_number=3.2,
                iso=iso,
            )
        )
    return [
        StarCase("brighter sharp frames", burst, frozenset({1, 3}), frozenset({2})),
        StarCase("AEB, 0 EV shaken", tuple(aeb), frozenset({11, 12}), frozenset({10})),
        StarCase("manual bracket", tuple(manual), frozenset({22})),
    ]


def star_table(
    sources: Sequence[Source],
    rules: dict[str, Callable[[Sequence[Frame]], int]],
) -> dict[str, dict[str, int]]:
    """{case: {rule: right stars, rule + " shaken": stars on a shaken frame}} over
    `sources` (and "sources": how many)."""
    out: dict[str, dict[str, int]] = {}
    for index, source in enumerate(sources):
        for case in cases_for(source, index):
            row = out.setdefault(
                case.name,
                {"sources": 0, **{r: 0 for r in rules}, **{f"{r} shaken": 0 for r in rules}},
            )
            row["sources"] += 1
            for rule, pick in rules.items():
                star = pick(case.frames)
                row[rule] += star in case.right
                row[f"{rule} shaken"] += star in case.shaken
    return out


# -- the real RX100 VI brackets ---------------------------------------------------------

RX100_GROUPS = [  # ground truth: the camera's sequences (maker note) and what a person sees
    ("DSC08191.JPG",),
    ("DSC08192.JPG",),
    ("DSC08193.JPG",),
    ("DSC08194.JPG", "DSC08195.JPG"),
    ("DSC08196.JPG", "DSC08197.JPG", "DSC08198.JPG", "DSC08199.JPG", "DSC08200.JPG"),
    ("DSC08201.JPG", "DSC08202.JPG", "DSC08203.JPG", "DSC08204.JPG", "DSC08205.JPG"),
]
RX100_METERED = {"DSC08194.JPG", "DSC08196.JPG", "DSC08201.JPG"}


def rx100_dir() -> Path | None:
    folder = os.environ.get("BENCH_RX100_DIR")
    path = Path(folder) if folder else None
    return path if path is not None and (path / "DSC08191.JPG").is_file() else None


def rx100_frames(folder: Path, *, with_bias: bool = True) -> list[Frame]:
    frames = []
    for pid, path in enumerate(sorted(folder.glob("DSC08*.JPG")), start=1):
        data = path.read_bytes()
        exif = read_exif(data, is_raw=False)
        rgb = cv2.cvtColor(cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR),
                           cv2.COLOR_BGR2RGB)  # fmt: skip
        luma = luma_of(rgb)
        expo = measure_exposure(luma, rgb)
        assert exif.captured_at is not None
        frames.append(
            Frame(
                pid,
                exif.camera_model,
                exif.captured_at,
                None,
                measure_sharpness(luma).score,
                expo.score,
                None,
                name=path.name,
                path=str(path),
                exposure_bias=exif.exposure_bias if with_bias else None,
                struct_sig=structure_signature(luma),
                exposure_time=exif.exposure_time,
                f_number=exif.f_number,
                iso=exif.iso,
                drive_mode=exif.drive_mode,
                sequence_index=exif.sequence_index,
                exposure_ev=expo.ev,
            )
        )
    return frames


def rx100_report(folder: Path, shuffles: int = 5) -> dict[str, object]:
    """Groups and stars on five shuffled imports, with and without the bias tag,
    and each frame's exposure score and EV."""
    report: dict[str, object] = {}
    for with_bias in (True, False):
        frames = rx100_frames(folder, with_bias=with_bias)
        names = {f.photo_id: f.name for f in frames}
        outcomes = set()
        for attempt in range(shuffles):
            shuffled = frames[:]
            random.Random(attempt).shuffle(shuffled)
            bursts = find_bursts(shuffled)
            grouped = {n for b in bursts for n in (names[p] for p in b.photo_ids)}
            groups = sorted(tuple(sorted(names[p] for p in b.photo_ids)) for b in bursts)
            groups += [(n,) for n in sorted(names.values()) if n not in grouped]
            stars = sorted(names[b.best_id] for b in bursts)
            outcomes.add((tuple(sorted(groups)), tuple(stars)))
        key = "with bias" if with_bias else "without bias"
        ((groups_found, stars_found),) = outcomes if len(outcomes) == 1 else (next(iter(outcomes)),)
        report[key] = {
            "same on every shuffle": len(outcomes) == 1,
            "groups right": sorted(groups_found) == sorted(RX100_GROUPS),
            "stars": list(stars_found),
            "stars right": set(stars_found) == RX100_METERED,
        }
    frames = rx100_frames(folder)
    report["exposure"] = {
        f.name: {"bias": f.exposure_bias, "score": f.exposure, "ev": f.exposure_ev} for f in frames
    }
    return report


def with_new_rule(frames: Sequence[Frame]) -> int:
    return best_frame(frames)


def rules() -> dict[str, Callable[[Sequence[Frame]], int]]:
    return {"before (naive)": naive_best_frame, "after": with_new_rule}

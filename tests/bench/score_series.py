"""Degradation series with ground truth for the technical scores (issue 10 §1).

Every series starts from a sharp, metered original and degrades it by a known
amount, so the right order of the scores is known without anyone's opinion:
more blur, more shake, more lost resolution, more EV away from the metering
must score lower. The originals are

- the camera JPEG fixtures and the decodable RAW fixtures, decoded by the
  product's own decoder (`imaging.decode.decode_image`) to its 1440 px preview,
  upright RGB — the scale the series' pixel sizes refer to;
- generated photos (`generated_sources`): deterministic synthetic scenes
  (textured blocks, anti-aliased shapes, 1/f "natural" noise) at 1440 x 960.

Series (`SERIES`): Gaussian blur (sigma 0.5-4 px), camera shake (a straight
motion-blur line of 9-25 px at an angle that changes per source), down-then-up
scaling (x1.5-x4), exposure in linear light (+-0.7, +-1.3, +-2, +-2.5 EV, with
clipping at white), and a sharp subject of 4-11 % of the frame (the frame's most
detailed window of that area, kept sharp) on a background blurred with sigma 4.

`run_bench` scores every variant with the product's measures on the luma of the
variant (`imaging.metrics`) and `summary_rows` (printed by `format_table`)
reports, per series, the Spearman between degradation and score *loss* (1.0:
the scores fall exactly in the order of the degradation), the share of scores
at exactly 0 or 100, and the goal checks of the issue. Run ``python -m
tests.bench.score_series`` to print the table, or ``--calibration`` for the
fixture table in docs/decisions/imaging.md.
"""

from __future__ import annotations

import argparse
import itertools
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import cv2
import numpy as np

from curator.imaging.decode import decode_image
from curator.imaging.formats import is_raw_path
from curator.imaging.metrics import measure_exposure, measure_sharpness

LONG_EDGE = 1440
# Camera fixtures big enough to carry a 1440 px series (the others are too small to
# judge sharpness on, by design: see imaging.metrics).
JPEG_SOURCES = (
    "jpeg/canon_ixus40_portrait_content.jpg",
    "jpeg/canon_sd300_1-6s_soft.jpg",
    "jpeg/canon_sx60_hdr_NO.jpg",
    "jpeg/canon_sx60_hdr_YES.jpg",
    "jpeg/exiv2_SM-G930V_orient6.jpg",
    "jpeg/exiv2_canon6D_highkey.jpg",
    "jpeg/iphone6_hdr_NO.jpg",
    "jpeg/iphone6_hdr_YES.jpg",
    "jpeg/jolla_leaf_soft.jpg",
    "jpeg/nikon_d70s_dark.jpg",
    "jpeg/nokia83_5G.jpg",
    "jpeg/olympus_ep3_iso1600.jpg",
    "jpeg/sony_a200_unset_clock.jpg",
)
RAW_SOURCES = (
    "raw/BMPCC4K_Blackmagic.dng",
    "raw/Canon550D_MagicLantern_colorchart.dng",
    "raw/Kodak_C330_FORMAT_NONE_YRGB.raw",
)
# Exposure needs no resolution: the small fixtures join its series (not the
# D7000, which is the under-exposed case itself: +2 EV *improves* it).
SMALL_EXPOSURE_SOURCES = (
    "jpeg/exiv2_FurnaceCreekInn.jpg",
    "jpeg/exiv2_FurnaceCreekInn2.jpg",
    "jpeg/orientation/landscape_1.jpg",
    "raw/LG-H815_sample_1mp.dng",
)
# The key checks: genuine low-key and high-key photos, and a failed exposure.
LOW_KEY = "jpeg/sony_a200_unset_clock.jpg"
HIGH_KEY = "jpeg/exiv2_canon6D_highkey.jpg"
UNDEREXPOSED = "jpeg/exiv2_D7000_underexposed.jpg"

BLUR_SIGMAS = (0.5, 1.0, 1.5, 2.0, 3.0, 4.0)
SHAKE_LENGTHS = (9, 13, 17, 21, 25)
SCALE_FACTORS = (1.5, 2.0, 3.0, 4.0)
EXPOSURE_EVS = (-2.5, -2.0, -1.3, -0.7, 0.7, 1.3, 2.0, 2.5)
SUBJECT_FRACTIONS = (0.04, 0.07, 0.11)
SUBJECT_BACKGROUND_SIGMA = 4.0


@dataclass(frozen=True)
class Source:
    """One sharp, metered original: upright RGB8 at <= 1440 px long edge."""

    name: str
    rgb: np.ndarray
    kind: str  # "jpeg" | "raw" | "generated"

    @property
    def long_edge(self) -> int:
        return int(max(self.rgb.shape[:2]))


@dataclass(frozen=True)
class Series:
    """A degradation applied at known levels; `metric` is the score it should move."""

    name: str
    metric: str  # "sharpness" | "exposure"
    levels: tuple[float, ...]
    apply: Callable[[np.ndarray, float, int], np.ndarray]  # (rgb, level, source index)
    # The degradation of a level (ground truth order): |EV| for exposure.
    degradation: Callable[[float], float] = abs


@dataclass
class SeriesResult:
    """Per source: the original's score and each level's score (None: not judged)."""

    series: Series
    original: dict[str, float | None] = field(default_factory=dict)
    scores: dict[str, list[float | None]] = field(default_factory=dict)


# -- degradations ----------------------------------------------------------------------


def gaussian_blur(rgb: np.ndarray, sigma: float, _index: int = 0) -> np.ndarray:
    return cv2.GaussianBlur(rgb, (0, 0), sigma)


def shake_kernel(length: int, angle_deg: float) -> np.ndarray:
    """A normalised anti-aliased straight line of `length` px at `angle_deg`."""
    size = length + 2
    kernel = np.zeros((size, size), np.float32)
    c = (size - 1) / 2
    dx = math.cos(math.radians(angle_deg)) * (length - 1) / 2
    dy = math.sin(math.radians(angle_deg)) * (length - 1) / 2
    shift = 4  # sub-pixel precision of cv2.line
    scale = 1 << shift
    cv2.line(
        kernel,
        (round((c - dx) * scale), round((c - dy) * scale)),
        (round((c + dx) * scale), round((c + dy) * scale)),
        1.0,
        1,
        cv2.LINE_AA,
        shift,
    )
    return kernel / float(kernel.sum())


def camera_shake(rgb: np.ndarray, length: float, index: int = 0) -> np.ndarray:
    angle = (index * 37) % 180  # a different direction for each source
    return cv2.filter2D(rgb, -1, shake_kernel(int(length), angle), borderType=cv2.BORDER_REFLECT)


def down_up(rgb: np.ndarray, factor: float, _index: int = 0) -> np.ndarray:
    height, width = rgb.shape[:2]
    small = cv2.resize(
        rgb,
        (max(1, round(width / factor)), max(1, round(height / factor))),
        interpolation=cv2.INTER_AREA,
    )
    return cv2.resize(small, (width, height), interpolation=cv2.INTER_CUBIC)


def srgb_to_linear(rgb: np.ndarray) -> np.ndarray:
    x = rgb.astype(np.float32) / 255.0
    return np.where(x <= 0.04045, x / 12.92, ((x + 0.055) / 1.055) ** 2.4)


def linear_to_srgb(lin: np.ndarray) -> np.ndarray:
    x = np.clip(lin, 0.0, 1.0)
    srgb = np.where(x <= 0.0031308, x * 12.92, 1.055 * np.power(x, 1 / 2.4) - 0.055)
    return np.clip(np.round(srgb * 255.0), 0, 255).astype(np.uint8)


def exposure_shift(rgb: np.ndarray, ev: float, _index: int = 0) -> np.ndarray:
    """The same scene `ev` stops brighter (negative: darker), in linear light, clipped."""
    return linear_to_srgb(srgb_to_linear(rgb) * (2.0**ev))


def most_detailed_window(rgb: np.ndarray, fraction: float) -> tuple[int, int, int, int]:
    """(x, y, w, h) of the frame-shaped window of `fraction` of the area with the most
    gradient energy: where a photographer's sharp subject would be."""
    height, width = rgb.shape[:2]
    scale = math.sqrt(fraction)
    w, h = max(8, round(width * scale)), max(8, round(height * scale))
    grey = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY).astype(np.float32)
    energy = np.abs(cv2.Laplacian(grey, cv2.CV_32F))
    integral = cv2.integral(energy)
    sums = integral[h:, w:] - integral[:-h, w:] - integral[h:, :-w] + integral[:-h, :-w]
    y, x = np.unravel_index(int(np.argmax(sums)), sums.shape)
    return int(x), int(y), w, h


def sharp_subject(rgb: np.ndarray, fraction: float, _index: int = 0) -> np.ndarray:
    x, y, w, h = most_detailed_window(rgb, fraction)
    out = cv2.GaussianBlur(rgb, (0, 0), SUBJECT_BACKGROUND_SIGMA)
    out[y : y + h, x : x + w] = rgb[y : y + h, x : x + w]
    return out


def _subject_degradation(fraction: float) -> float:
    return -fraction  # a bigger sharp subject is a smaller degradation


SERIES: tuple[Series, ...] = (
    Series("gaussian blur σ 0.5–4 px", "sharpness", BLUR_SIGMAS, gaussian_blur),
    Series("camera shake 9–25 px", "sharpness", tuple(map(float, SHAKE_LENGTHS)), camera_shake),
    Series("down-then-up ×1.5–×4", "sharpness", SCALE_FACTORS, down_up),
    Series("sharp subject 4–11 %", "sharpness", SUBJECT_FRACTIONS, sharp_subject,
           _subject_degradation),
    Series("exposure ±0.7–±2.5 EV", "exposure", EXPOSURE_EVS, exposure_shift),
)  # fmt: skip


# -- sources ---------------------------------------------------------------------------


def decode_source(path: Path) -> np.ndarray:
    """The product's own 1440 px upright preview of a fixture, as RGB8."""
    data = path.read_bytes()
    decoded = decode_image(data, is_raw=is_raw_path(str(path)), preview_long_edge=LONG_EDGE)
    return np.ascontiguousarray(np.asarray(decoded.preview.convert("RGB")))


def fixture_sources(fixtures: Path, names: Sequence[str]) -> list[Source]:
    return [
        Source(name, decode_source(fixtures / name), "raw" if name.startswith("raw") else "jpeg")
        for name in names
    ]


def generated_sources(width: int = LONG_EDGE, height: int = 960) -> list[Source]:
    """Three deterministic sharp scenes: blocks, shapes, 1/f noise (RGB8)."""
    rng = np.random.default_rng(10)
    blocks = rng.integers(30, 225, (height // 6 + 1, width // 6 + 1, 3), dtype=np.uint8)
    blocks = np.repeat(np.repeat(blocks, 6, 0), 6, 1)[:height, :width]
    ramp = np.linspace(-25, 25, width, dtype=np.float32)[None, :, None]
    scene_blocks = np.clip(blocks.astype(np.float32) + ramp, 0, 255).astype(np.uint8)

    shapes = np.full((height, width, 3), (96, 120, 140), np.uint8)
    for _ in range(160):
        colour = tuple(int(v) for v in rng.integers(0, 256, 3))
        centre = (int(rng.integers(0, width)), int(rng.integers(0, height)))
        if rng.random() < 0.5:
            axes = (int(rng.integers(8, 120)), int(rng.integers(8, 120)))
            cv2.ellipse(shapes, centre, axes, float(rng.uniform(0, 180)), 0, 360, colour, -1,
                        cv2.LINE_AA)  # fmt: skip
        else:
            end = (int(rng.integers(0, width)), int(rng.integers(0, height)))
            cv2.line(shapes, centre, end, colour, int(rng.integers(1, 6)), cv2.LINE_AA)
    noise = rng.normal(0, 3, shapes.shape)
    scene_shapes = np.clip(shapes + noise, 0, 255).astype(np.uint8)

    fy = np.fft.fftfreq(height)[:, None]
    fx = np.fft.rfftfreq(width)[None, :]
    radius = np.sqrt(fx * fx + fy * fy)
    radius[0, 0] = 1.0
    channels = []
    for _ in range(3):
        spectrum = (rng.normal(size=radius.shape) + 1j * rng.normal(size=radius.shape)) / radius
        field_ = np.fft.irfft2(spectrum, s=(height, width))
        field_ = (field_ - field_.mean()) / field_.std()
        channels.append(np.clip(118 + 45 * field_, 0, 255))
    scene_natural = np.stack(channels, axis=2).astype(np.uint8)
    return [
        Source("generated/blocks", scene_blocks, "generated"),
        Source("generated/shapes", scene_shapes, "generated"),
        Source("generated/natural_1f", scene_natural, "generated"),
    ]


# -- scoring ---------------------------------------------------------------------------


def luma_of(rgb: np.ndarray) -> np.ndarray:
    return np.ascontiguousarray(cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY))


def score(rgb: np.ndarray, metric: str) -> float | None:
    luma = luma_of(rgb)
    if metric == "exposure":
        return measure_exposure(luma, rgb).score
    value = measure_sharpness(luma).score
    return None if value is None else float(value)


def run_series(series: Series, sources: Sequence[Source]) -> SeriesResult:
    result = SeriesResult(series)
    for index, source in enumerate(sources):
        result.original[source.name] = score(source.rgb, series.metric)
        result.scores[source.name] = [
            score(series.apply(source.rgb, level, index), series.metric) for level in series.levels
        ]
    return result


def sharpness_sources(fixtures: Path) -> list[Source]:
    return fixture_sources(fixtures, JPEG_SOURCES + RAW_SOURCES) + generated_sources()


def run_bench(fixtures: Path) -> list[SeriesResult]:
    sharp = sharpness_sources(fixtures)
    exposure = sharp + fixture_sources(fixtures, SMALL_EXPOSURE_SOURCES)
    return [run_series(s, sharp if s.metric == "sharpness" else exposure) for s in SERIES]


# -- statistics ------------------------------------------------------------------------


def ranks(values: Sequence[float]) -> np.ndarray:
    """Average ranks (ties share the mean of their positions)."""
    array = np.asarray(values, np.float64)
    order = np.argsort(array, kind="stable")
    out = np.empty(len(array), np.float64)
    sorted_values = array[order]
    start = 0
    while start < len(array):
        end = start
        while end + 1 < len(array) and sorted_values[end + 1] == sorted_values[start]:
            end += 1
        out[order[start : end + 1]] = (start + end) / 2.0
        start = end + 1
    return out


def spearman(x: Sequence[float], y: Sequence[float]) -> float:
    """Spearman's rho; 0.0 when either side is constant (no order to agree with)."""
    rx, ry = ranks(x), ranks(y)
    sx, sy = rx.std(), ry.std()
    if sx == 0 or sy == 0:
        return 0.0
    return float(((rx - rx.mean()) * (ry - ry.mean())).mean() / (sx * sy))


def source_points(result: SeriesResult, name: str) -> tuple[list[float], list[float]]:
    """(degradation, score) of the original (degradation 0) and every judged level."""
    series = result.series
    original = result.original[name]
    points = [] if original is None else [(0.0 if series.metric == "exposure" else -1e9, original)]
    if series.degradation is _subject_degradation and original is not None:
        points = [(-1.0, original)]  # the whole frame sharp: a 100 % "subject"
    for level, value in zip(series.levels, result.scores[name], strict=True):
        if value is not None:
            points.append((series.degradation(level), value))
    return [p[0] for p in points], [p[1] for p in points]


def per_source_spearman(result: SeriesResult) -> dict[str, float]:
    """Spearman(degradation, score loss) per source with at least three judged points."""
    out: dict[str, float] = {}
    for name in result.scores:
        degradation, scores = source_points(result, name)
        if len(scores) >= 3:
            out[name] = spearman(degradation, [-s for s in scores])
    return out


def pooled_spearman(result: SeriesResult) -> float:
    """Spearman(degradation, score loss) over every source's points together."""
    x: list[float] = []
    y: list[float] = []
    for name in result.scores:
        degradation, scores = source_points(result, name)
        x += degradation
        y += [-s for s in scores]
    return spearman(x, y)


def pooled_values(result: SeriesResult) -> list[float | None]:
    return list(result.original.values()) + [v for vs in result.scores.values() for v in vs]


def extreme_share(values: Sequence[float | None]) -> float:
    judged = [v for v in values if v is not None]
    return sum(1 for v in judged if v in (0.0, 100.0)) / len(judged) if judged else 0.0


def strictly_ordered_share(result: SeriesResult) -> float:
    """Share of sources whose scores fall strictly at every step of the series."""
    ok = total = 0
    for name, scores in result.scores.items():
        chain = [result.original[name], *scores]
        if any(v is None for v in chain):
            continue
        total += 1
        ok += all(a > b for a, b in itertools.pairwise(chain))  # type: ignore[operator]
    return ok / total if total else 0.0


def level_below_original_share(result: SeriesResult, level: float) -> float:
    """Share of sources where the variant at `level` scores below the original."""
    i = result.series.levels.index(level)
    pairs: list[tuple[float, float]] = []
    for name, scores in result.scores.items():
        original, value = result.original[name], scores[i]
        if original is not None and value is not None:
            pairs.append((original, value))
    return sum(1 for o, v in pairs if v < o) / len(pairs) if pairs else 0.0


def level_ratio(result: SeriesResult, level: float) -> list[float]:
    """Score at `level` / the original's score, per source with a positive original."""
    i = result.series.levels.index(level)
    out = []
    for name, scores in result.scores.items():
        original, value = result.original[name], scores[i]
        if original and value is not None:
            out.append(value / original)
    return out


def summary_rows(results: Sequence[SeriesResult]) -> list[dict[str, str]]:
    rows = []
    for result in results:
        rhos = per_source_spearman(result)
        values = pooled_values(result)
        judged = [v for v in values if v is not None]
        rows.append(
            {
                "series": result.series.name,
                "sources": str(len(result.scores)),
                "mean ρ": f"{np.mean(list(rhos.values())):.2f}" if rhos else "—",
                "min ρ": f"{min(rhos.values()):.2f}" if rhos else "—",
                "pooled ρ": f"{pooled_spearman(result):.2f}",
                "strictly ordered": (
                    f"{100 * strictly_ordered_share(result):.0f} %"
                    if result.series.degradation is abs and result.series.metric == "sharpness"
                    else "—"
                ),
                "at 0 or 100": f"{100 * extreme_share(values):.0f} %",
                "not judged": str(len(values) - len(judged)),
            }
        )
    return rows


def format_table(rows: Sequence[dict[str, str]]) -> str:
    if not rows:
        return ""
    keys = list(rows[0])
    widths = {k: max(len(k), *(len(r[k]) for r in rows)) for k in keys}
    lines = [
        "| " + " | ".join(k.ljust(widths[k]) for k in keys) + " |",
        "|" + "|".join("-" * (widths[k] + 2) for k in keys) + "|",
    ]
    lines += ["| " + " | ".join(r[k].ljust(widths[k]) for k in keys) + " |" for r in rows]
    return "\n".join(lines)


def goal_lines(results: Sequence[SeriesResult], fixtures: Path) -> list[str]:
    by_name = {r.series.name.split()[0]: r for r in results}
    blur, shake, subject, expo = (by_name[k] for k in ("gaussian", "camera", "sharp", "exposure"))
    sharp_values = [v for r in results if r.series.metric == "sharpness" for v in pooled_values(r)]
    subject_ratio = level_ratio(subject, 0.04)
    shake_ratio = level_ratio(shake, 21.0)
    lines = [
        f"exposure −2 EV below the original: {100 * level_below_original_share(expo, -2.0):.0f} %"
        f" of sources; +2 EV: {100 * level_below_original_share(expo, 2.0):.0f} %;"
        f" −1.3 EV: {100 * level_below_original_share(expo, -1.3):.0f} %",
        f"sharp subject 4 %: min score ratio to the sharp original "
        f"{min(subject_ratio):.2f} (median {np.median(subject_ratio):.2f})",
        f"shake 21 px: max score ratio to the original {max(shake_ratio):.2f}"
        f" (median {np.median(shake_ratio):.2f})",
        f"blur series strictly ordered on {100 * strictly_ordered_share(blur):.0f} % of sources",
        f"sharpness scores at 0 or 100: {100 * extreme_share(sharp_values):.0f} %",
    ]
    for name in (LOW_KEY, HIGH_KEY, UNDEREXPOSED):
        rgb = decode_source(fixtures / name)
        m = measure_exposure(luma_of(rgb), rgb)
        ev_value = getattr(m, "ev", None)  # None before issue 10
        ev = "" if ev_value is None else f", {ev_value:+.1f} EV"
        lines.append(f"{name}: exposure score {m.score:.1f}{ev}")
    return lines


def calibration_rows(fixtures: Path) -> list[str]:
    """The fixture table of docs/decisions/imaging.md (Calibration), measured as the product
    does it (`imaging.technical.measure_file`: decode, then both measures)."""
    import tempfile

    from curator.imaging.technical import measure_file
    from curator.imaging.types import TechnicalRequest

    paths = sorted((fixtures / "jpeg").glob("*.jpg")) + [fixtures / n for n in RAW_SOURCES]
    lines = [f"{'fixture':<40} {'sharpness':>9} {'exposure':>8}      EV"]
    with tempfile.TemporaryDirectory() as cache:
        for path in paths:
            m = measure_file(TechnicalRequest(str(path), cache))
            assert m.sharpness is not None and m.exposure is not None
            s, e = m.sharpness, m.exposure
            sharp = "null" if s.score is None else f"{s.score:.1f}"
            ev = "" if e.ev is None else f"{e.ev:+.1f}"
            name = f"{path.parent.name}/{path.stem}"[:40]
            lines.append(f"{name:<40} {sharp:>9} {e.score:8.1f} {ev:>7}")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--fixtures", type=Path, default=None)
    parser.add_argument("--calibration", action="store_true")
    args = parser.parse_args()
    from tests.imaging_helpers import FIXTURES

    fixtures = args.fixtures or FIXTURES
    if args.calibration:
        print("\n".join(calibration_rows(fixtures)))
        return
    results = run_bench(fixtures)
    print(format_table(summary_rows(results)))
    print()
    print("\n".join(goal_lines(results, fixtures)))


if __name__ == "__main__":
    main()

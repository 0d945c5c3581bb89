"""The judgments of issue 20 against ground truth, with a naive baseline.

Each check is a degradation (or a scene) whose right answer is known by
construction, applied to the score bench's sources (`score_series`: the
camera fixtures and generated scenes at 1440 px) and measured by the
product's `imaging.metrics` — and, in the same run, by a naive measure:
the global variance of the Laplacian for sharpness (the textbook focus
measure), the mean luminance's distance from middle grey for exposure.
Only `measure_sharpness`/`measure_exposure` are imported, so the same file
measures an older scorer too (``PYTHONPATH=<old checkout>``).

Sharpness (BLUR = a score under 30):
- noise sd 6 and 16 on the sharp original: share of sources scoring *above*
  their own original (noise is not sharpness; naive: share whose Laplacian
  variance rises);
- σ 4 blur plus noise sd 0/6/16: BLUR rate (all should be flagged);
- at full resolution (the 4032 × 3024 fixtures): σ 12 blur plus sd 16;
- a 21 px straight shake at 0/45/90/135° and a 30 px curved hand-shake
  (a smooth random path): BLUR rate;
- a sharp subject at 5 % of the frame on a σ 4 bokeh: BLUR rate (none should
  be flagged); a soft subject on a sharp background (missed focus: a central
  ellipse of 10 % and 25 % blurred σ 3; the 10 % one with noise sd 6, and
  centred on a thirds point instead of the middle): BLUR rate; and how many
  frames that are *not* missed focus (the originals, sharp subjects of
  4–11 % on bokeh, 21 px shakes, σ 4 blur + noise sd 16) carry the "focus
  missed the subject" note (none should).
Naive rates use the Laplacian variance at the threshold that flags σ 2 blur
on the median source, as the product's BLUR line does.

Exposure (CLIPPED = a score under 60 or more than 15 % burnt; the EV shown):
- the EV estimate against the truth at −2/−1.3/+1.3/+3 EV (mean error);
- CLIPPED rate at −1.3 EV (the CLIPPED badge's "about 1.2 stops", docs/guide/app.md);
- generated scenes, right and wrong: a night street (lamps clipped, lit
  facades) metered and at −1.3 EV, snow metered and rendered grey (−1.7 EV),
  a low-key and a high-key scene that are right, the low-key subject blown
  by +3 EV.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from functools import partial
from pathlib import Path

import cv2
import numpy as np

from curator.imaging.metrics import measure_exposure, measure_sharpness
from tests.bench.score_series import (
    Source,
    exposure_shift,
    gaussian_blur,
    luma_of,
    shake_kernel,
    sharp_subject,
)

BLUR_LINE = 30.0
CLIP_LINE = 60.0
FULL_RES = ("jpeg/olympus_ep3_iso1600.jpg", "jpeg/exiv2_SM-G930V_orient6.jpg")


# -- degradations ------------------------------------------------------------------------


def noisy(rgb: np.ndarray, sd: float, seed: int = 0) -> np.ndarray:
    """Sensor-like noise of `sd` grey levels: per channel, slightly correlated
    (demosaicing), about even across levels in sRGB (the gamma evens shot noise)."""
    if sd <= 0:
        return rgb
    noise = np.random.default_rng(seed).normal(0, 1, rgb.shape).astype(np.float32)
    noise = cv2.GaussianBlur(noise, (0, 0), 0.6)
    noise *= sd / float(noise.std())
    return np.clip(rgb + noise, 0, 255).astype(np.uint8)


def straight_shake(rgb: np.ndarray, length: int, angle: float) -> np.ndarray:
    return cv2.filter2D(rgb, -1, shake_kernel(length, angle), borderType=cv2.BORDER_REFLECT)


def curved_kernel(length: float, seed: int) -> np.ndarray:
    """A hand-shake path of `length` px: a smooth random curve (turning 1.5–3 rad)."""
    rng = np.random.default_rng(seed)
    t = np.linspace(0.0, 1.0, 200)
    turn = rng.uniform(1.5, 3.0) * rng.choice([-1.0, 1.0])
    angle = (
        rng.uniform(0, 2 * np.pi) + turn * t + 0.8 * np.sin(2 * np.pi * t * rng.uniform(0.5, 1.5))
    )
    xs = np.cumsum(np.cos(angle)) * length / len(t)
    ys = np.cumsum(np.sin(angle)) * length / len(t)
    xs, ys = xs - xs.mean(), ys - ys.mean()
    size = int(2 * max(np.abs(xs).max(), np.abs(ys).max())) + 5
    kernel = np.zeros((size, size), np.float32)
    centre, shift = (size - 1) / 2, 4
    points = np.stack([(xs + centre) * (1 << shift), (ys + centre) * (1 << shift)], axis=1)
    cv2.polylines(kernel, [points.round().astype(np.int32)], False, 1.0, 1, cv2.LINE_AA, shift)
    return kernel / float(kernel.sum())


def curved_shake(rgb: np.ndarray, length: float, seed: int) -> np.ndarray:
    return cv2.filter2D(rgb, -1, curved_kernel(length, seed), borderType=cv2.BORDER_REFLECT)


def missed_focus(
    rgb: np.ndarray, fraction: float, at: tuple[float, float] = (0.5, 0.5)
) -> np.ndarray:
    """A subject (an ellipse of `fraction` of the frame, centred at `at` = (x, y) in
    frame widths/heights: the middle unless told) blurred σ 3 on a sharp
    background: focus on the wall behind the subject."""
    h, w = rgb.shape[:2]
    yy, xx = np.mgrid[0:h, 0:w]
    s = math.sqrt(fraction / math.pi)
    inside = ((xx - w * at[0]) / (w * s)) ** 2 + ((yy - h * at[1]) / (h * s)) ** 2 <= 1
    out = rgb.copy()
    out[inside] = gaussian_blur(rgb, 3.0)[inside]
    return out


# -- generated exposure scenes (linear light, then sRGB) ----------------------------------


def _encode(linear: np.ndarray, ev: float = 0.0) -> np.ndarray:
    lin = np.clip(linear * 2.0**ev, 0, 1)
    srgb = np.where(lin <= 0.0031308, lin * 12.92, 1.055 * lin ** (1 / 2.4) - 0.055)
    return np.round(srgb * 255).astype(np.uint8)


def _field(rng: np.random.Generator, h: int, w: int, smooth: float) -> np.ndarray:
    f = cv2.GaussianBlur(rng.normal(size=(h, w)).astype(np.float32), (0, 0), smooth)
    return (f - f.mean()) / f.std()


def night_scene(seed: int = 0, h: int = 640, w: int = 960) -> np.ndarray:
    """A street at night, metered: black sky, lamp-lit facades (their lit part
    ~1.6 EV under white, as the RX100's metered frames), lamps clipped."""
    rng = np.random.default_rng(seed)
    lin = np.full((h, w, 3), 0.0015, np.float32)
    facade = 0.09 * np.exp(0.8 * _field(rng, h, w, 12))[..., None] * np.array([1.0, 0.75, 0.45])
    lin[h // 3 :] = facade[h // 3 :]
    for _ in range(6):
        cx, cy = int(rng.integers(40, w - 40)), int(rng.integers(h // 4, h // 2))
        cv2.circle(lin, (cx, cy), int(rng.integers(6, 14)), (4.0, 3.2, 2.0), -1)
        glow = np.zeros((h, w), np.float32)
        cv2.circle(glow, (cx, cy), 80, 1.0, -1)
        lin += 0.15 * cv2.GaussianBlur(glow, (0, 0), 40)[..., None]
    return lin


def snow_scene(seed: int = 1, h: int = 640, w: int = 960) -> np.ndarray:
    """Snow, exposed right: bright textured white with a few dark trees."""
    rng = np.random.default_rng(seed)
    snow = 0.78 * np.exp(0.08 * _field(rng, h, w, 4))
    lin = np.repeat(snow[..., None], 3, axis=2) * np.array([0.97, 0.99, 1.0])
    for _ in range(12):
        x0 = int(rng.integers(0, w - 30))
        cv2.rectangle(lin, (x0, int(rng.integers(0, h // 2))), (x0 + 18, h), (0.04, 0.05, 0.03), -1)
    return np.clip(lin, 0, 0.95).astype(np.float32)


def low_key_scene(seed: int = 2, h: int = 640, w: int = 960) -> np.ndarray:
    """A lit subject (a quarter of the frame) on black, exposed right."""
    rng = np.random.default_rng(seed)
    lin = np.full((h, w, 3), 0.0008, np.float32)
    subject = 0.25 * np.exp(0.9 * _field(rng, h, w, 6))[..., None] * np.array([1.0, 0.7, 0.4])
    mask = np.zeros((h, w), np.uint8)
    cv2.ellipse(mask, (w // 2, h // 2), (w // 5, int(h / 2.6)), 0, 0, 360, 1, -1)
    lin[mask > 0] = np.clip(subject[mask > 0], 0, 0.97)
    return lin


def high_key_scene(seed: int = 3, h: int = 640, w: int = 960) -> np.ndarray:
    """Pale grey-white everywhere with faint detail, exposed right (nothing clipped)."""
    rng = np.random.default_rng(seed)
    base = 0.62 * np.exp(0.12 * _field(rng, h, w, 3))
    return np.repeat(np.clip(base, 0, 0.93)[..., None], 3, axis=2).astype(np.float32)


SCENES: tuple[tuple[str, Callable[[], np.ndarray], float, bool], ...] = (
    # (name, scene, EV applied, should be flagged)
    ("night street, metered", night_scene, 0.0, False),
    ("night street, −1.3 EV", night_scene, -1.3, True),
    ("snow, right", snow_scene, 0.0, False),
    ("snow rendered grey (−1.7 EV)", snow_scene, -1.7, True),
    ("low-key, right", low_key_scene, 0.0, False),
    ("high-key, right", high_key_scene, 0.0, False),
    ("low-key subject blown (+3 EV)", low_key_scene, 3.0, True),
)


# -- measuring ---------------------------------------------------------------------------


def sharp_score(rgb: np.ndarray) -> float | None:
    return measure_sharpness(luma_of(rgb)).score


def naive_sharp(rgb: np.ndarray) -> float:
    """The textbook focus measure: the global Laplacian variance at 1024 px."""
    luma = luma_of(rgb)
    scale = 1024 / max(luma.shape)
    if scale < 1:
        luma = cv2.resize(luma, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    return float(cv2.Laplacian(luma, cv2.CV_64F).var())


def exposure(rgb: np.ndarray) -> tuple[float, float | None, float]:
    m = measure_exposure(luma_of(rgb), rgb)
    return m.score, m.ev, m.highlight_clip


def clipped(rgb: np.ndarray) -> bool:
    score, _, burnt = exposure(rgb)
    return score < CLIP_LINE or burnt > 0.15


def naive_ev(rgb: np.ndarray) -> float:
    """EV of the mean luminance (linear) against middle grey."""
    lin = _to_linear(luma_of(rgb))
    return math.log2(max(float(lin.mean()), 1e-6) / 0.18)


def _to_linear(v: np.ndarray) -> np.ndarray:
    x = v.astype(np.float32) / 255
    return np.where(x <= 0.04045, x / 12.92, ((x + 0.055) / 1.055) ** 2.4)


def sharpness_checks(sources: Sequence[Source], fixtures: Path) -> list[dict[str, str]]:
    naive_line = float(np.median([naive_sharp(gaussian_blur(s.rgb, 2.0)) for s in sources]))
    rows: list[dict[str, str]] = []

    def rate(name: str, make: Callable[[Source, int], np.ndarray], want: bool) -> None:
        ours = naive = judged = 0
        for i, source in enumerate(sources):
            pixels = make(source, i)
            value = sharp_score(pixels)
            if value is not None:
                judged += 1
                ours += (value < BLUR_LINE) == want
            naive += (naive_sharp(pixels) < naive_line) == want
        rows.append(
            {
                "check": name,
                "right (ours)": f"{ours}/{judged}",
                "right (naive)": f"{naive}/{len(sources)}",
            }
        )

    for sd in (6.0, 16.0):
        above = naive_above = 0
        for i, source in enumerate(sources):
            before, after = sharp_score(source.rgb), sharp_score(noisy(source.rgb, sd, i))
            above += before is not None and after is not None and after > before + 2
            naive_above += naive_sharp(noisy(source.rgb, sd, i)) > 1.1 * naive_sharp(source.rgb)
        rows.append(
            {
                "check": f"sharp + noise sd {sd:g}: not scored sharper (+2)",
                "right (ours)": f"{len(sources) - above}/{len(sources)}",
                "right (naive)": f"{len(sources) - naive_above}/{len(sources)}",
            }
        )
    for sd in (0.0, 6.0, 16.0):
        rate(f"σ 4 blur + noise sd {sd:g}: BLUR", partial(_blur_noise, sd=sd), True)
    for angle in (0, 45, 90, 135):
        rate(f"shake 21 px at {angle}°: BLUR", partial(_shaken, angle=angle), True)
    rate("curved shake 30 px: BLUR", lambda s, i: curved_shake(s.rgb, 30, i), True)
    rate("sharp subject 5 % on bokeh: no BLUR", lambda s, i: sharp_subject(s.rgb, 0.05), False)
    for fraction in (0.10, 0.25):
        rate(f"missed focus, subject {fraction:.0%}: BLUR", partial(_missed, f=fraction), True)
    rate("missed focus, 10% + noise sd 6: BLUR", _missed_noisy, True)
    rate("missed focus, 10% at a third: BLUR", _missed_at_a_third, True)
    rows.append(_focus_notes(sources))
    full = [(name, _full_res_luma(fixtures / name)) for name in FULL_RES]
    scores = []
    for i, (_, luma) in enumerate(full):
        blurred = cv2.GaussianBlur(luma, (0, 0), 12.0).astype(np.float32)
        noise = np.random.default_rng(i).normal(0, 16.0, luma.shape).astype(np.float32)
        degraded = np.clip(blurred + noise, 0, 255).astype(np.uint8)
        scores.append(measure_sharpness(degraded).score or 0.0)
    rows.append(
        {
            "check": "4032 px: σ 12 blur + noise sd 16: BLUR",
            "right (ours)": f"{sum(s < BLUR_LINE for s in scores)}/{len(scores)} "
            f"(scores {', '.join(f'{s:.0f}' for s in scores)})",
            "right (naive)": "—",
        }
    )
    return rows


def _blur_noise(source: Source, index: int, *, sd: float) -> np.ndarray:
    return noisy(gaussian_blur(source.rgb, 4.0), sd, index)


def _shaken(source: Source, index: int, *, angle: float) -> np.ndarray:
    return straight_shake(source.rgb, 21, angle)


def _missed(source: Source, index: int, *, f: float) -> np.ndarray:
    return missed_focus(source.rgb, f)


def _missed_noisy(source: Source, index: int) -> np.ndarray:
    return noisy(missed_focus(source.rgb, 0.10), 6.0, index)


def _missed_at_a_third(source: Source, index: int) -> np.ndarray:
    return missed_focus(source.rgb, 0.10, at=(1 / 3, 1 / 3))


def _focus_notes(sources: Sequence[Source]) -> dict[str, str]:
    """Frames that are not missed focus (the sharp originals, sharp subjects of
    4–11 % on bokeh, 21 px shakes, σ 4 blur + noise sd 16) carrying the "focus
    missed the subject" note."""
    frames = [s.rgb for s in sources] + [
        sharp_subject(s.rgb, f) for s in sources for f in (0.04, 0.07, 0.11)
    ]
    frames += [straight_shake(s.rgb, 21, 0) for s in sources]
    frames += [_blur_noise(s, i, sd=16.0) for i, s in enumerate(sources)]
    noted = sum(measure_sharpness(luma_of(f)).note == "focus missed the subject" for f in frames)
    return {
        "check": "not missed focus (6 kinds): no focus note",
        "right (ours)": f"{len(frames) - noted}/{len(frames)}",
        "right (naive)": "—",
    }


def _full_res_luma(path: Path) -> np.ndarray:
    luma = cv2.imread(str(path), cv2.IMREAD_GRAYSCALE)
    assert luma is not None, path
    return luma


def exposure_checks(sources: Sequence[Source]) -> list[dict[str, str]]:
    rows: list[dict[str, str]] = []
    for ev in (-2.0, -1.3, 1.3, 3.0):
        ours, naive = [], []
        for source in sources:
            base = exposure(source.rgb)[1] or 0.0
            shown = exposure(exposure_shift(source.rgb, ev))[1] or 0.0
            ours.append(shown - base)
            naive.append(naive_ev(exposure_shift(source.rgb, ev)) - naive_ev(source.rgb))
        rows.append(
            {
                "check": f"{ev:+.1f} EV reads as (mean, change from the original)",
                "ours": f"{np.mean(ours):+.1f} EV",
                "naive": f"{np.mean(naive):+.1f} EV",
            }
        )
    flagged = sum(clipped(exposure_shift(s.rgb, -1.3)) for s in sources)
    originals = sum(clipped(s.rgb) for s in sources)
    rows.append(
        {
            "check": "CLIPPED at −1.3 EV / on the originals",
            "ours": f"{flagged}/{len(sources)} / {originals}/{len(sources)}",
            "naive": "—",
        }
    )
    for name, make, ev, want in SCENES:
        pixels = _encode(make(), ev)
        score, shown, _ = exposure(pixels)
        right = clipped(pixels) == want
        naive_value = naive_ev(pixels)
        naive_flag = abs(naive_value) > 1.2
        rows.append(
            {
                "check": f"{name}: {'flagged' if want else 'not flagged'}",
                "ours": f"{'right' if right else 'WRONG'} ({score:.0f}, ≈ {shown:+.1f} EV)",
                "naive": f"{'right' if naive_flag == want else 'WRONG'} ({naive_value:+.1f} EV)",
            }
        )
    return rows

"""A development set for near-duplicates (issue 83), built from the fixtures and
the development half of people-dev, and two fingerprints measured on it.

Positives: each source photo and its copies — ½ and ¼ size, JPEG quality 50,
PNG, WebP, EXIF stripped, turned 90°, cropped 5 %, a 2 % border, a watermark
line, a mild exposure and contrast edit. Negatives: every pair of different
sources (people-dev holds 10 different photos of each of 80 people: the same
face, never the same picture) and the fixtures' bursts and near sequences
(`BURSTS`: an iPhone's pair 0.53 s apart, a PowerShot's HDR pair, three frames
of one motel sign 6 s apart), which must never be grouped.

Fingerprints: `phash` — the plain perceptual hash (32x32 grey, DCT, the 8x8
low frequencies against their median: Czkawka's and dupeGuru's kind), compared
at `PHASH_LINE` bits; `turned_phash` — the same hash of the frame's inner 94 %
taken at its four quarter turns, two photos compared by their closest turn.
Nothing here is product code: it decides what the product's fingerprint is.
"""

from __future__ import annotations

import io
import itertools
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageEnhance

SHARED = Path(__file__).resolve().parents[2].parent / "shared"
FIXTURES = SHARED / "fixtures" / "jpeg"
PEOPLE = SHARED / "data" / "people-dev" / "identity"
PHASH_LINE = 10  # bits of 64: the usual line of the plain pHash tools
BURSTS = (
    ("iphone6_hdr_NO.jpg", "iphone6_hdr_YES.jpg"),
    ("canon_sx60_hdr_NO.jpg", "canon_sx60_hdr_YES.jpg"),
    ("exiv2_FurnaceCreekInn.jpg", "exiv2_FurnaceCreekInn2.jpg"),
    ("exiv2_FurnaceCreekInn2.jpg", "exiv2_FurnaceCreekInn3.jpg"),
    ("exiv2_FurnaceCreekInn.jpg", "exiv2_FurnaceCreekInn3.jpg"),
)


def _jpeg(img: Image.Image, quality: int) -> Image.Image:
    out = io.BytesIO()
    img.save(out, "JPEG", quality=quality)
    return Image.open(io.BytesIO(out.getvalue())).convert("RGB")


def _through(img: Image.Image, fmt: str) -> Image.Image:
    out = io.BytesIO()
    img.save(out, fmt)
    return Image.open(io.BytesIO(out.getvalue())).convert("RGB")


def _crop(img: Image.Image, share: float) -> Image.Image:
    w, h = img.size
    dx, dy = round(w * share / 2), round(h * share / 2)
    return img.crop((dx, dy, w - dx, h - dy))


def _border(img: Image.Image, share: float) -> Image.Image:
    w, h = img.size
    pad = max(1, round(max(w, h) * share))
    framed = Image.new("RGB", (w + 2 * pad, h + 2 * pad), (250, 250, 250))
    framed.paste(img, (pad, pad))
    return framed


def _watermark(img: Image.Image) -> Image.Image:
    marked = img.copy()
    draw = ImageDraw.Draw(marked)
    size = max(10, img.width // 30)
    draw.text((img.width // 20, img.height - 2 * size), "© Studio North 2026", fill=(255, 255, 255),
              font_size=size)  # fmt: skip
    return marked


def _tone(img: Image.Image) -> Image.Image:
    return ImageEnhance.Contrast(ImageEnhance.Brightness(img).enhance(1.15)).enhance(1.1)


COPIES: dict[str, Callable[[Image.Image], Image.Image]] = {
    "half": lambda i: i.resize((i.width // 2, i.height // 2), Image.Resampling.LANCZOS),
    "quarter": lambda i: i.resize((i.width // 4, i.height // 4), Image.Resampling.LANCZOS),
    "q50": lambda i: _jpeg(i, 50),
    "png": lambda i: _through(i, "PNG"),
    "webp": lambda i: _through(i, "WEBP"),
    "no_exif": lambda i: _jpeg(i, 92),
    "turned": lambda i: i.transpose(Image.Transpose.ROTATE_90),
    "crop5": lambda i: _crop(i, 0.05),
    "border2": lambda i: _border(i, 0.02),
    "watermark": _watermark,
    "tone": _tone,
}


@dataclass(frozen=True)
class Picture:
    source: str  # the source photo's name: copies of one source are one picture
    variant: str  # "original" or a COPIES key
    image: Image.Image


def sources(people: int = 200) -> list[tuple[str, Image.Image]]:
    """The fixture JPEGs and the first `people` photos of people-dev's identities."""
    found = [(p.name, p) for p in sorted(FIXTURES.glob("*.jpg"))]
    found += [(f"{p.parent.name}/{p.name}", p) for p in sorted(PEOPLE.glob("*/*.jpg"))[:people]]
    out = []
    for name, path in found:
        with Image.open(path) as img:
            rgb = img.convert("RGB")
        rgb.thumbnail((1024, 1024))
        out.append((name, rgb))
    return out


def pictures(people: int = 200) -> Iterator[Picture]:
    for name, img in sources(people):
        yield Picture(name, "original", img)
        for variant, make in COPIES.items():
            yield Picture(name, variant, make(img))


def _dct_hash(grey: np.ndarray) -> int:
    small = cv2.resize(grey, (32, 32), interpolation=cv2.INTER_AREA).astype(np.float32)
    low = cv2.dct(small)[:8, :8].flatten()
    bits = low > np.median(low[1:])
    return int("".join("1" if b else "0" for b in bits), 2)


def phash(img: Image.Image) -> tuple[int, ...]:
    return (_dct_hash(np.asarray(img.convert("L"))),)


def turned_phash(img: Image.Image) -> tuple[int, ...]:
    grey = np.asarray(_crop(img, 0.06).convert("L"))
    return tuple(_dct_hash(np.rot90(grey, k).copy()) for k in range(4))


def distance(a: tuple[int, ...], b: tuple[int, ...]) -> int:
    """Bits apart at the closest pair of turns (b's first hash: its picture upright)."""
    return min(bin(x ^ b[0]).count("1") for x in a)


@dataclass(frozen=True)
class Scores:
    true_pairs: int
    found_true: int
    false_found: int
    bursts_grouped: int

    @property
    def precision(self) -> float:
        found = self.found_true + self.false_found
        return self.found_true / found if found else 1.0

    @property
    def recall(self) -> float:
        return self.found_true / self.true_pairs if self.true_pairs else 1.0


def scored(
    pics: list[Picture], fingerprint: Callable[[Image.Image], tuple[int, ...]], line: int
) -> Scores:
    """Pair precision and recall of `fingerprint` at `line`, and burst pairs grouped."""
    prints = [fingerprint(p.image) for p in pics]
    true_pairs = found_true = false_found = 0
    for i, j in itertools.combinations(range(len(pics)), 2):
        same = pics[i].source == pics[j].source
        close = distance(prints[i], prints[j]) <= line or distance(prints[j], prints[i]) <= line
        true_pairs += same
        found_true += same and close
        false_found += (not same) and close
    originals = {p.source: k for k, p in enumerate(pics) if p.variant == "original"}
    grouped = sum(
        distance(prints[originals[a]], prints[originals[b]]) <= line
        for a, b in BURSTS
        if a in originals and b in originals
    )
    return Scores(true_pairs, found_true, false_found, grouped)

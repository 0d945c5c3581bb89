"""A development set for near-duplicates (issue 83), built from the fixtures and
the development half of people-dev, and two fingerprints measured on it.

Positives: each source photo and its copies — ½ and ¼ size, JPEG quality 50,
PNG, WebP, EXIF stripped, turned 90°, cropped 5 %, a 2 % border, a watermark
line, a mild exposure and contrast edit; and each RAW fixture as the product
decodes it, with the JPEG rendered from it beside it and that JPEG's web
copy (`raw_sources`). Negatives: every pair of different
sources (people-dev holds 10 different photos of each of 80 people: the same
face, never the same picture) and the fixtures' bursts and near sequences
(`BURSTS`: an iPhone's pair 0.53 s apart, a PowerShot's HDR pair, three frames
of one motel sign 6 s apart), which must never be grouped.

Three pairs of people-dev photos are the same picture stored twice in the
corpus (`SAME_PICTURE`, seen side by side): each counts as one source.

Moments: an original from the fixtures carries its EXIF moment (capture time,
sub-second, sequence number, exposure); people-dev's photos have none, so
each is given a capture time of its own (two seconds apart), and every
original a sub-second and a counter where its EXIF has none. A copy an editor
makes keeps the moment; one stripped of EXIF, a PNG and a WebP have none
(`STRIPPED`). Each source also has a second burst frame (`next_frame`: the
frame panned 3 % and a touch brighter, the same second 120 ms later, the
next sequence number) and that frame's copy stripped of EXIF: the frames are
never one picture, the stripped copy is its own frame's.

Measured: `phash` — the plain perceptual hash (32x32 grey, DCT, the 8x8 low
frequencies against their median: Czkawka's and dupeGuru's kind) at
`PHASH_LINE` bits, every pair within it a duplicate; `turned_phash` — the same
hash of the inner frame at its four turns; and the product
(`product_groups`: imaging.fingerprint on each picture's grey, then
duplicates.groups.find_groups with the moments), its groups read as pairs.
"""

from __future__ import annotations

import io
import itertools
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from pathlib import Path

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageEnhance

from curator.duplicates.groups import find_groups
from curator.imaging.exif import read_exif
from curator.imaging.fingerprint import fingerprint
from curator.records import DuplicateInput

SHARED = Path(__file__).resolve().parents[2].parent / "shared"
FIXTURES = SHARED / "fixtures" / "jpeg"
RAWS = SHARED / "fixtures" / "raw"
PEOPLE = SHARED / "data" / "people-dev" / "identity"
PHASH_LINE = 10  # bits of 64: the usual line of the plain pHash tools
BURSTS = (
    ("iphone6_hdr_NO.jpg", "iphone6_hdr_YES.jpg"),
    ("canon_sx60_hdr_NO.jpg", "canon_sx60_hdr_YES.jpg"),
    ("exiv2_FurnaceCreekInn.jpg", "exiv2_FurnaceCreekInn2.jpg"),
    ("exiv2_FurnaceCreekInn2.jpg", "exiv2_FurnaceCreekInn3.jpg"),
    ("exiv2_FurnaceCreekInn.jpg", "exiv2_FurnaceCreekInn3.jpg"),
)
# The corpus's own duplicates (one picture at two sizes and crops, seen side by
# side: the same expression, pose and light): one source.
SAME_PICTURE = {
    "7233/045578.jpg": "7233/010893.jpg",
    "7241/192173.jpg": "7241/188446.jpg",
    "7241/190449.jpg": "7241/183595.jpg",  # a tight crop of the other
}
NEXT_FRAME = "+next"  # a source's second burst frame: its name ends so
STRIPPED = ("no_exif", "png", "webp")  # copies without EXIF: no moment


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
    moment: DuplicateInput  # photo_id 0: what its EXIF says of its moment

    @property
    def picture(self) -> str:
        """The picture it is (the corpus's own duplicates are one, and so are
        the next frames made from them)."""
        base, next_one = self.source.removesuffix(NEXT_FRAME), self.source.endswith(NEXT_FRAME)
        return SAME_PICTURE.get(base, base) + (NEXT_FRAME if next_one else "")


def sources(people: int = 200) -> list[tuple[str, Image.Image, DuplicateInput]]:
    """The fixture JPEGs and the first `people` photos of people-dev's identities,
    each with its moment."""
    found = [(p.name, p) for p in sorted(FIXTURES.glob("*.jpg"))]
    found += [(f"{p.parent.name}/{p.name}", p) for p in sorted(PEOPLE.glob("*/*.jpg"))[:people]]
    out = []
    for name, path in found:
        data = path.read_bytes()
        e = read_exif(data, is_raw=False)
        moment = DuplicateInput(0, None, e.captured_at, e.capture_subsec, e.sequence_number,
                                e.exposure_time, e.f_number, e.iso, e.exposure_bias)  # fmt: skip
        with Image.open(path) as img:
            rgb = img.convert("RGB")
        rgb.thumbnail((1024, 1024))
        out.append((name, rgb, moment))
    return out


def raw_sources() -> Iterator[Picture]:
    """Each RAW fixture as the product decodes it (its upright preview), the JPEG rendered
    from it beside it (rawpy's own render, camera white balance, EXIF kept),
    and a web copy of that JPEG (800 px, no EXIF)."""
    import rawpy

    from curator.imaging.decode import decode_image

    for path in sorted(RAWS.iterdir()):
        data = path.read_bytes()
        e = read_exif(data, is_raw=True)
        moment = DuplicateInput(0, None, e.captured_at, e.capture_subsec, e.sequence_number,
                                e.exposure_time, e.f_number, e.iso, e.exposure_bias)  # fmt: skip
        preview = decode_image(data, is_raw=True, exif_orientation=e.orientation).preview
        with rawpy.imread(str(path)) as raw:
            render = _jpeg(Image.fromarray(raw.postprocess(use_camera_wb=True)), 90)
        web = render.copy()
        web.thumbnail((800, 800))
        name = f"raw/{path.name}"
        yield Picture(name, "original", preview.convert("RGB"), moment)
        yield Picture(name, "raw_render", render, moment)
        yield Picture(name, "raw_web", _jpeg(web, 70), DuplicateInput(0, None))


def next_frame(img: Image.Image) -> Image.Image:
    """The burst's next frame: the view panned 3 %, the light a touch brighter."""
    w, h = img.size
    dx = max(1, round(w * 0.03))
    panned = img.crop((dx, 0, w, h)).resize((w, h), Image.Resampling.LANCZOS)
    return ImageEnhance.Brightness(panned).enhance(1.04)


def pictures(people: int = 200) -> Iterator[Picture]:
    epoch = datetime(2026, 1, 1, 12, 0, 0)
    given: dict[str, datetime] = {}  # a picture's capture time, the same for its two files
    for name, img, moment in sources(people):
        if moment.captured_at is None:
            when = given.setdefault(SAME_PICTURE.get(name, name),
                                    epoch + timedelta(seconds=2 * len(given)))  # fmt: skip
            moment = replace(moment, captured_at=when)
        # A camera that shoots bursts writes the sub-second and its counter on each frame.
        moment = replace(moment, capture_subsec=moment.capture_subsec or 0,
                         sequence_number=moment.sequence_number or 0)  # fmt: skip
        yield Picture(name, "original", img, moment)
        for variant, make in COPIES.items():
            kept = DuplicateInput(0, None) if variant in STRIPPED else moment
            yield Picture(name, variant, make(img), kept)
        subsec = (moment.capture_subsec or 0) + 120
        sequence = (moment.sequence_number or 0) + 1
        then = replace(moment, capture_subsec=subsec, sequence_number=sequence)
        frame = next_frame(img)
        yield Picture(name + NEXT_FRAME, "original", frame, then)
        yield Picture(name + NEXT_FRAME, "no_exif", _jpeg(frame, 92), DuplicateInput(0, None))
    yield from raw_sources()


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


def _scores(pics: list[Picture], found: set[tuple[int, int]]) -> Scores:
    """Pair precision and recall of the `found` pairs (positions, i < j), and
    the burst pairs of which any two pictures were found together."""
    by_picture: dict[str, list[int]] = {}
    for k, p in enumerate(pics):
        by_picture.setdefault(p.picture, []).append(k)
    true_pairs = sum(len(ks) * (len(ks) - 1) // 2 for ks in by_picture.values())
    found_true = sum(pics[i].picture == pics[j].picture for i, j in found)
    together = {frozenset((pics[i].source, pics[j].source)) for i, j in found}
    frames = [*BURSTS, *((p.source, p.source + NEXT_FRAME) for p in pics if p.variant == "original"
                         and not p.source.endswith(NEXT_FRAME))]  # fmt: skip
    grouped = sum(frozenset(pair) in together for pair in frames)
    return Scores(true_pairs, found_true, len(found) - found_true, grouped)


def scored(
    pics: list[Picture], fingerprint: Callable[[Image.Image], tuple[int, ...]], line: int
) -> Scores:
    """A hash's pairs: every two pictures within `line` bits (at their closest turn)."""
    prints = [fingerprint(p.image) for p in pics]
    found = {
        (i, j)
        for i, j in itertools.combinations(range(len(pics)), 2)
        if distance(prints[i], prints[j]) <= line or distance(prints[j], prints[i]) <= line
    }
    return _scores(pics, found)


def product_groups(pics: list[Picture], *, moments: bool = True) -> list[tuple[int, ...]]:
    """The product's groups (positions): its fingerprint of each picture's grey,
    grouped with the pictures' moments (without: the pixels alone)."""
    photos = [
        replace(p.moment if moments else DuplicateInput(0, None), photo_id=k,
                fingerprint=fingerprint(np.asarray(p.image.convert("L")),
                                        np.asarray(p.image.convert("RGB"))))
        for k, p in enumerate(pics)
    ]  # fmt: skip
    return [g.photo_ids for g in find_groups(photos)]


def product_scored(pics: list[Picture], *, moments: bool = True) -> Scores:
    """The product's pairs: every two pictures of one of its groups."""
    groups = product_groups(pics, moments=moments)
    found = {pair for group in groups for pair in itertools.combinations(group, 2)}
    return _scores(pics, found)

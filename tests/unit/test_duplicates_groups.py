"""Near-duplicates, the pure part (issue 83): the fingerprint (imaging.fingerprint),
the index's candidates, the grids' likeness, the moment rule and the groups
(curator.duplicates), on real fixture photos and their copies."""

from __future__ import annotations

import io
from dataclasses import replace
from datetime import datetime

import numpy as np
import pytest
from PIL import Image, ImageEnhance

from curator.duplicates.groups import find_groups, prints_of
from curator.duplicates.index import candidate_pairs
from curator.duplicates.likeness import SAME_PICTURE_LINE, likeness
from curator.duplicates.moments import different_moments
from curator.imaging.fingerprint import FINGERPRINT_BYTES, fingerprint
from curator.records import DuplicateInput
from tests.imaging_helpers import fixture

WHEN = datetime(2024, 6, 1, 14, 3, 7)


def _grey(img: Image.Image) -> np.ndarray:
    return np.asarray(img.convert("L"))


def _photo(name: str) -> Image.Image:
    with Image.open(fixture(f"jpeg/{name}")) as img:
        rgb = img.convert("RGB")
    rgb.thumbnail((1024, 1024))
    return rgb


def _jpeg(img: Image.Image, quality: int) -> Image.Image:
    out = io.BytesIO()
    img.save(out, "JPEG", quality=quality)
    return Image.open(io.BytesIO(out.getvalue())).convert("RGB")


def _crop(img: Image.Image, share: float) -> Image.Image:
    w, h = img.size
    dx, dy = round(w * share / 2), round(h * share / 2)
    return img.crop((dx, dy, w - dx, h - dy))


def _input(photo_id: int, img: Image.Image, **moment: object) -> DuplicateInput:
    return DuplicateInput(photo_id, fingerprint(_grey(img)), **moment)  # type: ignore[arg-type]


def test_a_fingerprint_is_its_encoding_and_none_for_a_flat_or_tiny_frame() -> None:
    data = fingerprint(_grey(_photo("nikon_d70s_dark.jpg")))
    assert data is not None and len(data) == FINGERPRINT_BYTES
    read = prints_of([DuplicateInput(1, data)])
    assert read.grids.shape == (1, 3, 16, 16) and read.hashes.shape == (1, 4)
    assert fingerprint(np.full((600, 800), 128, np.uint8)) is None  # flat: says nothing
    assert fingerprint(np.zeros((10, 10), np.uint8)) is None
    other_version = DuplicateInput(2, b"\x09" + data[1:])
    assert prints_of([other_version]).photos == ()  # not read as this one


def test_copies_are_candidates_and_alike_and_another_photo_is_not() -> None:
    img = _photo("olympus_ep3_iso1600.jpg")
    copies = [
        img,
        img.transpose(Image.Transpose.ROTATE_90),
        _crop(img, 0.05),
        _jpeg(img.resize((img.width // 4, img.height // 4)), 50),
        ImageEnhance.Contrast(ImageEnhance.Brightness(img).enhance(1.15)).enhance(1.1),
    ]
    other = _photo("canon_sd300_1-6s_soft.jpg")
    prints = prints_of([_input(k, c) for k, c in enumerate([*copies, other])])
    found = candidate_pairs(prints.hashes)
    pairs = set(zip(found.left.tolist(), found.right.tolist(), strict=True))
    for k in range(1, len(copies)):
        assert (0, k) in pairs, (k, pairs)
    assert not any(5 in pair for pair in pairs)  # the other photo is no candidate
    alike = likeness(prints.grids, found.left, found.right, found.turn)
    assert (alike >= SAME_PICTURE_LINE).all(), alike


def test_the_probes_find_what_the_whole_index_finds_for_them() -> None:
    rng = np.random.default_rng(7)
    hashes = rng.integers(0, 2**63, size=(500, 4), dtype=np.int64).astype(np.uint64)
    hashes[400] = hashes[3] ^ np.uint64(0b1011)  # 3 bits from photo 3 upright
    hashes[401, 2] = hashes[9, 0]  # photo 401 turned twice is photo 9 upright
    whole = candidate_pairs(hashes)
    probed = candidate_pairs(hashes, np.array([400, 401]))
    pairs = set(zip(whole.left.tolist(), whole.right.tolist(), strict=True))
    assert {(3, 400), (9, 401)} <= pairs
    mine = {p for p in pairs if 400 in p or 401 in p}
    assert set(zip(probed.left.tolist(), probed.right.tolist(), strict=True)) == mine
    assert len(candidate_pairs(hashes[:1])) == 0


@pytest.mark.parametrize(
    ("b", "why"),
    [
        ({"captured_at": WHEN.replace(second=9)}, "taken at different times"),
        ({"capture_subsec": 650}, "burst"),
        ({"sequence_number": 42}, "sequence"),
        ({"exposure_bias": -0.7}, "bracket"),
        ({"exposure_time": 1 / 250}, "different exposures"),
    ],
)
def test_different_moments_are_said(b: dict[str, object], why: str) -> None:
    a = DuplicateInput(1, None, WHEN, 120, 41, 1 / 125, 4.0, 200, 0.0)
    other = replace(a, **b)  # type: ignore[arg-type]
    said = different_moments(a, other)
    assert said is not None and why in said
    assert different_moments(a, a) is None
    assert different_moments(a, DuplicateInput(2, None)) is None  # a web copy: can't tell


def test_a_burst_is_never_a_group_and_a_web_copy_joins_its_own_frame() -> None:
    first = _photo("exiv2_FurnaceCreekInn.jpg")
    w, h = first.size
    second = first.crop((6, 0, w, h)).resize((w, h))  # panned a little: the next frame
    photos = [
        _input(1, first, captured_at=WHEN, capture_subsec=100, sequence_number=7),
        _input(2, second, captured_at=WHEN, capture_subsec=350, sequence_number=8),
        _input(3, _jpeg(second, 60)),  # the second frame's web copy: no EXIF
        _input(4, first.resize((w // 2, h // 2)), captured_at=WHEN, capture_subsec=100),
    ]
    groups = [g.photo_ids for g in find_groups(photos)]
    assert groups == [(1, 4), (2, 3)]
    # Without the moments the pixels alone make one group of all four: the rule parts them.
    bare = [DuplicateInput(p.photo_id, p.fingerprint) for p in photos]
    assert [g.photo_ids for g in find_groups(bare)] == [(1, 2, 3, 4)]


def test_a_pair_marked_apart_is_never_grouped_again() -> None:
    img = _photo("jolla_leaf_soft.jpg")
    photos = [_input(1, img), _input(2, _jpeg(img, 50)), _input(3, img.resize((200, 150)))]
    assert [g.photo_ids for g in find_groups(photos)] == [(1, 2, 3)]
    apart = [g.photo_ids for g in find_groups(photos, [(2, 1)])]
    assert apart == [(1, 3)]  # 2 is not 1's; it could only join through 1's group
    assert find_groups([DuplicateInput(9, None), DuplicateInput(10, b"bad")]) == []


@pytest.mark.parametrize("orientation", range(2, 9))
def test_a_file_stored_turned_or_mirrored_under_its_exif_orientation_is_the_same_picture(
    orientation: int,
) -> None:
    """The fixtures' orientation set: one picture stored eight ways, each with
    the EXIF orientation that shows it upright. Measured on the upright
    preview, as the technical stage gives it, all are one picture."""
    from curator.imaging.decode import decode_image
    from curator.imaging.exif import read_exif

    def upright(name: str) -> DuplicateInput:
        data = fixture(f"jpeg/orientation/{name}").read_bytes()
        e = read_exif(data, is_raw=False)
        decoded = decode_image(data, is_raw=False, exif_orientation=e.orientation)
        return DuplicateInput(int(name[-5]), fingerprint(decoded.luma, np.asarray(decoded.preview)))

    pair = [upright("landscape_1.jpg"), upright(f"landscape_{orientation}.jpg")]
    assert [g.photo_ids for g in find_groups(pair)] == [(1, orientation)]

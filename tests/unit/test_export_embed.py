"""export.embed: XMP into a copy's JPEG segment, PNG chunk or TIFF directory, the
image data never touched, the original's packet handed over for merging, and a
sentence for what can't be done safely."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from curator.export.embed import (
    MAX_JPEG_PACKET,
    Container,
    EmbedError,
    plan_embedding,
    with_jpeg_packet,
)
from curator.interop.xmp.read import embedded_packet
from tests.imaging_helpers import make_jpeg
from tests.xmp_helpers import embed_in_jpeg, packet

PIXELS = (np.arange(48 * 32 * 3, dtype=np.uint8) % 251).reshape(32, 48, 3)


def _copy(source: Path, target: Path, container: Container, new: bytes) -> bytes | None:
    """Write `target` the way the exporter does; returns the original's packet."""
    seen: list[bytes | None] = []

    def packet_for(existing: bytes | None) -> bytes:
        seen.append(existing)
        return new

    plan = plan_embedding(str(source), container, packet_for)
    data = source.read_bytes()
    with open(target, "wb") as out:
        out.write(plan.new_head + data[plan.head_end :] if plan.new_head else data)
        plan.finish(out, len(data))
    return seen[0]


def test_a_jpegs_own_packet_is_handed_over_and_replaced_scan_untouched(tmp_path: Path) -> None:
    source = embed_in_jpeg(make_jpeg(tmp_path / "a.jpg", 64, 48), packet('xmp:Rating="2"'))
    new = packet('xmp:Rating="5"')
    old = _copy(source, tmp_path / "b.jpg", Container.JPEG, new)
    assert old is not None and b'xmp:Rating="2"' in old
    assert embedded_packet(str(tmp_path / "b.jpg")) == new
    with Image.open(source) as a, Image.open(tmp_path / "b.jpg") as b:
        assert np.array_equal(np.asarray(a), np.asarray(b))
    scan = source.read_bytes().index(b"\xff\xda")
    assert (tmp_path / "b.jpg").read_bytes().endswith(source.read_bytes()[scan:])


def test_png_and_tiff_with_and_without_a_packet(tmp_path: Path) -> None:
    Image.fromarray(PIXELS).save(tmp_path / "a.png")
    first, second = packet('xmp:Rating="3"'), packet('xmp:Rating="4"')
    assert _copy(tmp_path / "a.png", tmp_path / "b.png", Container.PNG, first) is None
    assert embedded_packet(str(tmp_path / "b.png")) == first
    assert _copy(tmp_path / "b.png", tmp_path / "c.png", Container.PNG, second) == first
    assert embedded_packet(str(tmp_path / "c.png")) == second  # replaced, not doubled
    Image.fromarray(PIXELS).save(tmp_path / "a.tif")
    assert _copy(tmp_path / "a.tif", tmp_path / "b.tif", Container.TIFF, first) is None
    assert _copy(tmp_path / "b.tif", tmp_path / "c.tif", Container.TIFF, second) == first
    for name in ("b.png", "c.png", "b.tif", "c.tif"):
        with Image.open(tmp_path / name) as img:
            assert np.array_equal(np.asarray(img.convert("RGB")), PIXELS), name
    assert embedded_packet(str(tmp_path / "c.tif")) == second


def test_what_cannot_be_done_safely_says_why(tmp_path: Path) -> None:
    big = tmp_path / "big.tif"
    big.write_bytes(b"II+\x00" + b"\x00" * 64)  # BigTIFF
    with pytest.raises(EmbedError, match="BigTIFF"):
        plan_embedding(str(big), Container.TIFF, lambda _old: b"x")
    jpeg = make_jpeg(tmp_path / "a.jpg", 32, 32)
    with pytest.raises(EmbedError, match="larger than one JPEG segment"):
        plan_embedding(str(jpeg), Container.JPEG, lambda _old: b"x" * (MAX_JPEG_PACKET + 1))
    with pytest.raises(EmbedError, match="JPEG"):
        plan_embedding(str(big), Container.JPEG, lambda _old: b"x")


def test_a_renditions_packet_is_swapped_in_memory() -> None:
    out = io.BytesIO()
    Image.fromarray(PIXELS).save(out, "JPEG", xmp=packet('xmp:Rating="1"'))
    swapped = with_jpeg_packet(out.getvalue(), lambda _old: packet('xmp:Rating="4"'))
    with Image.open(io.BytesIO(swapped)) as img:
        assert b'xmp:Rating="4"' in img.info["xmp"]

"""XMP embedded in an exported copy: where JPEG, PNG and TIFF (DNG) files keep it.

Lightroom reads sidecars only for proprietary RAWs; for JPEG, TIFF, PNG and DNG
it reads the XMP inside the file. Only the copy's metadata container changes:
- JPEG: an APP1 `http://ns.adobe.com/xap/1.0/\\0` segment (≤ 65,502 bytes)
  after APP0/Exif, replacing the file's own;
- PNG: an uncompressed iTXt `XML:com.adobe.xmp` before the first IDAT;
- TIFF and DNG (not BigTIFF): IFD0 tag 700, the packet appended and pointed
  at (a copy of IFD0 appended when needed): no offset moves.

`plan_embedding(source)` reads the original; the `Embedding` writes the copy in
one pass. Anything unexpected is `EmbedError`: the copy is then byte for byte
and its sidecar carries the decisions.
"""

from __future__ import annotations

import io
import os
import struct
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import BinaryIO

from curator.imaging.regular import open_regular

JPEG_XMP_HEADER = b"http://ns.adobe.com/xap/1.0/\x00"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
PNG_XMP_KEYWORD = b"XML:com.adobe.xmp"
MAX_JPEG_PACKET = 65_533 - len(JPEG_XMP_HEADER)
HEAD_LIMIT = 8 * 1024 * 1024
"""Bytes of a JPEG or PNG read to find where the image data starts."""

EMBEDDED_SUFFIXES = frozenset({".jpg", ".jpeg", ".png", ".tif", ".tiff", ".dng"})
"""Exported copies that carry XMP inside (proprietary RAW keeps a sidecar: a
camera maker's format is never rewritten; HEIC/HEIF keep a sidecar too)."""


class EmbedError(ValueError):
    """The copy can't carry XMP inside safely; the message is one sentence."""


class Container(StrEnum):
    JPEG = "jpeg"
    PNG = "png"
    TIFF = "tiff"


PacketFn = Callable[[bytes | None], bytes]
"""The packet to embed, given the one the original holds (None: it has none)."""


@dataclass(frozen=True)
class Embedding:
    """How to write one copy with `packet` inside (see the module docstring)."""

    container: Container
    packet: bytes
    existing: bytes | None  # the original's own packet (merged into `packet`)
    head_end: int = 0  # JPEG/PNG: bytes of the original the new head replaces
    new_head: bytes = b""
    tiff: _TiffIfd | None = None

    def finish(self, out: BinaryIO, end: int) -> None:
        """After the whole original was written to `out` (`end` bytes): the TIFF
        packet and IFD; nothing for JPEG and PNG (their head was replaced)."""
        if self.tiff is not None:
            _finish_tiff(out, end, self.tiff, self.packet)


@dataclass(frozen=True)
class _TiffIfd:
    order: str  # "<" or ">"
    offset: int  # IFD0's offset
    entries: tuple[bytes, ...]  # the 12-byte entries as in the file
    next_ifd: int
    xmp_index: int | None  # index of the tag 700 entry, when there is one


def container_of(name: str) -> Container | None:
    """Which container an exported file of this name gets its XMP in (None: a sidecar only)."""
    suffix = os.path.splitext(name)[1].lower()
    if suffix not in EMBEDDED_SUFFIXES:
        return None
    if suffix in (".jpg", ".jpeg"):
        return Container.JPEG
    return Container.PNG if suffix == ".png" else Container.TIFF


def plan_embedding(source: str, container: Container, packet_for: PacketFn) -> Embedding:
    """Read the original's head and packet; the plan for writing its copy. Raises
    `EmbedError` (a sentence) or OSError (the original can't be read)."""
    with io.BufferedReader(open_regular(source)) as f:
        if container is Container.TIFF:
            ifd = _read_tiff_ifd(f)
            existing = _tiff_packet(f, ifd)
            return Embedding(container, packet_for(existing), existing, tiff=ifd)
        prefix = f.read(HEAD_LIMIT)
    if container is Container.JPEG:
        return jpeg_embedding(prefix, packet_for)
    return _png_embedding(prefix, packet_for)


# -- JPEG ---------------------------------------------------------------------------


def _jpeg_segments(data: bytes) -> tuple[list[tuple[int, int, int]], int]:
    """([(marker, start, end)] of the segments before the scan, scan start)."""
    if data[:2] != b"\xff\xd8":
        raise EmbedError("it does not start like a JPEG file")
    pos = 2
    segments: list[tuple[int, int, int]] = []
    while True:
        if pos + 4 > len(data):
            raise EmbedError("its metadata does not end within the first megabytes")
        if data[pos] != 0xFF:
            raise EmbedError("its segments do not follow the JPEG layout")
        marker = data[pos + 1]
        if marker == 0xFF:
            pos += 1
            continue
        if marker in (0xDA, 0xD9):
            return segments, pos
        if 0xD0 <= marker <= 0xD7 or marker == 0x01:
            segments.append((marker, pos, pos + 2))
            pos += 2
            continue
        length = struct.unpack(">H", data[pos + 2 : pos + 4])[0]
        if length < 2:
            raise EmbedError("a segment of it has an impossible length")
        segments.append((marker, pos, pos + 2 + length))
        pos += 2 + length


def jpeg_packet(data: bytes) -> bytes | None:
    """The XMP packet in a JPEG's head (None without one)."""
    segments, _ = _jpeg_segments(data)
    for marker, start, end in segments:
        body = data[start + 4 : end]
        if marker == 0xE1 and body.startswith(JPEG_XMP_HEADER):
            return body[len(JPEG_XMP_HEADER) :]
    return None


def jpeg_embedding(data: bytes, packet_for: PacketFn) -> Embedding:
    """The new head of a JPEG whose first bytes are `data` (at least its head)."""
    segments, scan = _jpeg_segments(data)
    existing = jpeg_packet(data)
    packet = packet_for(existing)
    if len(packet) > MAX_JPEG_PACKET:
        raise EmbedError("the XMP is larger than one JPEG segment holds")
    ours = b"\xff\xe1" + struct.pack(">H", len(packet) + 2 + len(JPEG_XMP_HEADER))
    ours += JPEG_XMP_HEADER + packet
    parts, placed = [b"\xff\xd8"], False
    for marker, start, end in segments:
        body = data[start + 4 : end]
        if marker == 0xE1 and body.startswith(JPEG_XMP_HEADER):
            continue  # the original's packet: merged into ours
        early = marker == 0xE0 or (marker == 0xE1 and body.startswith(b"Exif\x00"))
        if not early and not placed:
            parts.append(ours)
            placed = True
        parts.append(data[start:end])
    if not placed:
        parts.append(ours)
    return Embedding(Container.JPEG, packet, existing, head_end=scan, new_head=b"".join(parts))


def with_jpeg_packet(data: bytes, packet_for: PacketFn) -> bytes:
    """A whole JPEG (bytes) with its XMP segment replaced (a rendition's refresh)."""
    plan = jpeg_embedding(data, packet_for)
    return plan.new_head + data[plan.head_end :]


# -- PNG ----------------------------------------------------------------------------


def _png_chunks(data: bytes) -> tuple[list[tuple[bytes, int, int]], int]:
    if not data.startswith(PNG_SIGNATURE):
        raise EmbedError("it does not start like a PNG file")
    pos = len(PNG_SIGNATURE)
    chunks: list[tuple[bytes, int, int]] = []
    while True:
        if pos + 8 > len(data):
            raise EmbedError("its image data does not start within the first megabytes")
        length = struct.unpack(">I", data[pos : pos + 4])[0]
        kind = data[pos + 4 : pos + 8]
        if kind == b"IDAT":
            return chunks, pos
        end = pos + 12 + length
        if end > len(data):
            raise EmbedError("a chunk of it runs past the first megabytes")
        chunks.append((kind, pos, end))
        pos = end


def _is_png_xmp(data: bytes, start: int, end: int) -> bool:
    return data[start + 4 : start + 8] == b"iTXt" and data[start + 8 : end].startswith(
        PNG_XMP_KEYWORD + b"\x00"
    )


def _png_embedding(data: bytes, packet_for: PacketFn) -> Embedding:
    chunks, idat = _png_chunks(data)
    existing = None
    for _kind, start, end in chunks:
        if _is_png_xmp(data, start, end):
            body = data[start + 8 : end - 4]
            # keyword \0, compression flag, method, language \0, translated keyword \0, text
            rest = body[len(PNG_XMP_KEYWORD) + 1 :]
            if rest[:1] == b"\x00":
                existing = rest[2:].split(b"\x00", 2)[-1]
    packet = packet_for(existing)
    body = PNG_XMP_KEYWORD + b"\x00\x00\x00\x00\x00" + packet
    chunk = struct.pack(">I", len(body)) + b"iTXt" + body
    chunk += struct.pack(">I", zlib.crc32(b"iTXt" + body) & 0xFFFFFFFF)
    parts = [PNG_SIGNATURE]
    for _kind, start, end in chunks:
        if not _is_png_xmp(data, start, end):
            parts.append(data[start:end])
    parts.append(chunk)
    return Embedding(Container.PNG, packet, existing, head_end=idat, new_head=b"".join(parts))


# -- TIFF / DNG ---------------------------------------------------------------------


def _read_tiff_ifd(f: BinaryIO) -> _TiffIfd:
    head = f.read(8)
    if head[:4] not in (b"II*\x00", b"MM\x00*"):
        raise EmbedError("it is not a classic TIFF file (BigTIFF and others keep a sidecar)")
    order = "<" if head[:2] == b"II" else ">"
    size = os.fstat(f.fileno()).st_size
    offset = struct.unpack(order + "I", head[4:8])[0]
    if not 8 <= offset < size - 2:
        raise EmbedError("its TIFF header points outside the file")
    f.seek(offset)
    count = struct.unpack(order + "H", f.read(2))[0]
    raw = f.read(12 * count + 4)
    if len(raw) < 12 * count + 4:
        raise EmbedError("its first TIFF directory runs past the end of the file")
    entries = tuple(raw[12 * i : 12 * i + 12] for i in range(count))
    xmp_index = None
    for i, entry in enumerate(entries):
        if struct.unpack(order + "H", entry[:2])[0] == 700:
            xmp_index = i
    next_ifd = struct.unpack(order + "I", raw[12 * count :])[0]
    return _TiffIfd(order, offset, entries, next_ifd, xmp_index)


def _tiff_packet(f: BinaryIO, ifd: _TiffIfd) -> bytes | None:
    if ifd.xmp_index is None:
        return None
    _tag, typ, count, value = struct.unpack(ifd.order + "HHII", ifd.entries[ifd.xmp_index])
    if typ not in (1, 7):
        raise EmbedError("its XMP tag has a type XMP never uses")
    if count <= 4:
        return ifd.entries[ifd.xmp_index][8 : 8 + count]
    f.seek(value)
    data = f.read(count)
    if len(data) < count:
        raise EmbedError("its XMP tag points past the end of the file")
    return data


def _finish_tiff(out: BinaryIO, end: int, ifd: _TiffIfd, packet: bytes) -> None:
    order = ifd.order
    packet_at = end + (end & 1)  # TIFF values start on a word boundary
    out.seek(end)
    out.write(b"\x00" * (packet_at - end) + packet)
    entry = struct.pack(order + "HHII", 700, 1, len(packet), packet_at)
    if ifd.xmp_index is not None:
        out.seek(ifd.offset + 2 + 12 * ifd.xmp_index)
        out.write(entry)
        return
    tagged = [(struct.unpack(order + "H", e[:2])[0], e) for e in ifd.entries]
    tagged.append((700, entry))
    tagged.sort(key=lambda t: t[0])
    ifd_at = packet_at + len(packet)
    ifd_at += ifd_at & 1
    out.seek(packet_at + len(packet))
    out.write(b"\x00" * (ifd_at - packet_at - len(packet)))
    out.write(struct.pack(order + "H", len(tagged)))
    out.write(b"".join(e for _, e in tagged))
    out.write(struct.pack(order + "I", ifd.next_ifd))
    out.seek(4)
    out.write(struct.pack(order + "I", ifd_at))

"""What the camera says a shot was: single, continuous or a bracket frame.

Reads the drive mode and the frame's place in its sequence from EXIF and maker
notes, so ml.bursts can tell a burst or bracket from two single shots. Pure;
never raises. Sources, the first that says something wins:
- Sony: 0xB049 ReleaseMode, 0xB04A SequenceNumber;
- Nikon type 3 (own TIFF header): 0x0089 ShootingMode bits;
- Canon: CameraSettings (0x0001) index 5, ContinuousDrive;
- Fujifilm (offsets from the note): 0x1100 AutoBracketing, 0x1101 SequenceNumber;
- Panasonic: 0x002A BurstMode, 0x002B SequenceNumber;
- EXIF ExposureMode 2 makes any of these a bracket frame.
Checked against ExifTool's reading of the camera fixtures (tests).
"""

from __future__ import annotations

import struct

from curator.records import DriveMode

_SONY_RELEASE = {0: DriveMode.SINGLE, 2: DriveMode.CONTINUOUS}
_SONY_BRACKETS = {5, 6, 8, 17, 18}
_CANON_SINGLE = {0, 6, 9}
_PANASONIC_BRACKETS = {2, 3, 8, 0x12}

# (tag, count) values of one IFD: small ints only (SHORT, LONG, SSHORT, SLONG).
_TYPES = {3: ("H", 2), 4: ("I", 4), 8: ("h", 2), 9: ("i", 4)}


def tiff_start(data: bytes) -> int | None:
    """Where the EXIF block's TIFF header starts: 0 for TIFF-based files (most
    RAWs), after ``Exif\\0\\0`` for JPEG; None when there is none to find."""
    if data[:4] in (b"II*\x00", b"MM\x00*"):
        return 0
    at = data.find(b"Exif\x00\x00", 0, 1 << 16)
    if at < 0 or data[at + 6 : at + 8] not in (b"II", b"MM"):
        return None
    return at + 6


def _ifd(
    data: bytes, start: int, base: int, order: str, wanted: set[int]
) -> dict[int, tuple[int, ...]]:
    """The `wanted` tags of the IFD at `start`; offsets count from `base`."""
    out: dict[int, tuple[int, ...]] = {}
    if start < 0 or start + 2 > len(data):
        return out
    (count,) = struct.unpack_from(order + "H", data, start)
    for i in range(min(count, 512)):
        at = start + 2 + 12 * i
        if at + 12 > len(data):
            break
        tag, kind, n = struct.unpack_from(order + "HHI", data, at)
        if tag not in wanted or kind not in _TYPES or not 0 < n <= 64:
            continue
        code, size = _TYPES[kind]
        where = at + 8 if size * n <= 4 else base + struct.unpack_from(order + "I", data, at + 8)[0]
        if where + size * n > len(data):
            continue
        out[tag] = struct.unpack_from(order + code * n, data, where)
    return out


def maker_note_offset(data: bytes, tiff: int) -> tuple[int, int] | None:
    """The maker note's (offset from the TIFF header, length): IFD0 → Exif IFD
    (0x8769) → MakerNote (0x927C); None when there is none."""
    order = "<" if data[tiff : tiff + 2] == b"II" else ">"
    (first,) = struct.unpack_from(order + "I", data, tiff + 4)
    exif = _ifd(data, tiff + first, tiff, order, {0x8769}).get(0x8769)
    if not exif:
        return None
    start = tiff + exif[0]
    (count,) = struct.unpack_from(order + "H", data, start)
    for i in range(min(count, 512)):
        tag, kind, n, value = struct.unpack_from(order + "HHII", data, start + 2 + 12 * i)
        if tag == 0x927C and kind in (1, 7) and n > 4:  # UNDEFINED (or BYTE)
            # A note that runs past the end of the bytes (a cut-off file) says nothing.
            return (int(value), int(n)) if tiff + value + n <= len(data) else None
    return None


def _sony(data: bytes, note: int, tiff: int, order: str) -> tuple[DriveMode | None, int | None]:
    start = note + 12 if data[note : note + 4] == b"SONY" else note
    order = _plausible_order(data, start, order)
    tags = _ifd(data, start, tiff, order, {0xB049, 0xB04A})
    mode = None
    if 0xB049 in tags:
        release = tags[0xB049][0]
        mode = DriveMode.BRACKET if release in _SONY_BRACKETS else _SONY_RELEASE.get(release)
    seq = tags.get(0xB04A, (None,))[0]
    if seq == 0 and mode is None:
        mode = DriveMode.SINGLE
    return mode, seq if seq not in (None, 0, 65535) else None


def _nikon(data: bytes, note: int) -> tuple[DriveMode | None, int | None]:
    base = note + 10
    order = "<" if data[base : base + 2] == b"II" else ">"
    (first,) = struct.unpack_from(order + "I", data, base + 4)
    tags = _ifd(data, base + first, base, order, {0x0089})
    if 0x0089 not in tags:
        return None, None
    bits = tags[0x0089][0]
    if bits & 0x10:
        return DriveMode.BRACKET, None
    return (DriveMode.CONTINUOUS if bits & 0x01 else DriveMode.SINGLE), None


def _plausible_order(data: bytes, start: int, order: str) -> str:
    """The byte order in which the IFD at `start` has a plausible entry count:
    some cameras (Canon PowerShots) write a little-endian note in big-endian EXIF."""
    (count,) = struct.unpack_from(order + "H", data, start)
    if 0 < count <= 200:
        return order
    return "<" if order == ">" else ">"


def _canon(
    data: bytes, note: int, length: int, tiff: int, order: str
) -> tuple[DriveMode | None, int | None]:
    order = _plausible_order(data, note, order)
    base = tiff
    footer = data[note + length - 8 : note + length]
    if footer[:4] in (b"II*\x00", b"MM\x00*"):
        # An edited file moved the note; the footer says where it was written, and
        # the note's offsets still count from there (ExifTool's fix-up).
        (written,) = struct.unpack_from("<I" if footer[:2] == b"II" else ">I", footer, 4)
        base = note - written
    settings = _ifd(data, note, base, order, {0x0001}).get(0x0001, ())
    if len(settings) <= 5 or settings[0] != 2 * len(settings):  # its first value: its size
        return None, None
    drive = settings[5]
    return (DriveMode.SINGLE if drive in _CANON_SINGLE else DriveMode.CONTINUOUS), None


def _fujifilm(data: bytes, note: int) -> tuple[DriveMode | None, int | None]:
    (first,) = struct.unpack_from("<I", data, note + 8)
    tags = _ifd(data, note + first, note, "<", {0x1100, 0x1101})
    seq = tags.get(0x1101, (None,))[0]
    if tags.get(0x1100, (0,))[0]:
        return DriveMode.BRACKET, seq or None
    if 0x1100 in tags:
        return (DriveMode.CONTINUOUS if seq else DriveMode.SINGLE), seq or None
    return None, None


def _panasonic(
    data: bytes, note: int, tiff: int, order: str
) -> tuple[DriveMode | None, int | None]:
    order = _plausible_order(data, note + 12, order)
    tags = _ifd(data, note + 12, tiff, order, {0x002A, 0x002B})
    seq = tags.get(0x002B, (None,))[0]
    if 0x002A not in tags:
        return None, None
    burst = tags[0x002A][0]
    if burst == 0:
        return DriveMode.SINGLE, None
    mode = DriveMode.BRACKET if burst in _PANASONIC_BRACKETS else DriveMode.CONTINUOUS
    return mode, seq or None


def read_drive(
    data: bytes, make: str | None, exposure_mode: int | None = None
) -> tuple[DriveMode | None, int | None]:
    """(drive mode, sequence index) of a file's bytes; `make` and `exposure_mode`
    (the EXIF ExposureMode) as the EXIF reader found them. Never raises: an
    unreadable note says nothing."""
    mode: DriveMode | None = None
    seq: int | None = None
    tiff = tiff_start(data)
    if tiff is not None and make:
        order = "<" if data[tiff : tiff + 2] == b"II" else ">"
        brand = make.split()[0].upper()
        try:
            found = maker_note_offset(data, tiff)
            note, length = (tiff + found[0], found[1]) if found else (len(data), 0)
            if brand == "SONY":
                mode, seq = _sony(data, note, tiff, order)
            elif brand == "NIKON" and data[note : note + 6] == b"Nikon\x00":
                mode, seq = _nikon(data, note)
            elif brand == "CANON":
                mode, seq = _canon(data, note, length, tiff, order)
            elif brand == "FUJIFILM" and data[note : note + 8] == b"FUJIFILM":
                mode, seq = _fujifilm(data, note)
            elif brand == "PANASONIC" and data[note : note + 9] == b"Panasonic":
                mode, seq = _panasonic(data, note, tiff, order)
        except (struct.error, IndexError, ValueError):
            mode, seq = None, None
    if exposure_mode == 2:
        mode = DriveMode.BRACKET  # EXIF "auto bracket"
    return mode, seq

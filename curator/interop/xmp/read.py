"""Reading XMP: what a photo's sidecar or embedded packet says (pure: no catalog, no Qt).

`find_xmp(path)` looks for a sidecar (`IMG_1.xmp` or `IMG_1.CR2.xmp`, any case;
the newer wins, on a tie `name.ext.xmp`), else the embedded packet
(`embedded_packet`, the file's head only).

Read (`XmpFields`): rating (xmp:Rating, else `MicrosoftPhoto:Rating`), label
(`_labels`; unknown texts in `label_keywords`), pick and reject flags
(digiKam:PickLabel, photomechanic:Tagged, xmpDM:good), keywords (dc:subject,
lr:hierarchicalSubject, else TagsList), dc:description, xmp:CreatorTool,
Curator's scores, and whether darktable wrote it.

A packet with a DOCTYPE or ENTITY is refused unparsed. Nothing raises for a
bad file: `read_xmp` returns None, `find_xmp` says why in `problem`.
"""

from __future__ import annotations

import io
import os
import re
import struct
import xml.etree.ElementTree as ET
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, replace
from typing import BinaryIO

from curator.imaging.regular import FileTooLargeError, open_regular, read_regular
from curator.interop.labels import (
    DARKTABLE_COLORS,
    DIGIKAM_COLORS,
    PHOTO_MECHANIC_CLASSES,
    color_of,
)
from curator.interop.xmp.fields import CURATOR_NS, XmpFields
from curator.interop.xmp.named_regions import named_regions

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
XMP = "http://ns.adobe.com/xap/1.0/"
DC = "http://purl.org/dc/elements/1.1/"
LR = "http://ns.adobe.com/lightroom/1.0/"
DIGIKAM = "http://www.digikam.org/ns/1.0/"
PHOTOMECHANIC = "http://ns.camerabits.com/photomechanic/1.0/"
XMPDM = "http://ns.adobe.com/xmp/1.0/DynamicMedia/"
DARKTABLE = "http://darktable.sf.net/"
MICROSOFT_PHOTO = "http://ns.microsoft.com/photo/1.0/"
TIFF = "http://ns.adobe.com/tiff/1.0/"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"

MAX_PACKET_BYTES = 16 * 1024 * 1024
"""A sidecar or packet larger than this is not read (real ones are kilobytes)."""

JPEG_XMP_HEADER = b"http://ns.adobe.com/xap/1.0/\x00"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
TIFF_XMP_TAG = 700

_TRUE = {"true", "1", "yes"}
_FALSE = {"false", "0", "no"}


class XmpError(ValueError):
    """A packet that can't be read; str() is the reason, for a sentence."""


@dataclass(frozen=True)
class XmpFound:
    """What `find_xmp` found for one photo: `fields` (None: nothing readable),
    `origin` (the sidecar, or the photo itself for an embedded packet), that
    file's `mtime_ns`, and `problem`, a sentence about a bad sidecar or packet."""

    fields: XmpFields | None
    origin: str | None = None
    mtime_ns: int | None = None
    embedded: bool = False
    problem: str | None = None


# -- finding the packet -------------------------------------------------------------


def sidecar_candidates(
    photo_path: str, names: Mapping[str, str] | None = None
) -> list[tuple[str, int]]:
    """The existing sidecars of `photo_path` as (path, mtime_ns), the preferred
    first; `names`: the folder's `folder_names`, listed once by a caller that
    reads many of its photos."""
    folder, name = os.path.split(photo_path)
    if names is None:
        names = folder_names(folder)
    stem = os.path.splitext(name)[0]
    found: list[tuple[str, int, int]] = []
    for rank, wanted in enumerate((name + ".xmp", stem + ".xmp")):
        real = names.get(wanted.lower())
        if real is None:
            continue
        path = os.path.join(folder, real)
        try:
            st = os.stat(path)
        except OSError:
            continue
        if any(p == path for p, _, _ in found):
            continue
        found.append((path, st.st_mtime_ns, rank))
    found.sort(key=lambda f: (-f[1], f[2]))  # newest first; name.ext.xmp on a tie
    return [(p, m) for p, m, _ in found]


def has_sidecar(photo_path: str) -> bool:
    """Whether an XMP sidecar of `photo_path` lies beside it (`sidecar_candidates`)."""
    return bool(sidecar_candidates(photo_path))


def folder_names(folder: str) -> dict[str, str]:
    """Lower-case name → real name for the `.xmp` files of `folder` ({} if unreadable)."""
    try:
        entries = os.listdir(folder or ".")
    except OSError:
        return {}
    return {n.lower(): n for n in entries if n.lower().endswith(".xmp")}


def find_xmp(photo_path: str, names: Mapping[str, str] | None = None) -> XmpFound:
    """The XMP that applies to `photo_path` (see the module docstring). Never raises."""
    problem: str | None = None
    for sidecar, mtime in sidecar_candidates(photo_path, names):
        try:
            fields, capped = _capped(parse_packet(_read_limited(sidecar)), sidecar)
            return XmpFound(fields, sidecar, mtime, embedded=False, problem=problem or capped)
        except (OSError, XmpError) as exc:
            problem = problem or (
                f"The sidecar {os.path.basename(sidecar)} could not be read ({_reason(exc)}); "
                "its ratings and keywords were not taken."
            )
    try:
        packet = embedded_packet(photo_path)
        if packet is None:
            return XmpFound(None, problem=problem)
        fields, capped = _capped(parse_packet(packet), photo_path)
        mtime = os.stat(photo_path).st_mtime_ns
        return XmpFound(fields, photo_path, mtime, embedded=True, problem=problem or capped)
    except (OSError, XmpError) as exc:
        problem = problem or (
            f"The XMP inside {os.path.basename(photo_path)} could not be read "
            f"({_reason(exc)}); its ratings and keywords were not taken."
        )
        return XmpFound(None, problem=problem)


# No real photo carries more keywords; a packet listing 500,000 kept an import
# inside one transaction for 20 minutes.
MAX_KEYWORDS = 1_000


def _capped(fields: XmpFields, where: str) -> tuple[XmpFields, str | None]:
    """`fields` with at most `MAX_KEYWORDS` keywords of each kind, and the
    sentence saying so when some were left out (they stay in the file)."""
    many = max(len(fields.keywords), len(fields.hierarchical))
    if many <= MAX_KEYWORDS:
        return fields, None
    kept = replace(
        fields,
        keywords=fields.keywords[:MAX_KEYWORDS],
        hierarchical=fields.hierarchical[:MAX_KEYWORDS],
    )
    return kept, (
        f"The XMP of {os.path.basename(where)} lists {many:,} keywords; only the first "
        f"{MAX_KEYWORDS:,} were taken (the file keeps them all)."
    )


def read_xmp(photo_path: str) -> XmpFields | None:
    """What the photo's sidecar (or else embedded XMP) says; None if nothing readable."""
    return find_xmp(photo_path).fields


def _reason(exc: BaseException) -> str:
    if isinstance(exc, OSError):
        return exc.strerror or type(exc).__name__
    return str(exc)


def _read_limited(path: str) -> bytes:
    """A sidecar's bytes: only a regular file (never a FIFO or device), at most
    `MAX_PACKET_BYTES` of it."""
    try:
        return read_regular(path, MAX_PACKET_BYTES)
    except FileTooLargeError:
        raise XmpError("it is larger than any real sidecar") from None


def embedded_packet(photo_path: str) -> bytes | None:
    """The XMP packet inside a JPEG, PNG or TIFF-based file, None when it has
    none. Raises OSError (unreadable file) or XmpError (a pointer that lies)."""
    with io.BufferedReader(open_regular(photo_path)) as f:
        head = f.read(4)
        if head[:2] == b"\xff\xd8":
            return _jpeg_packet(f)
        if head[:2] in (b"II", b"MM"):
            return _tiff_packet(f, head)
        if head == PNG_SIGNATURE[:4]:
            return _png_packet(f)
    return None


def _png_packet(f: BinaryIO) -> bytes | None:
    """The uncompressed iTXt chunk "XML:com.adobe.xmp" before the image data."""
    f.seek(len(PNG_SIGNATURE))
    while True:
        head = f.read(8)
        if len(head) < 8:
            return None
        length, kind = struct.unpack(">I", head[:4])[0], head[4:]
        if kind in (b"IDAT", b"IEND") or length > MAX_PACKET_BYTES:
            return None
        if kind != b"iTXt":
            f.seek(length + 4, os.SEEK_CUR)
            continue
        body = f.read(length)
        f.seek(4, os.SEEK_CUR)  # CRC
        keyword, _, rest = body.partition(b"\x00")
        if keyword == b"XML:com.adobe.xmp" and rest[:1] == b"\x00":
            return rest[2:].split(b"\x00", 2)[-1]


def _jpeg_packet(f: BinaryIO) -> bytes | None:
    f.seek(2)
    while True:
        marker = f.read(2)
        if len(marker) < 2 or marker[0] != 0xFF:
            return None
        kind = marker[1]
        if kind == 0xFF:  # fill byte
            f.seek(-1, os.SEEK_CUR)
            continue
        if kind in (0xD9, 0xDA):  # end of image, start of scan: no more metadata
            return None
        if 0xD0 <= kind <= 0xD7 or kind == 0x01:  # markers without a length
            continue
        raw = f.read(2)
        if len(raw) < 2:
            return None
        length = struct.unpack(">H", raw)[0] - 2
        if length < 0:
            return None
        if kind == 0xE1 and length >= len(JPEG_XMP_HEADER):
            payload = f.read(length)
            if payload.startswith(JPEG_XMP_HEADER):
                return payload[len(JPEG_XMP_HEADER) :]
            continue
        f.seek(length, os.SEEK_CUR)


def _tiff_packet(f: BinaryIO, head: bytes) -> bytes | None:
    order = "<" if head[:2] == b"II" else ">"
    if head[2:4] not in (b"*\x00", b"\x00*", b"RO", b"RS", b"U\x00"):
        return None  # not TIFF-shaped (ORF and RW2 variants included)
    size = os.fstat(f.fileno()).st_size
    offset = struct.unpack(order + "I", f.read(4))[0]
    if not 8 <= offset < size:
        raise XmpError("its TIFF header points outside the file")
    f.seek(offset)
    count = struct.unpack(order + "H", f.read(2))[0]
    for _ in range(count):
        entry = f.read(12)
        if len(entry) < 12:
            return None
        tag, typ, n, value = struct.unpack(order + "HHII", entry)
        if tag != TIFF_XMP_TAG:
            continue
        if typ not in (1, 7) or n > MAX_PACKET_BYTES or value + n > size:
            raise XmpError("its XMP tag points outside the file")
        if n <= 4:
            return entry[8 : 8 + n]
        f.seek(value)
        return f.read(n)
    return None


# -- parsing ------------------------------------------------------------------------

_DECLARATION = re.compile(rb"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)


def parse_packet(data: bytes) -> XmpFields:
    """The fields of one XMP packet (sidecar file or embedded). Raises XmpError."""
    if _DECLARATION.search(data):
        raise XmpError("it declares a DOCTYPE or entities, which XMP never needs")
    data = data.rstrip(b"\x00 \t\r\n")
    try:
        root = ET.fromstring(data)
    except (ET.ParseError, ValueError, RecursionError) as exc:
        raise XmpError(f"it is not well-formed XML: {exc}") from None
    if not any(el.tag == f"{{{RDF}}}RDF" for el in root.iter()):
        raise XmpError("it holds no RDF metadata")
    descriptions = list(root.iter(f"{{{RDF}}}Description"))
    props = _Properties(descriptions)
    rating, rejected = _rating(props.text(XMP, "Rating"))
    if rating is None and rejected is None:
        rating = _percent_rating(props.text(MICROSOFT_PHOTO, "Rating"))
    picked: bool | None = None
    pick_label = _int(props.text(DIGIKAM, "PickLabel"))
    if pick_label == 1:
        rejected = True
    elif pick_label == 3:
        picked = True
    for ns, name in ((PHOTOMECHANIC, "Tagged"), (XMPDM, "good")):
        flag = _bool(props.text(ns, name))
        if flag:
            picked = True
    keywords = _split_keywords(props.items(DC, "subject"))
    hierarchical = tuple(h for h in props.items(LR, "hierarchicalSubject") if h)
    if not hierarchical:
        digikam = props.items(DIGIKAM, "TagsList")
        hierarchical = tuple("|".join(p.strip() for p in t.split("/")) for t in digikam if t)
    leaves = [h.split("|")[-1].strip() for h in hierarchical]
    keywords = tuple(dict.fromkeys([*keywords, *(leaf for leaf in leaves if leaf)]))
    label, extra_labels, label_keywords = _labels(props)
    scores, texts = props.curator_values()
    return XmpFields(
        rating=rating,
        label=label,
        picked=picked,
        rejected=rejected,
        keywords=keywords,
        hierarchical=hierarchical,
        description=props.alt_text(DC, "description"),
        creator_tool=props.text(XMP, "CreatorTool"),
        scores=scores,
        texts=texts,
        darktable=props.text(DARKTABLE, "xmp_version") is not None,
        extra_labels=extra_labels,
        label_keywords=label_keywords,
        orientation=_orientation(props.text(TIFF, "Orientation")),
        named_faces=named_regions(root),
    )


def _orientation(text: str | None) -> int | None:
    value = _int(text)
    return value if value is not None and 1 <= value <= 8 else None


class _Properties:
    """Look-ups over every rdf:Description of a packet (attribute or element form)."""

    def __init__(self, descriptions: list[ET.Element]):
        self.descriptions = descriptions

    def _elements(self, ns: str, name: str) -> Iterator[ET.Element]:
        for d in self.descriptions:
            yield from d.findall(f"{{{ns}}}{name}")

    def text(self, ns: str, name: str) -> str | None:
        key = f"{{{ns}}}{name}"
        for d in self.descriptions:
            if key in d.attrib:
                return d.attrib[key].strip()
        for el in self._elements(ns, name):
            if el.text and el.text.strip():
                return el.text.strip()
            for li in el.iter(f"{{{RDF}}}li"):  # a tool that wrote a one-item container
                if li.text and li.text.strip():
                    return li.text.strip()
        return None

    def items(self, ns: str, name: str) -> list[str]:
        """The rdf:li of a Bag/Seq, or a plain value, in order."""
        key = f"{{{ns}}}{name}"
        values: list[str] = []
        for d in self.descriptions:
            if key in d.attrib:
                values.append(d.attrib[key])
        for el in self._elements(ns, name):
            lis = list(el.iter(f"{{{RDF}}}li"))
            if lis:
                values.extend(li.text or "" for li in lis)
            elif el.text and el.text.strip():
                values.append(el.text)
        return [v.strip() for v in values if v and v.strip()]

    def alt_text(self, ns: str, name: str) -> str | None:
        """A language alternative's x-default (else its first entry), or a plain value."""
        key = f"{{{ns}}}{name}"
        for d in self.descriptions:
            if key in d.attrib and d.attrib[key].strip():
                return d.attrib[key].strip()
        for el in self._elements(ns, name):
            lis = [li for li in el.iter(f"{{{RDF}}}li") if li.text and li.text.strip()]
            for li in lis:
                if li.get(XML_LANG) == "x-default":
                    return (li.text or "").strip()
            if lis:
                return (lis[0].text or "").strip()
            if el.text and el.text.strip():
                return el.text.strip()
        return None

    def curator_values(self) -> tuple[dict[str, float], dict[str, str]]:
        """Curator's own namespace: (numbers, texts)."""
        scores: dict[str, float] = {}
        texts: dict[str, str] = {}
        prefix = f"{{{CURATOR_NS}}}"
        for d in self.descriptions:
            pairs = [(k, v) for k, v in d.attrib.items() if k.startswith(prefix)]
            pairs += [(el.tag, el.text or "") for el in d if el.tag.startswith(prefix)]
            for key, value in pairs:
                number = _float(value)
                if number is not None:
                    scores[key[len(prefix) :]] = number
                elif value.strip():
                    texts[key[len(prefix) :]] = value.strip()
        return scores, texts


def _labels(props: _Properties) -> tuple[str | None, tuple[str, ...], tuple[str, ...]]:
    """(the label as a color name, further darktable labels, label texts with no
    color): xmp:Label first, then darktable's list, then digiKam's and Photo
    Mechanic's numbers, as darktable reads a packet."""
    text = props.text(XMP, "Label")
    if text:
        color = color_of(text)
        if color is not None:
            return color.xmp_name, (), ()
        if text.strip().lower() not in ("none", "nocolor"):
            return None, (), (text.strip(),)
    colors = []
    for value in props.items(DARKTABLE, "colorlabels"):
        number = _int(value)
        if number in DARKTABLE_COLORS and DARKTABLE_COLORS[number] not in colors:
            colors.append(DARKTABLE_COLORS[number])
    if colors:
        return colors[0].xmp_name, tuple(c.xmp_name for c in colors[1:]), ()
    digikam = _int(props.text(DIGIKAM, "ColorLabel"))
    if digikam in DIGIKAM_COLORS:
        return DIGIKAM_COLORS[digikam].xmp_name, (), ()
    pm_class = PHOTO_MECHANIC_CLASSES.get(_int(props.text(PHOTOMECHANIC, "ColorClass")) or 0)
    if pm_class is not None:
        color = color_of(pm_class)
        return (color.xmp_name, (), ()) if color is not None else (None, (), (pm_class,))
    return None, (), ()


def _percent_rating(text: str | None) -> int | None:
    """Stars from MicrosoftPhoto:Rating (1, 25, 50, 75, 99 for 1–5; between: nearest)."""
    number = _float(text)
    if number is None or not 1 <= number <= 100:
        return None
    for stars, upper in ((1, 12), (2, 37), (3, 62), (4, 87)):
        if number <= upper:
            return stars
    return 5


def _rating(text: str | None) -> tuple[int | None, bool | None]:
    """(stars or −1, rejected) from xmp:Rating; (None, None) when absent or unusable."""
    number = _float(text)
    if number is None or number != int(number):
        return None, None  # fractional or garbage: ignored
    stars = int(number)
    if stars == -1:
        return -1, True
    if 0 <= stars <= 5:
        return stars, None
    return None, None


def _split_keywords(values: list[str]) -> tuple[str, ...]:
    """Keywords in order, a single "a, b, c" string split at its commas."""
    out: list[str] = []
    for value in values:
        out.extend(part.strip() for part in value.split(",") if part.strip())
    return tuple(dict.fromkeys(out))


def _float(text: str | None) -> float | None:
    if text is None:
        return None
    try:
        number = float(text.strip())
    except ValueError:
        return None
    return number if number == number and abs(number) != float("inf") else None


def _int(text: str | None) -> int | None:
    number = _float(text)
    return int(number) if number is not None and number == int(number) else None


def _bool(text: str | None) -> bool | None:
    if text is None:
        return None
    low = text.strip().lower()
    if low in _TRUE:
        return True
    if low in _FALSE:
        return False
    return None

"""Building XMP packets, sidecars and files with embedded XMP for tests."""

from __future__ import annotations

import os
import struct
from pathlib import Path

NAMESPACES = (
    'xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
    'xmlns:xmp="http://ns.adobe.com/xap/1.0/" '
    'xmlns:dc="http://purl.org/dc/elements/1.1/" '
    'xmlns:lr="http://ns.adobe.com/lightroom/1.0/" '
    'xmlns:digiKam="http://www.digikam.org/ns/1.0/" '
    'xmlns:photomechanic="http://ns.camerabits.com/photomechanic/1.0/" '
    'xmlns:darktable="http://darktable.sf.net/"'
)


def packet(attributes: str = "", body: str = "") -> bytes:
    """An x:xmpmeta packet with one rdf:Description holding `attributes` and `body`."""
    return (
        '<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>\n'
        '<x:xmpmeta xmlns:x="adobe:ns:meta/">\n'
        f" <rdf:RDF {NAMESPACES}>\n"
        f'  <rdf:Description rdf:about="" {attributes}>\n'
        f"{body}\n"
        "  </rdf:Description>\n"
        " </rdf:RDF>\n"
        "</x:xmpmeta>\n"
        '<?xpacket end="w"?>'
    ).encode()


def bag(tag: str, items: list[str], kind: str = "Bag") -> str:
    lis = "".join(f"<rdf:li>{i}</rdf:li>" for i in items)
    return f"<{tag}><rdf:{kind}>{lis}</rdf:{kind}></{tag}>"


def write_sidecar(path: Path, data: bytes, mtime_ns: int | None = None) -> Path:
    path.write_bytes(data)
    if mtime_ns is not None:
        os.utime(path, ns=(mtime_ns, mtime_ns))
    return path


def embed_in_jpeg(jpeg: Path, data: bytes) -> Path:
    """Insert an APP1 XMP segment right after the JPEG's SOI marker."""
    raw = jpeg.read_bytes()
    assert raw[:2] == b"\xff\xd8"
    payload = b"http://ns.adobe.com/xap/1.0/\x00" + data
    segment = b"\xff\xe1" + struct.pack(">H", len(payload) + 2) + payload
    jpeg.write_bytes(raw[:2] + segment + raw[2:])
    return jpeg

"""Serialising an XMP tree: namespace prefixes as the file had them, escaping.

ElementTree's writer invents `ns0:` prefixes unless they are registered
process-wide (global state shared by every thread); this writer takes the
prefix map per call. Every namespace is declared once on the root element,
with the file's own prefix, else a well-known one, else a generated one; a
default namespace is never written (an unprefixed element would change
meaning). Values are escaped (attribute newlines and tabs as character
references), characters XML 1.0 cannot carry are dropped, and comments and
processing instructions are written back as parsed.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator

from curator.interop.xmp.fields import CURATOR_NS

NS_X = "adobe:ns:meta/"
NS_RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
NS_XMP = "http://ns.adobe.com/xap/1.0/"
NS_DC = "http://purl.org/dc/elements/1.1/"
NS_LR = "http://ns.adobe.com/lightroom/1.0/"
NS_XML = "http://www.w3.org/XML/1998/namespace"
NS_TIFF = "http://ns.adobe.com/tiff/1.0/"

# Prefixes for namespaces a fresh packet uses, and for well-known ones a file
# declared as a default namespace (we always write prefixes).
KNOWN_PREFIXES: dict[str, str] = {
    NS_X: "x",
    NS_RDF: "rdf",
    NS_XMP: "xmp",
    NS_DC: "dc",
    NS_LR: "lr",
    CURATOR_NS: "curator",
    "http://ns.adobe.com/camera-raw-settings/1.0/": "crs",
    "http://ns.adobe.com/xap/1.0/mm/": "xmpMM",
    "http://ns.adobe.com/photoshop/1.0/": "photoshop",
    "http://ns.adobe.com/exif/1.0/": "exif",
    "http://ns.adobe.com/tiff/1.0/": "tiff",
    "http://darktable.sf.net/": "darktable",
    "http://www.digikam.org/ns/1.0/": "digiKam",
    "http://ns.camerabits.com/photomechanic/1.0/": "photomechanic",
    "http://ns.microsoft.com/photo/1.0/": "MicrosoftPhoto",
    "http://www.metadataworkinggroup.com/schemas/regions/": "mwg-rs",
    "http://ns.adobe.com/xap/1.0/sType/Dimensions#": "stDim",
    "http://ns.adobe.com/xmp/sType/Area#": "stArea",
}

_XPACKET_BEGIN = '<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>\n'
_XPACKET_END = '\n<?xpacket end="w"?>\n'
_NOT_XML_CHAR = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def serialize(
    root: ET.Element,
    file_prefixes: dict[str, str],
    *,
    declaration: bool = False,
    xpacket: bool = True,
) -> bytes:
    """The packet as UTF-8 bytes, every namespace declared on the root (module
    docstring); a merged file keeps its wrapping (darktable's XML declaration,
    Adobe's `<?xpacket?>` pair), a fresh one gets the xpacket pair."""
    ET.indent(root, space=" ")
    prefixes = _prefix_map(root, file_prefixes)
    parts: list[str] = ['<?xml version="1.0" encoding="UTF-8"?>\n'] if declaration else []
    if xpacket:
        parts.append(_XPACKET_BEGIN)
    declarations = [f'xmlns:{prefix}="{_escape_attr(uri)}"' for uri, prefix in prefixes.items()]
    _write(root, prefixes, parts, declarations)
    parts.append(_XPACKET_END if xpacket else "\n")
    return "".join(parts).encode("utf-8")


def _uris(root: ET.Element) -> Iterator[str]:
    for elem in root.iter():
        if isinstance(elem.tag, str) and elem.tag.startswith("{"):
            yield elem.tag[1:].partition("}")[0]
        for name in elem.attrib:
            if name.startswith("{"):
                yield name[1:].partition("}")[0]


def _prefix_map(root: ET.Element, file_prefixes: dict[str, str]) -> dict[str, str]:
    used = dict.fromkeys(uri for uri in _uris(root) if uri != NS_XML)
    out: dict[str, str] = {}
    ordered = [u for u in file_prefixes if u in used] + [u for u in used if u not in file_prefixes]
    for uri in ordered:
        wanted = file_prefixes.get(uri) or KNOWN_PREFIXES.get(uri) or "ns"
        prefix, n = wanted, 1
        while prefix in out.values() or prefix.lower().startswith("xml"):
            prefix, n = f"{wanted}{n}", n + 1
        out[uri] = prefix
    return out


def _qname(name: str, prefixes: dict[str, str]) -> str:
    if not name.startswith("{"):
        return name
    uri, _, local = name[1:].partition("}")
    return f"xml:{local}" if uri == NS_XML else f"{prefixes[uri]}:{local}"


def _write(
    elem: ET.Element,
    prefixes: dict[str, str],
    parts: list[str],
    declarations: list[str] | None = None,
    depth: int = 0,
) -> None:
    """One element and its subtree; three or more attributes go one per line, as
    Adobe and darktable write them, so a sidecar stays readable in an editor."""
    if elem.tag is ET.Comment:
        parts.append(f"<!--{elem.text or ''}-->")
    elif elem.tag is ET.ProcessingInstruction:
        parts.append(f"<?{elem.text or ''}?>")
    else:
        name = _qname(str(elem.tag), prefixes)
        attrs = [*(declarations or [])]
        attrs += [f'{_qname(k, prefixes)}="{_escape_attr(v)}"' for k, v in elem.attrib.items()]
        sep = "\n" + " " * (depth + 2) if len(attrs) > 2 else " "
        head = name + "".join(sep + a for a in attrs)
        if elem.text is None and len(elem) == 0:
            parts.append(f"<{head}/>")
        else:
            parts.append(f"<{head}>{_escape_text(elem.text or '')}")
            for child in elem:
                _write(child, prefixes, parts, None, depth + 1)
            parts.append(f"</{name}>")
    if elem.tail:
        parts.append(_escape_text(elem.tail))


def clean_text(text: str) -> str:
    """`text` without the characters XML 1.0 cannot carry (C0 controls but tab,
    newline and return; U+FFFE, U+FFFF)."""
    return _NOT_XML_CHAR.sub("", text)


def _escape_text(text: str) -> str:
    text = clean_text(text)
    return (
        text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\r", "&#13;")
    )


def _escape_attr(text: str) -> str:
    return _escape_text(text).replace('"', "&quot;").replace("\n", "&#10;").replace("\t", "&#9;")

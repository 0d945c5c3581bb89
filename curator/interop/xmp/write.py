"""Writing XMP sidecars: a fresh packet, or a merge into a packet another tool wrote.

- `sidecar_xml(fields)`: a complete sidecar with what Lightroom, darktable and
  digiKam read (rating, −1 for a reject; label; keywords; description;
  creator tool; the pick) and Curator's own values (`CURATOR_NS`).
- `merge_sidecar(existing, edit)`: the packet with an `XmpEdit` applied and all
  else kept (`xmp.tree` says how, `xmp.edit` what may change).
- `write_sidecar(path, data)`: atomic.
The XML text (prefixes, escaping) is `curator.interop.xmp.xmlout`'s.

Invariants: pure apart from `write_sidecar`; a sidecar with a DOCTYPE or
ENTITY, not UTF-8 XMP, or not safely editable is refused with
`XmpWriteError` and left untouched; the output is deterministic.
"""

from __future__ import annotations

import contextlib
import xml.etree.ElementTree as ET
from collections.abc import Iterable
from io import BytesIO
from pathlib import Path

import curator
from curator.fs.publish import replace_atomically
from curator.interop.xmp.edit import Keyword, PeopleEdit, XmpEdit
from curator.interop.xmp.fields import XmpFields
from curator.interop.xmp.people_keywords import wanted_keywords
from curator.interop.xmp.tree import XmpWriteError, apply_edit, score_property
from curator.interop.xmp.xmlout import (
    KNOWN_PREFIXES,
    NS_DC,
    NS_LR,
    NS_RDF,
    NS_X,
    NS_XML,
    NS_XMP,
    clean_text,
    serialize,
)

__all__ = [
    "CREATOR_TOOL",
    "KNOWN_PREFIXES",
    "NS_DC",
    "NS_LR",
    "NS_RDF",
    "NS_X",
    "NS_XML",
    "NS_XMP",
    "XmpWriteError",
    "edit_from_fields",
    "existing_sidecars",
    "merge_sidecar",
    "parse_sidecar",
    "score_property",
    "sidecar_path_for",
    "sidecar_xml",
    "write_sidecar",
]

CREATOR_TOOL = f"Curator {curator.__version__}"
"""What `xmp:CreatorTool` says when the fields name no tool."""

RAW_SUFFIXES = frozenset(
    {".3fr", ".arw", ".cr2", ".cr3", ".crw", ".dcr", ".dng", ".erf", ".iiq", ".kdc", ".mef"}
    | {".mos", ".mrw", ".nef", ".nrw", ".orf", ".pef", ".raf", ".raw", ".rw2", ".rwl"}
    | {".sr2", ".srf", ".srw", ".x3f"}
)

_FORBIDDEN_DECLS = (b"<!DOCTYPE", b"<!ENTITY")
# Real XMP nests about ten deep; thousands would overflow the recursive writer.
MAX_DEPTH = 100


# --------------------------------------------------------------------------- paths


def sidecar_path_for(original: Path, siblings: Iterable[str] = ()) -> Path:
    """Where the sidecar of `original` goes: `IMG_1.xmp` beside `IMG_1.CR2`
    (Lightroom's, which darktable and digiKam read too). Two originals with one
    stem in one folder (a RAW+JPEG pair) would share it, so only one owns it: a
    RAW first, then the alphabetically first extension; the others get
    `name.ext.xmp` (`IMG_1.JPG.xmp`). `siblings`: the folder's other names."""
    mine = _owner_rank(original.name)
    for name in siblings:
        other = Path(name)
        if name == original.name or other.suffix.lower() == ".xmp":
            continue
        if other.stem.lower() == original.stem.lower() and _owner_rank(name) < mine:
            return original.with_name(original.name + ".xmp")
    return original.with_suffix(".xmp")


def _owner_rank(name: str) -> tuple[int, str]:
    suffix = Path(name).suffix.lower()
    return (0 if suffix in RAW_SUFFIXES else 1, suffix)


def existing_sidecars(original: Path, names: Iterable[str] | None = None) -> list[Path]:
    """The sidecars already beside `original` that belong to it, `name.ext.xmp`
    first (`name.xmp` when `original` owns it), spelled as on disk; `names`:
    the folder's (at least those sharing the first dot-part), listed when None."""
    if names is None:
        try:
            names = [p.name for p in original.parent.iterdir()]
        except OSError:
            return []
    names = list(names)
    found: list[Path] = []
    wanted = [original.name + ".xmp"]
    if sidecar_path_for(original, names) == original.with_suffix(".xmp"):
        wanted.append(original.with_suffix(".xmp").name)
    lower = {n.lower(): n for n in names}
    for name in wanted:
        if name.lower() in lower:
            found.append(original.with_name(lower[name.lower()]))
    return found


def write_sidecar(path: Path, data: bytes) -> None:
    """Write `data` to `path` atomically (`fs.publish.replace_atomically`); an
    existing file keeps its permission bits, a new one is 0644."""
    mode = 0o644
    with contextlib.suppress(FileNotFoundError):
        mode = path.stat().st_mode & 0o7777
    replace_atomically(path, data, mode)


# --------------------------------------------------------------------------- values


def edit_from_fields(fields: XmpFields) -> XmpEdit:
    """The edit that states `fields` in full (a fresh sidecar, an exported copy): a
    None field stays unsaid, keywords replace the packet's lists, `rejected`
    makes the rating −1."""
    rating = -1 if fields.rejected else fields.rating
    keywords: tuple[Keyword, ...] | None = None
    if fields.keywords or fields.hierarchical:
        # A flat keyword takes the path whose leaf it is; the other paths follow.
        paths = {p.rsplit("|", 1)[-1].strip(): p for p in fields.hierarchical if p.strip()}
        flat = [Keyword(k, paths.pop(k.strip(), "")) for k in fields.keywords if k.strip()]
        keywords = (*flat, *(Keyword(leaf, p) for leaf, p in paths.items()))
    return XmpEdit(
        rating=rating,
        label=clean_text(fields.label) if fields.label is not None else None,
        picked=fields.picked,
        keywords_replace=keywords,
        caption=fields.description,
        creator_tool=fields.creator_tool or CREATOR_TOOL,
        scores=fields.scores,
        texts=fields.texts,
        orientation=fields.orientation,
        faces=fields.faces,
        people=PeopleEdit(wanted_keywords(fields.people)) if fields.people else None,
    )


# --------------------------------------------------------------------------- API


def sidecar_xml(fields: XmpFields | XmpEdit) -> bytes:
    """A complete XMP sidecar (UTF-8 bytes) holding `fields`."""
    edit = edit_from_fields(fields) if isinstance(fields, XmpFields) else fields
    root = ET.Element(f"{{{NS_X}}}xmpmeta", {f"{{{NS_X}}}xmptk": CREATOR_TOOL})
    rdf = ET.SubElement(root, f"{{{NS_RDF}}}RDF")
    ET.SubElement(rdf, f"{{{NS_RDF}}}Description", {f"{{{NS_RDF}}}about": ""})
    apply_edit(root, edit)
    return serialize(root, {})


def merge_sidecar(existing: bytes, fields: XmpFields | XmpEdit) -> bytes:
    """`existing` with `fields` applied and everything else kept; raises `XmpWriteError`."""
    edit = edit_from_fields(fields) if isinstance(fields, XmpFields) else fields
    root, prefixes = parse_sidecar(existing)
    apply_edit(root, edit)
    head = existing[:512].lstrip(b"\xef\xbb\xbf \t\r\n")
    return serialize(
        root,
        prefixes,
        declaration=head.startswith(b"<?xml "),
        xpacket=b"<?xpacket begin=" in head,
    )


def parse_sidecar(data: bytes) -> tuple[ET.Element, dict[str, str]]:
    """The root element of a sidecar and its namespace prefixes (URI → prefix, file
    order); refuses DOCTYPE/ENTITY declarations, non-UTF-8 text and a root
    that is not `x:xmpmeta`, `x:xapmeta` or `rdf:RDF`."""
    if any(decl in data for decl in _FORBIDDEN_DECLS):
        raise XmpWriteError(
            "The sidecar declares a DOCTYPE or entities, which XMP never needs; "
            "it was left as it is."
        )
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise XmpWriteError("The sidecar is not UTF-8 text; it was left as it is.") from exc
    prefixes: dict[str, str] = {}
    try:
        depth = 0
        for event, item in ET.iterparse(BytesIO(data), events=("start", "end", "start-ns")):
            if event == "start-ns":
                prefix, uri = item
                if uri not in prefixes and prefix and prefix not in prefixes.values():
                    prefixes[uri] = prefix
                continue
            depth += 1 if event == "start" else -1
            if depth > MAX_DEPTH:
                raise XmpWriteError(
                    f"The sidecar nests its elements more than {MAX_DEPTH} deep, which no "
                    "real XMP does; it was left as it is."
                )
        builder = ET.TreeBuilder(insert_comments=True, insert_pis=True)
        parser = ET.XMLParser(target=builder)
        parser.feed(data)
        root = parser.close()
    except ET.ParseError as exc:
        raise XmpWriteError(
            f"The sidecar is not well-formed XML ({exc}); it was left as it is."
        ) from exc
    if root.tag not in (f"{{{NS_X}}}xmpmeta", f"{{{NS_X}}}xapmeta", f"{{{NS_RDF}}}RDF"):
        raise XmpWriteError("The file is not an XMP sidecar (no x:xmpmeta); it was left as it is.")
    return root, prefixes

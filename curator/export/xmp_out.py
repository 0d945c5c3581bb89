"""The XMP an export writes: inside the copy, and in sidecars beside it.

- Inside (`embedding_for`): a copy carries the original's packet merged with
  Curator's fields (`export_edit`); a rendition gets a fresh packet (develop
  settings must not apply twice).
- Beside (`sidecar_names`), by `xmp_sidecar_names`; `auto`: `name.xmp`, plus
  `name.ext.xmp` for a RAW; in a RAW+JPEG pair the JPEG gets `name.ext.xmp`.
- Ownership (`is_ours`): the manifest recorded the file's hash and it still
  matches, or a sidecar names Curator as `xmp:CreatorTool` and holds only
  Curator's namespaces. Nothing else is ever overwritten.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from curator.export.embed import Embedding, EmbedError, container_of, plan_embedding
from curator.export.files import hash_file
from curator.export.names import split_ext
from curator.export.plan import PlannedFile
from curator.imaging.formats import is_raw_path
from curator.imaging.orientation import shrunk_size
from curator.interop.xmp.edit import PeopleEdit, XmpEdit
from curator.interop.xmp.read import XmpError, embedded_packet, parse_packet
from curator.interop.xmp.write import (
    XmpWriteError,
    edit_from_fields,
    merge_sidecar,
    parse_sidecar,
    sidecar_path_for,
    sidecar_xml,
)
from curator.interop.xmp.xmlout import KNOWN_PREFIXES

CURATOR_URIS = frozenset(KNOWN_PREFIXES) - {
    "http://ns.adobe.com/camera-raw-settings/1.0/",
    "http://ns.adobe.com/xap/1.0/mm/",
    "http://ns.adobe.com/photoshop/1.0/",
    "http://ns.adobe.com/exif/1.0/",
    "http://ns.adobe.com/tiff/1.0/",
    "http://darktable.sf.net/",
}
"""Namespaces a sidecar written by Curator alone uses."""


SOURCE_PROPERTY = "source_blake3"
"""`curator:source_blake3`: the content hash of the original a copy was made
from, so a later run knows its own copy without any record (a run killed
before it wrote the manifest included), as a rendition's JPEG comment does."""


def export_edit(planned: PlannedFile, *, rendition: bool = False) -> XmpEdit:
    """Every field Curator states for the copy, private keywords taken out; the
    photographer's turn as tiff:Orientation, except in a `rendition` (turned
    pixels, EXIF orientation 1)."""
    edit = edit_from_fields(planned.xmp)
    return XmpEdit(
        rating=edit.rating,
        label=edit.label,
        picked=edit.picked,
        keywords_replace=edit.keywords_replace,
        private_remove=planned.private,
        caption=edit.caption,
        creator_tool=edit.creator_tool,
        scores=edit.scores,
        texts={**edit.texts, SOURCE_PROPERTY: planned.content_hash},
        orientation=None if rendition else edit.orientation,
        faces=edit.faces,  # normalised to the picture as shown: a rendition's too
        people=_shared(edit.people, planned.private),
    )


def _shared(people: PeopleEdit | None, private: frozenset[str]) -> PeopleEdit | None:
    """The named people's person keywords, less a name the photographer keeps
    private in Lightroom (a keyword with "Include on Export" off)."""
    if people is None:
        return None
    return PeopleEdit(tuple(k for k in people.add if k.rsplit("|", 1)[-1] not in private))


def copy_source(path: Path) -> str | None:
    """The content hash a copy's embedded XMP names as its original (None: not ours)."""
    try:
        inside = embedded_packet(str(path))
        scores = parse_packet(inside).texts if inside else {}
    except (OSError, XmpError, ValueError):
        return None
    return scores.get(SOURCE_PROPERTY)


def packet(planned: PlannedFile, existing: bytes | None) -> bytes:
    """The packet to put inside the copy, given the original's (None: it has none)."""
    edit = export_edit(planned)
    if existing is None or not existing.strip(b"\x00 \t\r\n"):
        return sidecar_xml(edit)
    try:
        return merge_sidecar(existing, edit)
    except XmpWriteError as exc:
        raise EmbedError(f"the original's own XMP can't be merged: {exc}") from None


def embedding_for(planned: PlannedFile, source: str, name: str) -> Embedding | None:
    """How the copy named `name` carries its XMP inside; None for a sidecar only.
    Raises EmbedError (a sentence) and OSError."""
    container = container_of(name)
    if container is None:
        return None
    return plan_embedding(source, container, lambda existing: packet(planned, existing))


def rendition_packet(planned: PlannedFile, long_edge: int) -> bytes:
    """A rendition's packet: fresh (see the module docstring), its face regions
    applied to the rendition's own size (the original's, shrunk to `long_edge`
    as the rendition is: `imaging.orientation.shrunk_size`; the boxes are
    fractions, the same on both)."""
    edit = export_edit(planned, rendition=True)
    faces = edit.faces
    if faces is not None:
        size = shrunk_size((faces.width, faces.height), long_edge)
        if size is not None:
            edit = replace(edit, faces=replace(faces, width=size[0], height=size[1]))
    return sidecar_xml(edit)


def sidecar_names(name: str, group_names: list[str], convention: str) -> list[str]:
    """The sidecars of the exported file `name` (see the module docstring);
    `group_names` are the names of its RAW+JPEG group, itself included."""
    lightroom, darktable = split_ext(name)[0] + ".xmp", name + ".xmp"
    owns = sidecar_path_for(Path(name), group_names).name == lightroom
    raw = is_raw_path(name)
    if convention == "darktable":
        return [darktable]
    if convention == "lightroom":
        return [lightroom if owns else darktable]
    if convention == "both":
        return [lightroom, darktable] if owns else [darktable]
    if not owns:
        return [darktable]
    return [lightroom, darktable] if raw else [lightroom]


def is_ours(path: Path, recorded: str | None) -> bool:
    """Whether the file at `path` is this exporter's and unchanged (see the module docstring)."""
    try:
        if recorded is not None:
            return hash_file(path) == recorded
        if path.suffix.lower() != ".xmp":
            return False
        data = path.read_bytes()
    except OSError:
        return False
    try:
        fields = parse_packet(data)
        root, _prefixes = parse_sidecar(data)
    except (XmpError, XmpWriteError):
        return False
    uris = {el.tag[1:].partition("}")[0] for el in root.iter() if str(el.tag).startswith("{")}
    for el in root.iter():
        uris |= {k[1:].partition("}")[0] for k in el.attrib if k.startswith("{")}
    uris.discard("http://www.w3.org/XML/1998/namespace")
    return (fields.creator_tool or "").startswith("Curator ") and uris <= CURATOR_URIS


__all__ = [
    "EmbedError",
    "copy_source",
    "embedding_for",
    "export_edit",
    "is_ours",
    "packet",
    "rendition_packet",
    "sidecar_names",
]

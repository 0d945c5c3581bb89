"""Writing XMP sidecars: a fresh packet, or a merge into a sidecar another tool wrote.

Responsibilities:
- `sidecar_xml(fields)`: a complete, well-formed sidecar (the `<?xpacket?>`
  wrapper around `x:xmpmeta`/`rdf:RDF`/`rdf:Description`) holding the fields
  Lightroom, darktable and digiKam read: `xmp:Rating` (−1 for a reject),
  `xmp:Label`, `dc:subject` and `lr:hierarchicalSubject` (rdf:Bag),
  `dc:description` (rdf:Alt, x-default), `xmp:CreatorTool`, and Curator's own
  values in its private namespace (`CURATOR_NS`, prefix `curator`): the
  scores and texts of `XmpFields` (`curator:preference`, `curator:content_type`,
  …) and `curator:picked` (no standard XMP property holds a pick flag).
- `merge_sidecar(existing, fields)`: the same fields set inside an existing
  sidecar, everything else kept (darktable's history, Lightroom's `crs:`
  develop settings, other namespaces with their prefixes, comments, several
  rdf:Description blocks). A property written as an attribute
  (`xmp:Rating="3"` on rdf:Description, as Lightroom and darktable do) is
  updated as an attribute; one written as an element stays an element.
- `sidecar_path_for(original)`: where the sidecar of an original goes.
- `write_sidecar(path, data)`: an atomic write (temp name in the same folder,
  fsync, then `os.replace`), so a crash never leaves half a sidecar — nor an
  empty one in place of darktable's history.

The XML text itself (prefixes, escaping, the wrapper) is `curator.interop.xmp.xmlout`.

Invariants:
- Pure apart from `write_sidecar`: no catalog, no Qt.
- A field given as `None` (or an empty keyword tuple / score dict) is left as
  the file has it; only the fields Curator knows are touched. Two values mean
  "clear": `label=""` removes `xmp:Label`, and `rejected=False` turns a
  `xmp:Rating` of −1 left in the file into 0 (the photo is no longer
  rejected) when no rating is given.
- Keywords replace the file's lists (`dc:subject`, `lr:hierarchicalSubject`)
  when any are given — the catalog is the source of truth, as in Lightroom's
  own sidecars; a flat keyword is also a one-level hierarchical keyword.
  darktable's own `darktable|…` hierarchical tags are kept.
- Every value is escaped on output; characters XML 1.0 cannot carry (C0
  controls other than tab/newline/return) are dropped from what we write.
- An existing sidecar with a DOCTYPE or ENTITY declaration, or one that is not
  UTF-8 XMP, is refused with `XmpWriteError` and left untouched (no
  defusedxml here, so entity expansion is refused before expat sees it).
- The output is deterministic: merging the same fields twice gives the same
  bytes, so "unchanged" can be told by comparing bytes.
"""

from __future__ import annotations

import contextlib
import math
import os
import re
import tempfile
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path

import curator
from curator.interop.xmp.fields import CURATOR_NS, XmpFields
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

_NCNAME_BAD = re.compile(r"[^A-Za-z0-9_.\-]")
_FORBIDDEN_DECLS = (b"<!DOCTYPE", b"<!ENTITY")


class XmpWriteError(ValueError):
    """An existing sidecar we refuse to merge into; the message is one sentence."""


# --------------------------------------------------------------------------- paths


def sidecar_path_for(original: Path, siblings: Iterable[str] = ()) -> Path:
    """Where the sidecar of `original` goes: `IMG_1.xmp` beside `IMG_1.CR2`.

    `name.xmp` is what Lightroom writes and reads for a RAW and what darktable
    and digiKam can read; readers (ours included) also honour `name.ext.xmp`,
    darktable's default. Two originals with one stem in one folder (a RAW+JPEG
    pair: `IMG_1.CR2`, `IMG_1.JPG`) would share `IMG_1.xmp`, so only one owns
    it: a RAW before anything else, then the alphabetically first extension
    (case-insensitive); the others get `name.ext.xmp` (`IMG_1.JPG.xmp`), which
    darktable and digiKam read. `siblings` are the names of the other files in
    the folder (any; those with another stem or an .xmp suffix are ignored).
    """
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
    """The sidecars already beside `original` that belong to it, `name.ext.xmp` first.

    `name.xmp` only counts when `original` owns it (see `sidecar_path_for`);
    the `.xmp`/`.XMP` spelling on disk is kept. `names` are the folder's file
    names (at least those sharing the original's first dot-part); listed when None.
    """
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
    """Write `data` to `path` atomically: a temp file in the same folder, then replace.

    An existing file keeps its permission bits; a new one is 0644. Raises
    `OSError` (read-only folder, full disk) with nothing left behind.
    """
    mode = 0o644
    with contextlib.suppress(FileNotFoundError):
        mode = path.stat().st_mode & 0o7777
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


# --------------------------------------------------------------------------- values


@dataclass(frozen=True)
class _Simple:
    value: str | None  # None: remove the property


@dataclass(frozen=True)
class _Bag:
    items: tuple[str, ...]
    keep: tuple[str, ...] = ()  # prefixes of the file's own items that survive a replace


@dataclass(frozen=True)
class _AltDefault:
    text: str


_Value = _Simple | _Bag | _AltDefault


def _number(value: float) -> str | None:
    if not math.isfinite(value):
        return None
    return format(float(value), ".10g")


def score_property(key: str) -> str:
    """The local name a score or text key gets in the curator namespace
    ("content type" → content_type)."""
    name = _NCNAME_BAD.sub("_", key.strip())
    if not name or not (name[0].isalpha() or name[0] == "_"):
        name = "_" + name
    return name


def _uniq(items: Iterable[str]) -> tuple[str, ...]:
    seen: dict[str, None] = {}
    for item in items:
        text = clean_text(item).strip()
        if text:
            seen.setdefault(text, None)
    return tuple(seen)


def _updates(
    fields: XmpFields, existing_rating: str | None, existing_tool: str | None
) -> dict[tuple[str, str], _Value]:
    """The properties to set, keyed by (namespace URI, local name), in output order.

    `xmp:CreatorTool` names the tool that made the resource: a file that already
    names one keeps it unless `fields.creator_tool` says otherwise."""
    out: dict[tuple[str, str], _Value] = {}
    rating: int | None = -1 if fields.rejected else fields.rating
    if rating is None and fields.rejected is False and _is_reject(existing_rating):
        rating = 0
    if rating is not None:
        out[NS_XMP, "Rating"] = _Simple(str(max(-1, min(5, int(rating)))))
    if fields.label is not None:
        label = clean_text(fields.label).strip()
        out[NS_XMP, "Label"] = _Simple(label or None)
    if fields.creator_tool is not None or not existing_tool:
        out[NS_XMP, "CreatorTool"] = _Simple(clean_text(fields.creator_tool or CREATOR_TOOL))
    if fields.keywords or fields.hierarchical:
        hierarchical = _uniq(fields.hierarchical) or _uniq(fields.keywords)
        levels = [level for path in hierarchical for level in path.split("|")]
        out[NS_DC, "subject"] = _Bag(_uniq([*fields.keywords, *levels]))
        # darktable files its own "darktable|format|cr2" tags here: they are its data.
        out[NS_LR, "hierarchicalSubject"] = _Bag(hierarchical, keep=("darktable|",))
    if fields.description is not None:
        out[NS_DC, "description"] = _AltDefault(clean_text(fields.description))
    if fields.picked is not None:
        out[CURATOR_NS, "picked"] = _Simple("True" if fields.picked else "False")
    for key, value in sorted(fields.scores.items()):
        text = _number(value)
        if text is not None:
            out[CURATOR_NS, score_property(key)] = _Simple(text)
    for key, words in sorted(fields.texts.items()):
        out[CURATOR_NS, score_property(key)] = _Simple(clean_text(words))
    return out


def _is_reject(text: str | None) -> bool:
    try:
        return text is not None and float(text) < 0
    except ValueError:
        return False


# --------------------------------------------------------------------------- API


def sidecar_xml(fields: XmpFields) -> bytes:
    """A complete XMP sidecar (UTF-8 bytes) holding `fields`."""
    root = ET.Element(f"{{{NS_X}}}xmpmeta", {f"{{{NS_X}}}xmptk": CREATOR_TOOL})
    rdf = ET.SubElement(root, f"{{{NS_RDF}}}RDF")
    ET.SubElement(rdf, f"{{{NS_RDF}}}Description", {f"{{{NS_RDF}}}about": ""})
    _apply(root, _updates(fields, None, None))
    return serialize(root, {})


def merge_sidecar(existing: bytes, fields: XmpFields) -> bytes:
    """`existing` with `fields` set and everything else kept; raises `XmpWriteError`."""
    root, prefixes = parse_sidecar(existing)
    rating = _find_simple(root, NS_XMP, "Rating")
    tool = _find_simple(root, NS_XMP, "CreatorTool")
    _apply(root, _updates(fields, rating, tool))
    head = existing[:512].lstrip(b"\xef\xbb\xbf \t\r\n")
    return serialize(
        root,
        prefixes,
        declaration=head.startswith(b"<?xml "),
        xpacket=b"<?xpacket begin=" in head,
    )


def parse_sidecar(data: bytes) -> tuple[ET.Element, dict[str, str]]:
    """The root element of a sidecar and its namespace prefixes (URI → prefix, file order).

    Refuses DOCTYPE/ENTITY declarations, non-UTF-8 text and anything that is
    not an XMP packet (root `x:xmpmeta`, `x:xapmeta` or `rdf:RDF`).
    """
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
        for _event, (prefix, uri) in ET.iterparse(BytesIO(data), events=("start-ns",)):
            if uri not in prefixes and prefix and prefix not in prefixes.values():
                prefixes[uri] = prefix
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


# --------------------------------------------------------------------------- tree edits


def _descriptions(root: ET.Element) -> list[ET.Element]:
    rdf = root if root.tag == f"{{{NS_RDF}}}RDF" else root.find(f"{{{NS_RDF}}}RDF")
    if rdf is None:
        rdf = ET.SubElement(root, f"{{{NS_RDF}}}RDF")
    found = rdf.findall(f"{{{NS_RDF}}}Description")
    if not found:
        found = [ET.SubElement(rdf, f"{{{NS_RDF}}}Description", {f"{{{NS_RDF}}}about": ""})]
    return found


def _occurrences(
    descriptions: list[ET.Element], uri: str, local: str
) -> Iterator[tuple[ET.Element, ET.Element | None]]:
    """(description, element) per occurrence; element None for the attribute form."""
    tag = f"{{{uri}}}{local}"
    for desc in descriptions:
        if tag in desc.attrib:
            yield desc, None
        for child in desc.findall(tag):
            yield desc, child


def _find_simple(root: ET.Element, uri: str, local: str) -> str | None:
    for desc, elem in _occurrences(_descriptions(root), uri, local):
        return desc.get(f"{{{uri}}}{local}") if elem is None else (elem.text or "").strip()
    return None


def _apply(root: ET.Element, updates: dict[tuple[str, str], _Value]) -> None:
    descriptions = _descriptions(root)
    for (uri, local), value in updates.items():
        tag = f"{{{uri}}}{local}"
        found = list(_occurrences(descriptions, uri, local))
        first = found[0] if found else None
        for desc, elem in found[1:]:  # duplicates are invalid RDF: keep one
            _remove(desc, elem, tag)
        if isinstance(value, _Simple) and value.value is None:
            if first is not None:
                _remove(first[0], first[1], tag)
            continue
        if first is None:
            descriptions[0].append(_element(tag, value, None))
            continue
        desc, elem = first
        if elem is None and isinstance(value, _Simple):
            desc.set(tag, value.value or "")
        elif elem is None:
            del desc.attrib[tag]
            desc.append(_element(tag, value, None))
        else:
            index = list(desc).index(elem)
            desc.remove(elem)
            desc.insert(index, _element(tag, value, elem))


def _remove(desc: ET.Element, elem: ET.Element | None, tag: str) -> None:
    if elem is None:
        del desc.attrib[tag]
    else:
        desc.remove(elem)


def _element(tag: str, value: _Value, old: ET.Element | None) -> ET.Element:
    """The property element for `value`; an rdf:Alt keeps its other languages."""
    elem = ET.Element(tag)
    if isinstance(value, _Simple):
        elem.text = value.value
    elif isinstance(value, _Bag):
        bag = ET.SubElement(elem, f"{{{NS_RDF}}}Bag")
        kept: list[str] = []
        if old is not None and value.keep:
            for li in old.iter(f"{{{NS_RDF}}}li"):
                text = li.text or ""
                if text.startswith(value.keep) and text not in value.items:
                    kept.append(text)
        for item in (*value.items, *kept):
            ET.SubElement(bag, f"{{{NS_RDF}}}li").text = item
    else:
        lang = f"{{{NS_XML}}}lang"
        alt = old.find(f"{{{NS_RDF}}}Alt") if old is not None else None
        if alt is None:
            alt = ET.Element(f"{{{NS_RDF}}}Alt")
        elem.append(alt)
        items = alt.findall(f"{{{NS_RDF}}}li")
        default = next((li for li in items if li.get(lang) == "x-default"), None)
        if default is None:
            default = ET.Element(f"{{{NS_RDF}}}li", {lang: "x-default"})
            alt.insert(0, default)
        for child in list(default):
            default.remove(child)
        default.text = value.text
    return elem

"""Applying an `XmpEdit` to a parsed packet: the smallest change to the tree, or a refusal.

Only the properties the edit names are touched; everything else stays:
- simple values are updated where they are; a new one is an element of the
  first rdf:Description;
- lists (`dc:subject`, `lr:hierarchicalSubject`, digiKam's `TagsList`) keep
  their container and items; `keywords_replace` keeps darktable's own tags;
- the caption is written only where there is none;
- darktable reads `xmp:Label` before its colorlabels, so only the label
  Curator replaces is swapped; `digiKam:ColorLabel` is kept in step;
- a pick: `curator:picked`, `PickLabel` 3 and `photomechanic:Tagged`; a reject
  `PickLabel` 1;
- faces as MWG regions (`xmp.regions`) where there are none but Curator's;
  names as person keywords (`xmp.people_keywords`); a new `TagsList` states
  every keyword already there (digiKam reads it alone).

A packet that cannot be edited safely raises `XmpWriteError` with a sentence.
"""

from __future__ import annotations

import math
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterable, Iterator

from curator.interop.xmp.edit import Keyword, PeopleEdit, XmpEdit, label_text
from curator.interop.xmp.fields import CURATOR_NS
from curator.interop.xmp.regions import apply_regions
from curator.interop.xmp.xmlout import (
    NS_DC,
    NS_LR,
    NS_RDF,
    NS_TIFF,
    NS_XML,
    NS_XMP,
    clean_text,
)
from curator.records import ColorLabel
from curator.tags import normalise_tag

NS_DIGIKAM = "http://www.digikam.org/ns/1.0/"
NS_DARKTABLE = "http://darktable.sf.net/"
NS_PHOTOMECHANIC = "http://ns.camerabits.com/photomechanic/1.0/"

DARKTABLE_COLORS = ("red", "yellow", "green", "blue", "purple")  # darktable's 0..4
DIGIKAM_COLORS = {"red": 1, "yellow": 3, "green": 4, "blue": 5, "purple": 6}
PICK_ACCEPTED, PICK_REJECTED, PICK_NONE = "3", "1", "0"

_NCNAME_BAD = re.compile(r"[^A-Za-z0-9_.\-]")
_LANG = f"{{{NS_XML}}}lang"


class XmpWriteError(ValueError):
    """A packet Curator refuses to change; the message is one sentence."""


def score_property(key: str) -> str:
    """The local name a score or text key gets in the curator namespace
    ("content type" → content_type)."""
    name = _NCNAME_BAD.sub("_", key.strip())
    if not name or not (name[0].isalpha() or name[0] == "_"):
        name = "_" + name
    return name


def descriptions(root: ET.Element) -> list[ET.Element]:
    """The packet's rdf:Description elements (one is made when there is none)."""
    rdf = root if root.tag == f"{{{NS_RDF}}}RDF" else root.find(f"{{{NS_RDF}}}RDF")
    if rdf is None:
        rdf = ET.SubElement(root, f"{{{NS_RDF}}}RDF")
    found = rdf.findall(f"{{{NS_RDF}}}Description")
    if not found:
        found = [ET.SubElement(rdf, f"{{{NS_RDF}}}Description", {f"{{{NS_RDF}}}about": ""})]
    return found


class _Packet:
    """Property look-ups and edits over every rdf:Description of a packet."""

    def __init__(self, root: ET.Element):
        self.descs = descriptions(root)

    def occurrences(self, uri: str, local: str) -> list[tuple[ET.Element, ET.Element | None]]:
        tag = f"{{{uri}}}{local}"
        found: list[tuple[ET.Element, ET.Element | None]] = []
        for desc in self.descs:
            if tag in desc.attrib:
                found.append((desc, None))
            found.extend((desc, child) for child in desc.findall(tag))
        if len(found) > 1:
            raise XmpWriteError(
                f"The sidecar states {local} more than once, which is not valid XMP; "
                "it was left as it is."
            )
        return found

    def simple(self, uri: str, local: str) -> str | None:
        for desc, elem in self.occurrences(uri, local):
            if elem is None:
                return desc.get(f"{{{uri}}}{local}")
            return (elem.text or "").strip() if len(elem) == 0 else None
        return None

    def set_simple(self, uri: str, local: str, value: str | None) -> None:
        """Set (None: remove) a simple property where it is, or add it as an element."""
        tag = f"{{{uri}}}{local}"
        found = self.occurrences(uri, local)
        if not found:
            if value is not None:
                ET.SubElement(self.descs[0], tag).text = value
            return
        desc, elem = found[0]
        if elem is None:
            if value is None:
                del desc.attrib[tag]
            else:
                desc.set(tag, value)
            return
        if len(elem) > 0:
            raise XmpWriteError(
                f"The sidecar's {local} is a structure where a plain value belongs; "
                "it was left as it is."
            )
        if value is None:
            desc.remove(elem)
        else:
            elem.text = value

    def list_items(self, uri: str, local: str) -> tuple[ET.Element | None, list[ET.Element]]:
        """(container, items) of a Bag/Seq property; (None, []) when absent."""
        found = self.occurrences(uri, local)
        if not found:
            return None, []
        _desc, elem = found[0]
        container = None
        if elem is not None and not (elem.text or "").strip():
            for kind in ("Bag", "Seq"):
                container = elem.find(f"{{{NS_RDF}}}{kind}")
                if container is not None:
                    break
        if container is None:
            raise XmpWriteError(
                f"The sidecar's {local} is not an XMP list (rdf:Bag), so Curator can't "
                "change it without rewriting what another tool wrote; it was left as it is."
            )
        return container, container.findall(f"{{{NS_RDF}}}li")

    def edit_list(
        self,
        uri: str,
        local: str,
        *,
        add: Iterable[str] = (),
        remove: Callable[[str], bool] = lambda _text: False,
        replace: list[str] | None = None,
        keep: Callable[[str], bool] = lambda _text: False,
        create: bool = True,
    ) -> None:
        add = [clean_text(a).strip() for a in add if clean_text(a).strip()]
        container, items = self.list_items(uri, local)
        if container is None:
            wanted = replace if replace is not None else add
            if not wanted or not create:
                return
            elem = ET.SubElement(self.descs[0], f"{{{uri}}}{local}")
            container = ET.SubElement(elem, f"{{{NS_RDF}}}Bag")
            items = []
        texts = [li.text or "" for li in items]
        if replace is not None:
            kept = [t for t in texts if keep(t) and t not in replace]
            new = list(dict.fromkeys(clean_text(r).strip() for r in replace if r.strip()))
            for li in items:
                container.remove(li)
            for text in (*new, *kept):
                ET.SubElement(container, f"{{{NS_RDF}}}li").text = text
            return
        for li in items:
            if remove(li.text or ""):
                container.remove(li)
        present = {li.text for li in container.findall(f"{{{NS_RDF}}}li")}
        for text in add:
            if text not in present:
                ET.SubElement(container, f"{{{NS_RDF}}}li").text = text
                present.add(text)


# --------------------------------------------------------------------------- the edit


def apply_edit(root: ET.Element, edit: XmpEdit) -> None:
    """Apply `edit` to the packet under `root` (see the module docstring)."""
    packet = _Packet(root)
    if edit.rating is not None:
        rating = max(-1, min(5, int(edit.rating)))
        packet.set_simple(NS_XMP, "Rating", str(rating))
        pick_label = packet.simple(NS_DIGIKAM, "PickLabel")
        if rating == -1:
            packet.set_simple(NS_DIGIKAM, "PickLabel", PICK_REJECTED)
        elif pick_label == PICK_REJECTED:
            packet.set_simple(NS_DIGIKAM, "PickLabel", PICK_NONE)
    if edit.label is not None:
        _apply_label(packet, edit.label, edit.label_was)
    if edit.picked is not None:
        _apply_pick(packet, edit.picked)
    if edit.orientation is not None and 1 <= edit.orientation <= 8:
        packet.set_simple(NS_TIFF, "Orientation", str(int(edit.orientation)))
    _apply_keywords(packet, edit)
    if edit.people:
        _apply_people(packet, edit.people)
    if edit.caption is not None and clean_text(edit.caption).strip():
        _apply_caption(packet, clean_text(edit.caption).strip())
    if edit.faces is not None:
        apply_regions(packet.descs, edit.faces)  # never another tool's regions
    if edit.creator_tool is not None and not packet.occurrences(NS_XMP, "CreatorTool"):
        # The tool that made the resource: another tool's name is never replaced.
        packet.set_simple(NS_XMP, "CreatorTool", clean_text(edit.creator_tool))
    for key, value in sorted(edit.scores.items()):
        if math.isfinite(value):
            packet.set_simple(CURATOR_NS, score_property(key), format(float(value), ".10g"))
    for key, words in sorted(edit.texts.items()):
        packet.set_simple(CURATOR_NS, score_property(key), clean_text(words))


def _apply_label(packet: _Packet, label: str, was: str | None) -> None:
    new = ColorLabel.parse(label)
    dt_container, dt_items = packet.list_items(NS_DARKTABLE, "colorlabels")
    darktable_file = packet.simple(NS_DARKTABLE, "xmp_version") is not None
    has_xmp_label = bool(packet.occurrences(NS_XMP, "Label"))
    if dt_container is not None or (darktable_file and not has_xmp_label):
        numbers = [li.text.strip() for li in dt_items if li.text and li.text.strip()]
        if was in DARKTABLE_COLORS:
            numbers = [n for n in numbers if n != str(DARKTABLE_COLORS.index(was))]
        if new is not None:
            mine = str(DARKTABLE_COLORS.index(new.value))
            numbers = [mine, *(n for n in numbers if n != mine)]
        if dt_container is None:
            if numbers:
                elem = ET.SubElement(packet.descs[0], f"{{{NS_DARKTABLE}}}colorlabels")
                dt_container = ET.SubElement(elem, f"{{{NS_RDF}}}Seq")
        else:
            for li in dt_items:
                dt_container.remove(li)
        if dt_container is not None:
            for number in numbers:
                ET.SubElement(dt_container, f"{{{NS_RDF}}}li").text = number
        if has_xmp_label:
            packet.set_simple(NS_XMP, "Label", label_text(label))
    else:
        packet.set_simple(NS_XMP, "Label", label_text(label))
    if packet.occurrences(NS_DIGIKAM, "ColorLabel"):
        packet.set_simple(
            NS_DIGIKAM, "ColorLabel", str(DIGIKAM_COLORS.get(new.value, 0) if new else 0)
        )


def _apply_pick(packet: _Packet, picked: bool) -> None:
    packet.set_simple(CURATOR_NS, "picked", "True" if picked else "False")
    pick_label = packet.simple(NS_DIGIKAM, "PickLabel")
    if picked:
        packet.set_simple(NS_DIGIKAM, "PickLabel", PICK_ACCEPTED)
        packet.set_simple(NS_PHOTOMECHANIC, "Tagged", "True")
        return
    if pick_label == PICK_ACCEPTED:
        packet.set_simple(NS_DIGIKAM, "PickLabel", PICK_NONE)
    if packet.occurrences(NS_PHOTOMECHANIC, "Tagged"):
        packet.set_simple(NS_PHOTOMECHANIC, "Tagged", "False")


def _leaf(path: str, sep: str = "|") -> str:
    return path.rsplit(sep, 1)[-1].strip()


def _is_tag(text: str, tags: frozenset[str], sep: str | None = None) -> bool:
    tag = normalise_tag(_leaf(text, sep) if sep else text)
    return tag is not None and tag in tags


def _levels(keywords: Iterable[Keyword]) -> Iterator[str]:
    """The flat list of an export: each keyword, a hierarchical one with every
    level (Lightroom's "Include Parents", darktable's flat list)."""
    for kw in keywords:
        if kw.path:
            yield from (level.strip() for level in kw.path.split("|"))
        else:
            yield kw.text


def _apply_keywords(packet: _Packet, edit: XmpEdit) -> None:
    if edit.keywords_replace is not None:
        keywords = edit.keywords_replace
        # A flat keyword that is a parent level of a path ("Places" of
        # "Places|London") is not a top-level keyword of its own.
        parents = {level.strip() for kw in keywords for level in kw.path.split("|")[:-1]}
        paths = [kw.path or kw.text for kw in keywords if kw.path or kw.text not in parents]
        packet.edit_list(NS_DC, "subject", replace=list(dict.fromkeys(_levels(keywords))))
        # darktable files its own "darktable|format|cr2" tags here: they are its data.
        packet.edit_list(
            NS_LR,
            "hierarchicalSubject",
            replace=paths,
            keep=lambda text: text.startswith("darktable|"),
        )
        if packet.occurrences(NS_DIGIKAM, "TagsList"):
            packet.edit_list(NS_DIGIKAM, "TagsList", replace=[p.replace("|", "/") for p in paths])
        if edit.private_remove:
            private = edit.private_remove
            for uri, local in ((NS_DC, "subject"), (NS_LR, "hierarchicalSubject")):
                packet.edit_list(uri, local, remove=lambda t: _leaf(t) in private, create=False)
        return
    if not (edit.keywords_add or edit.keywords_remove):
        return
    gone = edit.keywords_remove
    packet.edit_list(
        NS_DC,
        "subject",
        add=[kw.text for kw in edit.keywords_add],
        remove=lambda text: _is_tag(text, gone),
    )
    packet.edit_list(
        NS_LR,
        "hierarchicalSubject",
        add=[kw.path or kw.text for kw in edit.keywords_add],
        remove=lambda text: _is_tag(text, gone, "|"),
    )
    if packet.occurrences(NS_DIGIKAM, "TagsList"):
        packet.edit_list(
            NS_DIGIKAM,
            "TagsList",
            add=[(kw.path or kw.text).replace("|", "/") for kw in edit.keywords_add],
            remove=lambda text: _is_tag(text, gone, "/"),
        )


def _apply_people(packet: _Packet, people: PeopleEdit) -> None:
    paths = [k for k in people.add if "|" in k]
    flat = [k for k in people.add if "|" not in k]
    gone = people.remove
    if paths and not packet.occurrences(NS_DIGIKAM, "TagsList"):
        _container, items = packet.list_items(NS_LR, "hierarchicalSubject")
        known = [t for li in items if (t := (li.text or "").strip())]
        levels = {level.strip() for t in known for level in t.split("|")}
        _container, subjects = packet.list_items(NS_DC, "subject")
        seed = [t.replace("|", "/") for t in known if not t.startswith("darktable|")]
        seed += [t for li in subjects if (t := (li.text or "").strip()) and t not in levels]
        packet.edit_list(NS_DIGIKAM, "TagsList", replace=seed)
    slashed = {k.replace("|", "/") for k in gone if "|" in k}
    for uri, local, add, drop in (
        (NS_DC, "subject", flat, gone),
        (NS_LR, "hierarchicalSubject", paths, gone),
        (NS_DIGIKAM, "TagsList", [p.replace("|", "/") for p in paths], slashed),
    ):
        packet.edit_list(uri, local, add=add, remove=drop.__contains__, create=bool(add))
        if drop:
            _drop_if_empty(packet, uri, local)


def _drop_if_empty(packet: _Packet, uri: str, local: str) -> None:
    """Take out a list that Curator's own keywords were the last items of."""
    container, items = packet.list_items(uri, local)
    if container is None or items:
        return
    for desc, elem in packet.occurrences(uri, local):
        if elem is not None:
            desc.remove(elem)


def _apply_caption(packet: _Packet, caption: str) -> None:
    found = packet.occurrences(NS_DC, "description")
    if not found:
        new = ET.SubElement(packet.descs[0], f"{{{NS_DC}}}description")
        alt = ET.SubElement(new, f"{{{NS_RDF}}}Alt")
        ET.SubElement(alt, f"{{{NS_RDF}}}li", {_LANG: "x-default"}).text = caption
        return
    desc, elem = found[0]
    if elem is None:
        if not (desc.get(f"{{{NS_DC}}}description") or "").strip():
            desc.set(f"{{{NS_DC}}}description", caption)
        return
    if any((li.text or "").strip() for li in elem.iter(f"{{{NS_RDF}}}li")):
        return  # a caption someone wrote: never replaced
    if (elem.text or "").strip():
        return
    container = elem.find(f"{{{NS_RDF}}}Alt")
    if container is None:
        container = ET.SubElement(elem, f"{{{NS_RDF}}}Alt")
    _set_default(container, caption)


def _set_default(alt: ET.Element, caption: str) -> None:
    default: ET.Element | None = next(
        (li for li in alt.findall(f"{{{NS_RDF}}}li") if li.get(_LANG) == "x-default"), None
    )
    if default is None:
        default = ET.Element(f"{{{NS_RDF}}}li", {_LANG: "x-default"})
        alt.insert(0, default)
    default.text = caption

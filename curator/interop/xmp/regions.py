"""Faces as Metadata Working Group regions (`mwg-rs:Regions`, type Face).

`mwg-rs:AppliedToDimensions` (the displayed image) and a `mwg-rs:RegionList`
of Face regions: `mwg-rs:Area` (centre and size in fractions), `mwg-rs:Name`
for a named person, and Curator's verdicts in `mwg-rs:Extensions`
(`curator:eyes`, `curator:face_sharpness`, `curator:key_face`).

`apply_regions(descriptions, regions)` is the one writer: a packet without
regions or with only Curator's (each has `curator:eyes`) gets Curator's; one
with another tool's region keeps all as they are. `read_regions(root)` reads them.

Invariants: pure; five decimals, so the same faces give the same bytes.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

from curator.interop.xmp.fields import CURATOR_NS
from curator.interop.xmp.fields import FaceArea as FaceArea  # re-exported
from curator.interop.xmp.fields import FaceRegions as FaceRegions  # re-exported
from curator.interop.xmp.xmlout import NS_RDF, clean_text

NS_MWG_RS = "http://www.metadataworkinggroup.com/schemas/regions/"
NS_ST_DIM = "http://ns.adobe.com/xap/1.0/sType/Dimensions#"
NS_ST_AREA = "http://ns.adobe.com/xmp/sType/Area#"
PARSE_TYPE = f"{{{NS_RDF}}}parseType"
OURS = f"{{{CURATOR_NS}}}eyes"  # the extension that marks a region Curator wrote


def _el(parent: ET.Element, uri: str, local: str, text: str | None = None) -> ET.Element:
    child = ET.SubElement(parent, f"{{{uri}}}{local}")
    if text is not None:
        child.text = text
    return child


def _resource(parent: ET.Element, uri: str, local: str) -> ET.Element:
    return ET.SubElement(parent, f"{{{uri}}}{local}", {PARSE_TYPE: "Resource"})


def _number(value: float) -> str:
    return f"{value:.5f}".rstrip("0").rstrip(".") or "0"


def regions_element(regions: FaceRegions) -> ET.Element:
    """The `mwg-rs:Regions` element of `regions`."""
    root = ET.Element(f"{{{NS_MWG_RS}}}Regions", {PARSE_TYPE: "Resource"})
    dims = _resource(root, NS_MWG_RS, "AppliedToDimensions")
    _el(dims, NS_ST_DIM, "w", str(regions.width))
    _el(dims, NS_ST_DIM, "h", str(regions.height))
    _el(dims, NS_ST_DIM, "unit", "pixel")
    bag = _el(_el(root, NS_MWG_RS, "RegionList"), NS_RDF, "Bag")
    for area in regions.areas:
        li = ET.SubElement(bag, f"{{{NS_RDF}}}li", {PARSE_TYPE: "Resource"})
        _el(li, NS_MWG_RS, "Type", "Face")
        if area.name:
            _el(li, NS_MWG_RS, "Name", clean_text(area.name))
        x, y, w, h = area.box
        box = _resource(li, NS_MWG_RS, "Area")
        for name, value in (("x", x + w / 2), ("y", y + h / 2), ("w", w), ("h", h)):
            _el(box, NS_ST_AREA, name, _number(min(1.0, max(0.0, value))))
        _el(box, NS_ST_AREA, "unit", "normalized")
        extensions = _resource(li, NS_MWG_RS, "Extensions")
        _el(extensions, CURATOR_NS, "eyes", area.eyes)
        if area.sharpness is not None:
            _el(extensions, CURATOR_NS, "face_sharpness", _number(round(area.sharpness, 1)))
        _el(extensions, CURATOR_NS, "key_face", "True" if area.key else "False")
    return root


def _region_items(regions: ET.Element) -> list[ET.Element] | None:
    """The regions' rdf:li items; None when their layout is not one Curator reads."""
    lists = regions.findall(f"{{{NS_MWG_RS}}}RegionList")
    if len(lists) != 1:
        return None if lists else []
    containers = [c for c in lists[0] if c.tag in (f"{{{NS_RDF}}}Bag", f"{{{NS_RDF}}}Seq")]
    return containers[0].findall(f"{{{NS_RDF}}}li") if len(containers) == 1 else None


def is_curators_region(item: ET.Element) -> bool:
    """A region Curator wrote: its extensions say `curator:eyes`."""
    return any(OURS in ext.attrib or ext.find(OURS) is not None for ext in item.iter())


def apply_regions(descs: list[ET.Element], regions: FaceRegions) -> bool:
    """Write `regions` into the packet whose rdf:Description elements are
    `descs` (see the module docstring); False when another tool's regions
    are kept instead."""
    tag = f"{{{NS_MWG_RS}}}Regions"
    found = [(desc, child) for desc in descs for child in desc.findall(tag)]
    if any(tag in desc.attrib for desc in descs) or len(found) > 1:
        return False  # not a layout Curator writes: left alone
    if found:
        desc, existing = found[0]
        items = _region_items(existing)
        if items is None or not all(is_curators_region(item) for item in items):
            return False
        if not regions.areas:
            desc.remove(existing)
            return True
        desc.insert(list(desc).index(existing), regions_element(regions))
        desc.remove(existing)
        return True
    if regions.areas:
        descs[0].append(regions_element(regions))
    return True


def read_regions(root: ET.Element) -> list[tuple[str, tuple[float, float, float, float]]]:
    """(type, (centre x, centre y, w, h)) of every region a packet holds, in the
    element form Curator writes (attribute forms of other tools are read too)."""
    out = []
    for regions in root.iter(f"{{{NS_MWG_RS}}}Regions"):
        for li in _region_items(regions) or []:
            inner = li.find(f"{{{NS_RDF}}}Description")  # <rdf:li><rdf:Description …>
            item = inner if inner is not None else li
            kind = item.findtext(f"{{{NS_MWG_RS}}}Type") or item.get(f"{{{NS_MWG_RS}}}Type") or ""
            area = item.find(f"{{{NS_MWG_RS}}}Area")
            if area is None:
                continue

            def value(name: str, area: ET.Element = area) -> float:
                text = area.findtext(f"{{{NS_ST_AREA}}}{name}") or area.get(
                    f"{{{NS_ST_AREA}}}{name}"
                )
                return float(text or 0)

            out.append((kind, (value("x"), value("y"), value("w"), value("h"))))
    return out

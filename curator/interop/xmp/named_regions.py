"""Face regions another tool named, read from an XMP packet.

MWG regions (`mwg-rs:Name`, `mwg-rs:Area` in fractions of
`mwg-rs:AppliedToDimensions`) and Microsoft's `MP:RegionInfo`
(`MPReg:Rectangle`, `MPReg:PersonDisplayName`), elements or attributes.
`named_regions(root)` gives each as a `NamedRegion` clamped to the image;
Curator's own (`curator:eyes`), unnamed, other types and unreadable areas are
skipped. Pure.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterator

from curator.interop.xmp.fields import NamedRegion
from curator.interop.xmp.regions import NS_MWG_RS, NS_ST_AREA, NS_ST_DIM, is_curators_region
from curator.interop.xmp.xmlout import NS_RDF

NS_MP = "http://ns.microsoft.com/photo/1.2/"
NS_MPRI = "http://ns.microsoft.com/photo/1.2/t/RegionInfo#"
NS_MPREG = "http://ns.microsoft.com/photo/1.2/t/Region#"
MAX_NAME = 200


def _value(item: ET.Element, uri: str, local: str) -> str | None:
    """A simple property of a struct, as an attribute or a child element."""
    tag = f"{{{uri}}}{local}"
    if tag in item.attrib:
        return item.attrib[tag]
    child = item.find(tag)
    if child is None:
        return None
    return child.text if child.text is not None and len(child) == 0 else None


def _struct(item: ET.Element, uri: str, local: str) -> ET.Element | None:
    """A struct property: the element itself, or its inner rdf:Description."""
    child = item.find(f"{{{uri}}}{local}")
    if child is None:
        return None
    inner = child.find(f"{{{NS_RDF}}}Description")
    return inner if inner is not None else child


def _items(parent: ET.Element, uri: str, local: str) -> Iterator[ET.Element]:
    """The items of a Bag/Seq property, each as the struct it holds."""
    prop = parent.find(f"{{{uri}}}{local}")
    if prop is None:
        return
    for container in prop:
        if container.tag not in (f"{{{NS_RDF}}}Bag", f"{{{NS_RDF}}}Seq"):
            continue
        for li in container.findall(f"{{{NS_RDF}}}li"):
            inner = li.find(f"{{{NS_RDF}}}Description")
            yield inner if inner is not None else li


def _float(text: str | None) -> float | None:
    try:
        value = float(text) if text is not None else None
    except ValueError:
        return None
    return value if value is not None and 0.0 <= value <= 1e6 else None


def _name(text: str | None) -> str | None:
    clean = " ".join((text or "").split())
    return clean[:MAX_NAME] if clean else None


def _box(x: float, y: float, w: float, h: float) -> tuple[float, float, float, float] | None:
    """(left, top, w, h) clamped to the image; None when nothing of it is inside."""
    x0, y0 = max(0.0, x), max(0.0, y)
    x1, y1 = min(1.0, x + w), min(1.0, y + h)
    if x1 <= x0 or y1 <= y0:
        return None
    return x0, y0, x1 - x0, y1 - y0


def _mwg(regions: ET.Element) -> Iterator[NamedRegion]:
    dims: tuple[int, int] | None = None
    applied = _struct(regions, NS_MWG_RS, "AppliedToDimensions")
    if applied is not None:
        w, h = _float(_value(applied, NS_ST_DIM, "w")), _float(_value(applied, NS_ST_DIM, "h"))
        dims = (int(w), int(h)) if w and h else None
    for item in _items(regions, NS_MWG_RS, "RegionList"):
        if is_curators_region(item):
            continue
        name = _name(_value(item, NS_MWG_RS, "Name"))
        kind = (_value(item, NS_MWG_RS, "Type") or "").strip()
        area = _struct(item, NS_MWG_RS, "Area")
        if name is None or kind != "Face" or area is None:
            continue
        unit = (_value(area, NS_ST_AREA, "unit") or "normalized").strip()
        x, y, w, h = (_float(_value(area, NS_ST_AREA, k)) for k in ("x", "y", "w", "h"))
        if unit != "normalized" or x is None or y is None or not w or not h:
            continue
        box = _box(x - w / 2, y - h / 2, w, h)  # MWG gives the centre
        if box is not None:
            yield NamedRegion(name, box, dims)


def _microsoft(info: ET.Element) -> Iterator[NamedRegion]:
    for item in _items(info, NS_MPRI, "Regions"):
        name = _name(_value(item, NS_MPREG, "PersonDisplayName"))
        parts = (_value(item, NS_MPREG, "Rectangle") or "").split(",")
        numbers = [_float(p.strip()) for p in parts]
        if name is None or len(numbers) != 4 or any(n is None for n in numbers):
            continue
        x, y, w, h = (float(n or 0.0) for n in numbers)
        box = _box(x, y, w, h) if w > 0 and h > 0 else None
        if box is not None:
            yield NamedRegion(name, box, None)


def named_regions(root: ET.Element) -> tuple[NamedRegion, ...]:
    """Every face another tool named in the packet under `root` (see the module docstring)."""
    found: list[NamedRegion] = []
    for desc in root.iter(f"{{{NS_RDF}}}Description"):
        for regions in desc.findall(f"{{{NS_MWG_RS}}}Regions"):
            inner = regions.find(f"{{{NS_RDF}}}Description")
            found.extend(_mwg(inner if inner is not None else regions))
        info = _struct(desc, NS_MP, "RegionInfo")
        if info is not None:
            found.extend(_microsoft(info))
    return tuple(dict.fromkeys(found))

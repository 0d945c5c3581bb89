"""Names from regions another tool named, onto Curator's faces (an import's XMP step).

`match_regions(regions, photo)` (pure) brings each named region into the
upright frame (undoing the quarter-turn or applying the EXIF orientation, per
`AppliedToDimensions`; the inverse of `xmp_fields.face_regions`), then pairs
regions and faces greedily, largest overlap first: overlap ≥ `MATCH_IOU`, or each
centre inside the other. One name per face, one face per region.

`take_region_names(named)` names them through
`catalog.people.region_names.name_faces`. Regions are never written back.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from curator.catalog.models import Photo
from curator.catalog.people.region_names import (
    NamesTaken,
    PhotoFacesForNaming,
    faces_for_naming,
    name_faces,
)
from curator.interop.xmp.fields import NamedRegion

MATCH_IOU = 0.3

Box = tuple[float, float, float, float]


def _iou(a: Box, b: Box) -> float:
    x0, y0 = max(a[0], b[0]), max(a[1], b[1])
    x1, y1 = min(a[0] + a[2], b[0] + b[2]), min(a[1] + a[3], b[1] + b[3])
    inter = max(0.0, x1 - x0) * max(0.0, y1 - y0)
    union = a[2] * a[3] + b[2] * b[3] - inter
    return inter / union if union > 0 else 0.0


def _inside(point: tuple[float, float], box: Box) -> bool:
    return box[0] <= point[0] <= box[0] + box[2] and box[1] <= point[1] <= box[1] + box[3]


def _centre(box: Box) -> tuple[float, float]:
    return box[0] + box[2] / 2, box[1] + box[3] / 2


# EXIF orientations that show the stored pixels a quarter-turn clockwise (6)
# or counter-clockwise (8); the mirrored ones (5, 7) are left alone.
_STORED_TURNS = {6: 1, 8: 3}


def upright_box(region: NamedRegion, photo: PhotoFacesForNaming) -> Box:
    """The region's box in the upright picture's fractions (see the module docstring)."""
    if region.dims is None:
        return region.box
    # Here, not at the top: imaging.orientation loads OpenCV and Pillow, which
    # an import with nothing to do never needs (test_empty_import_light).
    from curator.imaging.orientation import turned_box

    w, h = region.dims
    if w == h or photo.width == photo.height or (w > h) == (photo.width > photo.height):
        return region.box  # drawn on the upright picture
    if photo.rotation % 2:
        return turned_box(region.box, (4 - photo.rotation) % 4)  # on the turned picture
    if photo.orientation in _STORED_TURNS:  # on the pixels as stored, EXIF not applied
        return turned_box(region.box, _STORED_TURNS[photo.orientation])
    return region.box


def match_regions(
    regions: Sequence[NamedRegion], photo: PhotoFacesForNaming
) -> list[tuple[int, str]]:
    """(face id, name) for each region that shows one of the photo's faces."""
    scored: list[tuple[float, int, int]] = []
    for r, region in enumerate(regions):
        box = upright_box(region, photo)
        for f, (_face, face_box) in enumerate(photo.faces):
            overlap = _iou(box, face_box)
            mutual = _inside(_centre(box), face_box) and _inside(_centre(face_box), box)
            if overlap >= MATCH_IOU or mutual:
                scored.append((overlap, r, f))
    pairs: list[tuple[int, str]] = []
    used_regions: set[int] = set()
    used_faces: set[int] = set()
    for _overlap, r, f in sorted(scored, key=lambda s: (-s[0], s[1], s[2])):
        if r in used_regions or f in used_faces:
            continue
        used_regions.add(r)
        used_faces.add(f)
        pairs.append((photo.faces[f][0], regions[r].name))
    return pairs


def take_region_names(named: Mapping[int, Sequence[NamedRegion]]) -> NamesTaken:
    """Name the faces other tools' regions show (photo id -> its named regions)."""
    wanted = {pid: regions for pid, regions in named.items() if regions}
    if not wanted:
        return NamesTaken()
    photos = faces_for_naming(list(wanted))
    pairs = [
        pair
        for pid, regions in sorted(wanted.items())
        if pid in photos
        for pair in match_regions(regions, photos[pid])
    ]
    return name_faces(Photo._meta.database, pairs)

"""The tool-neutral metadata Curator reads from and writes to XMP."""

from __future__ import annotations

from dataclasses import dataclass, field

CURATOR_NS = "http://ns.curator.app/xmp/1.0/"
"""Curator's private namespace (prefix `curator`) for its own scores."""


@dataclass(frozen=True)
class FaceArea:
    """One face as a region: its box (x, y, w, h: left, top, size) in fractions
    of the image as displayed, and Curator's verdicts."""

    box: tuple[float, float, float, float]
    eyes: str  # open | closed | unknown
    sharpness: float | None
    key: bool
    name: str | None = None  # the face's person's name (mwg-rs:Name); None: unnamed


@dataclass(frozen=True)
class FaceRegions:
    """A photo's faces for XMP: the displayed size they apply to, and the areas."""

    width: int
    height: int
    areas: tuple[FaceArea, ...]


@dataclass(frozen=True)
class NamedRegion:
    """A face region another tool named: the name, its box (x, y, w, h: left,
    top, size) in fractions of the image the region applies to, and that
    image's size in pixels (`mwg-rs:AppliedToDimensions`; None: unsaid)."""

    name: str
    box: tuple[float, float, float, float]
    dims: tuple[int, int] | None = None


@dataclass(frozen=True)
class XmpFields:
    """What one XMP packet says about a photo, in Curator's terms. `None` means "the
    packet does not say", so a reader never turns a missing field into a decision."""

    rating: int | None = None  # xmp:Rating: 1..5 stars, 0 unrated, -1 rejected
    label: str | None = None  # xmp:Label as written ("Red"); ColorLabel.parse reads it
    picked: bool | None = None  # a pick flag, where the writing tool has one
    rejected: bool | None = None  # a reject flag (xmp:Rating -1, digiKam PickLabel 1, ...)
    keywords: tuple[str, ...] = ()  # dc:subject (flat keywords)
    hierarchical: tuple[str, ...] = ()  # lr:hierarchicalSubject ("Places|Harbour")
    description: str | None = None  # dc:description, x-default
    creator_tool: str | None = None  # xmp:CreatorTool
    scores: dict[str, float] = field(default_factory=dict)  # curator:* (preference, ...)
    texts: dict[str, str] = field(default_factory=dict)  # curator:* text (content_type, ...)
    darktable: bool = False  # written by darktable (darktable:xmp_version)
    extra_labels: tuple[str, ...] = ()  # darktable's labels after the first ("Green")
    label_keywords: tuple[str, ...] = ()  # label texts with no color ("Extras", "Client A")
    orientation: int | None = None  # tiff:Orientation 1..8 (Curator writes it after a turn)
    # The faces stage's faces as MWG regions (written and read by
    # interop.xmp.regions); None: unsaid.
    faces: FaceRegions | None = None
    # The names of the photo's people (Curator's, written as person keywords:
    # xmp.people_keywords); regions other tools named, read (xmp.named_regions).
    people: tuple[str, ...] = ()
    named_faces: tuple[NamedRegion, ...] = ()

"""Which fields of an existing sidecar `xmp write` may change: a three-way comparison.

Per field (rating with reject, pick, label, each keyword): the catalog's value,
the sidecar's when last seen (`base`, `interop.xmp_sync`; None if never) and
now (`current`). A field is written only when the catalog differs from the
file, its value was decided *in Curator* (`authored`), and Curator changed it
since `base`; if the sidecar changed it too, the later change wins (file mtime
against the decision). Keywords are compared one tag at a time. A photo
decided only elsewhere gets an empty edit and a byte-identical sidecar.

Pure: values in, an `XmpEdit` out (`xmp.write.merge_sidecar` applies it).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from curator.interop.xmp.state import XmpState
from curator.records import ColorLabel

if TYPE_CHECKING:
    from curator.interop.xmp.regions import FaceRegions


@dataclass(frozen=True)
class Keyword:
    """A keyword as it goes out: its text ("B&W") and hierarchy ("Places|London"; '' flat)."""

    text: str
    path: str = ""


@dataclass(frozen=True)
class PeopleEdit:
    """Person keywords to add and to take out (`xmp.people_keywords`): paths
    ("People|Ann") and flat ones ("Ann")."""

    add: tuple[str, ...] = ()
    remove: frozenset[str] = frozenset()

    def __bool__(self) -> bool:
        return bool(self.add or self.remove)


@dataclass(frozen=True)
class XmpEdit:
    """Changes to make in a packet; a None (or empty) field is left as the file has it."""

    rating: int | None = None  # xmp:Rating (−1 rejects)
    label: str | None = None  # a ColorLabel value, "" to clear
    label_was: str | None = None  # the label it replaces (of darktable's several: xmp.tree)
    picked: bool | None = None  # in every form other tools read
    keywords_add: tuple[Keyword, ...] = ()  # appended to the flat and hierarchical lists
    keywords_remove: frozenset[str] = frozenset()  # catalog tag form: taken out of both
    keywords_replace: tuple[Keyword, ...] | None = None  # exports: the lists outright
    private_remove: frozenset[str] = frozenset()  # keyword texts never to leave (exports)
    caption: str | None = None  # written only where the packet has none
    creator_tool: str | None = None
    scores: Mapping[str, float] = field(default_factory=dict)  # Curator's own namespace
    texts: Mapping[str, str] = field(default_factory=dict)
    orientation: int | None = None  # tiff:Orientation 1..8 (the photographer turned it)
    faces: FaceRegions | None = None  # Curator's faces as MWG regions (interop.xmp.regions)
    people: PeopleEdit | None = None  # person keywords (interop.xmp.people_keywords)

    @property
    def decides(self) -> bool:
        """Whether the edit changes a decided field (not only Curator's own namespace)."""
        return (
            self.rating is not None
            or self.label is not None
            or self.picked is not None
            or self.orientation is not None
            or bool(self.keywords_add or self.keywords_remove)
            or self.keywords_replace is not None
            or bool(self.people)
        )


@dataclass(frozen=True)
class Authored:
    """When the photo's current values were decided in Curator (None: not in Curator)."""

    rating: datetime | None = None  # the newest rating or cull decision
    picked: datetime | None = None
    label: datetime | None = None
    tags: Mapping[str, tuple[bool, datetime]] = field(default_factory=dict)  # name → (live, when)
    # The tiff:Orientation the photographer's turn in Curator makes, and when it was turned.
    orientation: tuple[int, datetime] | None = None


@dataclass(frozen=True)
class PlannedEdit:
    edit: XmpEdit
    kept: tuple[str, ...] = ()  # fields the sidecar's newer value kept, for the report


def plan_edit(
    catalog: XmpState,
    base: XmpState | None,
    current: XmpState,
    authored: Authored,
    file_time: datetime | None,
    *,
    keyword_texts: Mapping[str, Keyword] | None = None,
    extras: XmpEdit | None = None,
    own_file: bool = False,
    current_orientation: int | None = None,
) -> PlannedEdit:
    """The edit that brings Curator's decisions into a sidecar that says `current`
    (`file_time`: its mtime, naive UTC). `extras` (Curator's namespace, the
    caption) ride along with a decision, and refresh on their own only in a
    sidecar Curator made (`own_file`), so a retrained taste model never
    rewrites another tool's sidecars. The orientation has no recorded base:
    Curator's turn is written when it differs, unless the file changed since."""
    kept: list[str] = []

    def wins(name: str, cat: object, base_v: object, cur: object, when: datetime | None) -> bool:
        if cat == cur or when is None:
            return False
        if base is not None and cat == base_v:
            return False  # Curator did not change it since the sidecar was last seen
        if (base is None or cur != base_v) and file_time is not None and file_time > when:
            kept.append(name)
            return False
        return True

    rating = (
        catalog.rating
        if wins("rating", catalog.rating, _get(base, "rating"), current.rating, authored.rating)
        else None
    )
    picked = (
        catalog.picked
        if wins("pick", catalog.picked, _get(base, "picked"), current.picked, authored.picked)
        else None
    )
    label: str | None = None
    if wins("label", catalog.label, _get(base, "label"), current.label, authored.label):
        label = catalog.label or ""
    orientation: int | None = None
    if authored.orientation is not None:
        value, turned_at = authored.orientation
        if value != current_orientation:
            if file_time is not None and file_time > turned_at:
                kept.append("orientation")
            else:
                orientation = value
    texts = keyword_texts or {}
    add: list[Keyword] = []
    remove: set[str] = set()
    for tag, (live, when) in sorted(authored.tags.items()):
        in_file = tag in current.keywords
        in_base = base is not None and tag in base.keywords
        if live == in_file:
            continue
        file_moved = base is None or in_base == live  # the file changed this tag since
        if file_moved and file_time is not None and file_time > when:
            kept.append(f"keyword {tag}")
            continue
        if live:
            add.append(texts.get(tag, Keyword(tag)))
        else:
            remove.add(tag)
    decides = (
        rating is not None
        or picked is not None
        or label is not None
        or orientation is not None
        or add
        or remove
    )
    extra = extras if extras is not None and (decides or own_file) else XmpEdit()
    edit = XmpEdit(
        rating=rating,
        label=label,
        label_was=current.label if label is not None else None,
        picked=picked,
        keywords_add=tuple(add),
        keywords_remove=frozenset(remove),
        caption=extra.caption,
        creator_tool=extra.creator_tool,
        scores=extra.scores,
        texts=extra.texts,
        orientation=orientation,
        faces=extra.faces,
    )
    return PlannedEdit(edit, tuple(kept))


def _get(state: XmpState | None, name: str) -> object:
    return getattr(state, name) if state is not None else None


def label_text(value: str | None) -> str | None:
    """The `xmp:Label` text of a ColorLabel value ("red" → "Red"); None for none."""
    label = ColorLabel.parse(value)
    return label.xmp_name if label is not None else None

"""Small value types of the catalog that code outside it may name without
importing the ORM models or peewee: the window's first paint builds its
toolbar and grid from them before the catalog is opened, so nothing here may
import `curator.catalog.models`, peewee or sqlite3 (a start-up test checks).
The modules that do the work re-export them (`catalog.queries`,
`catalog.gallery_filters`, `catalog.projects`), so each name has one class.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from datetime import date, datetime
from enum import StrEnum
from typing import Any, Self

from curator.records import CullState, FacesSummary, FigureValues, Proposal

__all__ = [
    "NO_LABEL",
    "CullState",
    "FilterChoice",
    "GalleryFilter",
    "GalleryQuery",
    "GalleryRow",
    "GallerySort",
    "MembershipChange",
    "MetadataChoices",
    "MetadataFilter",
    "NamedChoice",
    "PeopleChoice",
    "PersonCoverage",
    "ProjectCover",
    "ProjectError",
    "ProjectSummary",
    "ProposalChoice",
]

# --- gallery ------------------------------------------------------------------

NO_LABEL = "none"  # GalleryQuery.label of the photos without a color label


class GalleryFilter(StrEnum):
    """What the gallery shows (the toolbar's filter combo)."""

    ALL = "all"
    UNREVIEWED = "unreviewed"
    KEPT = "kept"
    REJECTED = "rejected"
    FAILED = "failed"
    MISSING = "missing"  # every file of the photo is gone (catalog.missing)


@dataclass(frozen=True)
class GalleryRow:
    """The display fields of one photo for the gallery cell and the loupe panel."""

    id: int
    file_name: str
    path: str
    captured_at: datetime | None
    camera: str | None
    lens: str | None
    iso: int | None
    exposure_time: float | None
    f_number: float | None
    focal_length: float | None
    width: int | None
    height: int | None
    thumbnail_key: str | None
    preview_key: str | None
    sharpness_score: float | None
    exposure_score: float | None
    preference_score: float | None
    cull: str
    rating: int | None
    picked: bool
    failed_reason: str | None  # the technical stage's sentence when it failed
    highlight_clip: float | None = None  # fraction of clipped highlights (0–1)
    burst_group: int | None = None
    burst_best: bool = False  # the suggested best frame of its burst
    missing: bool = False  # every file is gone; `path` is the last one known
    label: str | None = None  # the color label, a ColorLabel value
    exposure_ev: float | None = None  # EV from a well-exposed rendering (-1.3: under)
    sharpness_note: str | None = None  # why sharpness_score is None, or what lowered it
    rotation: int = 0  # the photographer's quarter-turns clockwise on the upright picture
    paired_with: str = ""  # its RAW+JPEG pair's other files ("DSC1.JPG"; ui.gallery.model)
    shadow_clip: float | None = None  # fraction of crushed shadows (0–1)
    faces: FacesSummary | None = None  # the faces stage's summary; None: not looked at yet
    proposal: Proposal | None = None  # this seat's photographer's proposal (cull for me)
    # The stored figures (curator.figures) the row has no field of its own for, by name.
    figures: FigureValues = field(default_factory=FigureValues)
    client_heart: bool = False  # a client hearted it in a client gallery (catalog.proofing)
    # Its near-duplicates' group (m033) while another copy of the picture is live
    # and not rejected; None: stored once, or its group resolved (DUPLICATED_SQL).
    duplicate_group: int | None = None

    @property
    def failed(self) -> bool:
        return self.failed_reason is not None


class GallerySort(StrEnum):
    """Gallery orders; each matches an index of migration 4 (photo_gallery_*)."""

    CAPTURE_TIME = "capture time"
    PREFERENCE = "preference"
    SHARPNESS = "sharpness"
    RATING = "rating"
    FILE_NAME = "file name"  # the last path component, then the folder (no index: a sort)
    # The cull pass's order (score.review_order): lowest preference first, so
    # the obvious rejects come first; unscored photos after, by capture time.
    LIKELY_REJECTS = "likeliest rejects first"


class NamedChoice(StrEnum):
    """A filter's choices as one table: each member is one choice, its value what
    the filter holds, with how the Filter popup lists it (`label`), how the
    filter's button names it (`phrase`, the value when not given) and the
    search token that finds the same photos (`token`, search.tokens). A value
    that is not a member raises ValueError: an unknown choice is an error,
    never "every photo"."""

    label: str
    token: str
    phrase: str

    def __new__(cls, value: str, label: str = "", token: str = "", phrase: str = "") -> Self:
        member = str.__new__(cls, value)
        member._value_ = value
        member.label = label
        member.token = token
        member.phrase = phrase or value
        return member


class PeopleChoice(NamedChoice):
    """The gallery's People filter (`MetadataFilter.people`); its photos are the
    people filter of its token (catalog.people.filters)."""

    PEOPLE = ("people", "With people", "faces:1+")
    NO_PEOPLE = ("no people", "No people", "faces:0")
    CLOSED_EYES = ("closed eyes", "Closed eyes", "eyes:closed")
    LAUGHING = ("laughing", "Laughing", "eyes:laughing")
    SOFT_FACE = ("soft face", "Soft face", "face:soft")
    SMILING = ("smiling", "Smiling", "face:smiling")
    LOOKING_AT_CAMERA = (
        "looking at the camera",
        "Everyone looking at the camera",
        "looking:camera",
    )
    NO_KEPT_PHOTO = ("people with no kept photo", "People with no kept photo", "person:nokeep")


class ProposalChoice(NamedChoice):
    """The gallery's Proposal filter (`MetadataFilter.proposal`): this seat's
    photographer's proposals (cull for me, catalog.proposals)."""

    KEEP = ("keep", "Proposed keep", "proposal:keep", "proposed keep")
    REJECT = ("reject", "Proposed reject", "proposal:reject", "proposed reject")
    HIGHLIGHT = ("highlight", "Highlights", "proposal:highlight", "highlights")


@dataclass(frozen=True)
class MetadataFilter:
    """Narrowing by capture metadata; None (or "") leaves a field open. A People
    or Proposal value that is not one of its table's choices raises ValueError."""

    camera: str | None = None  # the camera's model (CAMERA_SQL), exactly
    # How the button names the chosen camera (its `camera_name`); not part of
    # what the filter matches, so two filters on one camera are equal.
    camera_label: str | None = field(default=None, compare=False)
    lens: str | None = None  # the lens name, exactly
    date_from: date | None = None  # captured on or after this day
    date_to: date | None = None  # captured on or before this day
    iso_min: int | None = None
    iso_max: int | None = None
    name_contains: str | None = None  # part of the file name
    people: PeopleChoice | None = None  # None: anyone
    proposal: ProposalChoice | None = None  # None: any photo, proposed or not
    # One person's photos (the People view's click, catalog.people.filters.PERSON_SQL):
    # a person's id; `person_label` is how the filter bar names them.
    person: int | None = None
    person_label: str | None = field(default=None, compare=False)
    # The photos a client hearted in one client gallery (catalog.proofing): the
    # gallery's token; `client_picks_label` is how the filter bar names it.
    client_picks: str | None = None
    client_picks_label: str | None = field(default=None, compare=False)
    # Only photos stored more than once: in a group of near-duplicates (m033).
    duplicates: bool = False

    def __post_init__(self) -> None:
        # A plain string (a combo's data) becomes its table's member; "" is None.
        table: type[NamedChoice]
        for name, table in (("people", PeopleChoice), ("proposal", ProposalChoice)):
            value = getattr(self, name)
            if value is not None and not isinstance(value, table):
                object.__setattr__(self, name, table(value) if value else None)

    @property
    def active(self) -> bool:
        """Whether any field that filters is set (the labels only name a choice)."""
        values = [getattr(self, f.name) for f in fields(self) if f.compare]
        return any(v not in (None, "") and v is not False for v in values)

    def describe(self) -> str:
        """A short text of what is set, for the popup button ("Canon EOS R6, ISO ≥ 3200")."""
        parts: list[str] = []
        if self.camera:
            parts.append(self.camera_label or self.camera)
        if self.lens:
            parts.append(self.lens)
        if self.date_from and self.date_to:
            parts.append(f"{self.date_from:%Y-%m-%d} – {self.date_to:%Y-%m-%d}")
        elif self.date_from:
            parts.append(f"from {self.date_from:%Y-%m-%d}")
        elif self.date_to:
            parts.append(f"until {self.date_to:%Y-%m-%d}")
        if self.iso_min is not None and self.iso_max is not None:
            parts.append(f"ISO {self.iso_min}–{self.iso_max}")
        elif self.iso_min is not None:
            parts.append(f"ISO ≥ {self.iso_min}")
        elif self.iso_max is not None:
            parts.append(f"ISO ≤ {self.iso_max}")
        if self.name_contains:
            parts.append(f"“{self.name_contains}”")
        if self.people:
            parts.append(self.people.phrase)
        if self.proposal:
            parts.append(self.proposal.phrase)
        if self.person is not None:
            parts.append(self.person_label or f"person {self.person}")
        if self.client_picks:
            parts.append(f"client picks: {self.client_picks_label or self.client_picks}")
        if self.duplicates:
            parts.append("near-duplicates")
        return ", ".join(parts)


@dataclass(frozen=True)
class FilterChoice:
    """One entry of a filter list: the value to filter on, its label, how many photos."""

    value: str
    label: str
    count: int


@dataclass(frozen=True)
class PersonCoverage:
    """A person's photos and how many of them are kept (catalog.people.coverage)."""

    id: int
    name: str | None
    photos: int
    kept: int


@dataclass(frozen=True)
class MetadataChoices:
    """What the filter popup offers: cameras and lenses with counts, the date and ISO span."""

    cameras: tuple[FilterChoice, ...]
    lenses: tuple[FilterChoice, ...]
    first_day: date | None
    last_day: date | None
    iso_low: int | None
    iso_high: int | None
    # This photographer's proposals: keep, reject, highlight (values of
    # MetadataFilter.proposal) with how many photos each holds now.
    proposals: tuple[FilterChoice, ...] = ()
    # The people that count, with their kept photos (catalog.people.coverage).
    people: tuple[PersonCoverage, ...] = ()
    # The client galleries (value: the gallery's token), with their hearted photos.
    client_galleries: tuple[FilterChoice, ...] = ()


@dataclass(frozen=True)
class GalleryQuery:
    """What the gallery shows and in which order; every field narrows the set."""

    cull: str | None = None  # unreviewed | kept | rejected
    min_rating: int | None = None  # at least this many stars
    match_only: bool = False  # preference_score ≥ match_threshold
    match_threshold: float = 70.0
    content_type: str | None = None  # the LLM's content type
    tag: str | None = None  # an (active) tag name
    # The tag cloud's filter (ui.gallery.tag_cloud): photos carrying every tag
    # of `tags_all` (and `tag`) and none of `tags_none`.
    tags_all: tuple[str, ...] = ()
    tags_none: tuple[str, ...] = ()
    burst_only: bool = False  # photos in a burst group
    failed_only: bool = False  # the technical stage failed
    missing_only: bool = False  # every file of the photo is gone
    project_id: int | None = None  # members of this project (catalog.projects)
    # camera, lens, date and ISO ranges, file name (catalog.gallery_filters)
    metadata: MetadataFilter = field(default_factory=MetadataFilter)
    label: str | None = None  # a ColorLabel value, or NO_LABEL: photos without a label
    sort: GallerySort = GallerySort.CAPTURE_TIME
    # Search results (best first): only these photos, in THIS order (the sort is
    # ignored); the other fields still narrow the set. None: no search.
    ranked_ids: tuple[int, ...] | None = None

    @classmethod
    def from_filter(cls, which: GalleryFilter, **changes: Any) -> GalleryQuery:
        which = GalleryFilter(which)
        if which is GalleryFilter.FAILED:
            return cls(failed_only=True, **changes)
        if which is GalleryFilter.MISSING:
            return cls(missing_only=True, **changes)
        if which is GalleryFilter.ALL:
            return cls(**changes)
        return cls(cull=which.value, **changes)


# --- projects -----------------------------------------------------------------


class ProjectError(ValueError):
    """A project operation that can't be done (bad, taken or unknown name, unknown photo)."""


@dataclass(frozen=True)
class ProjectCover:
    """The photo that stands for a project (see the module docstring)."""

    photo_id: int
    path: str  # display form of the photo's (last known) path
    thumbnail_key: str | None
    approved: bool  # False when no member is approved (the fallback cover)
    rotation: int = 0  # the photographer's quarter-turns clockwise: shown turned


@dataclass(frozen=True)
class ProjectSummary:
    """A project with its member count and cover, as lists and menus show it."""

    id: int
    name: str
    count: int  # members that are not deleted
    created_at: datetime
    cover: ProjectCover | None  # None for an empty project


@dataclass(frozen=True)
class MembershipChange:
    """What one add/remove call did."""

    project_id: int
    project: str  # the project's name
    changed: int  # photos actually added (or removed)
    unchanged: int  # photos that already were (or were not) members

    @property
    def requested(self) -> int:
        return self.changed + self.unchanged

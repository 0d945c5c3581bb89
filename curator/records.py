"""Plain data types that cross layers: the records one layer hands another.

Here: frozen dataclasses and enums made of builtins (numpy arrays where a
record carries a vector), with no behaviour beyond trivial properties — what
imaging returns to the pipeline and the catalog writer, what the catalog reads
for ml and ml hands back, so the catalog never imports imaging or ml
(tests/unit/test_layering.py). Not here: logic, and imports of other curator
packages, Qt or torch. The producing layer re-exports these names
(`curator.imaging.types`, `curator.ml.taste`, `curator.ml.bursts`,
`curator.catalog.types`), so both import paths name the same class.

Records cross process boundaries too (`TechnicalMeasurement`/`TechnicalFailure`
are pickled back from the children): keep them cheap to pickle and free of
shared mutable state.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray

# -- imaging: one file's technical measurement -------------------------------------


class FileFormat(StrEnum):
    """The container a file's *contents* turned out to be (not its extension)."""

    JPEG = "jpeg"
    PNG = "png"
    TIFF = "tiff"
    WEBP = "webp"
    HEIF = "heif"
    RAW = "raw"


class MetricsSource(StrEnum):
    """Which pixels the sharpness/exposure measures were computed on."""

    IMAGE = "image"  # the full-resolution decoded image (JPEG/PNG/TIFF/WebP/HEIF)
    RAW_HALF = "raw_half"  # the RAW's half-size demosaic (native per-channel resolution)
    # The RAW's embedded JPEG, >= 1440 px on its long edge: the fast path (no unpack).
    RAW_EMBEDDED = "raw_embedded"
    # A small embedded preview (< 1440 px): the sensor data was unusable and no large one.
    RAW_PREVIEW = "raw_preview"


class DriveMode(StrEnum):
    """What the camera says a shot was (imaging.drive_mode)."""

    SINGLE = "single"
    CONTINUOUS = "continuous"
    BRACKET = "bracket"


@dataclass(frozen=True)
class ExifData:
    """The EXIF fields Curator catalogues; every field is optional."""

    captured_at: datetime | None = None  # naive local camera time, as the camera wrote it
    camera_make: str | None = None
    camera_model: str | None = None
    lens: str | None = None
    iso: int | None = None
    exposure_time: float | None = None  # seconds
    f_number: float | None = None
    focal_length: float | None = None  # millimetres
    orientation: int = 1  # EXIF orientation 1..8 (1 when absent or invalid)
    pixel_width: int | None = None  # as stated in EXIF, may differ from the decoded size
    pixel_height: int | None = None
    exposure_bias: float | None = None  # ExposureBiasValue, EV (brackets: 0/−0.7/+0.7…)
    capture_subsec: int | None = None  # SubSecTimeOriginal as ms (0–999)
    sequence_number: int | None = None  # EXIF ImageNumber (the camera's frame counter)
    drive_mode: DriveMode | None = None  # from EXIF ExposureMode and the maker note
    sequence_index: int | None = None  # place in the camera's burst/bracket sequence (1, 2, …)
    body_serial: str | None = None  # BodySerialNumber: the camera body's (ingest's {serial})


# -- people: the faces stage ------------------------------------------------------


class EyeState(StrEnum):
    """A face's eyes as the faces stage judged them (ml.faces.eyes), in a
    photographer's words. Only CLOSED is a closed-eye reject; NARROWED never
    is, and UNKNOWN never counts against a frame.

    CLOSED keeps the stored word "closed" (catalogs and `curator list
    --json` readers since issue 32 hold it): it means shut, a blink — or,
    where the face does not smile, eyes lowered in a look down, which the
    eyes' evidence does not tell from a blink (docs/decisions/eyes-laugh.md)."""

    OPEN = "open"
    NARROWED = "narrowed"  # narrowed in a smile or laugh: the cheeks raise the lids
    CLOSED = "closed"  # shut: a blink (or a look down the evidence cannot tell from one)
    UNKNOWN = "unknown"  # can't tell: turned away, sunglasses, hair, too small


SMILING_FROM = 0.5  # a face whose smile reads this or more is smiling (issue 49's line)
# The faces note of a frame looked at again where the frames shot beside it
# show faces (ml.faces.find's `look_again`) that still shows none: it is not
# looked at again, and the panel says "No faces found, even looking again …".
LOOKED_AGAIN = "even looking again where the frames beside it show a face"


class Looking(StrEnum):
    """Where a face looks, its eyes and head together (ml.faces.expression);
    None on a face where Curator cannot tell (eyes shut or hidden, too small)."""

    CAMERA = "camera"
    AWAY = "away"


@dataclass(frozen=True)
class Face:
    """One face in one photo (ml.faces).

    `box` is (x, y, w, h) in fractions of the *upright* image (the preview as
    shown, EXIF orientation applied), so it survives any resize. Faces smaller
    than the judging size are counted (`judged` False, eyes UNKNOWN, no
    sharpness); `eyes_note` says why a judged face's eyes are UNKNOWN.
    """

    box: tuple[float, float, float, float]
    size_px: int  # the box's long side in preview pixels (1440 px long edge)
    judged: bool
    eyes: EyeState = EyeState.UNKNOWN
    eyes_note: str | None = None  # "turned away", "sunglasses", "too small", ...
    openness: float | None = None  # both eyes' mean height / width (eye aspect ratio)
    sharpness: float | None = None  # 0..100 on the photo's sharpness scale (imaging.metrics)
    key: bool = False  # one of the photo's subjects (ml.faces.verdicts)
    confidence: float = 0.0  # the detector's score, 0..1
    # How the face looks (ml.faces.expression; None: not read): how sure Curator
    # is that it smiles (0..1), where it looks, the head's yaw, pitch and roll in degrees.
    smile: float | None = None
    looking: Looking | None = None
    yaw: float | None = None
    pitch: float | None = None
    roll: float | None = None

    @property
    def smiling(self) -> bool | None:
        """Whether the face smiles (`SMILING_FROM`); None: its smile was not read."""
        return None if self.smile is None else self.smile >= SMILING_FROM


@dataclass(frozen=True)
class SummaryField:
    """One row of the faces summary's table (`FACES_SUMMARY`): a `FacesSummary`
    field, the `photo_faces` column that stores it, what it means, its scale."""

    name: str
    type: str  # the field's annotation: "bool" (stored 0 or 1), "int", "float | None"
    default: bool | int | None  # the value without faces (and the column's default)
    column: str
    scale: str
    meaning: str


def summary_field(default: bool | int | None, column: str, scale: str, meaning: str) -> Any:
    """A `FacesSummary` field declared with its row of the table (its metadata)."""
    return field(default=default, metadata={"faces_summary": (column, scale, meaning)})


def summary_table(record: type) -> tuple[SummaryField, ...]:
    """The table a summary record's fields declare, in their order."""
    return tuple(
        SummaryField(f.name, str(f.type), f.default, *f.metadata["faces_summary"])  # type: ignore[arg-type]
        for f in fields(record)
    )


@dataclass(frozen=True)
class FacesSummary:
    """What a photo's faces say, as the badges, filters, bursts and the proposal
    read it: the faces summary's table. Each field is declared once, here, with
    the `photo_faces` column that stores it, its scale and its meaning; the
    catalog's model, its write, every reader's columns and the record made from
    a row come from it (catalog.people.summary). A new flag is one field here,
    after the others (callers build it by position), its numbered migration
    (the column) and its verdict (ml.faces.verdicts.summarize)."""

    count: int = summary_field(0, "faces", "a count", "every face found, judged or not")
    judged: int = summary_field(0, "judged", "a count", "the faces large enough to judge")
    key: int = summary_field(0, "key_faces", "a count", "the key faces: the photo's subjects")
    closed_eyes: bool = summary_field(
        False, "closed_eyes", "yes/no", "a key face's eyes are closed (CLOSED EYES)"
    )
    soft_face: bool = summary_field(
        False, "soft_face", "yes/no", "a key face is clearly softer than the photo (SOFT FACE)"
    )
    eyes_open: bool = summary_field(
        False, "eyes_open", "yes/no", "every key face's eyes are open (False: no key face)"
    )
    key_sharpness: float | None = summary_field(
        None,
        "key_sharpness",
        "0-100, the photo's sharpness scale (imaging.metrics); None: no key face measured",
        "the softest key face's sharpness",
    )
    smiling: bool = summary_field(
        False, "smiling", "yes/no", "every key face smiles (False: no key face)"
    )
    # Stored as `looking` (m024): the column's name is the catalog's, this one says what it holds.
    all_at_camera: bool = summary_field(
        False, "looking", "yes/no", "every key face looks at the camera (False: no key face)"
    )
    ready: int = summary_field(
        0,
        "ready",
        "a count",
        "the faces ready: eyes open (or narrowed in a laugh) at the camera, or a key face"
        " not seen looking away",
    )
    laughing: bool = summary_field(
        False, "laughing", "yes/no", "a key face's eyes are narrowed in a laugh (never a reject)"
    )


FACES_SUMMARY = summary_table(FacesSummary)


@dataclass(frozen=True)
class FacesFound:
    """The faces stage's result for one photo (possibly no faces)."""

    faces: tuple[Face, ...]
    version: str  # the stage version that produced it (pipeline.stages.faces)
    # Why no face was judged although the photo was looked at ("too small to
    # look for faces in"), or None.
    note: str | None = None
    summary: FacesSummary = field(default_factory=FacesSummary)
    # Each face's identity descriptor (ml.faces.descriptor's stored form), in
    # `faces`' order, None for a face not described; empty when none was. Kept
    # apart from `Face`, which the views read: a descriptor goes only into the
    # catalog (catalog.people.store) and to the people clustering.
    descriptors: tuple[bytes | None, ...] = ()
    descriptor_model: str = ""  # the model that made them (ml.faces.descriptor.MODEL)

    @property
    def key_faces(self) -> tuple[Face, ...]:
        return tuple(f for f in self.faces if f.key)


@dataclass(frozen=True)
class FacesFailure:
    """Faces could not be judged on this photo: the sentence and the detail."""

    message: str
    error_type: str
    detail: str = ""


FacesOutcome = FacesFound | FacesFailure


@dataclass(frozen=True)
class TechnicalRequest:
    """Immutable input to one technical measurement of one file."""

    path: str
    cache_dir: str  # root of the content-addressed preview/thumbnail cache
    preview_long_edge: int = 1440
    thumbnail_long_edge: int = 320
    max_pixels: int = 250_000_000  # decompression-bomb guard, in decoded pixels
    # Hashes whose measurement is already done and current: the worker stops after
    # hashing (no decode) when the file's hash is in here (a duplicate or a move).
    known_hashes: frozenset[str] = field(default_factory=frozenset)
    # The face model's folder when the faces stage runs beside this measurement
    # (pipeline.stages.faces), else None; `faces_version` is its stage version.
    faces_model: str | None = None
    faces_version: str = ""
    # Whether the faces stage computes identity descriptors (settings.people_recognition).
    faces_describe: bool = True


@dataclass(frozen=True)
class SharpnessMeasure:
    """One frame's sharpness measures (imaging.metrics), at its working scale: the
    luma area-averaged to a 1024 px long edge, a frame of 640-1024 px as it is.
    A frame under that is not judged (`judged` False): its figures are read at
    its own scale (a 400 px frame's noise: 11.9), so the catalog keeps none of
    them (NULL, m028), only the note saying why."""

    laplacian_var: float  # variance of the Laplacian over the whole frame
    tile_p90: float  # 90th percentile of per-tile Laplacian variance
    score: float | None  # 0..100, see imaging.metrics; None: not judged (see `note`)
    # why there is no score ("too small to judge"), or what lowered it
    # ("focus missed the subject": imaging.focus)
    note: str | None = None
    # The noise sd in grey levels of the pixels measured; the faces judged on the
    # same pixels take it off (their own scale, judged or not).
    noise: float | None = None

    @property
    def judged(self) -> bool:
        """Whether the frame was judged (it has a score): its figures are at the
        working scale, and stored."""
        return self.score is not None


@dataclass(frozen=True)
class ExposureMeasure:
    highlight_clip: float  # fraction of pixels at or above the highlight threshold
    shadow_clip: float  # fraction of pixels at or below the shadow threshold
    mean_luminance: float  # 0..255
    score: float  # 0..100, see imaging.metrics for the rule
    ev: float | None = None  # estimated EV from a well-exposed rendering (-1.3: under)


@dataclass(frozen=True, slots=True)
class FigureValues:
    """The stored figures a record carries by name (hashable, as the rows that
    hold it): `get(name)` is the value, None when absent or not judged."""

    pairs: tuple[tuple[str, object], ...] = ()

    @classmethod
    def of(cls, names: tuple[str, ...], values: tuple[object, ...]) -> FigureValues:
        return cls(tuple(zip(names, values, strict=True)))

    def get(self, name: str) -> object:
        for key, value in self.pairs:
            if key == name:
                return value
        return None


@dataclass(frozen=True)
class TechnicalMeasurement:
    """Result of measuring one file. `decoded` is False for a known hash."""

    path: str
    content_hash: str  # blake3 hex of the file's bytes
    size: int
    mtime_ns: int
    decoded: bool
    format: FileFormat | None = None
    width: int | None = None  # displayed size (after orientation)
    height: int | None = None
    exif: ExifData = field(default_factory=ExifData)
    sharpness: SharpnessMeasure | None = None
    exposure: ExposureMeasure | None = None
    metrics_source: MetricsSource | None = None
    # The stored figures measured by a function of their own (curator.figures:
    # `measure`), by name.
    measured: FigureValues = field(default_factory=FigureValues)
    preview_key: str | None = None  # cache key (relative path) of the 1440 px JPEG
    thumbnail_key: str | None = None  # cache key (relative path) of the ~320 px JPEG
    notes: tuple[str, ...] = ()  # human remarks, e.g. "metrics from the embedded preview"
    struct_sig: bytes | None = None  # exposure-invariant structure (imaging.structure)
    # The faces stage's outcome on this decode's preview; None when it did not run
    # (no face model, or a known hash).
    faces: FacesOutcome | None = None


@dataclass(frozen=True)
class TechnicalFailure:
    """A file the technical stage could not measure, with the human reason."""

    path: str
    message: str  # the sentence for the Failed lane
    error_type: str  # the typed error's class name, for the error log
    detail: str = ""  # technical cause (exception text / traceback)
    transient: bool = False  # worth retrying (I/O hiccup, crashed decoder)
    content_hash: str | None = None  # when the bytes could be read
    size: int | None = None
    mtime_ns: int | None = None
    # What the file's *name* says it is, when that matters before any decode: RAW
    # for a camera RAW extension (imaging.formats.format_by_name), else None.
    format: FileFormat | None = None
    # The camera data when the header is readable though the pixels are not
    # (a truncated file): the Failed lane and the panel still say what it was.
    exif: ExifData | None = None


@dataclass(frozen=True)
class QuickLook:
    """A file's quick look: enough to show it in the grid before it is measured.

    Made from the camera's embedded thumbnail (or a DCT 1/8 decode) and the
    EXIF, see imaging.quicklook; the technical stage's measurement replaces
    every field later (its thumbnail has another cache key). A listing (a
    JPEG without an embedded thumbnail, looked at without decoding) has no
    thumbnail yet: the quick look's second round decodes it, visible first.
    """

    path: str
    content_hash: str
    size: int
    mtime_ns: int
    format: FileFormat
    # Cache key of the quick thumbnail (imaging.cache.quick_look_key); None: a listing.
    thumbnail_key: str | None
    width: int | None = None  # displayed size, as far as the header tells
    height: int | None = None
    exif: ExifData = field(default_factory=ExifData)


# -- decisions --------------------------------------------------------------------


class CullState(StrEnum):
    UNREVIEWED = "unreviewed"
    KEPT = "kept"
    REJECTED = "rejected"


class ColorLabel(StrEnum):
    """Lightroom's color labels (keys 6–9; purple from the menu)."""

    RED = "red"
    YELLOW = "yellow"
    GREEN = "green"
    BLUE = "blue"
    PURPLE = "purple"

    @property
    def xmp_name(self) -> str:
        """The `xmp:Label` text Lightroom, Bridge and darktable write ("Red")."""
        return self.value.capitalize()

    @classmethod
    def parse(cls, text: str | None) -> ColorLabel | None:
        """A label from any tool's spelling ("Red", "red", " RED "); None when unknown."""
        if not text:
            return None
        try:
            return cls(text.strip().lower())
        except ValueError:
            return None


@dataclass(frozen=True)
class DecisionState:
    """A photo's current decision state, as the Decision log left it."""

    rating: int | None
    cull: CullState
    picked: bool
    label: ColorLabel | None = None
    # The state is an accepted proposal nobody changed by hand since
    # (catalog.taste.accepted): the taste model weighs it less (ml.taste).
    proposal: bool = False


# -- the taste model --------------------------------------------------------------


@dataclass(frozen=True)
class DecisionCounts:
    """What the taste model's training set is made of, for saying what is missing."""

    decisions: int  # photos with a decision that teaches (see ml.taste.label_for)
    embedded_decisions: int  # of those, the ones with an embedding (the training set)
    embedded_photos: int  # photos with an embedding of the model, decided or not


@dataclass(frozen=True)
class TasteCoefficients:
    """A fitted taste model as the catalog stores it: plain arrays, no pickles.

    rating_hat = x·weights + bias; `precision` (dim × dim), `mean` and `scale`
    give the uncertainty in standardised space (see ml.taste.FittedTaste, which
    is built from this record and turns back into it).
    """

    alpha: float
    weights: NDArray[np.float32]  # (dim,) in raw embedding space
    bias: float
    precision: NDArray[np.float32]  # (dim, dim) in standardised space
    mean: NDArray[np.float32]  # (dim,)
    scale: NDArray[np.float32]  # (dim,)
    n_samples: int
    spearman: float | None
    spearman_low: float | None = None  # 95 % bootstrap interval (ml.taste_cv)
    spearman_high: float | None = None


@dataclass(frozen=True)
class TasteSummary:
    """The live taste model as `curator status` and the side panel show it."""

    version: int
    samples: int
    spearman: float | None  # held-out, grouped by look-alikes (ml.taste)
    spearman_low: float | None  # its 95 % bootstrap interval
    spearman_high: float | None
    early: bool  # trained on fewer than 20 decisions


# -- bursts -----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class KeyEyes:
    """A key face's place, its eyes, how it looks and how sharp it is: what
    the burst star compares of one person between a moment's frames (ml.bursts, matched by
    place). `eyes` None: a reader that knows only the place and openness
    (the star then reads the frame's summary instead)."""

    x: float  # the face box's centre, in fractions of the upright frame
    y: float
    width: float  # the box's width, a fraction of the frame's width
    height: float  # the box's height, a fraction of the frame's height
    openness: float | None  # both eyes' mean height / width (`Face.openness`; None: not measured)
    eyes: EyeState | None = None
    smile: float | None = None  # `Face.smile`
    looking: Looking | None = None  # `Face.looking`
    sharpness: float | None = None  # `Face.sharpness`

    @classmethod
    def at(
        cls,
        box: tuple[float, float, float, float],
        openness: float | None,
        eyes: EyeState | None = None,
        smile: float | None = None,
        looking: Looking | None = None,
        sharpness: float | None = None,
    ) -> KeyEyes:
        """The key eyes of a face whose box is (x, y, w, h) in fractions."""
        x, y, w, h = box
        return cls(x + w / 2, y + h / 2, w, h, openness, eyes, smile, looking, sharpness)

    @classmethod
    def of(cls, face: Face) -> KeyEyes:
        """A judged face's key eyes (its place, eyes, smile, look and sharpness)."""
        return cls.at(face.box, face.openness, face.eyes, face.smile, face.looking, face.sharpness)


@dataclass(frozen=True)
class Frame:
    """One photo as burst detection sees it (ml.bursts)."""

    photo_id: int
    camera: str | None
    captured_at: datetime | None
    embedding: NDArray[np.float32] | None  # L2-normalised
    sharpness: float | None
    exposure: float | None
    preference: float | None
    # Capture order inside one second, and the tie-break: never the photo id, so
    # the same folder groups the same way whatever order it was imported in.
    sequence_number: int | None = None
    name: str = ""  # the file name (then `path`) orders frames of one instant
    path: str = ""
    exposure_bias: float | None = None  # EXIF ExposureBiasValue (EV)
    struct_sig: bytes | None = None  # imaging.structure signature
    # What the camera set (relative EV of a bracket without the bias tag) and said
    # (drive mode, place in its sequence); the measured EV estimate (the pixels).
    exposure_time: float | None = None  # seconds
    f_number: float | None = None
    iso: int | None = None
    drive_mode: str | None = None  # DriveMode value
    sequence_index: int | None = None
    exposure_ev: float | None = None
    # The faces stage's summary (None: not judged): every key face's eyes open, a
    # key face's eyes closed, the softest key face's sharpness.
    eyes_open: bool | None = None
    closed_eyes: bool | None = None
    key_face_sharpness: float | None = None
    # How they look (issue 49; None: not read): the faces ready (ml.faces.verdicts
    # `is_ready`), every key face looking at the camera, every key face smiling.
    faces_ready: int | None = None
    all_at_camera: bool | None = None
    smiling: bool | None = None
    # The least smiling key face's smile score (None: not read): of frames
    # that all smile, the broadest smile wins a tie of sharpness (ml.bursts).
    smile: float | None = None
    # The key faces: one person is compared between the frames of a moment
    # (ml.bursts: who looks away, smiles, how open their eyes are; a
    # catalog's frames get them from `find_bursts`' loader, bursts' frames only).
    key_eyes: tuple[KeyEyes, ...] = ()
    # A key face's eyes narrowed in a laugh (the summary's; None: not judged).
    laughing: bool | None = None


@dataclass(frozen=True)
class Burst:
    group_id: int  # the smallest photo id in the group (stable across runs)
    photo_ids: tuple[int, ...]  # in capture order
    best_id: int


# -- proposals: a first cull Curator proposes (cull.rules; catalog.proposals) ---------


class ProposalVerdict(StrEnum):
    KEEP = "keep"
    REJECT = "reject"


class ProposalReason(StrEnum):
    """Why a frame is proposed as it is (what `curator list --json` shows); each
    one's words, tile pill and docs are its row in cull.table."""

    CLOSED_EYES = "closed eyes"
    SOFT_FACE = "soft face"
    BLUR = "blur"
    SHAKE = "shake"
    UNDER_EXPOSED = "under-exposed"
    OVER_EXPOSED = "over-exposed"
    DUPLICATE = "duplicate"  # of the frame kept in its burst or scene
    BELOW_TASTE = "below your taste"  # cut by the target, ranked by the taste model
    BELOW_TARGET = "below the target"  # cut by the target, no taste score to rank by


# The technical stage's note on a soft frame smeared one way
# (imaging.metrics.measure_sharpness): a proposal calls its blur "shake".
SHAKE_NOTE = "camera shake"

# Coverage (cull.coverage, catalog.people.coverage): an unnamed person counts as
# one of the shoot's people once seen in this many photos (a named one always
# counts). Three: strangers and passers-by fall in one or two frames, while a
# guest, a speaker or a player is photographed more often.
PEOPLE_MIN_FRAMES = 3


@dataclass(frozen=True)
class FramePerson:
    """A person seen in a frame (catalog.people, m025): id and name (None: unnamed)."""

    id: int
    name: str | None = None


@dataclass(frozen=True, slots=True)  # 100,000 at once: no __dict__ each for the collector
class ProposalFrame:
    """One photo as the proposal reads it (catalog.proposals.plan): what the
    stages measured, nothing read from the file. `decided` is the photo's own
    cull state when a person already judged it (such a photo only gives its
    burst context: it is never proposed)."""

    photo_id: int
    # The stored measures by their column's name (cull.table reads them by it).
    sharpness_score: float | None = None  # 0..100 (imaging.metrics); None: not judged
    exposure_score: float | None = None  # 0..100
    exposure_ev: float | None = None  # EV off a good exposure (negative: under)
    highlight_clip: float | None = None
    exposure_time: float | None = None  # seconds (EXIF)
    focal_length: float | None = None  # mm (EXIF)
    shaken: bool = False  # the technical stage saw a smear one way (SHAKE_NOTE)
    burst: int | None = None
    burst_best: bool = False
    faces: FacesSummary | None = None  # None: the faces stage has not looked
    key_boxes: tuple[tuple[float, float, float, float], ...] = ()  # key faces (x, y, w, h)
    key_faces: tuple[Face, ...] = ()  # the key faces as judged (issue 49: how they look)
    taste: float | None = None  # preference score 0..100 of the photographer's model
    decided: CullState | None = None
    people: tuple[FramePerson, ...] = ()  # the people of its faces, each once (by id)
    # The stored figures (curator.figures) the frame has no field of its own for,
    # by name (cull.check_types.measured reads one by its name).
    figures: FigureValues = field(default_factory=FigureValues)


@dataclass(frozen=True, slots=True)  # a Propose makes 100,000 at once (as ProposalFrame)
class Proposal:
    """What Curator proposes for one photo: never a decision until accepted."""

    photo_id: int
    verdict: ProposalVerdict
    reasons: tuple[ProposalReason, ...]
    confidence: float  # 0..1
    highlight: bool = False
    # A moment's keep chosen for its people, in words ("both smiling, looking at
    # the camera"; cull.looks.ready_reason): said when proposed, not stored.
    why: str = ""


@dataclass(frozen=True, slots=True)  # one per photo of a catalog: 100,000 at once
class DuplicateInput:
    """One photo as the near-duplicates search reads it (catalog.duplicates →
    curator.duplicates): its fingerprint and what its EXIF says of its moment."""

    photo_id: int
    fingerprint: bytes | None  # imaging.fingerprint's encoding
    captured_at: datetime | None = None
    capture_subsec: int | None = None  # ms within the second
    sequence_number: int | None = None  # the camera's counter
    exposure_time: float | None = None
    f_number: float | None = None
    iso: int | None = None
    exposure_bias: float | None = None

"""Peewee models over the catalog tables (the schema itself comes from migrations).

Invariants: paths are os.fsencode() bytes, each belonging to at most one photo;
`Photo.content_hash` (blake3) is a photo's identity, NULL only for an unreadable
file; one `StageRun` per (photo, stage); an import never deletes a Photo or
Decision row (a vanished photo is *missing*: catalog.missing; a purged one a
tombstone: `deleted_at`, catalog.purge). Models are bound by `Catalog.open`,
one catalog per process.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from peewee import (
    BlobField,
    BooleanField,
    ColumnBase,
    CompositeKey,
    DateTimeField,
    FloatField,
    ForeignKeyField,
    IntegerField,
    Model,
    NodeList,
    TextField,
)

from curator.catalog.backends.dialect import chunks
from curator.catalog.types import CullState  # re-exported: the class lives there
from curator.figures import FigureType
from curator.records import FACES_SUMMARY, SummaryField


def utcnow() -> datetime:
    """Naive UTC now: the catalog's timestamp convention."""
    return datetime.now(UTC).replace(tzinfo=None)


class Stage(StrEnum):
    """The per-photo stages, in the order an import runs them: the one list that
    `curator import --stages`, `curator status`, `curator list` and the import's
    report read. A stage's version, whose change re-queues only its stale rows
    (`stage_run.stage_version`), is declared beside its plan."""

    # Decode, EXIF, previews, sharpness and exposure: pipeline.stages.technical.STAGE_VERSION.
    TECHNICAL = "technical"
    # Faces, their eyes, focus and looks: pipeline.stages.faces.STAGE_VERSION (with the model).
    FACES = "faces"
    # The LLM's description and tags: llm.client.LLMConfig.stage_version (prompt and model).
    DESCRIBE = "describe"
    # The CLIP embedding: the model's id (settings.embedding_model_id).
    EMBED = "embed"
    # The taste score: no stage_run rows; the taste model's version is in photo_preference.
    SCORE = "score"


class StageStatus(StrEnum):
    PENDING = "pending"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"
    SKIPPED = "skipped"


class _Flag(BooleanField):
    """A yes/no column stored as the integer 0 or 1 (the schema's flags are
    INTEGER on SQLite, BIGINT on PostgreSQL, and raw SQL tests `picked = 1`):
    a bool is written as 0/1 on both backends and read back as a bool."""

    def db_value(self, value: object) -> int | None:
        flag = super().db_value(value)
        return None if flag is None else int(flag)


# Untyped as peewee's own fields are (mypy skips peewee): a row's value is a bool.
FlagField: Any = _Flag


class BaseModel(Model):
    class Meta:
        legacy_table_names = False


class Photo(BaseModel):
    path = BlobField(unique=True)
    content_hash = TextField(null=True, unique=True)
    size = IntegerField(null=True)
    mtime_ns = IntegerField(null=True)
    format = TextField(null=True)
    width = IntegerField(null=True)
    height = IntegerField(null=True)
    orientation = IntegerField(default=1)
    captured_at = DateTimeField(null=True)
    camera_make = TextField(null=True)
    camera_model = TextField(null=True)
    lens = TextField(null=True)
    iso = IntegerField(null=True)
    exposure_time = FloatField(null=True)
    f_number = FloatField(null=True)
    focal_length = FloatField(null=True)
    preview_key = TextField(null=True)
    thumbnail_key = TextField(null=True)
    metrics_source = TextField(null=True)
    # The measured figures (sharpness_score, exposure_score, shadow_clip…) are
    # declared in curator.figures and added below the class (`declare_figures`).
    exposure_bias = FloatField(null=True)  # EXIF ExposureBiasValue (m008)
    capture_subsec = IntegerField(null=True)  # ms within captured_at's second (m008)
    sequence_number = IntegerField(null=True)  # camera burst counter (m008)
    struct_sig = BlobField(null=True)  # exposure-invariant structure signature (m008)
    drive_mode = TextField(null=True)  # single | continuous | bracket, from EXIF (m010)
    sequence_index = IntegerField(null=True)  # place in the camera's sequence (m010)
    notes = TextField(null=True)
    cull = TextField(default=CullState.UNREVIEWED.value)
    rating = IntegerField(null=True)
    picked = FlagField(default=False)
    deleted_at = DateTimeField(null=True)
    missing_since = DateTimeField(null=True)  # every path gone from disk (m005)
    label = TextField(null=True)  # color label, a ColorLabel value (m006)
    rotation = IntegerField(default=0)  # the user's quarter-turns clockwise, 0..3 (m013)
    # RAW+JPEG pairs (m015, catalog.paths_codec): folder + stem, lower-cased, for
    # RAW and JPEG files; on a JPEG whose RAW shares it, that RAW (the lead).
    pair_key = BlobField(null=True)
    pair_lead_id = IntegerField(null=True)
    caption = TextField(null=True)  # another tool's or the photographer's caption (m010)
    burst_group = IntegerField(null=True)
    burst_best = FlagField(default=False)
    # Near-duplicates (m033, catalog.duplicates): its group (the group's lowest
    # id), and whether its fingerprint was compared with the catalog's yet.
    duplicate_group = IntegerField(null=True)
    duplicates_looked = FlagField(default=False)
    imported_at = DateTimeField(default=utcnow)
    updated_at = DateTimeField(default=utcnow)


_FIGURE_FIELDS = {
    FigureType.REAL: FloatField,
    FigureType.INTEGER: IntegerField,
    FigureType.BYTES: BlobField,
}


def declare_figures() -> None:
    """Photo's fields of the stored figures (curator.figures: declared once; the
    column itself comes from a migration); a figure already a field is left."""
    import curator.figures as declared  # read when called: a test may declare one more

    for figure in declared.FIGURES:
        if figure.name not in Photo._meta.fields:
            field = _FIGURE_FIELDS.get(figure.type, TextField)(null=True)
            Photo._meta.add_field(figure.name, field)


declare_figures()


class PhotoPath(BaseModel):
    """Another path holding the same bytes as `photo` (a duplicate copy)."""

    photo = ForeignKeyField(Photo, backref="extra_paths", on_delete="CASCADE")
    path = BlobField(unique=True)
    added_at = DateTimeField(default=utcnow)


class StageRun(BaseModel):
    photo = ForeignKeyField(Photo, backref="stage_runs", on_delete="CASCADE")
    stage = TextField()
    status = TextField()
    attempts = IntegerField(default=0)
    stage_version = TextField(null=True)
    failure_reason = TextField(null=True)
    updated_at = DateTimeField(default=utcnow)


class ErrorLog(BaseModel):
    stage = TextField()
    photo = ForeignKeyField(Photo, null=True, backref="errors", on_delete="SET NULL")
    path = BlobField(null=True)
    attempt = IntegerField(default=1)
    max_attempts = IntegerField(default=1)
    error_type = TextField()
    message = TextField()
    detail = TextField(default="")
    created_at = DateTimeField(default=utcnow)


class DecisionKind(StrEnum):
    CULL = "cull"
    RATING = "rating"
    PICK = "pick"
    TAG = "tag"
    LABEL = "label"
    ROTATION = "rotation"


class Decision(BaseModel):
    """One human decision, append-only: never updated, never deleted."""

    photo = ForeignKeyField(Photo, backref="decisions", on_delete="CASCADE")
    kind = TextField()
    old_value = TextField(null=True)
    new_value = TextField(null=True)
    pass_ = TextField(column_name="pass", default="cli")
    undoes = ForeignKeyField("self", null=True, backref="undone_by", column_name="undoes")
    created_at = DateTimeField(default=utcnow)
    seat_user = TextField(null=True)  # who decided (m019; NULL before)
    seat_host = TextField(null=True)  # on which machine
    seat_desk = TextField(null=True)  # which window, or the terminal (m030; NULL before)


class Description(BaseModel):
    photo = ForeignKeyField(Photo, backref="description", on_delete="CASCADE", unique=True)
    subject = TextField(null=True)
    content_type = TextField(default="other")
    lighting_critique = TextField(null=True)
    artistic_mood = TextField(null=True)
    model = TextField()
    prompt_version = TextField()
    created_at = DateTimeField(default=utcnow)


class Tag(BaseModel):
    name = TextField(unique=True)


class TagSource(StrEnum):
    AI = "ai"
    USER = "user"


class PhotoTag(BaseModel):
    photo = ForeignKeyField(Photo, backref="tags", on_delete="CASCADE")
    tag = ForeignKeyField(Tag, backref="photos", on_delete="CASCADE")
    source = TextField()
    confidence = FloatField(null=True)
    removed_at = DateTimeField(null=True)
    created_at = DateTimeField(default=utcnow)


class Embedding(BaseModel):
    photo = ForeignKeyField(Photo, backref="embeddings", on_delete="CASCADE")
    model = TextField()
    dim = IntegerField()
    vector = BlobField()
    created_at = DateTimeField(default=utcnow)


class TasteModel(BaseModel):
    version = IntegerField(unique=True)
    embedding_model = TextField()
    trained_at = DateTimeField(default=utcnow)
    n_samples = IntegerField()
    alpha = FloatField()
    spearman = FloatField(null=True)
    spearman_low = FloatField(null=True)  # 95 % bootstrap interval (m010)
    spearman_high = FloatField(null=True)
    bias = FloatField()
    weights = BlobField()
    mean = BlobField()
    scale = BlobField()
    precision = BlobField()
    owner = TextField(null=True)  # whose decisions trained it (m020); NULL: everyone's


class Project(BaseModel):
    """A named set of photos (names unique ignoring case); deleting one never
    touches its photos."""

    name = TextField(unique=True)
    created_at = DateTimeField(default=utcnow)


class ProjectPhoto(BaseModel):
    """A photo's membership in a project (one row per pair)."""

    project = ForeignKeyField(Project, backref="members", on_delete="CASCADE")
    photo = ForeignKeyField(Photo, backref="projects", on_delete="CASCADE")
    added_at = DateTimeField(default=utcnow)


class ExternalImport(BaseModel):
    """What was last taken from another tool for a photo (`source` 'xmp' or
    'lightroom'): the fingerprint of those values and the file's mtime."""

    photo = ForeignKeyField(Photo, backref="external_imports", on_delete="CASCADE")
    source = TextField()
    fingerprint = TextField()
    file_mtime_ns = IntegerField(null=True)
    imported_at = DateTimeField(default=utcnow)


class XmpSync(BaseModel):
    """The state of a photo's XMP as Curator last read or wrote it (m010): what
    `xmp write` compares with, so it changes only what Curator decided."""

    photo = ForeignKeyField(Photo, primary_key=True, on_delete="CASCADE")
    state = TextField()  # JSON, see curator.interop.xmp_sync
    sidecar = BlobField(null=True)  # the file read or written (fsencoded)
    mtime_ns = IntegerField(null=True)
    recorded_at = DateTimeField(default=utcnow)


class PhotoPreference(BaseModel):
    """A photo's taste score (0..100) and the taste model version that wrote it
    (m016): a narrow row, so a rescore rewrites 100k short rows and one small
    index, never the wide photo rows. A photo without a score has no row;
    `catalog.taste.store.write_scores` is the one writer."""

    photo = ForeignKeyField(Photo, primary_key=True, on_delete="CASCADE")
    score = FloatField()
    model_version = IntegerField()


class Face(BaseModel):
    """One face the faces stage found in a photo (m017; `idx` 0 is the largest).
    The box is in fractions of the upright image; see `curator.records.Face`."""

    photo = ForeignKeyField(Photo, backref="faces", on_delete="CASCADE")
    idx = IntegerField()
    x = FloatField()
    y = FloatField()
    w = FloatField()
    h = FloatField()
    size_px = IntegerField()
    judged = FlagField()
    eyes = TextField()  # an EyeState value
    eyes_note = TextField(null=True)
    openness = FloatField(null=True)
    sharpness = FloatField(null=True)
    is_key = FlagField()
    confidence = FloatField()
    smile = FloatField(null=True)  # m024: how the face looks (records.Face)
    looking = TextField(null=True)  # a Looking value; NULL: can't tell
    yaw = FloatField(null=True)
    pitch = FloatField(null=True)
    roll = FloatField(null=True)


class PhotoFaces(BaseModel):
    """A photo's faces summary (m017): what the badges, filters and bursts read.
    No row: the faces stage has not looked at the photo yet. Its summary
    columns are the faces summary's table's (`records.FACES_SUMMARY`), added
    below; `note` says why no face was judged, `version` is the stage's."""

    photo = ForeignKeyField(Photo, primary_key=True, on_delete="CASCADE")
    note = TextField(null=True)
    version = TextField()


def _summary_field(row: SummaryField) -> Any:
    """The model's field for one row of the faces summary's table."""
    if row.type == "bool":
        return FlagField(default=row.default)
    if row.type == "int":
        return IntegerField(default=row.default)
    if row.type == "float | None":
        return FloatField(null=True)
    raise TypeError(f"FacesSummary.{row.name}: no catalog column for a {row.type}")


for _row in FACES_SUMMARY:
    PhotoFaces._meta.add_field(_row.column, _summary_field(_row))


class PhotoKeyword(BaseModel):
    """A keyword exactly as another tool wrote it (m010): text, hierarchy, the
    catalog tag it became (None when the tag rule dropped it), private (not exported)."""

    photo = ForeignKeyField(Photo, backref="keywords", on_delete="CASCADE")
    text = TextField()
    path = TextField(default="")  # "Places|London|St. Paul's Cathedral"; '' when flat
    tag = TextField(null=True)
    private = FlagField(default=False)
    source = TextField()


class CullProposal(BaseModel):
    """What Curator proposes for a photo, for one photographer (m023): derived
    data, never a decision. `catalog.proposals.store` is its one writer; a
    decision that judges the photo ends it (a trigger)."""

    owner = TextField()  # the photographer (the seat's user)
    photo = ForeignKeyField(Photo, on_delete="CASCADE")  # no such constraint in SQL (m023)
    verdict = TextField()  # a ProposalVerdict value
    reasons = TextField(default="")  # ProposalReason values joined by "|"
    confidence = FloatField()
    highlight = FlagField(default=False)
    made_at = DateTimeField(default=utcnow)

    class Meta:
        primary_key = CompositeKey("owner", "photo")


def preference_of_photo() -> ColumnBase:
    """A Photo query's taste score (NULL: none), a correlated subquery on
    `photo_preference`'s primary key, as a column for peewee's where and
    order_by (a NodeList: a bare subquery has no `is_null` or `desc`)."""
    score = PhotoPreference.select(PhotoPreference.score).where(PhotoPreference.photo == Photo.id)
    return NodeList((score,)).converter(_score_value)  # else peewee guesses an int


def _score_value(value: object) -> float | None:
    return None if value is None else float(value)  # type: ignore[arg-type]


# `preference_of_photo` in plain SQL over a table named `photo` (not aliased).
PREFERENCE_OF_PHOTO = "(SELECT score FROM photo_preference WHERE photo_id = photo.id)"


def preference_scores(photo_ids: Iterable[int]) -> dict[int, float]:
    """The taste scores of these photos that have one."""
    ids = list(dict.fromkeys(int(i) for i in photo_ids))
    out: dict[int, float] = {}
    for chunk in chunks(ids):
        rows = (
            PhotoPreference.select(PhotoPreference.photo, PhotoPreference.score)
            .where(PhotoPreference.photo.in_(chunk))
            .tuples()
        )
        out.update((int(pid), float(score)) for pid, score in rows)
    return out


MODELS: list[type[Model]] = [
    Photo,
    PhotoPath,
    StageRun,
    ErrorLog,
    Decision,
    Description,
    Tag,
    PhotoTag,
    Embedding,
    TasteModel,
    Project,
    ProjectPhoto,
    ExternalImport,
    XmpSync,
    PhotoKeyword,
    PhotoPreference,
    Face,
    PhotoFaces,
    CullProposal,
]

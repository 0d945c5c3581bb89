"""Catalog reads and writes for the descriptive and personal judgments:
descriptions and AI tags (describe stage), embeddings (embed stage), the
taste model's training set, burst groups and frames.

Each write is one transaction; vectors are float32 little-endian BLOBs; plain
data in and out (curator.records), so the catalog imports neither ml nor imaging.
Invariants: an AI tag the user removed (`photo_tag.removed_at`) is never
re-added by a later describe run, and user tags are never touched by it; a
training set holds only embeddings of the one embedding model asked for.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import TYPE_CHECKING, Annotated, NamedTuple

from peewee import SQL, Expression, Field, Select

from curator.catalog import decisions
from curator.catalog.backends.bulk_read import fetch_all
from curator.catalog.backends.dialect import chunks, dialect_of, replace_into
from curator.catalog.backends.named_rows import select_list
from curator.catalog.models import (
    PREFERENCE_OF_PHOTO,
    Decision,
    Description,
    Embedding,
    Photo,
    PhotoTag,
    Stage,
    StageRun,
    StageStatus,
    Tag,
    TagSource,
    utcnow,
)
from curator.catalog.paths_codec import FOLLOWERS_SQL, decode_path, pairing_on
from curator.catalog.people import summary as faces_summary
from curator.catalog.people.key_faces import KeyFaceRow, key_faces_of, key_faces_sql
from curator.catalog.proofing.picks import CLIENT_PASS
from curator.catalog.taste.accepted import standing_accepts, standing_pass
from curator.records import (
    Burst,
    CullState,
    DecisionCounts,
    DecisionState,
    Frame,
    KeyEyes,
)

if TYPE_CHECKING:  # numpy loads at first use: the window paints before it
    import numpy as np
    from numpy.typing import NDArray


def vector_to_blob(v: NDArray[np.float32]) -> bytes:
    import numpy as np

    return np.asarray(v, dtype="<f4").tobytes()


def blob_to_vector(b: bytes | memoryview) -> NDArray[np.float32]:
    import numpy as np

    return np.frombuffer(bytes(b), dtype="<f4")


def set_stage(
    photo_ids: Iterable[int],
    stage: Stage,
    status: StageStatus,
    version: str,
    reason: str | None = None,
) -> None:
    """Upsert StageRun rows (attempts counted up) for many photos at once."""
    now = utcnow()
    rows = [
        {
            "photo": pid,
            "stage": stage.value,
            "status": status.value,
            "attempts": 1,
            "stage_version": version,
            "failure_reason": reason,
            "updated_at": now,
        }
        for pid in photo_ids
    ]
    for chunk in chunks(rows):
        (
            StageRun.insert_many(chunk)
            .on_conflict(
                conflict_target=[StageRun.photo, StageRun.stage],
                update={
                    StageRun.status: status.value,
                    StageRun.stage_version: version,
                    StageRun.failure_reason: reason,
                    StageRun.updated_at: now,
                    StageRun.attempts: StageRun.attempts + 1,
                },
            )
            .execute()
        )


def _measured() -> Expression:
    """Live photos whose technical stage is done and which have a preview: the
    only ones the embed and describe stages ever plan."""
    tech = StageRun.select(StageRun.photo).where(
        StageRun.stage == Stage.TECHNICAL.value, StageRun.status == StageStatus.DONE.value
    )
    return Photo.preview_key.is_null(False) & Photo.deleted_at.is_null() & Photo.id.in_(tech)


def any_measured() -> bool:
    """Whether any photo could need embedding or describing (`photos_needing` is
    empty otherwise): one EXISTS, so a run with none loads neither the LLM
    client nor the embedder."""
    return bool(Photo.select(Photo.id).where(_measured()).exists())


def photos_needing(
    stage: Stage, version: str, *, done_at_any_version: bool = False
) -> list[tuple[int, str]]:
    """(photo id, preview key) of measured photos whose `stage` isn't done (or
    failed) at `version`. `done_at_any_version`: a photo done at another
    version counts as done too (a failure at another version does not)."""
    settled = StageRun.stage == stage.value
    if done_at_any_version:
        settled &= (StageRun.status == StageStatus.DONE.value) | (
            (StageRun.stage_version == version) & (StageRun.status == StageStatus.FAILED.value)
        )
    else:
        settled &= (StageRun.stage_version == version) & StageRun.status.in_(
            [StageStatus.DONE.value, StageStatus.FAILED.value]
        )
    query = measured_unsettled(settled, Photo.id, Photo.preview_key).tuples()
    return [(int(pid), str(key)) for pid, key in query]


def measured_unsettled(settled: Expression, *columns: Field) -> Select:
    """`columns` of the live photos with a preview whose technical stage is done
    and that have no `StageRun` row matching `settled`, in id order."""
    tech = StageRun.alias()
    return (
        Photo.select(*columns)
        .join(tech, on=((tech.photo == Photo.id) & (tech.stage == Stage.TECHNICAL.value)))
        .where(
            tech.status == StageStatus.DONE.value,
            Photo.preview_key.is_null(False),
            Photo.deleted_at.is_null(),
            ~Photo.id.in_(StageRun.select(StageRun.photo).where(settled)),
        )
        .order_by(Photo.id)
    )


# -- embeddings -----------------------------------------------------------------


def store_embeddings(model: str, items: Sequence[tuple[int, NDArray[np.float32]]]) -> None:
    now = utcnow()
    rows = [
        {
            "photo": pid,
            "model": model,
            "dim": int(v.shape[0]),
            "vector": vector_to_blob(v),
            "created_at": now,
        }
        for pid, v in items
    ]
    with Photo._meta.database.atomic():
        for chunk in chunks(rows):
            batch = Embedding.insert_many(chunk)
            target, kept = (Embedding.photo, Embedding.model), (Embedding.dim, Embedding.vector)
            replace_into(batch, target, (*kept, Embedding.created_at)).execute()
        set_stage([pid for pid, _ in items], Stage.EMBED, StageStatus.DONE, model)


def load_embeddings(
    model: str, photo_ids: Sequence[int] | None = None
) -> tuple[list[int], NDArray[np.float32]]:
    """(photo ids, float32 matrix) of the embeddings of `model` (all, or of
    `photo_ids`): raw SQL into a preallocated matrix, 100k x 768 in ~0.4 s
    (half what model instances cost)."""
    import numpy as np

    db = Embedding._meta.database
    sql = "SELECT photo_id, vector FROM embedding WHERE model = ?"
    params: list[object] = [model]
    if photo_ids is not None:
        wanted = list(photo_ids)
        if not wanted:
            return [], np.zeros((0, 0), dtype=np.float32)
        rows: list[tuple[int, bytes]] = []
        for chunk in chunks(wanted):
            marks = ",".join("?" * len(chunk))
            rows.extend(
                db.execute_sql(f"{sql} AND photo_id IN ({marks})", [model, *chunk]).fetchall()
            )
    else:  # the whole table: converted in slices (backends.bulk_read), the GIL between them
        rows = fetch_all(db.execute_sql(sql, params))
    if not rows:
        return [], np.zeros((0, 0), dtype=np.float32)
    dim = len(rows[0][1]) // 4
    matrix = np.empty((len(rows), dim), dtype=np.float32)
    ids: list[int] = []
    for i, (pid, blob) in enumerate(rows):
        ids.append(int(pid))
        matrix[i] = np.frombuffer(blob, dtype="<f4")
    return ids, matrix


class EmbeddingCache:
    """The embeddings of one model kept in memory for repeated rescoring (GUI,
    main thread only); the catalog stays the truth: `load()` reads it, `add()`
    mirrors what the embed stage just stored."""

    def __init__(self, model: str):
        import numpy as np

        self.model = model
        self.ids: list[int] = []
        self.matrix = np.zeros((0, 0), dtype=np.float32)
        self._row: dict[int, int] = {}

    def load(self) -> EmbeddingCache:
        self.ids, self.matrix = load_embeddings(self.model)
        self._row = {pid: i for i, pid in enumerate(self.ids)}
        return self

    def add(self, items: Sequence[tuple[int, NDArray[np.float32]]]) -> None:
        fresh = [(pid, v) for pid, v in items if pid not in self._row]
        for pid, v in items:
            if pid in self._row:
                self.matrix[self._row[pid]] = v
        if not fresh:
            return
        import numpy as np

        block = np.stack([np.asarray(v, dtype=np.float32) for _, v in fresh])
        self.matrix = block if self.matrix.size == 0 else np.vstack([self.matrix, block])
        for pid, _ in fresh:
            self._row[pid] = len(self.ids)
            self.ids.append(pid)


# -- taste model ----------------------------------------------------------------


def _no_groups() -> NDArray[np.int64]:
    import numpy as np

    return np.zeros(0, dtype=np.int64)


@dataclass(frozen=True)
class TrainingSet:
    """The decided photos that have an embedding of the model: ids, vectors and
    decision states row for row (every state teaches: see `_decided`)."""

    photo_ids: list[int]  # in capture order (look-alikes sit together)
    x: NDArray[np.float32]
    states: list[DecisionState]
    # What it is made of (for "needs 10 decisions on embedded photos; you have …").
    counts: DecisionCounts = field(default_factory=lambda: DecisionCounts(0, 0, 0))
    # Each photo's burst group (−1: none): its frames stay in one validation fold.
    groups: NDArray[np.int64] = field(default_factory=_no_groups)


def _decided() -> Expression:
    """Live photos with a decision that teaches: rated, culled or picked (the
    photos ml.taste's `label_for` labels; unreviewed photos teach nothing). A
    RAW+JPEG pair teaches once, through its lead (catalog.paths_codec)."""
    decided = Photo.deleted_at.is_null() & (
        Photo.rating.is_null(False) | (Photo.cull != "unreviewed") | (Photo.picked == 1)
    )
    if pairing_on():
        decided &= Photo.id.not_in(SQL(f"({FOLLOWERS_SQL})"))
    return decided


def _decided_states(
    owner: str | None = None,
) -> tuple[dict[int, DecisionState], dict[int, int]]:
    """The decided photos' states in capture order, and their burst groups:
    the photos' own (everyone's decisions), or `owner`'s alone (`_own_states`);
    a state that is an accepted proposal says so (catalog.taste.accepted); a
    client's picks accepted without teaching are left out (CLIENT_PASS)."""
    own = None if owner is None else _own_states(owner)
    accepted = standing_accepts(owner)
    clients = standing_pass(CLIENT_PASS, owner)  # a client's picks teach nothing unless asked
    if own is not None:
        where = Photo.deleted_at.is_null() & Photo.id.in_(_among(own))
        if pairing_on():
            where &= Photo.id.not_in(SQL(f"({FOLLOWERS_SQL})"))
    else:
        where = _decided()
    rows = (
        Photo.select(Photo.id, Photo.rating, Photo.cull, Photo.picked, Photo.burst_group)
        .where(where)
        .order_by(Photo.captured_at.is_null(), Photo.captured_at, Photo.id)
    )
    states: dict[int, DecisionState] = {}
    bursts: dict[int, int] = {}
    for r in rows.namedtuples():
        pid = int(r.id)
        if pid in clients:
            continue
        state = DecisionState(r.rating, CullState(r.cull), bool(r.picked))
        state = state if own is None else own[pid]
        states[pid] = replace(state, proposal=True) if pid in accepted else state
        bursts[pid] = -1 if r.burst_group is None else int(r.burst_group)
    return states, bursts


def _among(ids: Iterable[int]) -> SQL:
    """`ids` as one bound parameter of an IN (backends.dialect: never 100k placeholders)."""
    db = Photo._meta.database
    dialect = dialect_of(db)  # inside a peewee query: its own placeholder
    return SQL(dialect.id_list().replace("?", db.param), [dialect.id_param(ids)])


def _own_states(owner: str) -> dict[int, DecisionState]:
    """Each photo as `owner` left it: their latest cull, rating and pick in the
    decision log (undos included: an undo is their decision too), for the
    photos where one of those teaches (a photographer's taste)."""
    last: dict[int, dict[str, str | None]] = {}
    rows = Decision.select(Decision.photo, Decision.kind, Decision.new_value).where(
        Decision.seat_user == owner, Decision.kind.in_(["cull", "rating", "pick"])
    )
    for pid, kind, value in rows.order_by(Decision.id).tuples():
        last.setdefault(int(pid), {})[str(kind)] = value
    states = {}
    for pid, values in last.items():
        rating = values.get("rating")
        state = DecisionState(
            None if rating is None else int(rating),
            CullState(values.get("cull") or CullState.UNREVIEWED.value),
            values.get("pick") == "1",
        )
        if state.rating is not None or state.cull is not CullState.UNREVIEWED or state.picked:
            states[pid] = state
    return states


def _embedded_photo_count(model: str) -> int:
    query = Embedding.select().join(Photo, on=(Embedding.photo == Photo.id))
    return int(query.where(Embedding.model == model, Photo.deleted_at.is_null()).count())


def decision_counts(model: str, owner: str | None = None) -> DecisionCounts:
    """Decisions, decisions on photos embedded with `model`, and photos embedded
    with it (`owner`'s decisions alone when given): three COUNTs, no vectors."""
    if owner is not None:
        states, _ = _decided_states(owner)
        on_embedded = (
            Embedding.select()
            .where(Embedding.model == model, Embedding.photo.in_(_among(states)))
            .count()
        )
        return DecisionCounts(len(states), int(on_embedded), _embedded_photo_count(model))
    decisions = int(Photo.select().where(_decided()).count())
    on_embedded = (
        Embedding.select()
        .join(Photo, on=(Embedding.photo == Photo.id))
        .where(Embedding.model == model, _decided())
        .count()
    )
    return DecisionCounts(decisions, int(on_embedded), _embedded_photo_count(model))


def training_set(model: str, owner: str | None = None) -> TrainingSet:
    """Decided photos (see `_decided`; `owner`'s decisions alone when given)
    that have an embedding of `model`, in capture order, with their burst
    groups and the counts."""
    import numpy as np

    states, bursts = _decided_states(owner)
    ids, x = load_embeddings(model, list(states))
    if ids:
        place = {pid: i for i, pid in enumerate(states)}
        order = sorted(range(len(ids)), key=lambda i: place[ids[i]])
        ids, x = [ids[i] for i in order], x[order]
    counts = DecisionCounts(len(states), len(ids), _embedded_photo_count(model))
    return TrainingSet(
        list(ids),
        x if ids else np.zeros((0, 0), dtype=np.float32),
        [states[pid] for pid in ids],
        counts,
        np.asarray([bursts[pid] for pid in ids], dtype=np.int64),
    )


# -- descriptions and tags --------------------------------------------------------


def store_description(
    photo_id: int,
    *,
    subject: str,
    content_type: str,
    lighting_critique: str,
    artistic_mood: str,
    tags: Sequence[str],
    model: str,
    prompt_version: str,
) -> None:
    """Replace the photo's description and its (non-removed) AI tags."""
    now = utcnow()
    with Photo._meta.database.atomic():
        description = Description.insert(
            photo=photo_id,
            subject=subject,
            content_type=content_type,
            lighting_critique=lighting_critique,
            artistic_mood=artistic_mood,
            model=model,
            prompt_version=prompt_version,
            created_at=now,
        )
        kept = [f for f in Description._meta.sorted_fields if f.name not in ("id", "photo")]
        replace_into(description, (Description.photo,), kept).execute()
        removed = {
            name
            for (name,) in PhotoTag.select(Tag.name)
            .join(Tag)
            .where(PhotoTag.photo == photo_id, PhotoTag.removed_at.is_null(False))
            .tuples()
        }
        user = {
            name
            for (name,) in PhotoTag.select(Tag.name)
            .join(Tag)
            .where(PhotoTag.photo == photo_id, PhotoTag.source == TagSource.USER.value)
            .tuples()
        }
        # Old AI tags that are still live go; removed ones stay as feedback.
        PhotoTag.delete().where(
            PhotoTag.photo == photo_id,
            PhotoTag.source == TagSource.AI.value,
            PhotoTag.removed_at.is_null(),
        ).execute()
        for name in tags:
            if name in removed or name in user:
                continue
            tag, _ = Tag.get_or_create(name=name)
            PhotoTag.insert(
                photo=photo_id, tag=tag.id, source=TagSource.AI.value, created_at=now
            ).on_conflict_ignore().execute()
        # Same form as llm.client.LLMConfig.stage_version: a new prompt or model re-queues.
        set_stage([photo_id], Stage.DESCRIBE, StageStatus.DONE, f"{prompt_version}|{model}")


def remove_tag(photo_id: int, name: str) -> bool:
    """The user removes a tag (`decisions.remove_tag`)."""
    return bool(decisions.remove_tag(photo_id, name))


def add_user_tag(photo_id: int, name: str) -> None:
    """The user tags a photo (a decision, kind=tag; see `decisions.add_tag`)."""
    decisions.add_tag(photo_id, name)


# -- bursts -----------------------------------------------------------------------


def _burst_rows_where() -> str:
    """Photos that may be burst frames: live, with a capture time; a RAW+JPEG
    pair is one frame (its lead), not a two-frame burst."""
    where = "deleted_at IS NULL AND captured_at IS NOT NULL"
    return where + (f" AND id NOT IN ({FOLLOWERS_SQL})" if pairing_on() else "")


def burst_candidates() -> int:
    """How many photos `burst_frames` could return (a COUNT: no vectors loaded,
    so a regroup with fewer than two frames never loads numpy)."""
    sql = f"SELECT COUNT(*) FROM photo WHERE {_burst_rows_where()}"
    return int(Photo._meta.database.execute_sql(sql).fetchone()[0])


class _BurstRow(NamedTuple):
    """A photo as `burst_frames` reads it (each field's SQL beside it); the
    faces summary's columns follow (catalog.people.summary), NULL where the
    photo has no key face."""

    id: Annotated[int, "id"]
    path: Annotated[bytes, "path"]
    camera_make: Annotated[str | None, "camera_make"]
    camera_model: Annotated[str | None, "camera_model"]
    captured_at: Annotated[object, "captured_at"]
    sequence_number: Annotated[int | None, "sequence_number"]
    exposure_bias: Annotated[float | None, "exposure_bias"]
    struct_sig: Annotated[bytes | None, "struct_sig"]
    sharpness: Annotated[float | None, "sharpness_score"]
    exposure: Annotated[float | None, "exposure_score"]
    preference: Annotated[float | None, PREFERENCE_OF_PHOTO]
    exposure_time: Annotated[float | None, "exposure_time"]
    f_number: Annotated[float | None, "f_number"]
    iso: Annotated[int | None, "iso"]
    drive_mode: Annotated[str | None, "drive_mode"]
    sequence_index: Annotated[int | None, "sequence_index"]
    exposure_ev: Annotated[float | None, "exposure_ev"]
    smile: Annotated[float | None, "kf.smile"]  # the least smiling key face's
    key_faces: Annotated[int, "pf.photo_id IS NOT NULL"]  # a summary follows


def burst_frames(model: str) -> list[Frame]:
    """Every live photo with a capture time as a burst `Frame` (`_BurstRow`'s
    columns, its embedding of `model` when it has one): raw SQL with the dates
    parsed by `datetime.fromisoformat`, half the time of peewee's converters."""
    ids, x = load_embeddings(model)
    vectors = {pid: x[i] for i, pid in enumerate(ids)}
    rows = Photo._meta.database.execute_sql(
        f"SELECT {select_list(_BurstRow)}, {faces_summary.columns('pf')}"
        " FROM photo LEFT JOIN photo_faces pf ON pf.photo_id = photo.id AND pf.key_faces > 0"
        " LEFT JOIN (SELECT photo_id, MIN(smile) AS smile"
        " FROM face WHERE is_key = 1 GROUP BY photo_id) kf ON kf.photo_id = photo.id"
        f" WHERE {_burst_rows_where()}"
    )
    own = len(_BurstRow._fields)
    frames = []
    for values in rows:
        row = _BurstRow._make(values[:own])
        when = stored_datetime(row.captured_at)
        if when is None:
            continue
        faces = faces_summary.summary_from(values[own:]) if row.key_faces else None
        full = decode_path(row.path)
        frames.append(
            Frame(
                row.id,
                " ".join(p for p in (row.camera_make, row.camera_model) if p) or None,
                when,
                vectors.get(row.id),
                row.sharpness,
                row.exposure,
                row.preference,
                sequence_number=row.sequence_number,
                name=os.path.basename(full),
                path=full,
                exposure_bias=row.exposure_bias,
                struct_sig=bytes(row.struct_sig) if row.struct_sig is not None else None,
                exposure_time=row.exposure_time,
                f_number=row.f_number,
                iso=row.iso,
                drive_mode=row.drive_mode,
                sequence_index=row.sequence_index,
                exposure_ev=row.exposure_ev,
                eyes_open=None if faces is None else faces.eyes_open,
                closed_eyes=None if faces is None else faces.closed_eyes,
                key_face_sharpness=None if faces is None else faces.key_sharpness,
                faces_ready=None if faces is None else faces.ready,
                all_at_camera=None if faces is None else faces.all_at_camera,
                smiling=None if faces is None else faces.smiling,
                smile=None if row.smile is None else float(row.smile),
                laughing=None if faces is None else faces.laughing,
            )
        )
    return frames


def key_eyes(photo_ids: Iterable[int]) -> dict[int, tuple[KeyEyes, ...]]:
    """The key faces of each of `photo_ids` (`records.KeyEyes`: place, eyes,
    smile, look, sharpness), read only for a burst's frames with key faces: 50,000
    such frames in ~0.6 s, where reading every photo's with the frames added
    ~1 s to a 100,000-photo catalog's ~1.5 s."""
    wanted = sorted(set(photo_ids))
    eyes: dict[int, tuple[KeyEyes, ...]] = {}
    for chunk in chunks(wanted):
        sql = key_faces_sql(where=f" AND face.photo_id IN ({','.join('?' * len(chunk))})")
        eyes.update(key_faces_of(Photo._meta.database.execute_sql(sql, chunk), KeyFaceRow.key_eyes))
    return eyes


def stored_datetime(value: object) -> datetime | None:
    """A DateTimeField's stored text ("2024-05-01 10:00:00.150000") as a datetime."""
    if isinstance(value, datetime):
        return value
    try:
        return datetime.fromisoformat(str(value))
    except ValueError:
        return None


def write_bursts(bursts: Sequence[Burst]) -> None:
    db = Photo._meta.database
    with db.atomic():
        db.execute_sql(
            "UPDATE photo SET burst_group = NULL, burst_best = 0 WHERE burst_group IS NOT NULL"
        )
        rows = [(b.group_id, int(pid == b.best_id), pid) for b in bursts for pid in b.photo_ids]
        db.cursor().executemany(
            "UPDATE photo SET burst_group = ?, burst_best = ? WHERE id = ?", rows
        )


# -- tag confidence ---------------------------------------------------------------


def tags_needing_confidence(model: str) -> list[tuple[int, int, str]]:
    """(photo_tag id, photo id, tag name) of live AI tags with no confidence yet,
    on photos that have an embedding of `model`."""
    rows = (
        PhotoTag.select(PhotoTag.id, PhotoTag.photo, Tag.name)
        .join(Tag)
        .switch(PhotoTag)
        .join(Embedding, on=((Embedding.photo == PhotoTag.photo) & (Embedding.model == model)))
        .where(
            PhotoTag.source == TagSource.AI.value,
            PhotoTag.confidence.is_null(),
            PhotoTag.removed_at.is_null(),
        )
        .tuples()
    )
    return [(int(tid), int(pid), str(name)) for tid, pid, name in rows]


def write_tag_confidences(values: Sequence[tuple[int, float]]) -> None:
    db = PhotoTag._meta.database
    with db.atomic():
        db.cursor().executemany(
            "UPDATE photo_tag SET confidence = ? WHERE id = ?",
            [(round(float(c), 1), tid) for tid, c in values],
        )

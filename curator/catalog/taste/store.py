"""The taste models and their scores: stored models, and the one writer of
the preference scores (`photo_preference`, a narrow table of its own).

A taste model is stored and read back as `TasteCoefficients`, for the
embeddings of the embedding model it was trained on
(`TasteModel.embedding_model`): a model only ever scores those.
`write_scores` writes a rescore in one transaction (its docstring is the
protocol).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from peewee import Database

from curator.catalog.approval import EARLY_BELOW, chosen_taste_model
from curator.catalog.backends.dialect import dialect_of
from curator.catalog.gallery_filters import NOT_SCORED, SCORE_BITS
from curator.catalog.judgments import blob_to_vector, vector_to_blob
from curator.catalog.models import Decision, Photo, TasteModel
from curator.catalog.taste.choice import chosen
from curator.records import TasteCoefficients

if TYPE_CHECKING:  # numpy loads at first use
    import numpy as np
    from numpy.typing import NDArray


def store_taste_model(coefficients: TasteCoefficients, model: str, owner: str | None = None) -> int:
    """Store a fitted taste model for embeddings of `model`, trained on `owner`'s
    decisions (None: everyone's); returns its new version (versions are one
    sequence for every owner)."""
    c = coefficients
    with TasteModel._meta.database.atomic():
        last = TasteModel.select(TasteModel.version).order_by(TasteModel.version.desc()).first()
        version = (last.version if last else 0) + 1
        TasteModel.create(
            version=version,
            embedding_model=model,
            n_samples=c.n_samples,
            alpha=c.alpha,
            spearman=c.spearman,
            spearman_low=c.spearman_low,
            spearman_high=c.spearman_high,
            bias=c.bias,
            weights=vector_to_blob(c.weights),
            mean=vector_to_blob(c.mean),
            scale=vector_to_blob(c.scale),
            precision=vector_to_blob(c.precision.ravel()),
            owner=owner,
        )
    return version


@dataclass(frozen=True)
class StoredTaste:
    version: int
    embedding_model: str
    trained_at: datetime
    coefficients: TasteCoefficients
    owner: str | None = None  # whose decisions trained it (None: everyone's)


def latest_taste(model: str | None = None, owner: str | None = None) -> StoredTaste | None:
    """The newest stored taste model of `owner` (None: everyone's), for the
    embeddings of `model` when given."""
    query = TasteModel.select().order_by(TasteModel.version.desc())
    if model is not None:
        query = query.where(TasteModel.embedding_model == model)
    query = query.where(
        TasteModel.owner.is_null() if owner is None else (TasteModel.owner == owner)
    )
    row = query.first()
    if row is None:
        return None
    w = blob_to_vector(row.weights)
    coefficients = TasteCoefficients(
        alpha=row.alpha,
        weights=w,
        bias=row.bias,
        precision=blob_to_vector(row.precision).reshape(len(w), len(w)),
        mean=blob_to_vector(row.mean),
        scale=blob_to_vector(row.scale),
        n_samples=row.n_samples,
        spearman=row.spearman,
        spearman_low=row.spearman_low,
        spearman_high=row.spearman_high,
    )
    return StoredTaste(row.version, row.embedding_model, row.trained_at, coefficients, owner)


def photographers() -> list[str]:
    """Who decided on this catalog, and whose taste models it keeps, by name."""
    seats = Decision.select(Decision.seat_user).where(Decision.seat_user.is_null(False))
    names = {str(user) for (user,) in seats.distinct().tuples()}
    return sorted(names | set(taste_owners()))


def taste_owners() -> list[str]:
    """The photographers with a taste model of their own, by name."""
    rows = TasteModel.select(TasteModel.owner).where(TasteModel.owner.is_null(False)).distinct()
    return sorted(str(owner) for (owner,) in rows.tuples())


def write_scores(
    version: int,
    photo_ids: Sequence[int],
    scores: NDArray[np.float64],
    owner: str | None = None,
) -> None:
    """Every score in one transaction, into the narrow `photo_preference` table
    (never the wide photo rows); a photographer's model's (`owner`) into
    `taste_score`, their rows only. The tables are named as the schema's own,
    never a seat's view of them (catalog.taste.choice).

    - Scores of another model version go first. When no row has this version
      yet (a retrain), that is the whole table, emptied at once; from
      `REBUILD_INDEX_FROM` photos the order index is dropped too and built
      again after the insert, in the same transaction (one sort costs less
      than moving each entry in the b-tree).
    - Then one INSERT from the packed JSON array (ids ascending: appends),
      updating a row of this version only where the score changed. A score
      that is not a number leaves the photo without one.
    A photo is written at most once. `photo_ids` are photos' (the stored
    embeddings'): the table has no foreign key to check them (m016)."""
    import numpy as np

    db = Photo._meta.database
    packed = _packed_scores(photo_ids, scores)
    schema = "main" if not dialect_of(db).is_postgres else _schema(db)
    table = f"{schema}.{'photo_preference' if owner is None else 'taste_score'}"
    mine, who = ("", []) if owner is None else ("owner = ? AND ", [owner])
    with db.atomic():
        same = db.execute_sql(
            f"SELECT 1 FROM {table} WHERE {mine}model_version = ? LIMIT 1", (*who, version)
        ).fetchone()
        index_sql = None
        if same is None and owner is None:
            if len(photo_ids) >= REBUILD_INDEX_FROM:
                index_sql = _drop_order_index()
            db.execute_sql(f"DELETE FROM {table}")  # SQLite's truncate: no row visit
        else:
            db.execute_sql(f"DELETE FROM {table} WHERE {mine}model_version != ?", (*who, version))
        values = _PACKED_VALUES_PG if dialect_of(db).is_postgres else "json_each(?)"
        columns, key = ("owner, ", "owner, ") if owner is not None else ("", "")
        db.execute_sql(
            f"INSERT INTO {table} AS scored ({columns}photo_id, score, model_version) "
            f"SELECT {'?, ' if owner is not None else ''}value >> {SCORE_BITS},"
            f" (value & {NOT_SCORED}) / 100.0, ? FROM {values} "
            f"WHERE value & {NOT_SCORED} != {NOT_SCORED} "
            f"ON CONFLICT ({key}photo_id) DO UPDATE SET score = excluded.score "
            "WHERE scored.score != excluded.score",
            (*who, version, packed),
        )
        if not bool(np.all(np.isfinite(np.asarray(scores, dtype=np.float64)))):
            db.execute_sql(
                f"DELETE FROM {table} WHERE {mine}photo_id IN (SELECT value >> {SCORE_BITS}"
                f" FROM {values} WHERE value & {NOT_SCORED} = {NOT_SCORED})",
                (*who, packed),
            )
        if index_sql is not None:
            db.execute_sql(index_sql)


def _schema(db: Database) -> str:
    """The PostgreSQL schema the catalog's tables are in (never a seat's temporary one)."""
    return '"' + str(db.execute_sql("SELECT current_schema()").fetchone()[0]) + '"'


def _packed_scores(photo_ids: Sequence[int], scores: NDArray[np.float64]) -> str:
    """Every (id, score) as one JSON array of integers, `id << 14 | hundredths`,
    unpacked in C by json_each: one bound parameter (~45 ms for 100k photos,
    where executemany into a temp table took ~75). hundredths / 100.0 is the
    very double `np.round(score, 2)` gives, so stored values and the `!=`
    comparison are exact; a score that is not a number is `NOT_SCORED`."""
    import numpy as np

    s = np.asarray(scores, dtype=np.float64)
    finite = np.isfinite(s)
    hundredths = np.where(finite, np.rint(np.where(finite, s, 0.0) * 100), NOT_SCORED)
    if np.any(finite & ((s < 0) | (s > 100))):
        raise ValueError("preference scores lie on 0..100")
    hundredths = hundredths.astype(np.int64)
    packed = (np.asarray(photo_ids, dtype=np.int64) << SCORE_BITS) | hundredths
    # Joined a slice at a time: one join of 100k numbers is a single C call that
    # holds the GIL (~17 ms quiet, more on a busy machine: a UI-thread stall
    # during a retrain); between slices the GIL can go to the UI thread.
    values = packed.tolist()
    step = _JOIN_SLICE
    return (
        "["
        + ",".join([",".join(map(str, values[i : i + step])) for i in range(0, len(values), step)])
        + "]"
    )


_JOIN_SLICE = 4_000  # numbers joined per GIL hold (~1 ms)


# The packed JSON array as rows of `value` on PostgreSQL (SQLite: json_each).
_PACKED_VALUES_PG = (
    "(SELECT CAST(value AS bigint) AS value FROM json_array_elements_text(CAST(? AS json))"
    " AS j(value)) AS packed"
)
_ORDER_INDEX = "photo_preference_order"
REBUILD_INDEX_FROM = 20_000  # photos written: below it, moving entries costs less


def _drop_order_index() -> str | None:
    """Drop the scores' order index; its SQL, to build it again (None: not there)."""
    db = Photo._meta.database
    sql = dialect_of(db).index_sql(db, _ORDER_INDEX)
    if sql is None:
        return None
    db.execute_sql(f"DROP INDEX {_ORDER_INDEX}")
    return sql


def taste_status() -> dict[str, Any]:
    """The live taste model (newest version of the taste this seat shows), or
    nulls before there is one."""
    row = chosen_taste_model()
    owner = chosen()
    if row is None:
        return {
            "version": None,
            "samples": 0,
            "spearman": None,
            "embedding_model": None,
            "owner": owner,
        }

    def rounded(value: float | None) -> float | None:
        return None if value is None else round(value, 4)

    return {
        "version": row.version,
        "samples": row.n_samples,
        "spearman": rounded(row.spearman),
        "spearman_low": rounded(row.spearman_low),
        "spearman_high": rounded(row.spearman_high),
        "early": row.n_samples < EARLY_BELOW,
        "alpha": row.alpha,
        "embedding_model": row.embedding_model,
        "trained_at": row.trained_at.isoformat(),
        "owner": owner,  # whose decisions trained it (None: everyone's)
    }

"""Catalog reads for semantic search and more-like-this: which photos are still
live, a photo's burst mates, and a cheap fingerprint of a model's stored
embeddings (so an in-memory matrix knows when it went stale). Read-only;
every query is bounded by the ids it is given or is one aggregate.
"""

from __future__ import annotations

from collections.abc import Iterable

from peewee import fn

from curator.catalog.backends.dialect import chunks
from curator.catalog.models import Embedding, Photo
from curator.catalog.paths_codec import pairing_on


def live_ids(photo_ids: Iterable[int], *, pairs_once: bool = True) -> set[int]:
    """Those of `photo_ids` that are photos in the catalog and not deleted
    (`deleted_at`), and (`pairs_once`, while pairing is on) not the JPEG of a
    RAW+JPEG pair: a result shows the pair once, as its RAW, as the gallery does."""
    shown = Photo.deleted_at.is_null()
    if pairs_once and pairing_on():
        shown &= Photo.pair_lead_id.is_null()
    wanted = list(dict.fromkeys(int(pid) for pid in photo_ids))
    live: set[int] = set()
    for chunk in chunks(wanted):
        query = Photo.select(Photo.id).where(Photo.id.in_(chunk), shown)
        live.update(int(pid) for (pid,) in query.tuples())
    return live


def burst_mates(photo_id: int) -> list[int]:
    """The other live photos of `photo_id`'s burst (same `burst_group`), in id order."""
    group = Photo.select(Photo.burst_group).where(Photo.id == photo_id).scalar()
    if group is None:
        return []
    query = (
        Photo.select(Photo.id)
        .where(
            Photo.burst_group == group,
            Photo.id != photo_id,
            Photo.deleted_at.is_null(),
        )
        .order_by(Photo.id)
    )
    return [int(pid) for (pid,) in query.tuples()]


def embeddings_stamp(model: str) -> tuple[str, int, int]:
    """(catalog file, how many, newest row id) of `model`'s embeddings: changes whenever
    one is stored or replaced (a replace makes a new row) or another catalog is open;
    one aggregate query."""
    database = str(Embedding._meta.database.database)
    row = (
        Embedding.select(fn.COUNT(Embedding.id), fn.MAX(Embedding.id))
        .where(Embedding.model == model)
        .tuples()
        .first()
    )
    count, newest = row if row is not None else (0, 0)
    return (database, int(count or 0), int(newest or 0))

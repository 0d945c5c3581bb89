"""Semantic search and more-like-this: cosine ranking over the CLIP embeddings.

A phrase (CLIP's text encoder) or a photo (its stored embedding) becomes a
query vector; every embedded photo of the current model is ranked by cosine
over one in-memory matrix of unit rows: one product and a partial sort, well
under 150 ms at 100,000 photos (tests/bench/test_search_bench.py).

The matrix is the caller's (`LiveEmbeddings.snapshot`), or read once per
process (`catalog_vectors`) and again when `similar.embeddings_stamp` moves.

Invariants: deleted photos are never returned (the top k widened as needed);
importing this module imports neither torch nor open_clip (the text encoder is
the shared `ClipEmbedder`; searches run on a worker); a search that cannot run
raises `SearchUnavailable`.
"""

from __future__ import annotations

import threading
from collections.abc import Collection, Iterable, Sequence
from dataclasses import replace
from typing import Protocol

import numpy as np
from numpy.typing import NDArray

from curator.catalog import judgments
from curator.ml.config import ClipConfig, ModelUnavailable, is_checkpoint_path, model_id_for
from curator.ml.embedder import shared_embedder, weights_present
from curator.search import catalog_reads as similar
from curator.search.types import SearchHit, SearchUnavailable
from curator.settings import Settings, clip_config

DUPLICATE_COSINE = 0.99  # at or above: the same picture (a copy, a re-save, a resize)
WHY_DUPLICATE = "duplicate"
WHY_BURST = "same burst"

NOT_EMBEDDED = "No photo has been embedded yet: import with the CLIP weights present."
_FETCH_MARGIN = 16  # extra candidates per round, for photos deleted since the matrix was read
_TEXT_CACHE_SIZE = 64


class Vectors(Protocol):
    """The vectors of one embedding model: row i of `matrix` is photo `ids[i]`.
    `pipeline.stages.score.EmbeddingSnapshot` and `catalog.judgments.EmbeddingCache`
    both are; rows are float32 and L2-normalised."""

    @property
    def model(self) -> str: ...

    @property
    def ids(self) -> Sequence[int]: ...

    @property
    def matrix(self) -> NDArray[np.float32]: ...


# -- ranking (pure numpy) ---------------------------------------------------------------


def rank(
    matrix: NDArray[np.float32],
    ids: Sequence[int] | NDArray[np.integer],
    query: NDArray[np.float32],
    *,
    limit: int,
    exclude: Collection[int] = (),
) -> list[SearchHit]:
    """The `limit` rows of `matrix` (unit rows; row i is photo `ids[i]`) most
    similar to the unit vector `query`, best first, as hits (score = cosine),
    `exclude` skipped: one matrix-vector product and a partial sort."""
    return top_hits(scores_for(matrix, query), ids, limit=limit, exclude=exclude)


def scores_for(matrix: NDArray[np.float32], query: NDArray[np.float32]) -> NDArray[np.float32]:
    """Cosine of every row with `query` (both unit length): one float32 product."""
    if matrix.dtype != np.float32:
        raise ValueError(f"the embedding matrix must be float32, not {matrix.dtype}")
    q = np.asarray(query, dtype=np.float32)  # a (D,) copy at most, never the matrix
    if matrix.ndim != 2 or q.shape != (matrix.shape[1],):
        raise ValueError(f"a query of shape {q.shape} does not fit a matrix of {matrix.shape}")
    scores: NDArray[np.float32] = matrix @ q
    return scores


def top_hits(
    scores: NDArray[np.float32],
    ids: Sequence[int] | NDArray[np.integer],
    *,
    limit: int,
    exclude: Collection[int] = (),
) -> list[SearchHit]:
    """The best `limit` of `scores` (row i is photo `ids[i]`), skipping `exclude`:
    `np.argpartition` finds the top k, only those are sorted (ties in row order)."""
    n = int(scores.shape[0])
    if limit <= 0 or n == 0:
        return []
    skip = {int(pid) for pid in exclude}
    k = min(n, limit + len(skip))
    top = np.argpartition(scores, n - k)[n - k :] if k < n else np.arange(n)
    order = top[np.argsort(-scores[top], kind="stable")]
    hits: list[SearchHit] = []
    for row in order:
        pid = int(ids[int(row)])
        if pid in skip:
            continue
        hits.append(SearchHit(pid, float(scores[row])))
        if len(hits) == limit:
            break
    return hits


def _live_top(
    scores: NDArray[np.float32],
    ids: Sequence[int],
    *,
    limit: int,
    exclude: Collection[int] = (),
) -> list[SearchHit]:
    """`top_hits` without deleted photos: widen the top k until `limit` live ones remain."""
    if limit <= 0:
        return []
    fetch = limit + _FETCH_MARGIN
    while True:
        hits = top_hits(scores, ids, limit=fetch, exclude=exclude)
        alive = similar.live_ids(hit.photo_id for hit in hits)
        live = [hit for hit in hits if hit.photo_id in alive]
        if len(live) >= limit or len(hits) < fetch:
            return live[:limit]
        fetch *= 4


# -- the in-memory matrix -----------------------------------------------------------------

_matrix_lock = threading.Lock()
_catalog_vectors: judgments.EmbeddingCache | None = None
_catalog_stamp: tuple[str, int, int] = ("", 0, 0)


def catalog_vectors(model: str) -> Vectors:
    """`model`'s vectors read from the catalog once and kept for the process (the CLI's
    matrix); read again only when the catalog's embeddings of `model` changed."""
    global _catalog_vectors, _catalog_stamp
    stamp = similar.embeddings_stamp(model)
    with _matrix_lock:
        cached = _catalog_vectors
        if cached is None or cached.model != model or _catalog_stamp != stamp:
            cached = judgments.EmbeddingCache(model).load()
            _catalog_vectors, _catalog_stamp = cached, stamp
        return cached


def _vectors_for(model: str, embeddings: Vectors | None) -> Vectors:
    if embeddings is not None and embeddings.model == model:
        return embeddings
    return catalog_vectors(model)


# -- the text encoder -----------------------------------------------------------------------

_text_lock = threading.Lock()
_text_vectors: dict[tuple[ClipConfig, str], NDArray[np.float32]] = {}


def text_vector(config: ClipConfig, text: str) -> NDArray[np.float32]:
    """CLIP's unit vector for `text` (the session's shared model; a query typed
    again is not encoded again). Raises ModelUnavailable."""
    key = (replace(config, allow_download=False, batch_size=1), text)
    with _text_lock:
        cached = _text_vectors.get(key)
    if cached is not None:
        return cached
    vector = np.array(shared_embedder(config).embed_text(text), dtype=np.float32)
    vector.setflags(write=False)  # shared by every caller of the same query
    with _text_lock:
        if len(_text_vectors) >= _TEXT_CACHE_SIZE:
            _text_vectors.pop(next(iter(_text_vectors)))  # the oldest
        _text_vectors[key] = vector
    return vector


def _weights_missing_sentence(config: ClipConfig) -> str:
    if is_checkpoint_path(config.pretrained):
        return (
            f"Semantic search needs the CLIP weights file '{config.pretrained}', which does "
            "not exist: fix the CLIP weights setting (CURATOR_CLIP_PRETRAINED) or unset it "
            "and run `curator models pull`."
        )
    return (
        f"Semantic search needs the CLIP weights '{model_id_for(config)}', which are not "
        "on this computer yet: run `curator models pull`."
    )


# -- the searches -----------------------------------------------------------------------------


def semantic_search(
    query: str,
    settings: Settings,
    *,
    limit: int = 50,
    embeddings: Vectors | None = None,
) -> list[SearchHit]:
    """Photos ranked by cosine between `query`'s CLIP text vector and their
    embeddings (the caller's `embeddings` when they are of the settings' model,
    else the catalog's); a blank query finds nothing. Raises `SearchUnavailable`
    without the CLIP weights or any embedding."""
    text = " ".join(query.split())
    if not text or limit <= 0:
        return []
    config = clip_config(settings)
    if not weights_present(config):
        raise SearchUnavailable(_weights_missing_sentence(config))
    model = model_id_for(config)
    vectors = _vectors_for(model, embeddings)
    if len(vectors.ids) == 0:
        raise SearchUnavailable(NOT_EMBEDDED)
    try:
        q = text_vector(config, text)
    except ModelUnavailable as err:
        raise SearchUnavailable(err.message) from err
    if q.shape[0] != vectors.matrix.shape[1]:
        raise SearchUnavailable(
            f"The stored embeddings have {vectors.matrix.shape[1]} numbers but the CLIP model "
            f"gives {q.shape[0]}: import again to embed the photos with '{model}'."
        )
    return _live_top(scores_for(vectors.matrix, q), vectors.ids, limit=limit)


def more_like_this(
    photo_id: int,
    settings: Settings,
    *,
    limit: int = 50,
    embeddings: Vectors | None = None,
) -> list[SearchHit]:
    """The photos nearest to `photo_id`'s embedding, itself left out: its
    duplicates first (cosine ≥ `DUPLICATE_COSINE`, why="duplicate"), then its
    burst frames (why="same burst"), each best first, then the rest by cosine.
    Needs only the stored embeddings; `SearchUnavailable` for a photo without
    one of the current model."""
    if limit <= 0:
        return []
    model = model_id_for(clip_config(settings))
    if not similar.live_ids([photo_id], pairs_once=False):  # any live file can be compared
        raise SearchUnavailable(
            f"Photo {photo_id} is not in the catalog (or was moved to the trash), "
            "so there is nothing to compare it with."
        )
    found, own = judgments.load_embeddings(model, [photo_id])
    if not found:
        raise SearchUnavailable(
            "This photo has no CLIP embedding yet, so there is nothing to compare it with: "
            "import it with the CLIP weights present."
        )
    vec = own[0]
    vectors = _vectors_for(model, embeddings)
    if len(vectors.ids) == 0 or vectors.matrix.shape[1] != vec.shape[0]:
        raise SearchUnavailable(NOT_EMBEDDED)
    scores = scores_for(vectors.matrix, vec)
    ids = vectors.ids

    close_rows = np.flatnonzero(scores >= DUPLICATE_COSINE)
    close = {int(ids[int(r)]): float(scores[r]) for r in close_rows}
    close.pop(int(photo_id), None)
    duplicates = _labelled(close, similar.live_ids(close), WHY_DUPLICATE)

    mates = [pid for pid in similar.burst_mates(photo_id) if pid not in close]
    mate_ids, mate_matrix = judgments.load_embeddings(model, mates)
    mate_scores = mate_matrix @ vec if mate_ids else np.zeros(0, dtype=np.float32)
    burst = _labelled(
        {pid: float(s) for pid, s in zip(mate_ids, mate_scores, strict=True)},
        set(mate_ids),
        WHY_BURST,
    )

    first = (duplicates + burst)[:limit]
    taken = {photo_id, *close, *mate_ids}
    rest = _live_top(scores, ids, limit=limit - len(first), exclude=taken)
    return first + rest


def _labelled(scored: dict[int, float], live: Iterable[int], why: str) -> list[SearchHit]:
    keep = set(live)
    hits = [SearchHit(pid, score, why) for pid, score in scored.items() if pid in keep]
    hits.sort(key=lambda hit: (-hit.score, hit.photo_id))
    return hits

"""Semantic search budget: a query ranks 100,000 embeddings in ≤ 150 ms on ONE core.

100,000 random unit vectors of 768 float32 (the ViT-L-14 size) in one
in-memory matrix, as the GUI's `LiveEmbeddings` holds them. BLAS is held to
one thread (threadpoolctl; without it the measurement runs in a child
process with OMP/OPENBLAS/MKL_NUM_THREADS=1). Timed over ~20 queries (p50,
p95):

- `semantic.rank` (one matrix-vector product + `np.argpartition` top 50);
- the baseline measured in the same run: the bare matrix-vector product, the
  floor any exact search must pay (reading 300 MB once). Budget: rank costs at
  most 1.5x the bare product (so no per-query copy of the matrix, no full
  sort) and at most 150 ms (the issue's absolute budget);
- for context, the naive ranking (product + a full `np.argsort`), and
  `more_like_this` end to end on a 100,000-photo catalog (reading the
  photo's vector, duplicates, burst, deleted-photo check), budget 150 ms too.

Whether numpy is enough (the issue allows FAISS or sqlite-vec only if a
measurement says it is not) is decided by the 150 ms assertion.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from tests.bench.results import write_results

N = 100_000
DIM = 768
QUERIES = 21
LIMIT = 50
BUDGET_MS = 150.0
RATIO_BUDGET = 1.5
ONE_THREAD = {"OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}


def _unit_rows(rng: np.random.Generator, n: int) -> np.ndarray:
    x = rng.standard_normal(size=(n, DIM), dtype=np.float32)
    x /= np.linalg.norm(x, axis=1, keepdims=True)
    return x


def _timed(
    fns: dict[str, Callable[[np.ndarray], object]], queries: np.ndarray
) -> dict[str, dict[str, float]]:
    """Milliseconds per query of each of `fns`, interleaved query by query (so a busy
    machine slows them alike and the ratios hold)."""
    for fn in fns.values():
        fn(queries[0])  # warm-up (page faults, BLAS start-up)
    times: dict[str, list[float]] = {name: [] for name in fns}
    for q in queries:
        for name, fn in fns.items():
            start = time.perf_counter()
            fn(q)
            times[name].append((time.perf_counter() - start) * 1000)
    return {name: _stats(t) for name, t in times.items()}


def _stats(times: list[float]) -> dict[str, float]:
    return {"p50_ms": float(np.percentile(times, 50)), "p95_ms": float(np.percentile(times, 95))}


def measure_rank() -> dict[str, Any]:
    """Time rank, the bare product and the naive full sort (call with BLAS at one thread)."""
    from curator.search.semantic import rank

    rng = np.random.default_rng(0)
    matrix = _unit_rows(rng, N)
    ids = np.arange(1, N + 1, dtype=np.int64)
    queries = _unit_rows(rng, QUERIES)
    # The right answer first (a query at a stored vector finds that photo).
    assert rank(matrix, ids, matrix[1234], limit=LIMIT)[0].photo_id == 1235
    return _timed(
        {
            "rank": lambda q: rank(matrix, ids, q, limit=LIMIT),
            "matvec": lambda q: matrix @ q,
            "naive_full_sort": lambda q: np.argsort(-(matrix @ q))[:LIMIT],
        },
        queries,
    )


def _blas_threads() -> int:
    from threadpoolctl import threadpool_info

    return max((int(i.get("num_threads", 1)) for i in threadpool_info()), default=1)


def _measure_on_one_core() -> dict[str, Any]:
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # a child process started with one BLAS thread
        code = (
            "import json, tests.bench.test_search_bench as b; print(json.dumps(b.measure_rank()))"
        )
        env = {**os.environ, **ONE_THREAD}
        out = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env
        )
        return dict(json.loads(out.stdout.strip().splitlines()[-1]))
    with threadpool_limits(limits=1):
        assert _blas_threads() == 1
        return measure_rank()


@pytest.mark.bench
def test_rank_100k_on_one_core() -> None:
    result = _measure_on_one_core()
    rank_ms, matvec_ms = result["rank"], result["matvec"]
    ratio = rank_ms["p50_ms"] / matvec_ms["p50_ms"]
    print(
        f"\nrank {N:,} x {DIM} float32, top {LIMIT}, one core, {QUERIES} queries: "
        f"p50 {rank_ms['p50_ms']:.1f} ms, p95 {rank_ms['p95_ms']:.1f} ms; "
        f"bare product p50 {matvec_ms['p50_ms']:.1f} ms (rank/product {ratio:.2f}x); "
        f"naive full sort p50 {result['naive_full_sort']['p50_ms']:.1f} ms"
    )
    write_results("search.json", {"photos": N, "dim": DIM, "ratio": ratio, **result})
    assert ratio <= RATIO_BUDGET, f"rank costs {ratio:.2f}x the bare product (budget 1.5x)"
    assert rank_ms["p95_ms"] <= BUDGET_MS, (
        f"ranking {N} embeddings took {rank_ms['p95_ms']:.0f} ms p95 (budget {BUDGET_MS:.0f} ms)"
    )


def _populate(cat: Any, x: np.ndarray, model: str) -> None:
    from curator.catalog.models import utcnow

    now = utcnow()
    db = cat.db
    with db.atomic():
        db.cursor().executemany(
            "INSERT INTO photo (id, path, content_hash, imported_at, updated_at, captured_at, "
            "cull, burst_group, deleted_at) VALUES (?, ?, ?, ?, ?, ?, 'unreviewed', ?, ?)",
            [
                (
                    i + 1,
                    f"/lib/{i:06d}.jpg".encode(),
                    f"h{i}",
                    now,
                    now,
                    datetime(2024, 1, 1),
                    i // 5 if i % 50 < 5 else None,  # bursts of 5 frames
                    now if i % 10 == 3 else None,  # a tenth purged to the trash
                )
                for i in range(N)
            ],
        )
        db.cursor().executemany(
            "INSERT INTO embedding (photo_id, model, dim, vector, created_at) "
            "VALUES (?, ?, ?, ?, ?)",
            [(i + 1, model, DIM, x[i].astype("<f4").tobytes(), now) for i in range(N)],
        )


@pytest.mark.bench
def test_more_like_this_100k_end_to_end(tmp_path: Path) -> None:
    from threadpoolctl import threadpool_limits

    from curator.catalog.db import Catalog
    from curator.catalog.judgments import EmbeddingCache
    from curator.search.semantic import more_like_this
    from curator.settings import Settings, embedding_model_id

    settings = Settings()
    model = embedding_model_id(settings)
    x = _unit_rows(np.random.default_rng(1), N)
    with Catalog.open(tmp_path / "big.sqlite") as cat:
        _populate(cat, x, model)
        live = EmbeddingCache(model).load()  # what the GUI keeps in memory
        del x
        photos = [1 + 50 * k for k in range(QUERIES)]  # photos in a burst
        with threadpool_limits(limits=1):
            more_like_this(photos[0], settings, limit=LIMIT, embeddings=live)
            times = []
            for pid in photos:
                start = time.perf_counter()
                hits = more_like_this(pid, settings, limit=LIMIT, embeddings=live)
                times.append((time.perf_counter() - start) * 1000)
                assert len(hits) == LIMIT and pid not in {h.photo_id for h in hits}
                assert hits[0].why == "same burst"
    stats = _stats(times)
    print(
        f"\nmore_like_this over {N:,} photos (catalog + in-memory matrix), one core: "
        f"p50 {stats['p50_ms']:.1f} ms, p95 {stats['p95_ms']:.1f} ms"
    )
    assert stats["p95_ms"] <= BUDGET_MS, f"more-like-this took {stats['p95_ms']:.0f} ms p95"

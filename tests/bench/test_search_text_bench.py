"""Text search on a 100,000-photo catalog (docs/product.md, Budgets: a query ≤ 150 ms).

The catalog is built through the schema's own triggers (every photo, path,
description and tag insert updates `photo_fts`, as an import would), with
prose from a 2,000-word vocabulary drawn Zipf-like (a few words in
thousands of descriptions, most in a handful), 300 tags (two per photo),
moods and lighting from short lists, and camera-style file names. Each query
runs ROUNDS times; p50/p95 are printed, with the build time (the triggers'
cost on 100,000 imports).

The budget is checked on what the user waits for before the grid shows
results: the gallery's first page (`ranked_ids(q, limit=FIRST_PAGE)`: the
best 500 photos, no hit objects, no reasons; issue 21 §2). The whole ranking
(`ranked_ids(q)`, appended to the grid once it is in) is timed in the same
rounds against its own, looser budget (`WHOLE_BUDGET_MS`), and `text_search`
(the CLI's, with the best hits' reasons, at the query's own limit) is printed
beside them. A word in every photo ("tag": every photo has two tags named
"… tag") is the worst case. Both rankings' CPU time (this thread's: SQLite
runs on it) is printed too: on a machine shared with other work the wall
time says what the user waited, the CPU time what the search cost.
"""

from __future__ import annotations

import statistics
import time
from pathlib import Path

import numpy as np
import pytest

from curator.catalog.db import Catalog
from curator.catalog.models import utcnow
from curator.search.text import FIRST_PAGE, ranked_ids, text_search
from curator.search.tokens import parse_query
from tests.bench.bulk import insert_many, loading

pytestmark = pytest.mark.bench
N = 100_000
ROUNDS = 20
BUDGET_MS = 150.0  # the first page: what the user waits for before results show
# The whole ranking arrives while the first page shows: nobody waits for it until
# they have scrolled past 500 photos (a few screens of the grid), which takes
# longer than this. A word in every photo costs ~140-150 ms of CPU (p50): 400 ms
# leaves room for a quiet machine's noise and still catches a doubling. On the
# shared 2-core machine under load (2-4) its wall p95 was 200-520 ms: like the
# first page's budget, this one is for a quiet machine.
WHOLE_BUDGET_MS = 400.0
KEEP = False  # True: keep the built catalog in /tmp/fts between runs (profiling)

MOODS = ("calm", "wistful", "joyful", "tense", "nostalgic", "playful", "sombre", "serene")
LIGHT = ("soft window light", "harsh midday sun", "golden hour glow", "flat overcast light")
TYPES = ("portrait", "street", "family", "landscape", "still_life", "other")
_BARE = "SELECT rowid FROM photo_fts WHERE photo_fts MATCH ?"
SPECIAL = ("harbour", "lighthouse", "café", "fisherman", "umbrella")


def _vocabulary(rng: np.random.Generator, n: int = 2000) -> list[str]:
    letters = np.array(list("abcdefghijklmnopqrstuvwxyz"))
    words = {"".join(rng.choice(letters, size=int(rng.integers(3, 10)))) for _ in range(n * 2)}
    return sorted(words)[: n - len(SPECIAL)] + list(SPECIAL)


def _populate(cat: Catalog, n: int, seed: int = 0) -> None:
    rng = np.random.default_rng(seed)
    vocab = _vocabulary(rng)
    # Zipf-like: word k drawn with weight 1/(k+1); the special words sit at ranks
    # that put them in a few percent (harbour) down to a few dozen photos.
    ranks = np.arange(len(vocab), dtype=float)
    order = list(vocab)
    for rank, word in zip((8, 60, 300, 900, 1900), SPECIAL, strict=True):
        order.remove(word)
        order.insert(rank, word)
    weights = 1.0 / (ranks + 1.0)
    weights /= weights.sum()
    now = utcnow()
    db = cat.db
    words = rng.choice(len(order), size=(n, 8), p=weights)
    with loading(db):
        insert_many(
            db,
            "INSERT INTO photo (id, path, content_hash, captured_at, cull, rating,"
            " imported_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (
                    i + 1,
                    f"/archive/{2015 + i // 10000}/{i // 500:03d}/DSC_{i:06d}.NEF".encode(),
                    f"hash{i:08d}",
                    f"2020-01-01 00:00:{i % 60:02d}",
                    ("unreviewed", "kept", "rejected")[i % 3],
                    (i % 7) % 6 or None,
                    now,
                    now,
                )
                for i in range(n)
            ],
        )
        insert_many(
            db,
            "INSERT INTO description (photo_id, subject, content_type, lighting_critique,"
            " artistic_mood, model, prompt_version, created_at)"
            " VALUES (?, ?, ?, ?, ?, 'llava', 'p1', ?)",
            [
                (
                    i + 1,
                    " ".join(order[k] for k in words[i]).capitalize(),
                    TYPES[i % len(TYPES)],
                    LIGHT[i % len(LIGHT)],
                    MOODS[(i * 7) % len(MOODS)],
                    now,
                )
                for i in range(n)
            ],
        )
        insert_many(
            db,
            "INSERT INTO tag (id, name) VALUES (?, ?)",
            [(t + 1, f"{order[t]} tag") for t in range(300)],
        )
        tag_of = rng.integers(1, 301, size=(n, 2))
        insert_many(
            db,
            "INSERT OR IGNORE INTO photo_tag (photo_id, tag_id, source, confidence, created_at)"
            " VALUES (?, ?, 'ai', 50, ?)",
            [(i + 1, int(t), now) for i in range(n) for t in tag_of[i]],
        )


QUERIES: dict[str, tuple[str, int | None]] = {
    "common word, top 50": ("harbour", 50),
    "common word, every hit": ("harbour", None),
    "word in every photo": ("tag", None),
    "rare word": ("umbrella", None),
    "accent-folded word": ("cafe", None),
    "prefix of 3": ("har", 50),
    "two words": ("harbour fisherman", None),
    "phrase": ('"golden hour"', 50),
    "words + filters": ('tag:"harbour tag" rating>=3 kept lighthouse', None),
    "file name": ("DSC_004217", None),
    "filters only, every hit": ("type:portrait rating>=4", None),
    "junk": ('NEAR( " * -', None),
}


def test_text_search_on_100k_photos(tmp_path: Path) -> None:
    path = Path("/tmp/fts/bench.sqlite") if KEEP else tmp_path / "bench.sqlite"
    fresh = not path.exists()
    with Catalog.open(path) as cat:
        if fresh:
            start = time.perf_counter()
            _populate(cat, N)
            built = time.perf_counter() - start
            print(f"\nbuilt {N:,} photos (with the FTS triggers) in {built:.1f} s")
        worst = worst_whole = 0.0
        for label, (query, limit) in QUERIES.items():
            # The floor, in the same rounds: a bare FTS5 MATCH of the same expression.
            expression = parse_query(query).fts_expression()
            times, cpu, wholes, whole_cpu, cli, bare = [], [], [], [], [], []
            for _ in range(ROUNDS):
                t0, c0 = time.perf_counter(), time.thread_time()
                page = ranked_ids(query, limit=FIRST_PAGE)
                times.append((time.perf_counter() - t0) * 1000)
                cpu.append((time.thread_time() - c0) * 1000)  # SQLite runs on this thread
                t0, c0 = time.perf_counter(), time.thread_time()
                ids = ranked_ids(query)
                wholes.append((time.perf_counter() - t0) * 1000)
                whole_cpu.append((time.thread_time() - c0) * 1000)
                t0 = time.perf_counter()
                hits = text_search(query, limit=limit)
                cli.append((time.perf_counter() - t0) * 1000)
                if expression is not None:
                    t0 = time.perf_counter()
                    cat.db.execute_sql(_BARE, [expression]).fetchall()
                    bare.append((time.perf_counter() - t0) * 1000)
            p95, whole_p95 = _p95(times), _p95(wholes)
            worst, worst_whole = max(worst, p95), max(worst_whole, whole_p95)
            floor = (
                f"  bare MATCH p50 {statistics.median(bare):5.1f} ms"
                f" ({statistics.median(times) / max(statistics.median(bare), 0.01):.1f}x)"
                if bare
                else ""
            )
            # One ranking, three callers: the first page is the whole ranking's head.
            assert page == ids[:FIRST_PAGE], label
            assert [h.photo_id for h in hits] == ids[:limit], label
            print(
                f"{label:28s} {len(ids):6d} hits  first page p50"
                f" {statistics.median(times):6.1f} p95 {p95:6.1f} ms"
                f" (CPU p50 {statistics.median(cpu):6.1f}){floor}"
                f"  | whole p50 {statistics.median(wholes):6.1f} p95 {whole_p95:6.1f} ms"
                f" (CPU p50 {statistics.median(whole_cpu):6.1f})"
                f"  | CLI's ({limit or 'all'}, reasons) p50 {statistics.median(cli):6.1f} ms"
            )
        assert worst <= BUDGET_MS, f"a first page took {worst:.0f} ms (budget {BUDGET_MS} ms)"
        assert worst_whole <= WHOLE_BUDGET_MS, (
            f"a whole ranking took {worst_whole:.0f} ms (budget {WHOLE_BUDGET_MS} ms)"
        )


def _p95(times: list[float]) -> float:
    ordered = sorted(times)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]

"""A 100,000-photo catalog for the gallery benchmarks, built with executemany.

Realistic spreads: capture times over two years (2 % undated), preference
scores for 80 % (the rest not embedded yet), sharpness, exposure, clipping,
ratings for 15 %, kept/rejected for 30 %, a description (content type) and
two tags per photo, bursts of 3 for 5 %, 1 % failed technical stage; six
cameras and nine lenses (a few photos with neither), ISO 100–12800.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import numpy as np

from curator.catalog.db import Catalog
from curator.catalog.models import utcnow
from tests.bench.bulk import insert_many, loading

CONTENT_TYPES = ("portrait", "street", "family", "landscape", "still_life", "other")
TAGS = [f"tag {i:03d}" for i in range(300)]
CAMERAS = (
    ("Canon", "Canon EOS R6"),
    ("Canon", "Canon EOS 5D Mark IV"),
    ("NIKON CORPORATION", "NIKON Z 6_2"),
    ("FUJIFILM", "X-T3"),
    ("SONY", "ILCE-7M3"),
    ("Apple", "iPhone 13"),
)
LENSES = tuple(f"Lens {mm}mm" for mm in (14, 24, 35, 50, 70, 85, 105, 135, 200))
ISOS = (100, 200, 400, 800, 1600, 3200, 6400, 12800)


def populate(cat: Catalog, n: int = 100_000, seed: int = 0) -> None:
    rng = np.random.default_rng(seed)
    now = utcnow()
    t0 = datetime(2023, 1, 1)
    seconds = np.sort(rng.integers(0, 2 * 365 * 86400, size=n))
    undated = rng.random(n) < 0.02
    # In hundredths, as `taste.store.write_scores` stores them (so equal scores happen).
    pref = np.where(rng.random(n) < 0.8, np.round(rng.uniform(0, 100, n), 2), np.nan)
    sharp = rng.uniform(0, 100, n)
    expo = rng.uniform(0, 100, n)
    clip = rng.uniform(0, 0.1, n)
    rating = np.where(rng.random(n) < 0.15, rng.integers(1, 6, n), 0)
    cull = rng.choice(["unreviewed", "kept", "rejected"], size=n, p=[0.7, 0.2, 0.1])
    burst = np.where(rng.random(n) < 0.05, np.arange(n) // 3, -1)
    failed = rng.random(n) < 0.01
    camera = rng.integers(-1, len(CAMERAS), n)  # -1: no EXIF camera (scans, screenshots)
    lens = rng.integers(0, len(LENSES), n)
    iso = rng.choice(ISOS, n)

    def opt(v: float) -> float | None:
        return None if np.isnan(v) else float(v)

    photos = [
        (
            i + 1,
            f"/archive/{i // 1000:03d}/IMG_{i:06d}.jpg".encode(),
            f"hash{i:08d}",
            None if undated[i] else t0 + timedelta(seconds=int(seconds[i])),
            f"t/{i:06d}.jpg",
            f"p/{i:06d}.jpg",
            float(sharp[i]),
            float(expo[i]),
            float(clip[i]),
            opt(pref[i]),
            str(cull[i]),
            int(rating[i]) or None,
            None if burst[i] < 0 else int(burst[i]),
            int(burst[i] >= 0 and i % 3 == 0),
            *(CAMERAS[camera[i]] if camera[i] >= 0 else (None, None)),
            LENSES[lens[i]] if camera[i] >= 0 else None,
            int(iso[i]) if camera[i] >= 0 else None,
            now,
            now,
        )
        for i in range(n)
    ]
    db = cat.db
    with loading(db):
        insert_many(
            db,
            "INSERT INTO photo (id, path, content_hash, captured_at, thumbnail_key, preview_key,"
            " sharpness_score, exposure_score, highlight_clip, cull, rating,"
            " burst_group, burst_best, camera_make, camera_model, lens, iso, imported_at,"
            " updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [(*row[:9], *row[10:]) for row in photos],
        )
        insert_many(
            db,  # the taste scores' own table (schema v16)
            "INSERT INTO photo_preference (photo_id, score, model_version) VALUES (?, ?, 1)",
            [(row[0], row[9]) for row in photos if row[9] is not None],
        )
        insert_many(
            db,
            "INSERT INTO stage_run (photo_id, stage, status, attempts, stage_version,"
            " failure_reason, updated_at) VALUES (?, 'technical', ?, 1, 'v', ?, ?)",
            [
                (
                    i + 1,
                    "failed" if failed[i] else "done",
                    "The file is empty." if failed[i] else None,
                    now,
                )
                for i in range(n)
            ],
        )
        insert_many(
            db,
            "INSERT INTO description (photo_id, subject, content_type, model, prompt_version,"
            " created_at) VALUES (?, 'a subject', ?, 'llava', 'p1', ?)",
            [(i + 1, CONTENT_TYPES[int(rng.integers(len(CONTENT_TYPES)))], now) for i in range(n)],
        )
        insert_many(db, "INSERT INTO tag (id, name) VALUES (?, ?)", list(enumerate(TAGS, 1)))
        tag_of = rng.integers(1, len(TAGS) + 1, size=(n, 2))
        insert_many(
            db,
            "INSERT OR IGNORE INTO photo_tag (photo_id, tag_id, source, confidence, created_at)"
            " VALUES (?, ?, 'ai', 50, ?)",
            [(i + 1, int(t), now) for i in range(n) for t in tag_of[i]],
        )

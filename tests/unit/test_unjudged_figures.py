"""A stored figure means one thing (issue 73 §3): a frame too small to judge keeps
no noise, Laplacian variance or tile percentile (NULL, not a number at its own
scale), new catalogs through the writer and old ones through m028, on SQLite and
PostgreSQL; every reader takes the NULL."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from curator.catalog.db import Catalog
from curator.catalog.models import Photo
from curator.catalog.paths_codec import encode_path
from curator.catalog.queries import list_photos, photo_details
from curator.catalog.writer import Attempted, CatalogWriter
from curator.imaging.types import TechnicalMeasurement, TechnicalRequest
from curator.pipeline.stages.technical import STAGE_VERSION, run_technical
from tests.old_catalogs import catalog_at_version

SMALL = "jpeg/exiv2_D7000_underexposed.jpg"  # 520 x 344: too small to judge
JUDGED = "jpeg/sony_a200_unset_clock.jpg"  # 1391 x 2463
FIGURES = ("noise_level", "laplacian_var", "sharpness_tile_p90")

# (id, sharpness_score, noise_level, laplacian_var, sharpness_tile_p90, note) of a v27 catalog
OLD_ROWS = [
    (1, None, 11.9, 40.5, 90.25, "too small to judge"),  # a 400 px frame, misjudged
    (2, 81.5, 2.125, 310.0, 820.5, None),  # judged: kept as it is
    (3, None, None, None, None, None),  # never measured
]


def test_a_frame_too_small_to_judge_stores_no_figure(tmp_path: Path, fixtures_dir: Path) -> None:
    paths = [fixtures_dir / SMALL, fixtures_dir / JUDGED]
    outcomes = [run_technical(TechnicalRequest(str(p), str(tmp_path / "cache"))) for p in paths]
    small, judged = outcomes
    assert isinstance(small, TechnicalMeasurement) and small.sharpness is not None
    assert isinstance(judged, TechnicalMeasurement) and judged.sharpness is not None
    # The measure keeps what its pixels showed (the faces judged on them take the noise off)...
    assert not small.sharpness.judged and small.sharpness.noise is not None
    assert judged.sharpness.judged and judged.sharpness.noise is not None
    with Catalog.open(tmp_path / "c.sqlite") as cat:
        CatalogWriter(cat.db, STAGE_VERSION).apply_technical([Attempted(o) for o in outcomes])
        ids = [int(Photo.get(Photo.path == encode_path(str(p))).id) for p in paths]
        # ... the catalog only a judged frame's: NULL at its own scale, the note says why.
        rows = {int(p["id"]): p for p in json.loads(json.dumps(list_photos()))}
        small_row, judged_row = rows[ids[0]], rows[ids[1]]
        assert [small_row[f] for f in FIGURES] == [None, None, None]
        assert small_row["sharpness_note"] == "too small to judge"
        assert judged_row["noise_level"] == judged.sharpness.noise
        assert judged_row["laplacian_var"] == judged.sharpness.laplacian_var
        small_details, judged_details = photo_details(ids[0]), photo_details(ids[1])
        assert small_details is not None and small_details.noise_level is None
        assert judged_details is not None and judged_details.noise_level is not None


def _rows(db: object) -> dict[int, tuple[object, ...]]:
    found = db.execute_sql(  # type: ignore[attr-defined]
        "SELECT id, sharpness_score, noise_level, laplacian_var, sharpness_tile_p90,"
        " sharpness_note FROM photo ORDER BY id"
    ).fetchall()
    return {int(row[0]): tuple(row) for row in found}


def _expected() -> dict[int, tuple[object, ...]]:
    cleared = (1, None, None, None, None, "too small to judge")
    return {1: cleared, 2: OLD_ROWS[1], 3: OLD_ROWS[2]}


_INSERT = (
    "INSERT INTO photo (id, path, imported_at, updated_at, sharpness_score, noise_level,"
    " laplacian_var, sharpness_tile_p90, sharpness_note)"
    " VALUES (?, ?, '2025-01-01 00:00:00', '2025-01-01 00:00:00', ?, ?, ?, ?, ?)"
)


def test_m028_clears_the_figures_of_frames_not_judged_on_sqlite(tmp_path: Path) -> None:
    path = tmp_path / "v27.sqlite"
    con = catalog_at_version(path, 27)
    for pid, *rest in OLD_ROWS:
        con.execute(_INSERT, (pid, f"/{pid}.jpg".encode(), *rest))
    con.execute("PRAGMA user_version = 27")
    con.commit()
    con.close()
    with Catalog.open(path) as cat:
        assert _rows(cat.db) == _expected()


def test_m028_clears_the_figures_of_frames_not_judged_on_postgresql(pg_url: str) -> None:
    from curator.catalog.backends import pg_schema
    from curator.catalog.migrations import MIGRATIONS

    with pytest.MonkeyPatch.context() as patch:  # the catalog an older Curator left
        patch.setattr(pg_schema, "MIGRATIONS", tuple(m for m in MIGRATIONS if m.version <= 27))
        with Catalog.open(pg_url, bind=False) as old:
            for pid, *rest in OLD_ROWS:
                old.db.execute_sql(_INSERT.replace("?", "%s"), [pid, f"/{pid}.jpg".encode(), *rest])
    with Catalog.open(pg_url, bind=False) as cat:
        assert _rows(cat.db) == _expected()

"""A file that never decoded still gets the format its name promises (RAW),
carried by the failure record: the catalog writer does not look at names."""

from __future__ import annotations

from pathlib import Path

from curator.catalog.db import Catalog
from curator.catalog.models import Photo
from curator.catalog.paths_codec import encode_path
from curator.catalog.writer import Attempted, CatalogWriter
from curator.imaging.types import TechnicalFailure, TechnicalRequest
from curator.pipeline.stages.technical import STAGE_VERSION, run_technical
from curator.records import FileFormat
from tests.imaging_helpers import fixture


def test_a_broken_raw_is_recorded_as_raw_and_a_broken_jpeg_without_a_format(
    tmp_path: Path,
) -> None:
    lib = tmp_path / "lib"
    lib.mkdir()
    raw = fixture("raw/Canon550D_MagicLantern_colorchart.dng").read_bytes()
    (lib / "truncated.dng").write_bytes(raw[: len(raw) // 3])
    (lib / "notes.jpg").write_text("shopping list: milk, film, batteries\n" * 20)
    cache = tmp_path / "cache"

    outcomes = {
        name: run_technical(TechnicalRequest(str(lib / name), str(cache)))
        for name in ("truncated.dng", "notes.jpg")
    }
    assert all(isinstance(o, TechnicalFailure) for o in outcomes.values())
    assert outcomes["truncated.dng"].format is FileFormat.RAW
    assert outcomes["notes.jpg"].format is None

    with Catalog.open(tmp_path / "c.sqlite") as cat:
        CatalogWriter(cat.db, STAGE_VERSION).apply_technical(
            [Attempted(o) for o in outcomes.values()]
        )
        formats = {
            name: Photo.get(Photo.path == encode_path(str(lib / name))).format for name in outcomes
        }
    assert formats == {"truncated.dng": "raw", "notes.jpg": None}

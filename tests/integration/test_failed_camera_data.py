"""A file that fails with its header readable keeps its camera data (issue 19
§4): the Failed lane and the loupe's panel say what it was, not "—"."""

from __future__ import annotations

from pathlib import Path

from curator.catalog.db import Catalog
from curator.catalog.models import Photo
from curator.catalog.queries import gallery_rows
from curator.paths import resolve_paths
from tests.integration.cli_helpers import import_json
from tests.ui.conftest import make_photo


def test_a_truncated_jpeg_fails_with_its_camera_data(tmp_path: Path) -> None:
    lib = tmp_path / "lib"
    lib.mkdir()
    good = make_photo(lib / "IMG_0001.jpg", 1, width=1200, height=800)
    data = good.read_bytes()
    cut = lib / "CUT_0001.jpg"
    cut.write_bytes(data[: len(data) // 3])  # the header and EXIF whole, the pixels cut
    good.unlink()
    (lib / "junk.jpg").write_bytes(b"\xff\xd8\xff\xe0 not really a jpeg")  # no EXIF at all
    result = import_json(lib, "--stages", "technical")
    assert result["failed"] == 2, result
    with Catalog.open(resolve_paths().catalog):
        photos = {Path(bytes(p.path).decode()).name: p for p in Photo.select()}
        truncated = photos["CUT_0001.jpg"]
        assert truncated.camera_model == "Synthetic 1"
        assert truncated.captured_at is not None
        row = gallery_rows([truncated.id])[truncated.id]
        assert row.failed and row.failed_reason
        assert photos["junk.jpg"].camera_model is None

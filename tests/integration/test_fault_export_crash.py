"""A RAW rendition whose decoder really crashes (SIGSEGV in the child) fails
that one photo with a sentence; the export — and the process that runs it,
the app's in the GUI — goes on with the others."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from curator.catalog.db import Catalog
from curator.export.run import run_export
from curator.export.types import ExportRequest, FileStatus
from curator.paths import resolve_paths
from tests.helpers import crash_on_marked_renders
from tests.integration.cli_helpers import import_json
from tests.integration.export_helpers import decide, plan


@pytest.mark.parametrize("workers", [1, 2], ids=["inline", "rendered-ahead"])
def test_a_raw_that_crashes_its_decoder_fails_alone(
    fixtures_dir: Path, tmp_path: Path, workers: int
) -> None:
    lib = tmp_path / "lib"
    lib.mkdir()
    shutil.copyfile(fixtures_dir / "raw" / "LG-H815_sample_1mp.dng", lib / "a_ok.dng")
    shutil.copyfile(fixtures_dir / "raw" / "BMPCC4K_Blackmagic.dng", lib / "b_CRASHME.dng")
    shutil.copyfile(fixtures_dir / "raw" / "Canon550D_MagicLantern_colorchart.dng", lib / "c.dng")
    assert import_json(lib, "--stages", "technical")["new"] == 3
    decide("rate", *sorted(lib.iterdir()), stars=5)
    pid = os.getpid()

    request = ExportRequest(dest=tmp_path / "out", renditions_long_edge=400)
    result = run_export(plan(request), workers=workers, raw_render=crash_on_marked_renders)

    assert os.getpid() == pid  # the export's process lived on (the crash was the child's)
    by_name = {Path(f.source).name: f for f in result.files}
    crashed = by_name["b_CRASHME.dng"]
    assert crashed.status is FileStatus.FAILED
    assert "crashed" in crashed.message and crashed.message.endswith(".")
    assert by_name["a_ok.dng"].status is FileStatus.EXPORTED
    assert by_name["c.dng"].status is FileStatus.EXPORTED
    folder = request.dest / "approved"
    assert sorted(p.name for p in folder.glob("*.jpg")) == ["a_ok.jpg", "c.jpg"]
    assert not [p for p in folder.iterdir() if p.name.startswith(".curator-tmp-")]
    with Catalog.open(resolve_paths().catalog):
        pass  # the catalog is untouched and opens as ever

"""Bar X2 against a real darktable (opt-in: `CURATOR_TEST_DARKTABLE=1`, needs
darktable and Xvfb): darktable reads Curator's reject as a reject, its stars,
label and keywords — from `curator xmp write` beside the originals and from an
export — and a folder darktable merely imported becomes no judgments in Curator.

darktable runs with its own --configdir/--library/--cachedir in tmp
(`tests/darktable.py`); the user's darktable is never touched.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from curator.catalog.db import Catalog
from curator.catalog.decisions import add_tag, photo_id_for_path, set_label
from curator.paths import resolve_paths
from tests.darktable import darktable_import
from tests.imaging_helpers import make_dng, make_jpeg
from tests.integration.cli_helpers import import_json, list_json, run_cli

pytestmark = pytest.mark.skipif(
    os.environ.get("CURATOR_TEST_DARKTABLE") != "1",
    reason="needs a real darktable and Xvfb; set CURATOR_TEST_DARKTABLE=1 to run",
)
DATA = Path(__file__).resolve().parents[1] / "data" / "xmp"


def _decide(lib: Path) -> None:
    """a: rejected; b: 4 stars (approved), red, a keyword; RAW.dng: rejected."""
    for args in (
        ("reject", str(lib / "a.jpg")),
        ("rate", "--stars", "4", str(lib / "b.jpg")),
        ("reject", str(lib / "RAW.dng")),
    ):
        code, _, err = run_cli(*args)
        assert code == 0, err
    with Catalog.open(resolve_paths().catalog):
        b = photo_id_for_path(str(lib / "b.jpg"))
        assert b is not None
        set_label(b, "red")
        add_tag(b, "harbour")


def test_darktable_reads_curators_decisions_from_sidecars_and_exports(tmp_path: Path) -> None:
    lib = tmp_path / "lib"
    lib.mkdir()
    make_jpeg(lib / "a.jpg", 640, 480)
    make_jpeg(lib / "b.jpg", 641, 480)
    make_jpeg(lib / "c.jpg", 642, 480)  # undecided
    make_dng(lib / "RAW.dng", 256, 192)
    import_json(lib, "--stages", "technical")
    _decide(lib)
    code, _, err = run_cli("xmp", "write", "--all")
    assert code == 0, err

    seen = darktable_import([*sorted(lib.glob("*.jpg")), lib / "RAW.dng"], tmp_path / "dt1")
    assert seen["a.jpg"].rejected
    assert (seen["b.jpg"].stars, seen["b.jpg"].rejected) == (4, False)
    assert seen["b.jpg"].labels == ("Red",) and "harbour" in seen["b.jpg"].tags
    assert seen["RAW.dng"].rejected  # RAW.dng.xmp beside RAW.xmp: darktable reads its own
    assert (seen["c.jpg"].stars, seen["c.jpg"].rejected) == (1, False)  # untouched: default

    # An export: the decisions inside the JPEG copy and in its sidecar.
    code, _, err = run_cli("export", "--approved", str(tmp_path / "out"), "--no-progress")
    assert code == 0, err
    exported = darktable_import([tmp_path / "out" / "approved" / "b.jpg"], tmp_path / "dt2")
    assert (exported["b.jpg"].stars, exported["b.jpg"].labels) == (4, ("Red",))
    assert "harbour" in exported["b.jpg"].tags


def test_in_a_lightroom_folder_both_names_make_the_reject_reach_darktable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    lib = tmp_path / "lib"
    lib.mkdir()
    for i, stem in enumerate("ab"):
        make_jpeg(lib / f"{stem}.jpg", 600 + i, 400)
        shutil.copyfile(DATA / "lightroom.xmp", lib / f"{stem}.xmp")
    import_json(lib, "--stages", "technical")
    assert run_cli("reject", str(lib / "a.jpg"), str(lib / "b.jpg"))[0] == 0
    # Following the folder's Lightroom names only, darktable would read the −1 in
    # a.xmp as "one star above its default"; with both names it reads a.jpg.xmp.
    monkeypatch.setenv("CURATOR_XMP_SIDECAR_NAMES", "both")
    code, _, err = run_cli("xmp", "write", str(lib / "a.jpg"))
    assert code == 0, err
    monkeypatch.delenv("CURATOR_XMP_SIDECAR_NAMES")
    code, _, err = run_cli("xmp", "write", str(lib / "b.jpg"))
    assert code == 0, err
    seen = darktable_import([lib / "a.jpg", lib / "b.jpg"], tmp_path / "dt")
    assert seen["a.jpg"].rejected
    assert not seen["b.jpg"].rejected and seen["b.jpg"].stars == 2  # the misreading


def test_a_folder_darktable_only_imported_becomes_no_judgments(tmp_path: Path) -> None:
    lib = tmp_path / "lib"
    lib.mkdir()
    for i in range(3):
        make_jpeg(lib / f"p{i}.jpg", 500 + i, 400)
    darktable_import(sorted(lib.glob("*.jpg")), tmp_path / "dt")  # writes p*.jpg.xmp
    assert len(list(lib.glob("*.jpg.xmp"))) == 3
    summary = import_json(lib, "--stages", "technical")
    assert summary["xmp_default_stars_skipped"] == 3
    assert all((p["cull"], p["rating"]) == ("unreviewed", None) for p in list_json())

"""Fault suite, originals: after a full session — import, cull, rate, pick,
label, undo and redo, export (originals and renditions), XMP sidecars written —
every original in the source folder is byte-identical (SHA-256 before and
after), and the only files that appeared or changed are XMP sidecars.

Two sources: a generated folder (JPEGs, a DNG, a PNG, one photo with a
Lightroom sidecar already there) that gets the whole session including
`xmp write`, and the real camera RAW fixtures, read where they lie (never
copied), which get everything but the sidecars (they are shared, read-only).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
from PIL import Image

from curator.catalog.db import Catalog
from curator.paths import resolve_paths
from curator.ui.review.session import ReviewSession
from tests.imaging_helpers import make_dng, make_jpeg
from tests.integration.cli_helpers import import_json, list_json, run_cli
from tests.integration.fault_helpers import hash_tree, report
from tests.xmp_helpers import packet, write_sidecar


def _source(lib: Path) -> list[Path]:
    lib.mkdir()
    photos = [
        make_jpeg(lib / f"IMG_{i:03d}.jpg", 640 + 8 * i, 480, pattern="texture") for i in range(6)
    ]
    (lib / "raw").mkdir()
    photos.append(make_dng(lib / "raw" / "DNG_0001.dng", 256, 192))
    png = lib / "scan.png"
    Image.fromarray(np.full((120, 160, 3), 90, np.uint8)).save(png)
    photos.append(png)
    write_sidecar(lib / "IMG_000.xmp", packet('xmp:Rating="4"'))  # Lightroom's own
    return photos


def _session(photos: list[Path], dest: Path, *, sidecars: bool) -> dict[str, int]:
    """Cull and rate (CLI), undo + redo (the loupe's session), export, sidecars."""
    p = [str(x) for x in photos]
    for command in (
        ("keep", p[0], p[1], p[2]),
        ("reject", p[3]),
        ("rate", "--stars", "5", p[0], p[1]),
        ("pick", p[2]),
        ("label", "--color", "green", p[1]),
        ("rate", "--stars", "2", p[-1]),
    ):
        code, _out, err = run_cli(*command)
        assert code == 0, (command, err)
    with Catalog.open(resolve_paths().catalog):
        session = ReviewSession(lambda _pass: [], lambda: None)
        session.undo()  # the rating of the last photo
        session.redo()
        session.undo()
    figures = {}
    for kind, extra in (("originals", ()), ("renditions", ("--renditions", "800"))):
        code, out, err = run_cli("export", "--approved", str(dest / kind), "--json", *extra)
        assert code == 0, err
        figures[f"exported_{kind}"] = int(json.loads(out)["exported"])
    if sidecars:
        code, out, err = run_cli("xmp", "write", "--all", "--json")
        assert code == 0, err
    return figures


def test_a_full_session_leaves_every_original_byte_identical(
    tmp_path: Path, fixtures_dir: Path
) -> None:
    lib = tmp_path / "lib"
    photos = _source(lib)
    raw_fixtures = fixtures_dir / "raw"
    before, raw_before = hash_tree(lib), hash_tree(raw_fixtures)

    assert import_json(lib)["failed"] == 0
    assert import_json(raw_fixtures)["found"] == len(raw_before)
    raws = [Path(r["path"]) for r in list_json() if str(raw_fixtures) in r["path"]]
    figures = _session(photos, tmp_path / "out", sidecars=True)
    _session(raws, tmp_path / "out-raw", sidecars=False)

    after, raw_after = hash_tree(lib), hash_tree(raw_fixtures)
    originals = {name for name in before if not name.endswith(".xmp")}
    changed = {name for name in originals if after.get(name) != before[name]}
    assert changed == set()  # every original byte for byte
    appeared = set(after) - set(before)
    assert appeared and all(name.endswith(".xmp") for name in appeared)
    assert raw_after == raw_before  # the real camera files, untouched
    assert figures["exported_originals"] > 0 and figures["exported_renditions"] > 0
    report(
        "originals",
        originals_hashed=len(originals) + len(raw_before),
        bytes_hashed=sum(p.stat().st_size for p in lib.rglob("*") if p.is_file())
        + sum((raw_fixtures / n).stat().st_size for n in raw_before),
        changed=len(changed),
        sidecars_written=len(appeared),
        sidecars_merged=int(after["IMG_000.xmp"] != before["IMG_000.xmp"]),
        **figures,
    )

"""`curator rotate --left|--right PATH…` (issue 19 §2): the loupe's Ctrl+[ /
Ctrl+] from the command line — the same `decisions.rotate`, logged in the same
decision log and undone like the GUI's turn; the file is never touched."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from curator.catalog.db import Catalog
from curator.catalog.decisions import decision_log, photo_id_for_path, undo_last
from curator.catalog.models import Photo
from curator.paths import resolve_paths
from tests.imaging_helpers import make_jpeg
from tests.integration.cli_helpers import import_json, run_cli


def _rotations(paths: list[Path]) -> list[int]:
    with Catalog.open(resolve_paths().catalog):
        ids = [photo_id_for_path(str(p)) for p in paths]
        return [int(Photo.get_by_id(i).rotation) for i in ids]


def test_rotate_turns_photos_as_the_loupe_does(tmp_path: Path) -> None:
    lib = tmp_path / "lib"
    lib.mkdir()
    photos = [lib / f"IMG_{i}.jpg" for i in range(2)]
    for i, path in enumerate(photos):
        make_jpeg(path, 640 + i, 480)
    digests = [hashlib.sha256(p.read_bytes()).hexdigest() for p in photos]
    import_json(lib, "--stages", "technical")

    code, out, err = run_cli("rotate", "--right", *map(str, photos))
    assert code == 0, err
    assert "2 photo(s) changed" in out
    assert _rotations(photos) == [1, 1]
    assert run_cli("rotate", "--left", str(photos[0]))[0] == 0
    assert run_cli("rotate", "--left", str(photos[0]))[0] == 0
    assert _rotations(photos) == [3, 1]  # a quarter-turn counter-clockwise from upright
    with Catalog.open(resolve_paths().catalog):
        log = [(d["kind"], d["old"], d["new"]) for d in decision_log()]
        assert log.count(("rotation", "0", "1")) == 2 and ("rotation", "0", "3") in log
        assert undo_last() is not None  # the GUI's Ctrl+Z undoes a CLI turn
    assert _rotations(photos) == [0, 1]
    assert [hashlib.sha256(p.read_bytes()).hexdigest() for p in photos] == digests


def test_rotate_needs_a_direction_and_known_photos(tmp_path: Path) -> None:
    lib = tmp_path / "lib"
    lib.mkdir()
    make_jpeg(lib / "IMG.jpg", 640, 480)
    import_json(lib, "--stages", "technical")
    for bad in ([], ["--left", "--right"]):  # argparse's usage error: exit 2
        with pytest.raises(SystemExit) as exited:
            run_cli("rotate", *bad, str(lib / "IMG.jpg"))
        assert exited.value.code == 2
    assert _rotations([lib / "IMG.jpg"]) == [0]
    code, _out, err = run_cli("rotate", "--left", str(lib / "IMG.jpg"), str(lib / "nope.jpg"))
    assert code == 2 and "not in the catalog" in err and "nope.jpg" in err
    assert _rotations([lib / "IMG.jpg"]) == [3]  # the known one is still turned

"""Another tool's turn (issue 19 §2): a tiff:Orientation in a sidecar another
tool wrote is read at import and shown as a turn in Curator (the file's own
EXIF orientation composed with it), logged with the tool's pass — never a
Curator decision, so `xmp write` never writes it back; a later change in the
tool is taken, unless the photo was turned in Curator since."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from curator.catalog.db import Catalog
from curator.catalog.decisions import decision_log, photo_id_for_path, rotate, set_rating
from curator.catalog.models import Photo
from curator.interop.xmp.edit import XmpEdit
from curator.interop.xmp.read import parse_packet
from curator.interop.xmp.write import merge_sidecar, sidecar_xml
from curator.paths import resolve_paths
from tests.imaging_helpers import make_jpeg
from tests.integration.cli_helpers import import_json, run_cli

LIGHTROOM = "Adobe Photoshop Lightroom Classic 13.0 (Macintosh)"


def _sidecar(path: Path, orientation: int, rating: int = 3) -> Path:
    sidecar = path.with_suffix(".xmp")
    sidecar.write_bytes(
        sidecar_xml(XmpEdit(rating=rating, orientation=orientation, creator_tool=LIGHTROOM))
    )
    return sidecar


def _retouch(sidecar: Path, orientation: int) -> None:
    """The tool turns the photo again: a later mtime, the rest kept."""
    sidecar.write_bytes(merge_sidecar(sidecar.read_bytes(), XmpEdit(orientation=orientation)))
    later = sidecar.stat().st_mtime_ns + 5_000_000_000
    os.utime(sidecar, ns=(later, later))


def _rotation(path: Path) -> int:
    with Catalog.open(resolve_paths().catalog):
        pid = photo_id_for_path(str(path))
        assert pid is not None
        return int(Photo.get_by_id(pid).rotation)


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_another_tools_turn_is_shown_and_never_written_back(tmp_path: Path) -> None:
    lib = tmp_path / "lib"
    lib.mkdir()
    upright = make_jpeg(lib / "a.jpg", 640, 480)
    sideways = make_jpeg(lib / "b.jpg", 640, 480, orientation=6)
    untouched = make_jpeg(lib / "c.jpg", 642, 480)  # distinct bytes
    sidecars = [_sidecar(upright, 6), _sidecar(sideways, 8), _sidecar(untouched, 1)]
    import_json(lib, "--stages", "technical")
    # 6 on an upright file: a quarter-turn right; 8 on a file stored as 6: a half-turn.
    assert [_rotation(p) for p in (upright, sideways, untouched)] == [1, 2, 0]
    with Catalog.open(resolve_paths().catalog):
        turns = [d for d in decision_log() if d["kind"] == "rotation"]
        assert {d["pass"] for d in turns} == {"xmp"} and len(turns) == 2

    # A photo turned only in the other tool: `xmp write` leaves its sidecar alone,
    # and one rated in Curator gets the rating without its turn being rewritten.
    before = [_sha(s) for s in sidecars]
    with Catalog.open(resolve_paths().catalog):
        pid = photo_id_for_path(str(sideways))
        assert pid is not None
        set_rating(pid, 5, pass_="cull")
    code, _out, err = run_cli("xmp", "write", "--all")
    assert code == 0, err
    assert _sha(sidecars[0]) == before[0]
    written = parse_packet(sidecars[1].read_bytes())
    assert written.rating == 5 and written.orientation == 8
    # Re-importing what Curator wrote reads no turn back as a new one.
    import_json(lib, "--stages", "technical")
    assert [_rotation(p) for p in (upright, sideways, untouched)] == [1, 2, 0]


def test_a_later_turn_in_the_tool_is_taken_unless_curator_turned_it_since(
    tmp_path: Path,
) -> None:
    lib = tmp_path / "lib"
    lib.mkdir()
    a, b = make_jpeg(lib / "a.jpg", 640, 480), make_jpeg(lib / "b.jpg", 641, 480)
    side_a, side_b = _sidecar(a, 6), _sidecar(b, 6)
    import_json(lib, "--stages", "technical")
    assert (_rotation(a), _rotation(b)) == (1, 1)
    with Catalog.open(resolve_paths().catalog):
        pid = photo_id_for_path(str(b))
        assert pid is not None
        rotate(pid, 1, pass_="cull")  # Curator's own turn, after the file's
    _retouch(side_a, 3)
    os.utime(side_b, ns=(0, 0))  # b's sidecar older than Curator's turn...
    side_b.write_bytes(merge_sidecar(side_b.read_bytes(), XmpEdit(orientation=3)))
    os.utime(side_b, ns=(1_000_000_000, 1_000_000_000))  # ...changed, but long ago
    import_json(lib, "--stages", "technical")
    assert _rotation(a) == 2  # the tool's new turn
    assert _rotation(b) == 2  # Curator's: 1 + its own quarter-turn, kept
    # The turn taken out of the file: upright again.
    side_a.write_bytes(sidecar_xml(XmpEdit(rating=3, creator_tool=LIGHTROOM)))
    later = side_a.stat().st_mtime_ns + 10_000_000_000
    os.utime(side_a, ns=(later, later))
    import_json(lib, "--stages", "technical")
    assert _rotation(a) == 0

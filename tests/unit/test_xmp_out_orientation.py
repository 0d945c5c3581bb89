"""Export's sidecar ownership and the tiff namespace (issue 19 §2): a sidecar an
earlier Curator wrote (before turns existed: no tiff namespace, no recorded
hash) is still Curator's and refreshed; once another tool put a
tiff:Orientation in it, it is the user's and never overwritten; a sidecar
Curator wrote with a turn is known by its recorded hash."""

from __future__ import annotations

from pathlib import Path

from curator.export.files import hash_file
from curator.export.xmp_out import CURATOR_URIS, is_ours
from curator.interop.xmp.edit import XmpEdit
from curator.interop.xmp.read import parse_packet
from curator.interop.xmp.write import CREATOR_TOOL, merge_sidecar, sidecar_xml

TIFF = "http://ns.adobe.com/tiff/1.0/"


def test_an_old_curator_sidecar_is_ours_until_another_tool_turns_it(tmp_path: Path) -> None:
    old = sidecar_xml(XmpEdit(rating=4, creator_tool=CREATOR_TOOL))
    assert b"tiff" not in old
    path = tmp_path / "a.xmp"
    path.write_bytes(old)
    assert is_ours(path, None)  # refreshed by the next export
    # Another tool (Lightroom, darktable) turned the photo in that sidecar.
    path.write_bytes(merge_sidecar(old, XmpEdit(orientation=8)))
    assert parse_packet(path.read_bytes()).orientation == 8
    assert TIFF not in CURATOR_URIS
    assert not is_ours(path, None)  # its tiff:Orientation is never removed


def test_a_sidecar_curator_wrote_with_a_turn_is_known_by_its_hash(tmp_path: Path) -> None:
    path = tmp_path / "a.xmp"
    path.write_bytes(sidecar_xml(XmpEdit(rating=4, orientation=6, creator_tool=CREATOR_TOOL)))
    assert is_ours(path, hash_file(path))
    recorded = hash_file(path)
    path.write_bytes(merge_sidecar(path.read_bytes(), XmpEdit(orientation=3)))  # turned since
    assert not is_ours(path, recorded)

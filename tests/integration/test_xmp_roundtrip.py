"""Bar X1: a Lightroom library's sidecars survive `curator xmp write` exactly.

A folder whose sidecars Lightroom Classic wrote (keywords "B&W", "St. Paul's
Cathedral", "Photography" and the hierarchy "Places|London|St. Paul's
Cathedral", develop settings, a caption) is imported; then:
- with no decision made in Curator, `xmp write --all` changes no byte;
- a rating made in Curator changes xmp:Rating and Curator's own namespace,
  and exiftool reads every other value of the sidecar back unchanged;
- a tag added in Curator is appended to both keyword lists and a removed one
  taken out of both, every other keyword kept as written;
- an undecided photo's sidecar stays byte-identical through all of it;
- a newer change made in Lightroom after Curator's is kept, and the next
  import takes it.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import time
from pathlib import Path
from typing import Any

import pytest

from curator.catalog.db import Catalog
from curator.catalog.decisions import add_tag, photo_id_for_path, remove_tag
from curator.paths import resolve_paths
from tests.exiftool import read_tags
from tests.integration.cli_helpers import import_json, list_json, run_cli

DATA = Path(__file__).resolve().parents[1] / "data" / "xmp"
SIDECAR = DATA / "lightroom_keywords.xmp"
SUBJECT = ["B&W", "London", "Photography", "Places", "St. Paul's Cathedral"]
HIERARCHY = ["B&W", "Photography", "Places|London|St. Paul's Cathedral"]
# What Curator may change in a sidecar it merges into: the decisions it made
# and its own namespace.
CURATOR_OWN = ("XMP-curator:",)


@pytest.fixture
def lib(tmp_path: Path, fixtures_dir: Path) -> Path:
    lib = tmp_path / "lib"
    lib.mkdir()
    jpegs = sorted((fixtures_dir / "jpeg").glob("*.jpg"), key=lambda p: p.stat().st_size)[:3]
    for stem, source in zip("abc", jpegs, strict=True):
        shutil.copyfile(source, lib / f"{stem}.jpg")
        (lib / f"{stem}.jpg").chmod(0o644)
        shutil.copyfile(SIDECAR, lib / f"{stem}.xmp")
        past = time.time_ns() - 86_400 * 10**9  # Lightroom saved them yesterday
        os.utime(lib / f"{stem}.xmp", ns=(past, past))
    assert import_json(lib, "--stages", "technical")["xmp_applied"] == 3
    return lib


def _digests(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


def _write() -> dict[str, Any]:
    code, out, err = run_cli("xmp", "write", "--all", "--json")
    assert code == 0, err
    report: dict[str, Any] = json.loads(out)
    return report


def _as_list(value: Any) -> list[str]:
    return [str(v) for v in value] if isinstance(value, list) else [str(value)]


def _others(tags: dict[str, Any], *changed: str) -> dict[str, Any]:
    """exiftool's view of a sidecar without the tags Curator may change."""
    skip = (*CURATOR_OWN, *changed, "System:", "File:", "SourceFile", "ExifTool:")
    return {k: v for k, v in tags.items() if not k.startswith(skip)}


def test_keywords_hierarchy_caption_and_develop_settings_survive_exactly(lib: Path) -> None:
    photos = {Path(p["path"]).name: p for p in list_json()}
    # Imported: "B&W" and "St. Paul's Cathedral" are tags for search; "Photography"
    # is too generic for a tag but stays the user's keyword.
    assert {t["name"] for t in photos["a.jpg"]["tags"]} == {
        "b w",
        "london",
        "places",
        "st pauls cathedral",
    }
    code, out, _ = run_cli("search", "cathedral steps", "--json")
    assert code == 0 and {Path(h["path"]).name for h in json.loads(out)} == {
        "a.jpg",
        "b.jpg",
        "c.jpg",
    }  # the caption is searchable

    before = _digests(lib)
    report = _write()
    assert report["files"] == []  # none was decided in Curator: none is a candidate
    assert _digests(lib) == before  # nothing decided in Curator: not one byte

    original = read_tags(lib / "a.xmp")
    assert run_cli("rate", "--stars", "5", str(lib / "a.jpg"))[0] == 0
    with Catalog.open(resolve_paths().catalog):
        b = photo_id_for_path(str(lib / "b.jpg"))
        assert b is not None
        add_tag(b, "harbour")
        remove_tag(b, "b w")

    report = _write()
    assert report["merged"] == 2 and report["written"] == 0
    assert {Path(f["sidecar"]).name for f in report["files"]} == {"a.xmp", "b.xmp"}
    after = _digests(lib)
    assert after["c.xmp"] == before["c.xmp"]  # undecided: byte-identical
    assert all(after[n] == before[n] for n in ("a.jpg", "b.jpg", "c.jpg"))

    a = read_tags(lib / "a.xmp")
    assert a["XMP-xmp:Rating"] == 5
    # A 5-star rating keeps the photo; "kept" is no XMP field. Nothing else moved.
    assert _others(a, "XMP-xmp:Rating") == _others(original, "XMP-xmp:Rating")
    assert _as_list(a["XMP-dc:Subject"]) == SUBJECT
    assert _as_list(a["XMP-lr:HierarchicalSubject"]) == HIERARCHY
    assert a["XMP-dc:Description"] == "Evening light on the cathedral steps"
    assert a["XMP-crs:Exposure2012"] == -0.45 and a["XMP-crs:ConvertToGrayscale"] is True

    bt = read_tags(lib / "b.xmp")
    assert _as_list(bt["XMP-dc:Subject"]) == [*(s for s in SUBJECT if s != "B&W"), "harbour"]
    assert _as_list(bt["XMP-lr:HierarchicalSubject"]) == [
        *(h for h in HIERARCHY if h != "B&W"),
        "harbour",
    ]
    assert bt["XMP-xmp:Rating"] == 3  # Lightroom's, never changed in Curator
    changed = ("XMP-dc:Subject", "XMP-lr:HierarchicalSubject")
    assert _others(bt, *changed) == _others(original, *changed)

    again = _write()  # nothing new: nothing written
    assert again["merged"] == again["written"] == 0 and _digests(lib) == after


def test_a_newer_change_in_lightroom_is_kept_and_taken_by_the_next_import(lib: Path) -> None:
    assert run_cli("rate", "--stars", "5", str(lib / "a.jpg"))[0] == 0
    # Lightroom rates the photo 2 after Curator's decision (and before any xmp write).
    text = (lib / "a.xmp").read_text(encoding="utf-8").replace('xmp:Rating="3"', 'xmp:Rating="2"')
    (lib / "a.xmp").write_text(text, encoding="utf-8")
    newer = time.time_ns() + 60 * 10**9
    os.utime(lib / "a.xmp", ns=(newer, newer))
    before = (lib / "a.xmp").read_bytes()

    code, out, err = run_cli("xmp", "write", "--all", "--json")
    assert code == 0
    assert "changed after your decision (rating)" in err
    assert json.loads(out)["files"][0]["kept_newer"] == ["rating"]
    assert (lib / "a.xmp").read_bytes() == before

    assert import_json(lib, "--stages", "technical")["xmp_applied"] == 1
    assert {Path(p["path"]).name: p["rating"] for p in list_json()}["a.jpg"] == 2
    last = _write()
    assert last["merged"] == 0 and (lib / "a.xmp").read_bytes() == before, last


def test_a_sidecar_whose_keywords_are_not_a_list_is_left_alone_with_a_sentence(
    lib: Path,
) -> None:
    odd = SIDECAR.read_text(encoding="utf-8")
    start, end = odd.index("<dc:subject>"), odd.index("</dc:subject>") + len("</dc:subject>")
    odd = odd[:start] + "<dc:subject>B&amp;W, London</dc:subject>" + odd[end:]
    (lib / "a.xmp").write_text(odd, encoding="utf-8")
    before = (lib / "a.xmp").read_bytes()
    with Catalog.open(resolve_paths().catalog):
        a = photo_id_for_path(str(lib / "a.jpg"))
        assert a is not None
        add_tag(a, "harbour")
    code, _out, err = run_cli("xmp", "write", "--all")
    assert code == 1
    assert "not an XMP list" in err and "a.xmp" in err
    assert (lib / "a.xmp").read_bytes() == before

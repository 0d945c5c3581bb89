"""People's names through XMP (issue 50 §5), read back by exiftool as Lightroom
and digiKam read them: a named person's faces carry `mwg-rs:Name` in
Curator's regions and the photo the person keywords (`People|Name`, `Name`,
`People/Name`); a rename replaces Curator's own keywords and never the
user's; a face another tool named is named on import, and that tool's region
is never altered."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from tests.darktable import darktable_import
from tests.exiftool import read_tags
from tests.faces_helpers import FACES_DATA, PORTRAITS, installed_model
from tests.integration.cli_helpers import import_json, list_json, run_cli
from tests.integration.test_faces_xmp import NAMED_REGION
from tests.xmp_helpers import bag, packet, write_sidecar

OBAMA = PORTRAITS[0]
TAGS = ("-RegionInfo", "-HierarchicalSubject", "-Subject", "-TagsList")


def people() -> list[dict[str, Any]]:
    code, out, err = run_cli("people", "--json")
    assert code == 0, err
    found: list[dict[str, Any]] = json.loads(out)
    return found


def xmp_write() -> None:
    code, _out, err = run_cli("xmp", "write", "--all")
    assert code == 0, err


def keywords(sidecar: Path) -> dict[str, list[str]]:
    tags = read_tags(sidecar, *TAGS)

    def listed(key: str) -> list[str]:
        value = tags.get(key, [])
        return [value] if isinstance(value, str) else list(value)

    return {
        "Subject": listed("XMP-dc:Subject"),
        "HierarchicalSubject": listed("XMP-lr:HierarchicalSubject"),
        "TagsList": listed("XMP-digiKam:TagsList"),
    }


def region_names(sidecar: Path) -> list[str | None]:
    info = read_tags(sidecar, *TAGS).get("XMP-mwg-rs:RegionInfo") or {}
    return [r.get("Name") for r in info.get("RegionList", [])]


@pytest.fixture
def two_of_one(tmp_path: Path) -> Path:
    """The same man twice (the portrait and a smaller copy): one person."""
    installed_model()
    lib = tmp_path / "shoot"
    lib.mkdir()
    shutil.copy(FACES_DATA / OBAMA, lib / OBAMA)
    with Image.open(FACES_DATA / OBAMA) as im:
        im.resize((im.width * 4 // 5, im.height * 4 // 5)).save(lib / "small.jpg", quality=90)
    return lib


def _named(lib: Path, name: str) -> int:
    assert import_json(lib)["stages"]["people"]["new_people"] == 1
    [person] = people()
    assert run_cli("people", "name", str(person["id"]), name)[0] == 0
    return int(person["id"])


def test_a_named_person_goes_out_as_region_names_and_person_keywords(two_of_one: Path) -> None:
    _named(two_of_one, "Barack Obama")
    xmp_write()  # naming is a decision made in Curator: both photos get sidecars
    for stem in ("obama_official_portrait", "small"):
        [sidecar] = two_of_one.glob(f"{stem}*.xmp")
        assert region_names(sidecar) == ["Barack Obama"]
        assert keywords(sidecar) == {
            "Subject": ["Barack Obama"],
            "HierarchicalSubject": ["People|Barack Obama"],
            "TagsList": ["People/Barack Obama"],
        }
        # Privacy (§6): Curator's namespace holds verdicts and scores, never a descriptor.
        text = sidecar.read_text()
        assert "descriptor" not in text.lower() and len(text) < 4000


def test_a_rename_replaces_curators_keywords_and_never_the_users(two_of_one: Path) -> None:
    theirs = packet(
        body=bag("dc:subject", ["Holiday", "Michelle"])
        + bag("lr:hierarchicalSubject", ["People|Michelle", "Places|Chicago"])
    )
    sidecar = write_sidecar(two_of_one / "obama_official_portrait.xmp", theirs)
    person = _named(two_of_one, "Barack")
    xmp_write()
    assert keywords(sidecar) == {
        "Subject": ["Holiday", "Michelle", "Barack"],
        "HierarchicalSubject": ["People|Michelle", "Places|Chicago", "People|Barack"],
        # digiKam reads TagsList first: the one Curator starts states every keyword.
        "TagsList": ["People/Michelle", "Places/Chicago", "Holiday", "People/Barack"],
    }
    assert run_cli("people", "name", str(person), "Barack Obama")[0] == 0
    xmp_write()
    assert keywords(sidecar) == {
        "Subject": ["Holiday", "Michelle", "Barack Obama"],
        "HierarchicalSubject": ["People|Michelle", "Places|Chicago", "People|Barack Obama"],
        "TagsList": ["People/Michelle", "Places/Chicago", "Holiday", "People/Barack Obama"],
    }
    assert region_names(sidecar) == ["Barack Obama"]
    assert run_cli("people", "name", str(person), "")[0] == 0  # the name cleared
    xmp_write()
    assert keywords(sidecar) == {
        "Subject": ["Holiday", "Michelle"],
        "HierarchicalSubject": ["People|Michelle", "Places|Chicago"],
        "TagsList": ["People/Michelle", "Places/Chicago", "Holiday"],
    }
    assert region_names(sidecar) == [None]


def test_a_face_digikam_named_is_named_on_import_and_its_region_kept(tmp_path: Path) -> None:
    installed_model()
    lib = tmp_path / "shoot"
    lib.mkdir()
    shutil.copy(FACES_DATA / OBAMA, lib / OBAMA)
    sidecar = write_sidecar(lib / "obama_official_portrait.xmp", packet(body=NAMED_REGION))
    before_bytes = sidecar.read_bytes()
    before = read_tags(sidecar, *TAGS)
    assert import_json(lib)["xmp_faces_named"] == 1
    assert [(p["name"], p["faces"]) for p in people()] == [("Barack Obama", 1)]
    [face] = next(p for p in list_json() if Path(p["path"]).name == OBAMA)["faces"]
    assert face["person_name"] == "Barack Obama"
    xmp_write()  # the name is digiKam's word: the sidecar stays as it was
    assert sidecar.read_bytes() == before_bytes
    assert run_cli("pick", str(lib / OBAMA))[0] == 0
    xmp_write()  # a decision made in Curator goes in; the named region stays
    after = read_tags(sidecar, *TAGS)
    assert after["XMP-mwg-rs:RegionInfo"] == before["XMP-mwg-rs:RegionInfo"]
    assert "XMP-lr:HierarchicalSubject" not in after  # no keyword for digiKam's own name


@pytest.mark.skipif(
    os.environ.get("CURATOR_TEST_DARKTABLE") != "1",
    reason="needs a real darktable and Xvfb; set CURATOR_TEST_DARKTABLE=1 to run",
)
def test_darktable_files_the_person_keyword_under_people(two_of_one: Path, tmp_path: Path) -> None:
    _named(two_of_one, "Barack Obama")
    xmp_write()
    seen = darktable_import(sorted(two_of_one.glob("*.jpg")), tmp_path / "dt")
    assert {name: image.tags for name, image in seen.items()} == {
        OBAMA: ("People|Barack Obama",),
        "small.jpg": ("People|Barack Obama",),
    }


def test_curators_keywords_stay_its_own_through_an_import_of_the_changed_sidecar(
    two_of_one: Path,
) -> None:
    person = _named(two_of_one, "Barack")
    xmp_write()
    [sidecar] = two_of_one.glob("small*.xmp")
    # Lightroom adds a keyword of the user's later; the next import reads the file.
    text = sidecar.read_text().replace(
        "<rdf:li>Barack</rdf:li>", "<rdf:li>Barack</rdf:li><rdf:li>Chicago</rdf:li>"
    )
    stat = sidecar.stat()
    write_sidecar(sidecar, text.encode(), mtime_ns=stat.st_mtime_ns + 10**9)
    import_json(two_of_one)
    assert run_cli("people", "name", str(person), "Barack Obama")[0] == 0
    xmp_write()
    found = keywords(sidecar)
    assert found["Subject"] == ["Chicago", "Barack Obama"]
    assert found["HierarchicalSubject"] == ["People|Barack Obama"]


def test_an_exported_copy_carries_the_name(two_of_one: Path, tmp_path: Path) -> None:
    _named(two_of_one, "Barack Obama")
    assert run_cli("rate", "--stars", "5", str(two_of_one / "small.jpg"))[0] == 0
    out = tmp_path / "out"
    code, _out, err = run_cli("export", "--approved", str(out), "--json", "--no-progress")
    assert code == 0, err
    [copy] = out.rglob("*.jpg")
    assert region_names(copy) == ["Barack Obama"]  # embedded in the JPEG copy
    assert keywords(copy)["HierarchicalSubject"] == ["People|Barack Obama"]


def test_xmp_names_takes_the_names_for_faces_judged_after_the_import(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    installed_model()
    lib = tmp_path / "shoot"
    lib.mkdir()
    shutil.copy(FACES_DATA / OBAMA, lib / OBAMA)
    write_sidecar(lib / "obama_official_portrait.xmp", packet(body=NAMED_REGION))
    monkeypatch.setenv("CURATOR_FACES_ENABLED", "0")
    assert import_json(lib)["xmp_faces_named"] == 0  # no faces yet to name
    monkeypatch.delenv("CURATOR_FACES_ENABLED")
    again = import_json(lib)  # the back-fill judges the face; the sidecar is unchanged
    assert again["stages"]["faces"]["done"] == 1 and again["xmp_faces_named"] == 0
    assert people() == []
    code, out, err = run_cli("xmp", "names", "--all", "--json")
    assert code == 0, err
    assert json.loads(out)["joined"] == 1 and json.loads(out)["new_people"] == 1
    assert [(p["name"], p["faces"]) for p in people()] == [("Barack Obama", 1)]
    code, out, err = run_cli("xmp", "names", str(lib / "nowhere.jpg"))
    assert code == 2 and "not in the catalog" in err

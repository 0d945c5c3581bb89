"""`curator duplicates` end to end (issue 83): real camera JPEGs and their
copies imported, grouped at import, a sequence's next frame left out; a
group resolved keeps every decision on its keeper (a test per field),
rejects the others, moves no file; one `curator undo` brings it all back;
`apart` is remembered; `--dry-run` writes nothing."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from tests.imaging_helpers import fixture
from tests.integration.cli_helpers import import_json, list_json, run_cli

INN = "jpeg/exiv2_FurnaceCreekInn.jpg"  # 09:54:28
INN_NEXT = "jpeg/exiv2_FurnaceCreekInn2.jpg"  # the same view 6 s later: another moment
LEAF = "jpeg/jolla_leaf_soft.jpg"


def _library(root: Path) -> dict[str, Path]:
    lib = root / "lib"
    (lib / "web").mkdir(parents=True)
    files = {
        "inn": lib / "inn.jpg",
        "inn_next": lib / "inn_next.jpg",
        "leaf": lib / "leaf.jpg",
    }
    shutil.copyfile(fixture(INN), files["inn"])
    shutil.copyfile(fixture(INN_NEXT), files["inn_next"])
    shutil.copyfile(fixture(LEAF), files["leaf"])
    with Image.open(files["inn"]) as img:
        exif = img.info["exif"]
        web = img.resize((img.width // 2, img.height // 2))
        web.save(lib / "web" / "inn_web.jpg", "JPEG", quality=60)  # a web copy: no EXIF
        turned = img.transpose(Image.Transpose.ROTATE_90)
        turned.save(lib / "inn_turned.jpg", "JPEG", quality=92, exif=exif)  # an editor's
    with Image.open(files["leaf"]) as img:
        img.convert("RGB").resize((img.width // 4, img.height // 4)).save(
            lib / "web" / "leaf_small.jpg", "JPEG", quality=70
        )
    files["inn_web"] = lib / "web" / "inn_web.jpg"
    files["inn_turned"] = lib / "inn_turned.jpg"
    files["leaf_small"] = lib / "web" / "leaf_small.jpg"
    return files


def _groups() -> list[dict[str, Any]]:
    code, out, err = run_cli("duplicates", "--json")
    assert code == 0, err
    groups: list[dict[str, Any]] = json.loads(out)
    return groups


def _by_path() -> dict[str, dict[str, Any]]:
    return {Path(p["path"]).name: p for p in list_json()}


@pytest.fixture
def imported(tmp_path: Path) -> dict[str, int]:
    files = _library(tmp_path)
    report = import_json(files["inn"].parent)
    assert report["stages"]["score"]["duplicate_groups"] == 2
    photos = _by_path()
    return {name: photos[path.name]["id"] for name, path in files.items()}


def test_copies_are_grouped_at_import_and_a_sequence_frame_is_not(
    imported: dict[str, int],
) -> None:
    groups = _groups()
    members = sorted(sorted(c["id"] for c in g["copies"]) for g in groups)
    inn = sorted(imported[k] for k in ("inn", "inn_web", "inn_turned"))
    leaf = sorted(imported[k] for k in ("leaf", "leaf_small"))
    assert members == sorted([inn, leaf])
    assert all(imported["inn_next"] not in ids for ids in members)  # 6 s later: not a copy
    inn_group = next(g for g in groups if imported["inn"] in [c["id"] for c in g["copies"]])
    # Nothing decided: the largest (the original and its turned copy tie; the first wins).
    assert inn_group["keeper"] == imported["inn"] and not inn_group["resolved"]
    web = next(c for c in inn_group["copies"] if c["id"] == imported["inn_web"])
    assert not web["has_xmp"]
    Path(web["path"] + ".xmp").write_text("<x:xmpmeta xmlns:x='adobe:ns:meta/'/>")
    inn_group = next(g for g in _groups() if imported["inn"] in [c["id"] for c in g["copies"]])
    web = next(c for c in inn_group["copies"] if c["id"] == imported["inn_web"])
    assert web["has_xmp"] and not any(
        c["has_xmp"] for c in inn_group["copies"] if c["id"] != imported["inn_web"]
    )
    assert web["format"] == "jpeg" and web["width"] == 200 and web["folder"].endswith("web")
    code, out, _ = run_cli("duplicates")
    assert code == 0 and "2 group(s) of near-duplicates, 2 to resolve." in out


def test_resolving_keeps_every_decision_on_the_keeper_and_undo_brings_it_back(
    imported: dict[str, int],
) -> None:
    lib = imported
    paths = {p["id"]: p["path"] for p in list_json()}
    web, turned, inn = (paths[lib[k]] for k in ("inn_web", "inn_turned", "inn"))
    assert run_cli("rate", "--stars", "4", web)[0] == 0
    assert run_cli("pick", web)[0] == 0
    assert run_cli("label", "--color", "red", turned)[0] == 0
    assert run_cli("tag", "add", "venue", web)[0] == 0
    assert run_cli("project", "create", "Inn")[0] == 0
    assert run_cli("project", "add", "Inn", web)[0] == 0
    before = _by_path()
    files_before = sorted(p.name for p in Path(inn).parent.rglob("*"))

    code, out, err = run_cli("duplicates", "resolve", "--dry-run", "--json")
    assert code == 0, err
    planned = json.loads(out)
    assert planned["dry_run"] is True
    assert _by_path() == before  # a dry run writes nothing

    code, out, err = run_cli("duplicates", "resolve", "--json")
    assert code == 0, err
    done = {g["keeper"]: g for g in json.loads(out)["groups"]}
    keeper_id = lib["inn_turned"]  # decided on (labelled) at full size: the one you chose
    assert set(done) == {keeper_id, lib["leaf"]}
    assert done[keeper_id]["why"] == "the one you decided on"
    after = {p["id"]: p for p in list_json()}
    keeper = after[keeper_id]
    assert keeper["rating"] == 4  # the group's best rating
    assert keeper["picked"] is True  # a copy was picked
    assert keeper["label"] == "red"  # its own label
    assert "venue" in [t["name"] for t in keeper["tags"]]  # the copies' tags
    code, out, _ = run_cli("project", "list", "--json")
    inn_project = next(p for p in json.loads(out) if p["name"] == "Inn")
    assert inn_project["count"] == 2  # the web copy and now its keeper
    for other in (lib["inn"], lib["inn_web"]):
        assert after[other]["cull"] == "rejected"
    assert sorted(p.name for p in Path(inn).parent.rglob("*")) == files_before  # no file moved
    assert all(g["resolved"] for g in _groups())
    assert run_cli("duplicates", "resolve")[1].startswith("Nothing to resolve")

    code, _, err = run_cli("undo")  # one step: both groups, every field
    assert code == 0, err
    back = _by_path()
    for name in ("inn.jpg", "inn_web.jpg", "inn_turned.jpg", "leaf.jpg", "leaf_small.jpg"):
        for field in ("rating", "picked", "label", "cull", "tags"):
            assert back[name][field] == before[name][field], (name, field)


def test_a_pair_marked_apart_is_never_grouped_again(imported: dict[str, int]) -> None:
    leaf, small = str(imported["leaf"]), str(imported["leaf_small"])
    code, out, err = run_cli("duplicates", "apart", leaf, small)
    assert code == 0, err
    assert "never grouped together again" in out
    code, out, _ = run_cli("duplicates", "--rescan", "--json")
    groups = json.loads(out)
    assert len(groups) == 1 and imported["leaf"] not in [c["id"] for c in groups[0]["copies"]]
    assert run_cli("duplicates", "apart", "5", "5")[0] == 2  # a photo is itself
    code, _, err = run_cli("duplicates", "apart", leaf, "99999")
    assert code == 2 and "There is no photo 99999 in this catalog." in err
    assert run_cli("duplicates", "resolve", "--group", "99999")[0] == 2
    assert run_cli("duplicates", "resolve", "--keep", "7")[0] == 2  # an id needs --group


def test_resolving_gives_the_keeper_the_people_of_its_copies(imported: dict[str, int]) -> None:
    from curator.catalog.db import Catalog
    from curator.catalog.people.naming import name_person
    from curator.catalog.people.persons import persons_of_faces
    from curator.catalog.people.store import apply_faces
    from curator.paths import resolve_paths
    from curator.records import EyeState, Face, FacesFound
    from tests.people_helpers import put_faces

    face = Face((0.3, 0.2, 0.3, 0.4), 300, True, EyeState.OPEN, None, 0.3, 80.0, True, 0.9)
    with Catalog.open(resolve_paths().catalog) as cat:
        # The keeper's face, found but nobody's yet; the web copy's, Anna's.
        apply_faces(cat.db, [(imported["inn"], FacesFound((face,), "v"))])
        put_faces(cat.db, [[imported["inn_web"], imported["leaf"]]])
        person = next(iter({p for p, _ in persons_of_faces().values()}))
        name_person(cat.db, person, "Anna")
    group = next(g for g in _groups() if imported["inn"] in [c["id"] for c in g["copies"]])
    assert group["keeper"] == imported["inn"]
    code, out, err = run_cli("duplicates", "resolve", "--group", str(group["group"]), "--json")
    assert code == 0, err
    assert json.loads(out)["groups"][0]["people_added"] == ["Anna"]
    keeper = next(c for g in _groups() for c in g["copies"] if c["id"] == imported["inn"])
    assert keeper["people"] == ["Anna"]


def test_resolving_hands_a_copys_client_heart_to_the_keeper(
    imported: dict[str, int], tmp_path: Path
) -> None:
    from curator.catalog.db import Catalog
    from curator.catalog.proofing.picks import set_heart
    from curator.paths import resolve_paths

    web = next(p["path"] for p in list_json() if p["id"] == imported["inn_web"])
    folder = tmp_path / "gallery"
    code, _, err = run_cli("proof", "make", "Inn", "--photo", web, "--folder", str(folder))
    assert code == 0, err
    with Catalog.open(resolve_paths().catalog) as cat:
        gallery, token = cat.db.execute_sql(
            "SELECT gallery_id, token FROM proof_photo WHERE photo_id = ?", (imported["inn_web"],)
        ).fetchone()
        set_heart(int(gallery), str(token), True)
    code, out, _ = run_cli("list", "--client-picks", "Inn", "--json")
    assert [p["id"] for p in json.loads(out)] == [imported["inn_web"]]
    code, _, err = run_cli("duplicates", "resolve")
    assert code == 0, err
    code, out, _ = run_cli("list", "--client-picks", "Inn", "--json")
    assert [p["id"] for p in json.loads(out)] == [imported["inn"]]  # the keeper, hearted


def test_on_a_studio_catalog_too(tmp_path: Path, pg_url: str) -> None:
    """PostgreSQL: grouped at import, resolved (the groups' JSON-parameter
    writes, the keeper's people and client picks), undone."""
    files = _library(tmp_path)
    on_pg = ("--catalog", pg_url)
    code, out, err = run_cli(*on_pg, "import", str(files["inn"].parent), "--json", "--no-progress")
    assert code == 0, err
    assert json.loads(out)["stages"]["score"]["duplicate_groups"] == 2
    code, out, err = run_cli(*on_pg, "duplicates", "--json")
    assert code == 0, err
    groups = json.loads(out)
    assert sorted(len(g["copies"]) for g in groups) == [2, 3]
    code, out, err = run_cli(*on_pg, "duplicates", "resolve", "--json")
    assert code == 0, err
    kept = {g["keeper"] for g in json.loads(out)["groups"]}
    code, out, _ = run_cli(*on_pg, "list", "--json")
    culls = {p["id"]: p["cull"] for p in json.loads(out)}
    grouped = {c["id"] for g in groups for c in g["copies"]}
    assert {i for i in grouped if culls[i] == "kept"} == kept
    assert all(culls[i] == "rejected" for i in grouped - kept)
    assert run_cli(*on_pg, "undo")[0] == 0
    code, out, _ = run_cli(*on_pg, "list", "--json")
    assert all(p["cull"] == "unreviewed" for p in json.loads(out))
    code, out, _ = run_cli(*on_pg, "duplicates", "--rescan", "--json")
    assert sorted(len(g["copies"]) for g in json.loads(out)) == [2, 3]

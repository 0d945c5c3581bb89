"""Issue 50 §6, privacy: descriptors never leave the catalog, `curator people
forget` deletes them and every person, and the setting `people_recognition`
off computes none and deletes what is stored at the next people step."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PIL import Image

from curator.catalog.db import Catalog
from curator.catalog.models import Photo
from tests.faces_helpers import PORTRAITS, installed_model, portrait, scaled
from tests.integration.cli_helpers import import_json, list_json, run_cli
from tests.integration.export_helpers import decide, export_cli
from tests.integration.test_people_corrections import add_faces, near, people

TABLES = ("face_descriptor", "person", "face_person", "face_not_person", "person_edit")


def counts(where: str) -> dict[str, int]:
    with Catalog.open(where):
        db = Photo._meta.database
        return {t: int(db.execute_sql(f'SELECT COUNT(*) FROM "{t}"').fetchone()[0]) for t in TABLES}


def stored_vectors(where: str) -> list[bytes]:
    with Catalog.open(where):
        rows = Photo._meta.database.execute_sql('SELECT "vector" FROM "face_descriptor"')
        return [bytes(r[0]) for r in rows]


def shoot_of_two_men(folder: Path) -> Path:
    folder.mkdir()
    man = portrait(PORTRAITS[0])
    Image.fromarray(man).save(folder / "man_a.jpg", quality=92)
    Image.fromarray(scaled(np.ascontiguousarray(man[:, ::-1]), 0.7)).save(
        folder / "man_b.jpg", quality=88
    )
    return folder


def long_number_lists(value: Any) -> int:
    """How many lists of 64 or more numbers `value` (parsed JSON) holds."""
    if isinstance(value, dict):
        return sum(long_number_lists(v) for v in value.values())
    if isinstance(value, list):
        own = len(value) >= 64 and all(isinstance(v, int | float) for v in value)
        return int(own) + sum(long_number_lists(v) for v in value)
    return 0


def test_descriptors_never_leave_the_catalog(curator_home: Path, tmp_path: Path) -> None:
    """A real import and an export: no file Curator wrote outside the catalog
    (the export's originals, sidecars and manifest, the cache, the logs) nor
    `curator list --json` holds a descriptor, in bytes, hex, base64 or text."""
    installed_model()
    shoot = shoot_of_two_men(tmp_path / "shoot")
    import_json(shoot)
    catalog = str(curator_home / "catalog.sqlite")
    vectors = stored_vectors(catalog)
    assert len(vectors) == 2  # the two faces were described
    decide("rate", shoot / "man_a.jpg", shoot / "man_b.jpg", stars=5)
    dest = tmp_path / "out"
    code, result, err = export_cli("--approved", str(dest))
    assert code == 0 and result["exported"] == 2, err
    listing = run_cli("list", "--json")[1]
    assert long_number_lists(json.loads(listing)) == 0
    written = {"list --json": listing.encode()}
    for folder in (dest, curator_home):
        for path in folder.rglob("*"):
            if path.is_file() and not path.name.startswith("catalog.sqlite"):
                written[str(path)] = path.read_bytes()
    assert any(name.endswith(".xmp") for name in written)
    for vector in vectors:
        floats = np.frombuffer(vector, dtype="<f4")
        forms = [
            vector[:32],
            vector[:16].hex().encode(),
            base64.b64encode(vector[:48]),
            f"{floats[0]:.6f}".encode(),
            json.dumps([round(float(v), 4) for v in floats[:2]]).encode()[1:-1],
        ]
        for name, data in written.items():
            assert not any(form in data for form in forms), name
    (manifest,) = [data for name, data in written.items() if name.endswith("manifest.json")]
    assert long_number_lists(json.loads(manifest)) == 0


@pytest.fixture
def catalog_file(curator_home: Path) -> str:
    where = str(curator_home / "catalog.sqlite")
    add_faces(where, {f"ada{i}": v for i, v in enumerate(near(1, 4))})
    return where


def test_forget_deletes_every_descriptor_and_person_and_keeps_the_faces(
    catalog_file: str,
) -> None:
    (ada,) = people()
    assert run_cli("people", "name", str(ada["id"]), "Ada")[0] == 0
    assert run_cli("people", "remove", str(ada["face_ids"][0]))[0] == 0  # type: ignore[index]
    assert all(counts(catalog_file).values())  # something in every table
    code, out, err = run_cli("people", "forget")
    assert code == 0, err
    assert "forgot 4 face descriptors and 1 people" in out
    assert counts(catalog_file) == dict.fromkeys(TABLES, 0)
    faces = [p["faces"] for p in list_json()]
    assert len(faces) == 4 and all(f[0]["person"] is None and f[0]["eyes"] for f in faces)
    assert people() == []
    code, out, err = run_cli("list", "--person", "Ada", "--json")
    assert code == 2 and out == "" and "There is no person named Ada" in err  # forgotten
    # Forgetting again deletes nothing and is no error.
    code, out, _ = run_cli("people", "forget")
    assert code == 0 and "forgot 0 face descriptors and 0 people" in out


def test_recognition_off_describes_nothing_and_the_import_deletes_what_was_stored(
    catalog_file: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert len(people()) == 1 and counts(catalog_file)["face_descriptor"] == 4
    installed_model()
    monkeypatch.setenv("CURATOR_PEOPLE_RECOGNITION", "false")
    result = import_json(shoot_of_two_men(tmp_path / "shoot"))
    assert result["stages"]["people"] == {"forgotten": 4}
    assert counts(catalog_file) == dict.fromkeys(TABLES, 0)
    faces = {Path(p["path"]).stem: p["faces"] for p in list_json()}
    assert faces["man_a"] and faces["man_a"][0]["judged"]  # eyes and focus still judged
    assert faces["man_b"][0]["person"] is None
    code, out, _ = run_cli("people")
    assert code == 0 and "Recognising people is switched off" in out and "0 people" in out
    # Switched on again, the next import describes its faces (older photos keep none).
    monkeypatch.delenv("CURATOR_PEOPLE_RECOGNITION")
    more = tmp_path / "more"
    more.mkdir()
    Image.fromarray(portrait(PORTRAITS[1])).save(more / "woman.jpg", quality=92)
    import_json(more)
    assert counts(catalog_file)["face_descriptor"] == 1


def test_recognition_off_computes_no_descriptor_beside_the_measurement(tmp_path: Path) -> None:
    """The technical stage's faces hook (the stage riding along an import) with
    `faces_describe` off judges the face and describes none; on, it describes it."""
    from curator.pipeline.stages.faces_child import faces_hook
    from curator.records import FacesFound, TechnicalRequest

    files = installed_model()
    rgb = portrait(PORTRAITS[0])
    found: dict[bool, FacesFound] = {}
    for describe in (False, True):
        request = TechnicalRequest(
            path="x.jpg",
            cache_dir=str(tmp_path),
            faces_model=str(files.folder),  # type: ignore[attr-defined]
            faces_version="v",
            faces_describe=describe,
        )
        hook = faces_hook(request)
        assert hook is not None
        outcome = hook(rgb, None, None, lambda: None)
        assert isinstance(outcome, FacesFound)
        found[describe] = outcome
    assert found[False].faces and found[False].faces[0].judged
    assert found[False].descriptors == ()
    assert len(found[True].descriptors) == 1 and found[True].descriptors[0]

"""People on the command line (issue 50 §2-§3): `curator import` groups faces
into people, `curator list --json` says who, `curator people` lists, names and
merges, `curator list --person NAME` filters."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from curator.catalog.db import Catalog
from curator.catalog.models import CullState, Photo
from curator.catalog.people.store import apply_faces
from curator.ml.faces.descriptor import MODEL, vector_bytes
from curator.records import EyeState, Face, FacesFound
from tests.faces_helpers import PORTRAITS, installed_model, portrait, scaled
from tests.integration.cli_helpers import import_json, list_json, run_cli

DIMS = 128


def _near(seed: int, count: int) -> list[np.ndarray]:
    centre = np.random.default_rng(seed).normal(size=DIMS)
    out = []
    for k in range(count):
        v = centre / np.linalg.norm(centre) + 0.5 * np.random.default_rng(seed * 100 + k).normal(
            size=DIMS
        ) / np.sqrt(DIMS)
        out.append((v / np.linalg.norm(v)).astype(np.float32))
    return out


def _fill(where: str) -> dict[str, int]:
    """Six photos: four of one person (two kept), two of another; one face each."""
    ada, bob = _near(1, 4), _near(2, 2)
    ids: dict[str, int] = {}
    with Catalog.open(where) as cat:
        names = [f"ada{i}" for i in range(4)] + ["bob0", "bob1"]
        for name, vector in zip(names, ada + bob, strict=True):
            photo = Photo.create(path=f"/shoot/{name}.jpg".encode(), content_hash=name)
            face = Face((0.3, 0.2, 0.3, 0.4), 300, True, EyeState.OPEN, None, 0.3, 80.0, True, 0.9)
            found = FacesFound(
                (face,), "v", descriptors=(vector_bytes(vector),), descriptor_model=MODEL
            )
            apply_faces(cat.db, [(photo.id, found)])
            ids[name] = int(photo.id)
        Photo.update(cull=CullState.KEPT.value).where(
            Photo.id.in_([ids["ada0"], ids["ada1"]])
        ).execute()
    return ids


@pytest.fixture
def people_catalog(curator_home: Path) -> dict[str, int]:
    return _fill(str(curator_home / "catalog.sqlite"))


def _people(*catalog: str) -> list[dict[str, object]]:
    code, out, err = run_cli(*catalog, "people", "--json")
    assert code == 0, err
    people: list[dict[str, object]] = json.loads(out)
    return people


def test_people_are_listed_named_filtered_and_merged(people_catalog: dict[str, int]) -> None:
    people = _people()
    assert [(p["photos"], p["kept"], p["faces"], p["name"]) for p in people] == [
        (4, 2, 4, None),
        (2, 0, 2, None),
    ]
    ada, bob = int(people[0]["id"]), int(people[1]["id"])  # type: ignore[call-overload]
    code, out, _ = run_cli("people", "name", str(ada), "Ada Lovelace")
    assert code == 0 and "Ada Lovelace" in out
    code, out, _ = run_cli("people")
    assert code == 0 and "Ada Lovelace" in out and "2 people" in out
    by_name = {Path(p["path"]).stem: p for p in list_json()}
    assert by_name["ada3"]["faces"][0]["person"] == ada
    assert by_name["ada3"]["faces"][0]["person_name"] == "Ada Lovelace"
    assert by_name["bob1"]["faces"][0]["person_name"] is None
    code, out, _ = run_cli("list", "--person", "ada lovelace", "--json")
    assert code == 0 and sorted(Path(p["path"]).stem for p in json.loads(out)) == [
        "ada0", "ada1", "ada2", "ada3",
    ]  # fmt: skip
    code, out, _ = run_cli("list", "--person", str(bob), "--json")
    assert code == 0 and len(json.loads(out)) == 2
    # Two names: refused, nothing changes.
    assert run_cli("people", "name", str(bob), "Bob")[0] == 0
    code, _, err = run_cli("people", "merge", str(ada), str(bob))
    assert code == 2 and "rename one of them first" in err
    assert len(_people()) == 2
    # Cleared, then merged: Ada keeps her name and takes Bob's faces.
    assert run_cli("people", "name", str(bob), "")[0] == 0
    code, out, _ = run_cli("people", "merge", str(ada), str(bob))
    assert code == 0
    (merged,) = _people()
    assert (merged["id"], merged["name"], merged["photos"]) == (ada, "Ada Lovelace", 6)


def test_a_person_that_is_not_there_is_one_sentence_exit_2(
    people_catalog: dict[str, int],
) -> None:
    code, _, err = run_cli("people", "name", "999", "Nobody")
    assert code == 2 and "There is no person 999" in err
    code, _, err = run_cli("people", "merge", "999", "999")
    assert code == 2 and "itself" in err
    # `list --person` too (issue 74 §6): a sentence and exit 2, not "0 photos".
    code, out, err = run_cli("list", "--person", "99999")
    assert (code, out) == (2, "") and "There is no person 99999 (see `curator people`)" in err
    code, out, err = run_cli("list", "--person", "Nobody", "--json")
    assert (code, out) == (2, "") and "There is no person named Nobody" in err
    first = _people()[0]
    code, out, _ = run_cli("list", "--person", str(first["id"]), "--json")
    assert code == 0 and len(json.loads(out)) == first["photos"]


def test_an_import_groups_the_same_face_into_one_person(curator_home: Path, tmp_path: Path) -> None:
    """The real path: two photos of one man and one of a woman, imported; the man's
    two faces are one person, the woman's face alone has none."""
    installed_model()
    shoot = tmp_path / "shoot"
    shoot.mkdir()
    man = portrait(PORTRAITS[0])
    Image.fromarray(man).save(shoot / "man_a.jpg", quality=92)
    Image.fromarray(scaled(np.ascontiguousarray(man[:, ::-1]), 0.7)).save(
        shoot / "man_b.jpg", quality=88
    )
    Image.fromarray(portrait(PORTRAITS[1])).save(shoot / "woman.jpg", quality=92)
    result = import_json(shoot)
    assert result["stages"]["people"] == {"placed": 2, "new_people": 1, "without_person": 1}
    faces = {Path(p["path"]).stem: p["faces"] for p in list_json()}
    assert faces["man_a"][0]["person"] is not None
    assert faces["man_a"][0]["person"] == faces["man_b"][0]["person"]
    assert faces["woman"][0]["person"] is None
    assert "descriptor" not in json.dumps(faces)


def test_people_on_a_postgresql_catalog(pg_url: str) -> None:
    """The same step and commands on PostgreSQL (its identity ids, RETURNING,
    ON CONFLICT): grouped, named, listed by name, merged."""
    _fill(pg_url)
    at = ("--catalog", pg_url)
    people = _people(*at)
    assert [(p["photos"], p["kept"]) for p in people] == [(4, 2), (2, 0)]
    ada, bob = str(people[0]["id"]), str(people[1]["id"])
    assert run_cli(*at, "people", "name", ada, "Ada")[0] == 0
    code, out, _ = run_cli(*at, "list", "--person", "ADA", "--json")
    assert code == 0 and len(json.loads(out)) == 4
    assert all(p["faces"][0]["person_name"] == "Ada" for p in json.loads(out))
    assert run_cli(*at, "people", "merge", ada, bob)[0] == 0
    assert [(p["name"], p["photos"]) for p in _people(*at)] == [("Ada", 6)]
    assert _people(*at)[0]["photos"] == 6  # a second run places nothing new


def test_search_finds_a_person_by_name_and_says_an_unknown_one(
    people_catalog: dict[str, int],
) -> None:
    ada = int(_people()[0]["id"])  # type: ignore[call-overload]
    assert run_cli("people", "name", str(ada), "Ada Lovelace")[0] == 0
    code, out, err = run_cli("search", 'person:"ada lovelace"', "--json")
    assert code == 0, err
    assert sorted(Path(h["path"]).stem for h in json.loads(out)) == [f"ada{i}" for i in range(4)]
    code, out, err = run_cli("search", "person:anna")
    assert code == 2 and "Nobody is named 'anna'" in err and "curator people" in err
    code, out, err = run_cli("search", "persn:ada")
    assert code == 2 and "Unknown filter persn:ada" in err and "person:" in err

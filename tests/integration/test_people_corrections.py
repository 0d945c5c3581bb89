"""Taking a wrong face out of a person (issue 50 §4): `curator people --json`
shows each person's face ids, `curator people remove FACE` takes one out, and
no later people step (an import's, or `curator people`'s) puts it back."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from curator.catalog.db import Catalog
from curator.catalog.models import Photo
from curator.catalog.people.store import apply_faces
from curator.ml.faces.descriptor import MODEL, vector_bytes
from curator.records import EyeState, Face, FacesFound
from tests.integration.cli_helpers import list_json, run_cli

DIMS = 128


def near(seed: int, count: int, first: int = 0) -> list[np.ndarray]:
    """`count` unit vectors close to one random centre (one person's faces)."""
    centre = np.random.default_rng(seed).normal(size=DIMS)
    out = []
    for k in range(first, first + count):
        noise = np.random.default_rng(seed * 100 + k).normal(size=DIMS) / np.sqrt(DIMS)
        v = centre / np.linalg.norm(centre) + 0.5 * noise
        out.append((v / np.linalg.norm(v)).astype(np.float32))
    return out


def add_faces(where: str, named: dict[str, np.ndarray]) -> None:
    """One photo per name, with one described face (the faces stage's write path)."""
    with Catalog.open(where) as cat:
        for name, vector in named.items():
            photo = Photo.create(path=f"/shoot/{name}.jpg".encode(), content_hash=name)
            face = Face((0.3, 0.2, 0.3, 0.4), 300, True, EyeState.OPEN, None, 0.3, 80.0, True, 0.9)
            found = FacesFound(
                (face,), "v", descriptors=(vector_bytes(vector),), descriptor_model=MODEL
            )
            apply_faces(cat.db, [(photo.id, found)])


def people() -> list[dict[str, object]]:
    code, out, err = run_cli("people", "--json")
    assert code == 0, err
    listed: list[dict[str, object]] = json.loads(out)
    return listed


@pytest.fixture
def catalog_file(curator_home: Path) -> str:
    where = str(curator_home / "catalog.sqlite")
    add_faces(where, {f"ada{i}": v for i, v in enumerate(near(1, 4))})
    return where


def test_a_removed_face_never_joins_that_person_again(catalog_file: str) -> None:
    (ada,) = people()
    faces = {Path(p["path"]).stem: p["faces"][0] for p in list_json()}
    assert sorted(ada["face_ids"]) == sorted(f["id"] for f in faces.values())  # type: ignore[call-overload]
    wrong = faces["ada3"]["id"]
    code, out, err = run_cli("people", "remove", str(wrong))
    assert code == 0, err
    assert f"face {wrong} taken out of person {ada['id']}" in out
    # `people` runs the people step again: the face is looked at anew (it is
    # close to Ada's faces) and still stays out of her.
    (after,) = people()
    assert after["id"] == ada["id"] and wrong not in after["face_ids"]  # type: ignore[operator]
    assert after["faces"] == 3
    # A later import's faces of Ada still join her; the removed one does not.
    add_faces(catalog_file, {f"ada{i}": v for i, v in zip((4, 5), near(1, 2, 4), strict=True)})
    (later,) = people()
    assert later["faces"] == 5 and wrong not in later["face_ids"]  # type: ignore[operator]
    assert {Path(p["path"]).stem: p["faces"][0]["person"] for p in list_json()}["ada3"] is None


def test_removing_a_face_that_is_not_there_or_in_no_person_is_one_sentence(
    catalog_file: str,
) -> None:
    code, _, err = run_cli("people", "remove", "999999")
    assert code == 2 and "There is no face 999999" in err
    (ada,) = people()
    wrong = ada["face_ids"][0]  # type: ignore[index]
    assert run_cli("people", "remove", str(wrong))[0] == 0
    code, _, err = run_cli("people", "remove", str(wrong))
    assert code == 2 and "is in no person" in err


def test_remove_and_forget_on_a_postgresql_catalog(pg_url: str) -> None:
    """The same writes on PostgreSQL (its ON CONFLICT, row counts): a removed
    face stays out after the next step; forget empties every people table."""
    add_faces(pg_url, {f"ada{i}": v for i, v in enumerate(near(1, 4))})
    at = ("--catalog", pg_url)

    def listed() -> list[dict[str, object]]:
        code, out, err = run_cli(*at, "people", "--json")
        assert code == 0, err
        result: list[dict[str, object]] = json.loads(out)
        return result

    (ada,) = listed()
    wrong = ada["face_ids"][-1]  # type: ignore[index]
    assert run_cli(*at, "people", "remove", str(wrong))[0] == 0
    (after,) = listed()
    assert after["faces"] == 3 and wrong not in after["face_ids"]  # type: ignore[operator]
    code, out, err = run_cli(*at, "people", "forget")
    assert code == 0 and "forgot 4 face descriptors and 1 people" in out, err
    assert listed() == []

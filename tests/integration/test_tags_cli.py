"""`curator tags`, `curator tag add|remove` and `curator tags rename` on photos
imported from the camera fixtures."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from curator.catalog import judgments
from curator.catalog.db import Catalog
from curator.catalog.decisions import photo_id_for_path
from curator.paths import resolve_paths
from tests.integration.cli_helpers import import_json, list_json, run_cli


@pytest.fixture
def jpegs(fixtures_dir: Path) -> list[Path]:
    folder = fixtures_dir / "jpeg"
    import_json(folder, "--stages", "technical")
    catalogued = {Path(p["path"]).name for p in list_json()}
    files = sorted(p for p in folder.iterdir() if p.name in catalogued)
    assert len(files) >= 4
    return files


def describe(path: Path, *tags: str) -> None:
    """The describer's tags for the photo at `path`, as its stage stores them."""
    with Catalog.open(resolve_paths().catalog):
        photo_id = photo_id_for_path(str(path))
        assert photo_id is not None
        judgments.store_description(
            photo_id,
            subject="s",
            content_type="landscape",
            lighting_critique="",
            artistic_mood="",
            tags=list(tags),
            model="m",
            prompt_version="p",
        )


def tags_json(*args: str) -> list[dict[str, Any]]:
    code, out, err = run_cli("tags", "--json", *args)
    assert code == 0, err
    rows: list[dict[str, Any]] = json.loads(out)
    return rows


def test_tags_lists_counts_by_source_for_a_pass_and_a_project(jpegs: list[Path]) -> None:
    a, b, c = jpegs[:3]
    assert tags_json() == []
    describe(a, "sea", "boat")
    describe(b, "sea")
    describe(c, "dog")
    assert tags_json() == [
        {"name": "sea", "count": 2, "sources": {"you": 0, "describer": 2, "imported": 0}},
        {"name": "boat", "count": 1, "sources": {"you": 0, "describer": 1, "imported": 0}},
        {"name": "dog", "count": 1, "sources": {"you": 0, "describer": 1, "imported": 0}},
    ]
    assert run_cli("keep", str(a))[0] == 0
    assert [t["name"] for t in tags_json("--pass", "rating")] == ["boat", "sea"]
    assert [t["name"] for t in tags_json("--pass", "cull")] == ["dog", "sea"]
    assert run_cli("project", "create", "Trip")[0] == 0
    assert run_cli("project", "add", "Trip", str(c))[0] == 0
    assert [t["name"] for t in tags_json("--project", "trip")] == ["dog"]

    code, out, err = run_cli("tags")
    assert code == 0, err
    assert out.splitlines()[0] == "2  sea  (describer 2)"
    code, _, err = run_cli("tags", "--project", "Nowhere")
    assert code == 2 and "no project named “Nowhere”" in err

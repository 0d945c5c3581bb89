"""`curator tags`, `curator tag add|remove` and `curator tags rename` on photos
imported from the camera fixtures."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from curator.catalog.db import Catalog
from curator.catalog.decisions import photo_id_for_path
from curator.paths import resolve_paths
from tests.integration.cli_helpers import import_json, list_json, run_cli
from tests.tag_helpers import described


@pytest.fixture
def jpegs(tmp_path: Path, fixtures_dir: Path) -> list[Path]:
    """Four fixture JPEGs COPIED into tmp (`xmp write` writes sidecars beside them)."""
    folder = tmp_path / "lib"
    folder.mkdir()
    sources = sorted((fixtures_dir / "jpeg").glob("*.jpg"), key=lambda p: p.stat().st_size)[:4]
    for n, source in enumerate(sources):
        shutil.copyfile(source, folder / f"{n}.jpg")
    import_json(folder, "--stages", "technical")
    catalogued = {Path(p["path"]).name for p in list_json()}
    files = sorted(p for p in folder.iterdir() if p.name in catalogued)
    assert len(files) == 4
    return files


def describe(path: Path, *tags: str) -> None:
    """The describer's tags for the photo at `path`, as its stage stores them."""
    with Catalog.open(resolve_paths().catalog):
        photo_id = photo_id_for_path(str(path))
        assert photo_id is not None
        described(photo_id, list(tags))


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


def test_tag_add_remove_rename_from_the_command_line(jpegs: list[Path]) -> None:
    a, b, c = (str(p) for p in jpegs[:3])
    describe(jpegs[0], "sea", "boat")
    code, out, err = run_cli("tag", "add", "Places|Italy|Rome", a, b, a)
    assert code == 0, err
    assert out.strip() == "Tagged 2 photo(s) “rome”, 0 already so."
    code, out, _ = run_cli("tag", "add", "rome", b, c)
    assert code == 0 and out.strip() == "Tagged 1 photo(s) “rome”, 1 already so."
    code, out, _ = run_cli("tag", "remove", "boat", a, b)
    assert code == 0 and out.strip() == "Took “boat” off 1 photo(s), 1 already so."
    by_name = {t["name"]: t for t in tags_json()}
    assert by_name["rome"]["sources"] == {"you": 3, "describer": 0, "imported": 0}
    assert "boat" not in by_name  # removed: feedback, not a tag

    code, out, err = run_cli("tags", "rename", "sea", "rome")
    assert code == 0, err
    assert out.strip() == "Renamed “sea” to “rome” on 1 photo(s)."
    assert [t["name"] for t in tags_json()] == ["rome"]
    photo = next(p for p in list_json() if p["path"] == a)
    assert {t["name"]: t["source"] for t in photo["tags"]} == {"rome": "user"}

    # The edits are decisions: `xmp write` carries the tag with its levels.
    code, out, err = run_cli("xmp", "write", a, "--json")
    assert code == 0, err
    text = Path(f"{a}.xmp").read_text()
    assert "<rdf:li>Places|Italy|Rome</rdf:li>" in text and "<rdf:li>Rome</rdf:li>" in text


def test_tag_edits_refuse_unknown_paths_and_unusable_names(
    jpegs: list[Path], tmp_path: Path
) -> None:
    a = str(jpegs[0])
    stranger = tmp_path / "not-imported.jpg"
    code, _, err = run_cli("tag", "add", "sea", a, str(stranger))
    assert code == 2 and str(stranger) in err and "no photo was changed" in err
    assert tags_json() == []
    code, _, err = run_cli("tag", "add", "photo", a)
    assert code == 2 and "not a usable tag" in err
    code, _, err = run_cli("tags", "rename", "sea", "ocean")
    assert code == 2 and "No photo has the tag “sea”" in err
    code, _, err = run_cli("tags", "rename", "Sea", "sea")
    assert code == 2 and "are one tag" in err

"""`curator project …` on photos imported from the camera fixtures."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.integration.cli_helpers import import_json, list_json, run_cli


@pytest.fixture
def jpegs(fixtures_dir: Path) -> list[Path]:
    folder = fixtures_dir / "jpeg"
    import_json(folder, "--stages", "technical")
    catalogued = {Path(p["path"]).name for p in list_json()}
    files = sorted(p for p in folder.iterdir() if p.name in catalogued)
    assert len(files) >= 4
    return files


def _projects() -> dict[str, dict[str, Any]]:
    code, out, err = run_cli("project", "list", "--json")
    assert code == 0, err
    return {row["name"]: row for row in json.loads(out)}


def test_create_add_remove_rename_delete(jpegs: list[Path]) -> None:
    a, b, c = (str(p) for p in jpegs[:3])
    assert run_cli("project", "create", "  Wedding ")[0] == 0
    code, _, err = run_cli("project", "create", "WEDDING")
    assert code == 2 and "already a project named “Wedding”" in err

    code, out, err = run_cli("project", "add", "wedding", a, b)
    assert code == 0, err
    assert "Added 2 photo(s) to “Wedding”" in out
    code, out, _ = run_cli("project", "add", "Wedding", b, c)
    assert code == 0 and "Added 1 photo(s)" in out and "1 already in it" in out
    listed = _projects()["Wedding"]
    assert listed["count"] == 3
    assert listed["cover"] in (a, b, c)  # nothing approved: the best member stands in
    assert listed["cover_approved"] is False
    assert listed["created"].endswith("Z")

    code, out, _ = run_cli("project", "remove", "Wedding", a, a)
    assert code == 0 and "Removed 1 photo(s)" in out
    assert _projects()["Wedding"]["count"] == 2

    assert run_cli("project", "rename", "wedding", "Wedding 2026")[0] == 0
    assert set(_projects()) == {"Wedding 2026"}
    code, out, _ = run_cli("project", "delete", "wedding 2026")
    assert code == 0 and "not touched" in out
    assert _projects() == {}
    # The photos are all still there, as they were.
    assert {Path(p["path"]).name for p in list_json()} >= {Path(x).name for x in (a, b, c)}


def test_the_cover_is_the_approved_photo(jpegs: list[Path]) -> None:
    a, b, c = (str(p) for p in jpegs[:3])
    run_cli("project", "create", "Best")
    run_cli("project", "add", "Best", a, b, c)
    assert run_cli("rate", "--stars", "5", b)[0] == 0
    assert run_cli("reject", c)[0] == 0
    assert _projects()["Best"]["cover"] == b
    assert _projects()["Best"]["cover_approved"] is True


def test_an_unknown_path_changes_nothing(jpegs: list[Path], tmp_path: Path) -> None:
    a = str(jpegs[0])
    run_cli("project", "create", "Trip")
    stranger = str(tmp_path / "not-imported.jpg")
    code, _, err = run_cli("project", "add", "Trip", a, stranger)
    assert code == 2
    assert "not in the catalog" in err and "not-imported.jpg" in err
    assert _projects()["Trip"]["count"] == 0  # `a` was not added either
    code, _, err = run_cli("project", "add", "Nowhere", a)
    assert code == 2 and "no project named “Nowhere”" in err
    code, _, err = run_cli("project", "create", "   ")
    assert code == 2 and "name" in err


def test_list_text_and_empty(jpegs: list[Path]) -> None:
    code, out, _ = run_cli("project", "list")
    assert code == 0 and "No projects yet" in out
    run_cli("project", "create", "Zoo")
    run_cli("project", "add", "Zoo", str(jpegs[1]))
    code, out, _ = run_cli("project", "list")
    assert code == 0
    assert "Zoo" in out and str(jpegs[1]) in out and " 1 " in out

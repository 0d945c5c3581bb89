"""Fault suite, export destinations and names (issue 22 §4).

- DEST/approved is a symbolic link to a folder elsewhere: the export refuses
  with one sentence (exit 2) and writes nothing through the link.
- A project created as "  Trip 2026  " (stored trimmed) is found by
  `export --project "Trip 2026 "`, as `project add` finds it.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from tests.imaging_helpers import make_jpeg
from tests.integration.cli_helpers import import_json, run_cli


def _library(tmp_path: Path) -> list[Path]:
    lib = tmp_path / "lib"
    lib.mkdir()
    photos = [make_jpeg(lib / f"p{i}.jpg", 200 + i, 150) for i in range(2)]
    import_json(lib, "--stages", "technical")
    assert run_cli("rate", "--stars", "5", *(str(p) for p in photos))[0] == 0
    return photos


def test_an_approved_folder_that_is_a_link_is_refused(tmp_path: Path) -> None:
    _library(tmp_path)
    dest, elsewhere = tmp_path / "dest", tmp_path / "elsewhere"
    dest.mkdir()
    elsewhere.mkdir()
    os.symlink(elsewhere, dest / "approved")
    code, out, err = run_cli("export", "--approved", str(dest))
    assert code == 2, (out, err)
    assert "is a link to" in err and "Traceback" not in err and err.count("\n") == 1, err
    assert list(elsewhere.iterdir()) == []  # nothing written through the link


def test_export_finds_a_project_by_the_name_project_add_accepts(tmp_path: Path) -> None:
    photos = _library(tmp_path)
    assert run_cli("project", "create", "  Trip 2026  ")[0] == 0
    assert run_cli("project", "add", "Trip 2026 ", *(str(p) for p in photos))[0] == 0
    code, out, err = run_cli("export", "--project", "Trip 2026 ", str(tmp_path / "out"), "--json")
    assert code == 0, err
    assert json.loads(out)["exported"] == 2, out
    sent = sorted(p.name for p in (tmp_path / "out" / "Trip 2026").iterdir() if p.suffix == ".jpg")
    assert sent == ["p0.jpg", "p1.jpg"], sent

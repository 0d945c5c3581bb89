"""Shared steps of the export tests: a catalog with decisions, running an export."""

from __future__ import annotations

import json
import os
import threading
from pathlib import Path
from typing import Any

import blake3

from curator.catalog.db import Catalog
from curator.catalog.decisions import photo_id_for_path
from curator.catalog.models import Project, ProjectPhoto, TasteModel
from curator.export.plan import ExportPlan, plan_export
from curator.export.run import ProgressFn, run_export
from curator.export.types import ExportRequest, ExportResult
from curator.paths import resolve_paths
from tests.integration.cli_helpers import run_cli
from tests.scores import set_score
from tests.taste_helpers import store_model


def decide(command: str, *paths: Path, stars: int | None = None) -> None:
    args = [command, *(["--stars", str(stars)] if stars is not None else []), *map(str, paths)]
    code, _, err = run_cli(*args)
    assert code == 0, err


def set_preference(path: Path, score: float, *, trusted: bool = True) -> None:
    """The photo's preference score, as a taste model scored it; `trusted`: that
    model clears the approval bar (not early, held-out Spearman 0.8)."""
    with Catalog.open(resolve_paths().catalog):
        photo_id = photo_id_for_path(str(path))
        assert photo_id is not None
        set_score(photo_id, score)
        if trusted and TasteModel.select().count() == 0:
            store_model()


def make_project(name: str, *paths: Path) -> None:
    with Catalog.open(resolve_paths().catalog):
        project = Project.create(name=name)
        for path in paths:
            photo_id = photo_id_for_path(str(path))
            assert photo_id is not None
            ProjectPhoto.create(project=project, photo=photo_id)


def plan(request: ExportRequest) -> ExportPlan:
    with Catalog.open(resolve_paths().catalog):
        return plan_export(request)


def export(
    request: ExportRequest,
    *,
    progress: ProgressFn | None = None,
    cancel: threading.Event | None = None,
) -> ExportResult:
    return run_export(plan(request), progress=progress, cancel=cancel)


def export_cli(*args: str) -> tuple[int, dict[str, Any], str]:
    code, out, err = run_cli("export", *args, "--json")
    return code, json.loads(out) if out.strip() else {}, err


def tree(folder: Path) -> dict[str, int]:
    """Every file under `folder` (relative name → size), temp files included."""
    return {
        str(p.relative_to(folder)): p.stat().st_size
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def file_hash(path: Path) -> str:
    return blake3.blake3(path.read_bytes()).hexdigest()


def temp_files(folder: Path) -> list[str]:
    return [name for name in os.listdir(folder) if name.startswith(".curator-tmp-")]


def without_xmp(data: bytes) -> bytes:
    """A JPEG's bytes without its XMP segment (what an export adds or replaces)."""
    from curator.export.embed import JPEG_XMP_HEADER

    assert data[:2] == b"\xff\xd8"
    pos, out = 2, [data[:2]]
    while data[pos + 1] not in (0xDA, 0xD9):
        length = int.from_bytes(data[pos + 2 : pos + 4], "big")
        segment = data[pos : pos + 2 + length]
        if not (data[pos + 1] == 0xE1 and segment[4:].startswith(JPEG_XMP_HEADER)):
            out.append(segment)
        pos += 2 + length
    return b"".join(out) + data[pos:]

"""Shared pieces of the fault suite (tests/integration/test_fault_*.py): a
catalog snapshot that two runs can be compared by, folder hashes, cache
checks, and the figures line each fault test prints (run with -s to see it).
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
import sys
from pathlib import Path
from typing import Any

from PIL import Image

# Columns that legitimately differ between two runs over the same files: row
# ids (and columns holding ids), and when a row was written.
_VOLATILE = frozenset({"id", "imported_at", "updated_at", "burst_group", "added_at", "created_at"})


def _path(value: object) -> str:
    return os.fsdecode(bytes(value)) if isinstance(value, bytes | memoryview) else str(value)


def catalog_snapshot(db_path: Path) -> dict[str, Any]:
    """What a catalog holds, by file path and in decision order, without ids or times.

    photos: path → every other column of `photo` (a near-duplicates group by its
    first path); stages: (path, stage) →
    (status, version, reason); decisions: the log in order, each with its
    photo's path and, for an undo, the position of the decision it undoes;
    extra_paths: duplicate paths per photo. Also checks SQLite's integrity."""
    con = sqlite3.connect(f"{db_path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        con.row_factory = sqlite3.Row
        cursor = con.execute("SELECT * FROM photo")
        kept = [c[0] for c in cursor.description if c[0] not in _VOLATILE and c[0] != "path"]
        rows = cursor.fetchall()
        by_id = {r["id"]: _path(r["path"]) for r in rows}
        photos = {_path(r["path"]): {k: r[k] for k in kept} for r in rows}
        # A group of near-duplicates is named by its lowest id, which another run
        # gives to another file: named here by its first path instead.
        members: dict[object, list[str]] = {}
        for r in rows:
            if r["duplicate_group"] is not None:
                members.setdefault(r["duplicate_group"], []).append(_path(r["path"]))
        for paths in members.values():
            for path in paths:
                photos[path]["duplicate_group"] = min(paths)
        stages = {
            (by_id[r["photo_id"]], r["stage"]): (
                r["status"],
                r["stage_version"],
                r["failure_reason"],
            )
            for r in con.execute("SELECT * FROM stage_run")
        }
        log = con.execute("SELECT * FROM decision ORDER BY id").fetchall()
        position = {r["id"]: i for i, r in enumerate(log)}
        decisions = [
            (
                by_id[r["photo_id"]],
                r["kind"],
                r["old_value"],
                r["new_value"],
                r["pass"],
                None if r["undoes"] is None else position[r["undoes"]],
            )
            for r in log
        ]
        extra_paths = sorted(
            (by_id[r["photo_id"]], _path(r["path"]))
            for r in con.execute("SELECT photo_id, path FROM photo_path")
        )
    finally:
        con.close()
    return {"photos": photos, "stages": stages, "decisions": decisions, "extra": extra_paths}


def hash_tree(folder: Path) -> dict[str, str]:
    """relative path → sha256 of every file under `folder` (symlinks not followed)."""
    digests: dict[str, str] = {}
    for path in sorted(folder.rglob("*")):
        if path.is_file() and not path.is_symlink():
            digests[path.relative_to(folder).as_posix()] = hashlib.sha256(
                path.read_bytes()
            ).hexdigest()
    return digests


def assert_cache_whole(cache_dir: Path, snapshot: dict[str, Any]) -> int:
    """Every preview and thumbnail the catalog names exists and decodes to
    the end; returns how many cache files were checked."""
    checked = 0
    for path, photo in snapshot["photos"].items():
        for key in (photo["preview_key"], photo["thumbnail_key"]):
            if key is None:
                continue
            file = cache_dir / key
            assert file.is_file(), f"{path}: cache file {key} missing"
            with Image.open(file) as image:
                image.load()  # raises on a truncated JPEG
            checked += 1
    return checked


def report(name: str, **figures: object) -> None:
    """One line of figures for the closing note (visible with pytest -s)."""
    text = " ".join(f"{k}={v}" for k, v in figures.items())
    print(f"\nFAULT-SUITE {name}: {text}", file=sys.stderr)

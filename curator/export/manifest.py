"""`manifest.json`: what an export put in its folder, one entry per file.

The previous manifest is read, this run's entries merged, and it is written
back atomically. Entries are keyed by `file` (a new one keeps the first
`exported_at`); entries whose file is gone are dropped; a `manifest.json`
Curator did not write (no `"format": "curator-export"`) is never touched:
ours then goes to `curator-manifest.json`.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from curator.fs.publish import replace_atomically

FORMAT = "curator-export"
VERSION = 1
NAMES = ("manifest.json", "curator-manifest.json")


def manifest_path(folder: Path) -> Path:
    """Where this folder's manifest lives (see the module docstring)."""
    for name in NAMES:
        path = folder / name
        if not path.exists() or _read_doc(path) is not None:
            return path
    return folder / NAMES[-1]  # both foreign: unreachable in practice; never written


def read_entries(folder: Path) -> dict[str, dict[str, Any]]:
    """The previous manifest's entries by file name ({} when there is none)."""
    path = manifest_path(folder)
    doc = _read_doc(path) if path.exists() else None
    if doc is None:
        return {}
    files = doc.get("files")
    if not isinstance(files, list):
        return {}
    return {str(e["file"]): e for e in files if isinstance(e, dict) and "file" in e}


def _read_doc(path: Path) -> dict[str, Any] | None:
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return doc if isinstance(doc, dict) and doc.get("format") == FORMAT else None


def now_iso() -> str:
    return datetime.now(UTC).replace(microsecond=0).isoformat()


def merge_entries(
    previous: dict[str, dict[str, Any]], fresh: list[dict[str, Any]], folder: Path
) -> list[dict[str, Any]]:
    """`previous` updated with `fresh`, without files that are gone, sorted by name."""
    merged = dict(previous)
    for entry in fresh:
        before = merged.get(entry["file"], {})
        merged[entry["file"]] = {
            **entry,
            "exported_at": before.get("exported_at", entry.get("exported_at")),
        }
    return [merged[name] for name in sorted(merged) if (folder / name).is_file()]


def write_manifest(folder: Path, set_name: str, entries: list[dict[str, Any]]) -> Path:
    """Write the manifest atomically; returns its path."""
    path = manifest_path(folder)
    doc = {
        "format": FORMAT,
        "version": VERSION,
        "set": set_name,
        "updated_at": now_iso(),
        "files": entries,
    }
    replace_atomically(path, json.dumps(doc, indent=2, ensure_ascii=False).encode("utf-8"))
    return path

"""Where the benches write their JSON results: never into the repository.

A bench's figures are a by-product of `make bench`, not source: they go to
``$CURATOR_BENCH_RESULTS`` when set (e.g. a CI artefact folder), else to
``curator-bench-results`` in the system temporary folder. Nothing here creates
anything inside the checkout, so a bench run leaves ``git status`` clean.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

ENV = "CURATOR_BENCH_RESULTS"


def results_dir() -> Path:
    """The folder for bench results (not created here: writers create it)."""
    chosen = os.environ.get(ENV)
    return Path(chosen) if chosen else Path(tempfile.gettempdir()) / "curator-bench-results"


def results_path(name: str) -> Path:
    """The file `name` (e.g. ``"ingest.json"``) in the results folder."""
    return results_dir() / name


def write_results(name: str, payload: Any) -> Path:
    """Write `payload` as indented JSON to `name` and say where it went."""
    path = results_path(name)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(payload, indent=2) + "\n")
    return path


def merge_results(name: str, update: dict[str, Any]) -> Path:
    """Merge `update` into the JSON object already in `name` (benches that write
    one case at a time) and write it back."""
    path = results_path(name)
    path.parent.mkdir(parents=True, exist_ok=True)
    stored = json.loads(path.read_text()) if path.is_file() else {}
    stored.update(update)
    path.write_text(json.dumps(stored, indent=2) + "\n")
    return path

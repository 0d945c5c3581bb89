"""Start-up cost of the later stages when their models are absent.

One photo imported through the CLI in a fresh interpreter and a fresh
catalog, `--stages technical` against all stages, with no CLIP weights
(an empty Hugging Face cache via HF_HUB_CACHE / HF_HOME) and an Ollama URL
pointing to a closed local port. With nothing to run, the later stages must
cost only their checks: no torch import (weights are looked up on disk), no
retries against a hub or a server that is not there.

Each side runs `ROUNDS` times, alternating, and the fastest run is kept (the
machines are shared; the fastest run is the least disturbed).
Budget: all stages ≤ MAX_RATIO × technical only. Printed and written to
the bench results folder (tests/bench/results.py): startup_stages.json.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.bench.results import results_path
from tests.imaging_helpers import FIXTURES

pytestmark = pytest.mark.bench

REPO = Path(__file__).resolve().parents[2]
RESULTS = results_path("startup_stages.json")
PHOTO = FIXTURES / "jpeg" / "exiv2_FurnaceCreekInn.jpg"
ROUNDS = 4
MAX_RATIO = 1.5
ALL_STAGES = "technical,describe,embed,score"


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _env(root: Path, *, auto_download: bool) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("HF_", "HUGGINGFACE_", "CURATOR_", "XDG_CACHE"))
    }
    env.update(
        PYTHONPATH=str(REPO),
        QT_QPA_PLATFORM="offscreen",
        CURATOR_HOME=str(root / "home"),
        HF_HOME=str(root / "hf"),
        HF_HUB_CACHE=str(root / "hub"),
        CURATOR_OLLAMA_URL=f"http://127.0.0.1:{_closed_port()}",
        CURATOR_CLIP_AUTO_DOWNLOAD="1" if auto_download else "0",
    )
    return env


def _import_once(root: Path, folder: Path, stages: str, env: dict[str, str]) -> float:
    catalog = root / "catalog.sqlite"
    for leftover in (catalog, root / "catalog-cache"):
        if leftover.is_dir():
            shutil.rmtree(leftover)
        elif leftover.exists():
            leftover.unlink()
    started = time.perf_counter()
    done = subprocess.run(
        [
            *(sys.executable, "-m", "curator", "--catalog", str(catalog)),
            *("import", str(folder), "--stages", stages, "--no-progress", "--json"),
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    elapsed = time.perf_counter() - started
    assert done.returncode == 0, done.stderr
    summary = json.loads(done.stdout)
    assert summary["new"] == 1
    if stages == ALL_STAGES:  # nothing ran that could not: both skipped with a reason
        assert summary["stages"]["embed"]["skipped"] == 1
        assert summary["stages"]["describe"]["skipped"] == 1
    return elapsed


@pytest.mark.parametrize("auto_download", [False, True], ids=["no-auto-download", "default"])
def test_all_stages_cost_little_more_than_technical_without_models(
    tmp_path: Path, auto_download: bool
) -> None:
    if not PHOTO.is_file():
        pytest.fail(f"fixture missing: {PHOTO}")
    folder = tmp_path / "photos"
    folder.mkdir()
    shutil.copy(PHOTO, folder / PHOTO.name)
    (tmp_path / "hub").mkdir()
    env = _env(tmp_path, auto_download=auto_download)
    _import_once(tmp_path, folder, "technical", env)  # warm the OS file cache, untimed
    times: dict[str, list[float]] = {"technical": [], "all": []}
    for _ in range(ROUNDS):
        times["technical"].append(_import_once(tmp_path, folder, "technical", env))
        times["all"].append(_import_once(tmp_path, folder, ALL_STAGES, env))
    best = {k: min(v) for k, v in times.items()}
    ratio = best["all"] / best["technical"]
    row = {
        "auto_download": auto_download,
        "technical_s": round(best["technical"], 3),
        "all_stages_s": round(best["all"], 3),
        "ratio": round(ratio, 3),
        "runs": {k: [round(t, 3) for t in v] for k, v in times.items()},
    }
    print(
        f"\none photo, no weights, no Ollama (auto download {'on' if auto_download else 'off'}): "
        f"technical {best['technical']:.2f} s, all stages {best['all']:.2f} s, "
        f"ratio {ratio:.2f} (budget ≤ {MAX_RATIO})"
    )
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    previous = json.loads(RESULTS.read_text()) if RESULTS.is_file() else {}
    previous["auto_download" if auto_download else "no_auto_download"] = row
    RESULTS.write_text(json.dumps(previous, indent=2))
    assert ratio <= MAX_RATIO

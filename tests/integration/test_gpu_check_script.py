"""scripts/gpu_check.py runs where Qt and pytest are not installed (a GPU node), on the CPU here.

A folder first on PYTHONPATH makes `import PySide6` and `import pytest` fail in
the script and in the `curator models bench` it starts, as on a node that has
only the model stack. CI has no GPU: this is the smoke run of the same steps.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.clip_tiny import make_tiny_model_dir

REPO = Path(__file__).resolve().parents[2]


def _without(folder: Path, *packages: str) -> Path:
    for name in packages:
        (folder / name).mkdir(parents=True)
        (folder / name / "__init__.py").write_text(
            f"raise ImportError('{name} is not installed on this node')\n", encoding="utf-8"
        )
    return folder


@pytest.mark.slow
def test_the_gpu_check_runs_without_qt_or_pytest(tmp_path: Path) -> None:
    blocked = _without(tmp_path / "blocked", "PySide6", "pytest", "pytestqt")
    model = make_tiny_model_dir(tmp_path / "tiny")
    out = tmp_path / "out"
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(blocked), str(REPO)])
    env["CURATOR_HOME"] = str(tmp_path / "home")
    done = subprocess.run(
        [
            sys.executable,
            "scripts/gpu_check.py",
            "--out",
            str(out),
            "--model",
            f"local-dir:{model}",
            "--photos",
            "4",
            "--quick",
            "--skip-embed-bench",
        ],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    env_report = json.loads((out / "env.json").read_text())
    assert env_report["qt_importable"] is False
    product = json.loads((out / "product_path.json").read_text())
    assert product["ok"] and product["embedded"] == 4 and not product["failures"]
    assert product["step_s"] > 0  # what sizes the next run on a GPU lent by the minute
    assert product["device"] == "cpu" and product["sentence"].startswith("CLIP runs on the CPU")
    bench = json.loads((out / "models_bench.json").read_text())
    assert bench["exit"] == 0, bench["stderr"]
    report = bench["report"]
    assert report["photos"] == 4 and report["cosine_to_fp32_min"] >= 0.995
    assert report["precision"] == product["precision"]

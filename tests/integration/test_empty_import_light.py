"""An import with nothing to do stays light (issue 21 §1).

`curator import EMPTY` used to cost ~0.8 s CPU: the judge and score phases
imported numpy, OpenCV, Pillow, the fitting code and the LLM client (with
pydantic) before finding that no photo needed them. Run in a child process
(this test process has them all loaded), the empty import must finish, say
what it found, and leave the heavy stack unloaded.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]

# What an import with no photos never needs.
NOT_FOR_AN_EMPTY_IMPORT = (
    "numpy",
    "cv2",
    "PIL.Image",
    "sklearn",
    "scipy",
    "torch",
    "open_clip",
    "rawpy",
    "pillow_heif",
    "curator.ml.taste",
    "curator.ml.bursts",
    "curator.ml.clip_batches",
    "curator.imaging.metrics",
    "pydantic",
    "curator.llm.client",
)

EMPTY_IMPORT_SCRIPT = r"""
import sys
from curator.cli import main
code = main(["--catalog", sys.argv[1], "import", sys.argv[2], "--no-progress"])
print("loaded", *sorted(sys.modules))
sys.exit(code)
"""


def test_an_empty_import_loads_no_image_or_ml_stack(tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", CURATOR_HOME=str(tmp_path / "home"))
    out = subprocess.run(
        [sys.executable, "-c", EMPTY_IMPORT_SCRIPT, str(tmp_path / "cat.sqlite"), str(empty)],
        capture_output=True,
        text=True,
        env=env,
        cwd=REPO,
        timeout=120,
    )
    assert out.returncode == 0, out.stderr
    assert "0 found" in out.stdout
    loaded = next(ln for ln in out.stdout.splitlines() if ln.startswith("loaded")).split()[1:]
    assert "curator.pipeline.service" in loaded  # the import really ran its phases
    assert sorted(set(NOT_FOR_AN_EMPTY_IMPORT) & set(loaded)) == []

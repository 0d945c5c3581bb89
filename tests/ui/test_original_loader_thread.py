"""The loupe's first original imports the decoder stack (pillow_heif, exifread,
the imaging modules: 150-250 ms) on the pool thread that decodes it, never on
the UI thread, where it was a one-time stall of the first loupe photo that
needs an original (issue 19 §1: the UI thread never stalls more than 50 ms)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.imaging_helpers import make_jpeg

REPO = Path(__file__).resolve().parents[2]

SCRIPT = """
import sys, threading
where = []
def audit(event, args):
    if event == "import" and args[0] == "curator.imaging.decode" and not where:
        where.append(threading.current_thread().name)
sys.addaudithook(audit)
from PySide6.QtCore import QCoreApplication, QThreadPool
app = QCoreApplication([])
from curator.ui.common.guard import ErrorReporter
from curator.ui.loupe.original_loader import OriginalLoader
pool = QThreadPool()
loader = OriginalLoader(pool, ErrorReporter())
assert "curator.imaging.decode" not in sys.modules
loader.request(1, sys.argv[1], long_edge=400)
pool.waitForDone(120_000)
loader.shutdown()
print("imported on", *where)
"""


def test_the_first_original_imports_the_decoders_off_the_ui_thread(tmp_path: Path) -> None:
    photo = make_jpeg(tmp_path / "a.jpg", 640, 480)
    out = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(photo)],
        capture_output=True,
        text=True,
        env=dict(os.environ, QT_QPA_PLATFORM="offscreen"),
        cwd=REPO,
        timeout=180,
    )
    assert out.returncode == 0, out.stderr
    line = next(ln for ln in out.stdout.splitlines() if ln.startswith("imported on"))
    assert line.split()[2:] and line.split()[2:] != ["MainThread"], line

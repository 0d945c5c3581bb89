"""A real `curator export` process stopped midway — killed (SIGKILL) or cancelled
with Ctrl+C (SIGINT) — leaves no partial file at a final name, and a re-run
completes the export without copying anything twice."""

from __future__ import annotations

import json
import signal
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from tests.imaging_helpers import make_jpeg
from tests.integration.cli_helpers import curator_subprocess, import_json
from tests.integration.export_helpers import decide, export_cli, temp_files, without_xmp

N_FILES = 10
PADDING = 40 * 1024 * 1024  # bytes after the JPEG's end: a slow copy, a fast decode


def _big_photos(lib: Path) -> list[Path]:
    rng = np.random.default_rng(7)
    photos = []
    for i in range(N_FILES):
        path = make_jpeg(lib / f"big_{i:02d}.jpg", 320 + i, 240)
        with open(path, "ab") as file:  # decoders stop at the end-of-image marker
            file.write(rng.integers(0, 256, PADDING, dtype=np.uint8).tobytes())
        photos.append(path)
    return photos


def _finals(folder: Path) -> list[Path]:
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if p.suffix == ".jpg" and p.name[0] != ".")


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
@pytest.mark.parametrize("how", [signal.SIGKILL, signal.SIGINT], ids=["SIGKILL", "Ctrl+C"])
def test_a_stopped_export_leaves_no_partial_file_and_a_rerun_completes(
    tmp_path: Path, how: signal.Signals
) -> None:
    lib = tmp_path / "lib"
    lib.mkdir()
    photos = _big_photos(lib)
    import_json(lib, "--stages", "technical")
    decide("rate", *photos, stars=5)
    dest = tmp_path / "out"
    folder = dest / "approved"

    proc = curator_subprocess("export", "--approved", str(dest), "--no-progress")
    try:
        deadline = time.monotonic() + 120
        # Wait for the first finished file, then kill while the next is being written.
        while not _finals(folder) and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.002)
        proc.send_signal(how)
        proc.wait(timeout=60)
        stderr = proc.stderr.read() if proc.stderr is not None else ""
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        assert proc.stdout is not None and proc.stderr is not None
        proc.stdout.close()
        proc.stderr.close()
    if how == signal.SIGKILL:
        assert proc.returncode == -signal.SIGKILL, "the export ended before it was killed"
    else:
        # Ctrl+C cancels after the file in hand: no temp file, the manifest lists it.
        assert proc.returncode == 130, stderr
        assert "cancelled" in stderr and "Traceback" not in stderr
        assert temp_files(folder) == []
        listed = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))["files"]
        assert sorted(e["file"] for e in listed) == [p.name for p in _finals(folder)]

    finished = _finals(folder)
    assert finished, "no file was finished before the stop (the wait above timed out)"
    assert len(finished) < N_FILES, "the export finished every file before it was stopped"
    by_name = {p.name: p for p in photos}
    for copy in finished:  # whatever has a final name is whole (the XMP went inside)
        assert without_xmp(copy.read_bytes()) == without_xmp(by_name[copy.name].read_bytes())

    code, result, err = export_cli("--approved", str(dest))
    assert code == 0, err
    assert result["skipped_existing"] == len(finished)
    assert result["exported"] == N_FILES - len(finished)
    assert [p.name for p in _finals(folder)] == sorted(by_name)
    for copy in _finals(folder):
        assert without_xmp(copy.read_bytes()) == without_xmp(by_name[copy.name].read_bytes())
    assert temp_files(folder) == []  # the killed run's temp file was cleaned up
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    assert sorted(e["file"] for e in manifest["files"]) == sorted(by_name)

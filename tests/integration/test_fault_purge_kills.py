"""Fault suite, kills during purge (issue 22 §3): a real `curator purge-rejected`
subprocess is SIGKILLed right after a photo's files reached the trash and
before its tombstone was written — the worst moment — three times in a row;
the next run finishes the job: every rejected photo is a tombstone, none is
reported "skipped_missing", the journal is gone, and putting the files back
from the trash does not bring the photos back.

The moment is exact, not timed: the child replaces `purge.run.apply_purge`
with a function that SIGKILLs its own process on its Nth call (N = 1 or 2),
i.e. after the Nth photo's files went to the trash.
"""

from __future__ import annotations

import json
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from curator.catalog.db import Catalog
from curator.catalog.models import Photo
from curator.paths import resolve_paths
from tests.imaging_helpers import make_jpeg
from tests.integration.cli_helpers import REPO, import_json, run_cli
from tests.integration.fault_helpers import report

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is POSIX")

_KILLER = """
import os, signal, sys
import curator.purge.run as run
real, calls = run.apply_purge, [0]
def killing(plan, trashed):
    calls[0] += 1
    if calls[0] == int(sys.argv[1]):
        os.kill(os.getpid(), signal.SIGKILL)  # the files went; the tombstone did not
    return real(plan, trashed)
run.apply_purge = killing
from curator.cli import main
sys.exit(main(["purge-rejected", "--yes", "--json"]))
"""


def _purge_killed_at(nth: int) -> None:
    proc = subprocess.run(
        [sys.executable, "-c", _KILLER, str(nth)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == -signal.SIGKILL, (proc.returncode, proc.stderr)


def _states() -> dict[str, bool]:
    """file name → whether its photo is a tombstone."""
    with Catalog.open(resolve_paths().catalog):
        rows = Photo.select(Photo.path, Photo.deleted_at).tuples()
        return {Path(bytes(p).split(b"\x00")[0].decode()).name: d is not None for p, d in rows}


def test_an_interrupted_purge_finishes_on_the_next_run(tmp_path: Path, os_trash: Path) -> None:
    lib = tmp_path / "lib"
    lib.mkdir()
    photos = [make_jpeg(lib / f"r{i}.jpg", 200 + i, 150, pattern="texture") for i in range(5)]
    kept = make_jpeg(lib / "kept.jpg", 300, 150, pattern="quadrants")
    assert import_json(lib, "--stages", "technical")["new"] == 6
    assert run_cli("reject", *(str(p) for p in photos))[0] == 0

    kills = 0
    for nth in (1, 2, 1):  # after photo 1 went; after 2 (tombstoned) and 3 went; after 4
        _purge_killed_at(nth)
        kills += 1
        gone = [p.name for p in photos if not p.exists()]
        assert gone, "the kill came after a photo's files reached the trash"
    catalog = resolve_paths().catalog
    assert Path(f"{catalog}.purge-journal").exists()  # the last kill left its journal

    code, out, err = run_cli("purge-rejected", "--yes", "--json")
    assert code == 0, err
    result = json.loads(out)
    assert result["skipped_missing"] == 0, result  # nothing left half-purged
    assert _states() == {**{p.name: True for p in photos}, kept.name: False}
    assert not Path(f"{catalog}.purge-journal").exists()
    assert kept.exists()

    # Put every file back from the trash: the photos stay gone.
    for p in photos:
        shutil.move(str(os_trash / "files" / p.name), p)
    summary = import_json(lib, "--stages", "technical")
    assert summary["skipped_deleted"] == len(photos) and summary["new"] == 0, summary
    report("purge-kills", kills=kills, photos=len(photos), tombstoned=len(photos), lost=0)

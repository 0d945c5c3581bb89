"""Shared pieces of the ingest tests: `curator ingest` as a real process, a
small real disk (a tmpfs, where the test may mount one), and the checks every
ingest fault test makes afterwards (each card file at the destination exactly
once, whole; nothing half-written; the catalog without duplicates)."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from tests.card_helpers import Card, digests, files_under
from tests.integration.cli_helpers import REPO

HANG_S = 300  # far beyond an ingest of these few photos: only a hang reaches it


def ingest_process(
    home: Path,
    *args: str,
    env: dict[str, str] | None = None,
    preexec_fn: Callable[[], None] | None = None,
) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "curator", "ingest", *args],
        cwd=REPO,
        env=dict(os.environ, CURATOR_HOME=str(home), **(env or {})),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=preexec_fn,  # a resource limit, set in the child only
    )


def run_ingest_cli(
    home: Path, *args: str, preexec_fn: Callable[[], None] | None = None
) -> tuple[int, dict[str, Any], str]:
    """`curator ingest … --json --no-progress` to its end: (exit code, the JSON, stderr)."""
    proc = ingest_process(home, *args, "--json", "--no-progress", preexec_fn=preexec_fn)
    out, err = proc.communicate(timeout=HANG_S)
    assert "Traceback" not in err, err
    return proc.returncode, (json.loads(out) if out.strip() else {}), err


def assert_nothing_half_written(root: Path, card: Card, *, killed: bool = False) -> None:
    """Every file under a final name is a whole card file; no temporary file stays
    (`killed`: a SIGKILL may leave one — hidden, never a final name — for the next
    ingest to remove)."""
    if not killed:
        assert not [p for p in root.rglob(".curator-tmp-*")]
    whole = digests(card.photos + card.companions)
    assert digests(files_under(root)) <= whole


def assert_each_card_file_once(root: Path, card: Card) -> None:
    """The destination holds every card file, each exactly once, verified whole."""
    assert_nothing_half_written(root, card)
    placed = files_under(root)
    assert len(placed) == len(card.photos) + len(card.companions), [p.name for p in placed]
    assert digests(placed) == digests(card.photos + card.companions)


def catalog_paths(home: Path) -> list[str]:
    """Every photo path in the catalog at `home` (read-only)."""
    db = home / "catalog.sqlite"
    con = sqlite3.connect(f"{db.resolve().as_uri()}?mode=ro", uri=True)
    try:
        rows = con.execute("SELECT path FROM photo").fetchall()
    finally:
        con.close()
    return sorted(os.fsdecode(bytes(r[0])) if not isinstance(r[0], str) else r[0] for r in rows)


def can_mount() -> bool:
    return sys.platform.startswith("linux") and os.geteuid() == 0


@contextmanager
def small_disk(path: Path, size: int) -> Iterator[Path]:
    """A real tmpfs of `size` bytes at `path` (skips the test where none can be
    mounted); `resize_disk` grows it; unmounted afterwards."""
    if not can_mount():
        pytest.skip("mounting a tmpfs needs root on Linux")
    mount, umount = shutil.which("mount"), shutil.which("umount")  # the test may empty PATH
    if mount is None or umount is None:
        pytest.skip("no mount command here")
    path.mkdir(parents=True)
    done = subprocess.run(
        [mount, "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(path)],
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        pytest.skip(f"no tmpfs here: {done.stderr.strip()}")
    try:
        yield path
    finally:
        subprocess.run([umount, "-l", str(path)], check=False)


def resize_disk(path: Path, size: int) -> None:
    subprocess.run(["mount", "-o", f"remount,size={size}", str(path)], check=True)

"""Fault suite, a full disk: for the cache and for the catalog, a real `curator
import` stops with a clear sentence (exit 3), leaves nothing half-written, and
the next run (once there is room) carries on to the end; with the catalog's
disk full, reading commands still read.

Where the test may mount one (root, Linux), the full disk is a real tmpfs of
a few hundred kB, grown afterwards with `mount -o remount,size=`. Elsewhere the
cache's variant runs with a file-size limit in the decode children only
(tests/integration/fsize_limit/sitecustomize.py: EFBIG, which Curator reports
as a full disk), and the catalog's is the file-size-limited import in
test_storage_faults.py (`test_a_full_disk_during_import_loses_nothing_…`).
"""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.imaging_helpers import make_jpeg
from tests.integration.cli_helpers import REPO
from tests.integration.fault_helpers import assert_cache_whole, catalog_snapshot, report

_HANG_S = 180  # far beyond an import of these few photos: only a hang reaches it
SENTENCE = "disk is full"


def _can_mount() -> bool:
    return sys.platform.startswith("linux") and os.geteuid() == 0


@pytest.fixture
def tmpfs(tmp_path: Path) -> Iterator[Path]:
    """A 1 MB tmpfs (the test shrinks or grows it); unmounted afterwards."""
    if not _can_mount():
        pytest.skip("mounting a tmpfs needs root on Linux")
    mount = tmp_path / "small-disk"
    mount.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(mount)],
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        pytest.skip(f"no tmpfs here: {done.stderr.strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def _resize(mount: Path, size: int) -> None:
    subprocess.run(["mount", "-o", f"remount,size={size}", str(mount)], check=True)


def _used(mount: Path) -> int:
    st = os.statvfs(mount)
    return (st.f_blocks - st.f_bfree) * st.f_frsize


def _import(
    lib: Path, home: Path, *extra: str, env: dict[str, str] | None = None
) -> tuple[int, str, str]:
    proc = subprocess.run(
        [sys.executable, "-m", "curator", "import", str(lib), "--no-progress", *extra],
        cwd=REPO,
        env=dict(os.environ, CURATOR_HOME=str(home), **(env or {})),
        capture_output=True,
        text=True,
        timeout=_HANG_S,
    )
    return proc.returncode, proc.stdout, proc.stderr


def _status(home: Path, *extra: str) -> str:
    proc = subprocess.run(
        [sys.executable, "-m", "curator", "status", *extra],
        cwd=REPO,
        env=dict(os.environ, CURATOR_HOME=str(home)),
        capture_output=True,
        text=True,
        timeout=_HANG_S,
    )
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def _library(folder: Path, n: int, width: int = 1200, height: int = 900) -> Path:
    folder.mkdir()
    for i in range(n):
        make_jpeg(folder / f"p{i:03d}.jpg", width + i, height, pattern="texture")
    return folder


def _no_half_written_cache(cache: Path, catalog: Path) -> int:
    leftovers = [p for p in cache.rglob("*") if p.name.startswith(".tmp")]
    assert leftovers == []  # temp files are removed when a write fails
    snapshot = catalog_snapshot(catalog)
    done = {path for (path, stage), row in snapshot["stages"].items() if row[0] == "done"}
    for path, photo in snapshot["photos"].items():
        if path in done:  # a measured photo has both its cache files
            assert photo["preview_key"] and photo["thumbnail_key"], path
    return assert_cache_whole(cache, snapshot)


@pytest.mark.parametrize("medium", ["tmpfs", "file-size-limit"])
def test_a_full_cache_fails_photos_with_the_sentence_and_the_next_run_finishes(
    medium: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    lib = _library(tmp_path / "lib", 12)
    home = tmp_path / "home"
    env: dict[str, str] = {}
    if medium == "tmpfs":
        mount: Path = request.getfixturevalue("tmpfs")
        _resize(mount, 1536 * 1024)  # room for a few previews
        home.mkdir()
        (home / "cache").symlink_to(mount)
    else:
        env = {
            "CURATOR_TEST_CHILD_FSIZE": str(16 * 1024),
            "PYTHONPATH": os.pathsep.join(
                [str(Path(__file__).parent / "fsize_limit"), os.environ.get("PYTHONPATH", "")]
            ),
        }
    code, out, err = _import(lib, home, "--stages", "technical", env=env)
    # Stopped like a full catalog stops (issue 22: it used to decode every
    # remaining photo only to fail each): the sentence, exit 3, no traceback.
    assert code == 3, (out, err)
    assert SENTENCE in err and "Traceback" not in err
    status = _status(home)
    failed = status.count(SENTENCE)
    assert failed > 0, status  # the photo that met the full disk says so
    assert failed < 5, status  # only those in flight (2 workers); before: all 12
    assert "Free some space" in status  # says what to do
    if medium == "tmpfs":
        assert f"Free some space on {mount} " in status  # the full disk, through the link
    checked = _no_half_written_cache(home / "cache", home / "catalog.sqlite")

    if medium == "tmpfs":
        # A plain import retries a full cache once it has room to spare:
        # 64 MiB free (pipeline/stages/environmental.py, CACHE_ROOM_BYTES).
        _resize(mount, 256 * 1024 * 1024)
    code, out, err = _import(lib, home, "--stages", "technical")  # no --retry-failed needed
    assert code == 0, err
    assert SENTENCE not in _status(home)
    snapshot = catalog_snapshot(home / "catalog.sqlite")
    assert {row[0] for row in snapshot["stages"].values()} == {"done"}
    assert len(snapshot["photos"]) == 12
    report(
        f"cache-full[{medium}]",
        photos=12,
        failed_with_sentence=failed,
        cache_files_whole_after_fault=checked,
        cache_files_whole_after_resume=_no_half_written_cache(
            home / "cache", home / "catalog.sqlite"
        ),
    )


# Photos in the catalog-full test. Its import must write more than the room it
# gets, however few commits it makes: what the WAL holds grows with the commits
# (more on a slow machine, whose batches are smaller), but never falls below the
# pages every photo's rows touch, once for the quick look and again for the
# measurement (batches of at most 64 and 32). 200 small photos wrote a 1.8 MB
# WAL on an idle machine (4 s); 30 large ones only 0.35 MB, under the 0.5 MB room.
_CATALOG_PHOTOS = 200


def test_a_full_catalog_disk_stops_with_the_sentence_and_resumes(
    tmpfs: Path, tmp_path: Path
) -> None:
    n = _CATALOG_PHOTOS
    lib = _library(tmp_path / "lib", n, 160, 120)  # small: the catalog is what fills up
    home = tmp_path / "home"  # the cache stays on the big disk
    catalog = tmpfs / "catalog.sqlite"
    _status(home, "--catalog", str(catalog))  # creates the catalog on the small disk
    _resize(tmpfs, _used(tmpfs) + 512 * 1024)  # room for a few batches more
    code, _out, err = _import(lib, home, "--stages", "technical", "--catalog", str(catalog))
    assert code == 3, err  # stopped, with the sentence, no traceback
    assert SENTENCE in err and "Traceback" not in err
    assert f"Free some space on {tmpfs} " in err  # the catalog's disk, not the working folder's
    con = sqlite3.connect(catalog)
    try:
        assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        photos = con.execute("SELECT count(*) FROM photo").fetchone()[0]
        status = dict(
            con.execute(
                "SELECT status, count(*) FROM stage_run WHERE stage='technical' GROUP BY status"
            ).fetchall()
        )
        measured = con.execute(
            "SELECT count(*) FROM photo JOIN stage_run ON stage_run.photo_id = photo.id"
            " WHERE stage='technical' AND status='done' AND preview_key IS NOT NULL"
        ).fetchone()[0]
    finally:
        con.close()
    runs = status.get("done", 0)
    assert runs < n  # the full disk did stop the writes
    # Nothing half-written: each photo row is measured in full, or quick-looked
    # and `pending` (in the grid, measured by the next run); none failed.
    assert set(status) <= {"done", "pending"} and sum(status.values()) == photos
    assert measured == runs

    _resize(tmpfs, 64 * 1024 * 1024)
    code, _out, err = _import(lib, home, "--stages", "technical", "--catalog", str(catalog))
    assert code == 0, err
    snapshot = catalog_snapshot(catalog)
    assert len(snapshot["photos"]) == n
    assert {row[0] for row in snapshot["stages"].values()} == {"done"}
    report(
        "catalog-full[tmpfs]",
        photos=n,
        rows_before_full=photos,
        measured_before_full=runs,
        resumed_to=n,
    )


def _cli(home: Path, *args: str) -> tuple[int, str, str]:
    proc = subprocess.run(
        [sys.executable, "-m", "curator", *args],
        cwd=REPO,
        env=dict(os.environ, CURATOR_HOME=str(home)),
        capture_output=True,
        text=True,
        timeout=_HANG_S,
    )
    return proc.returncode, proc.stdout, proc.stderr


def test_reading_commands_work_with_the_catalog_disk_full(tmpfs: Path, tmp_path: Path) -> None:
    """Issue 22: with the catalog's disk full even `curator status` refused to run.
    Reading works; a decision says the disk is full (and is not lost: once
    there is room, the same command saves it)."""
    lib = _library(tmp_path / "lib", 3, 320, 240)
    home = tmpfs / "home"
    _resize(tmpfs, 8 * 1024 * 1024)
    code, _out, err = _import(lib, home, "--stages", "technical")
    assert code == 0, err
    filler = tmpfs / "filler"
    # every byte of the disk taken
    with open(filler, "wb") as out, contextlib.suppress(OSError):
        while True:
            out.write(b"\0" * 65536)
            out.flush()
    tried = 0
    for args in (("status",), ("list",), ("status", "--json"), ("list", "--json")):
        code, out, err = _cli(home, *args)
        tried += 1
        assert code == 0 and "Traceback" not in err, (args, err)
        assert "p000.jpg" in out or "3 photos" in out or '"photos": 3' in out, (args, out)
    code, _out, err = _cli(home, "rate", "--stars", "4", str(lib / "p000.jpg"))
    assert code == 3 and SENTENCE in err and "Traceback" not in err, err
    filler.unlink()
    code, _out, err = _cli(home, "rate", "--stars", "4", str(lib / "p000.jpg"))
    assert code == 0, err
    code, out, _err = _cli(home, "list", "--json")
    assert {p["rating"] for p in json.loads(out) if p["path"].endswith("p000.jpg")} == {4}
    report("catalog-disk-full-reads", reading_commands=tried, refused_writes=1, lost=0)

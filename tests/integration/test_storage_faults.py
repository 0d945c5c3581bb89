"""Faults of the computer, not of the photos: full disks, read-only catalogs and
caches, files that were unreadable or gone for a while, Ctrl+C while closing,
and non-UTF-8 names that must survive a round trip through `curator list`.

Every storage fault ends with its own sentence and exit code 3 (never a
traceback, never "damaged"); environmental failures are retried by the next
plain import once their cause may have changed.
"""

from __future__ import annotations

import io
import json
import os
import resource
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from peewee import OperationalError
from PIL import Image

import curator.catalog.decisions
import curator.cli
import curator.commands.listing
from curator.catalog.db import Catalog
from curator.catalog.writer import Attempted, CatalogWriter
from curator.imaging.types import TechnicalFailure, TechnicalRequest
from curator.paths import resolve_paths
from curator.pipeline.stages.environmental import cause_may_have_changed
from curator.pipeline.stages.technical import STAGE_VERSION, run_technical
from tests.imaging_helpers import make_jpeg
from tests.integration.cli_helpers import (
    REPO,
    curator_subprocess,
    import_json,
    is_human_sentence,
    list_json,
    run_cli,
    status_json,
)
from tests.unprivileged import MEASURING, as_unprivileged, in_child, open_tmp


def _technical_counts() -> dict[str, int]:
    counts: dict[str, int] = status_json()["stages"]["technical"]
    return counts


def _apply(failure: TechnicalFailure) -> None:
    """Record a failure the way an import does (the catalog writer)."""
    with Catalog.open(resolve_paths().catalog) as cat:
        CatalogWriter(cat.db, STAGE_VERSION).apply_technical([Attempted(failure)])


# -- corrupt pixel data ------------------------------------------------------------


def _png_with_garbage_mid_file(path: Path) -> bytes:
    yy, xx = np.mgrid[0:480, 0:640]
    pixels = np.dstack([xx % 256, yy % 256, (xx + yy) % 256]).astype(np.uint8)
    Image.fromarray(pixels).save(path, "PNG")
    data = bytearray(path.read_bytes())
    mid = len(data) // 2
    data[mid : mid + 64] = bytes(np.random.default_rng(1).integers(0, 256, 64, dtype=np.uint8))
    path.write_bytes(bytes(data))  # same size, damaged IDAT
    return bytes(data)


def test_png_with_corrupt_bytes_mid_file_fails_instead_of_turning_black(tmp_path: Path) -> None:
    lib = tmp_path / "lib"
    lib.mkdir()
    _png_with_garbage_mid_file(lib / "damaged.png")
    make_jpeg(lib / "fine.jpg", 320, 240, pattern="texture")
    result = import_json(lib)
    assert result["failed"] == 1 and result["new"] == 1
    (failed,) = status_json()["failed"]
    assert Path(failed["path"]).name == "damaged.png"
    assert "damaged" in failed["reason"] and is_human_sentence(failed["reason"])
    by_name = {Path(p["path"]).name: p for p in list_json()}
    assert by_name["damaged.png"]["stages"]["technical"]["status"] == "failed"
    assert by_name["damaged.png"]["preview_key"] is None  # no black preview was written


# -- environmental failures are retried by a plain import ----------------------------


def test_a_file_unreadable_once_is_measured_by_the_next_plain_import() -> None:
    with open_tmp() as base:
        lib = base / "lib"
        lib.mkdir()
        secret = make_jpeg(lib / "secret.jpg", 320, 240, pattern="texture")
        broken = lib / "broken.png"
        _png_with_garbage_mid_file(broken)
        secret.chmod(0)
        request = TechnicalRequest(path=str(secret), cache_dir=str(base / "cache"))
        kind, failure = as_unprivileged(lambda: run_technical(request), MEASURING)  # type: ignore[misc]
        assert kind == "ok" and isinstance(failure, TechnicalFailure)
        assert failure.error_type == "PermissionDeniedError"
        assert failure.size == secret.stat().st_size  # the scan would match it again
        _apply(failure)
        secret.chmod(0o644)
        first = import_json(lib)  # no --retry-failed
        assert first["failed"] == 1  # only broken.png
        by_name = {Path(p["path"]).name: p for p in list_json()}
        assert by_name["secret.jpg"]["stages"]["technical"]["status"] == "done"
        # Measured (320 px is too small to judge sharpness: a note, not a score).
        assert by_name["secret.jpg"]["exposure_score"] is not None
        assert by_name["secret.jpg"]["sharpness_note"] == "too small to judge"
        # The broken file (same size and mtime) is not read again: no new error logged.
        from curator.catalog.models import ErrorLog

        with Catalog.open(resolve_paths().catalog):
            logged = ErrorLog.select().where(ErrorLog.path == os.fsencode(broken)).count()
        assert logged == 1
        again = import_json(lib)
        assert again["failed"] == 1 and again["unchanged"] == 1
        with Catalog.open(resolve_paths().catalog):
            assert ErrorLog.select().where(ErrorLog.path == os.fsencode(broken)).count() == logged


def test_permission_failure_is_retried_without_retry_failed(tmp_path: Path) -> None:
    """The same file, the same size and mtime: only the permission changed."""
    lib = tmp_path / "lib"
    lib.mkdir()
    photo = make_jpeg(lib / "p.jpg", 320, 240, pattern="texture")
    info = photo.stat()
    _apply(
        TechnicalFailure(
            path=str(photo),
            message="Curator is not allowed to read this file (permission denied).",
            error_type="PermissionDeniedError",
            size=info.st_size,
            mtime_ns=info.st_mtime_ns,
        )
    )
    result = import_json(lib)  # no --retry-failed
    assert result["failed"] == 0
    assert _technical_counts().get("done") == 1 and not _technical_counts().get("failed")
    assert list_json()[0]["exposure_score"] is not None  # measured this time


def test_a_file_gone_during_the_import_is_measured_when_it_is_back(tmp_path: Path) -> None:
    lib = tmp_path / "lib"
    lib.mkdir()
    photo = make_jpeg(lib / "p.jpg", 320, 240, pattern="texture")
    data = photo.read_bytes()
    photo.unlink()  # moved away between the scan and the read
    failure = run_technical(TechnicalRequest(path=str(photo), cache_dir=str(tmp_path / "c")))
    assert isinstance(failure, TechnicalFailure) and failure.error_type == "FileGoneError"
    _apply(failure)
    photo.write_bytes(data)
    assert import_json(lib)["failed"] == 0
    assert _technical_counts().get("done") == 1


def test_which_failures_a_plain_import_retries(tmp_path: Path) -> None:
    path, cache = str(tmp_path / "p.jpg"), str(tmp_path / "cache")
    for permanent in ("CorruptImageError", "UnsupportedFormatError", "EmptyFileError", None):
        assert not cause_may_have_changed(permanent, path, cache)
    assert cause_may_have_changed("FileGoneError", path, cache)
    assert not cause_may_have_changed("MemoryError", path, cache)  # the file's doing (issue 22)
    assert cause_may_have_changed("TransientReadError", path, cache)
    assert not cause_may_have_changed("PermissionDeniedError", path, cache)  # still missing
    Path(path).write_bytes(b"x")
    assert cause_may_have_changed("PermissionDeniedError", path, cache)
    free = os.statvfs(tmp_path).f_bavail * os.statvfs(tmp_path).f_frsize
    assert cause_may_have_changed("CacheWriteError", path, cache) == (free > 64 * 2**20)


# -- the cache folder: full or read-only --------------------------------------------


def test_read_only_cache_fails_the_photo_with_the_read_only_sentence() -> None:
    with open_tmp() as base:
        photo = make_jpeg(base / "p.jpg", 320, 240, pattern="texture")
        cache = base / "cache"
        cache.mkdir()  # root's, 0755: nobody may not write in it
        request = TechnicalRequest(path=str(photo), cache_dir=str(cache))
        kind, failure = as_unprivileged(lambda: run_technical(request), MEASURING)  # type: ignore[misc]
    assert kind == "ok" and isinstance(failure, TechnicalFailure)
    assert failure.error_type == "CacheWriteError" and failure.transient
    assert "read-only" in failure.message and str(cache) in failure.message
    assert is_human_sentence(failure.message)


def test_full_cache_fails_the_photo_with_the_disk_full_sentence(tmp_path: Path) -> None:
    photo = make_jpeg(tmp_path / "p.jpg", 1600, 1200, pattern="texture")
    cache = tmp_path / "cache"
    request = TechnicalRequest(path=str(photo), cache_dir=str(cache))

    def with_tiny_file_limit() -> object:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (4096, 4096))
        return run_technical(request)

    kind, failure = in_child(with_tiny_file_limit)  # type: ignore[misc]
    assert kind == "ok" and isinstance(failure, TechnicalFailure)
    assert failure.error_type == "CacheWriteError"
    assert "disk is full" in failure.message and is_human_sentence(failure.message)


# -- the CLI: exit 3 with the sentence, no traceback ---------------------------------


def _cli_as_nobody(home: Path, *args: str) -> object:
    def body() -> tuple[int, str, str]:
        os.environ["CURATOR_HOME"] = str(home)
        out, err = io.StringIO(), io.StringIO()
        code = curator.cli.main(list(args), out=out, err=err)
        return code, out.getvalue(), err.getvalue()

    return as_unprivileged(body)


def test_cli_on_a_read_only_catalog_reads_but_refuses_to_write() -> None:
    with open_tmp() as home:
        home.chmod(0o777)
        photo = home / "p.jpg"
        path = home / "catalog.sqlite"
        with Catalog.open(path):
            from curator.catalog.models import Photo

            Photo.create(path=os.fsencode(photo), content_hash="h")
        path.chmod(0o444)
        kind, (code, out, err) = _cli_as_nobody(home, "status", "--json")  # type: ignore[misc]
        assert kind == "ok" and code == 0, err
        assert json.loads(out)["photos"] == 1
        kind, (code, out, err) = _cli_as_nobody(home, "keep", str(photo))  # type: ignore[misc]
        assert kind == "ok" and code == 3
        assert "read-only" in err and "Traceback" not in err and "damaged" not in err


def test_cli_with_an_unwritable_curator_home_says_it_cannot_create() -> None:
    with open_tmp() as base:
        locked = base / "locked"
        locked.mkdir()
        locked.chmod(0o555)
        kind, (code, _out, err) = _cli_as_nobody(locked / "home", "status")  # type: ignore[misc]
    assert kind == "ok" and code == 3
    assert "cannot create" in err and "damaged" not in err and "Traceback" not in err


def test_cli_maps_a_full_disk_mid_command_to_exit_3(monkeypatch: pytest.MonkeyPatch) -> None:
    def full(*args: object) -> int:
        try:
            raise sqlite3.OperationalError("database or disk is full")
        except sqlite3.OperationalError as exc:
            raise OperationalError(exc, *exc.args) from exc

    monkeypatch.setattr(curator.commands.listing, "cmd_status", full)
    code, _out, err = run_cli("status")
    assert code == 3
    assert "disk is full" in err and "Free some space" in err and "Traceback" not in err


def test_other_errors_still_surface(monkeypatch: pytest.MonkeyPatch) -> None:
    def bug(*args: object) -> int:
        raise ZeroDivisionError("a bug")

    monkeypatch.setattr(curator.commands.listing, "cmd_status", bug)
    with pytest.raises(ZeroDivisionError):
        run_cli("status")


def test_ctrl_c_while_the_catalog_closes_exits_130_quietly(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    real_close = Catalog.close

    def close_with_a_ctrl_c(self: Catalog) -> None:
        os.kill(os.getpid(), signal.SIGINT)  # delivered while the catalog closes
        real_close(self)
        assert self.db.is_closed()

    inherited = signal.getsignal(signal.SIGINT)
    # A background job of a shell without job control starts with SIGINT
    # ignored; make Ctrl+C deliverable, as in a terminal, for this test.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        monkeypatch.setattr(Catalog, "close", close_with_a_ctrl_c)
        code, _out, err = run_cli("status")
        assert code == 130 and "Traceback" not in err
        assert signal.getsignal(signal.SIGINT) is signal.default_int_handler  # restored
    finally:
        signal.signal(signal.SIGINT, inherited)


def test_ctrl_c_during_a_command_exits_130(monkeypatch: pytest.MonkeyPatch) -> None:
    def interrupted(*args: object) -> int:
        raise KeyboardInterrupt

    monkeypatch.setattr(curator.commands.listing, "cmd_status", interrupted)
    code, _out, err = run_cli("status")
    assert code == 130 and "cancelled" in err


def test_ctrl_c_after_the_summary_ends_quietly(tmp_path: Path, curator_home: Path) -> None:
    """A Ctrl+C while the import winds down (closing the catalog, tearing down) after
    it printed its summary: exit 130 without a traceback (0 if it was already gone)."""
    lib = tmp_path / "lib"
    lib.mkdir()
    for i in range(5):
        make_jpeg(lib / f"img{i}.jpg", 640 + i, 480, pattern="texture")
    proc = curator_subprocess(
        "import", str(lib), "--json", "--no-progress", "--stages", "technical"
    )
    try:
        assert proc.stdout is not None
        summary = proc.stdout.readline()  # printed just before the catalog closes
        proc.send_signal(signal.SIGINT)
        _out, err = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert json.loads(summary)["new"] == 5
    assert proc.returncode in (130, 0), err
    assert "Traceback" not in err and "KeyboardInterrupt" not in err


# -- a full disk during an import (a file-size limit makes writes fail for real) -------


def _limited_import(lib: Path, home: Path, limit: int) -> tuple[int | None, str]:
    """`curator import` with files capped at `limit` bytes: (exit code or None if it
    hung and was killed, stderr)."""

    def limit_file_size() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # fail with EFBIG, don't kill
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    command = ["import", str(lib), "--json", "--no-progress", "--stages", "technical"]
    proc = subprocess.Popen(
        [sys.executable, "-m", "curator", *command],
        cwd=REPO,
        env=dict(os.environ, CURATOR_HOME=str(home)),
        preexec_fn=limit_file_size,
        start_new_session=True,  # one group: a hung import is killed with its decoders
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        _out, err = proc.communicate(timeout=_HANG_S)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        _out, err = proc.communicate()
        return None, err
    return proc.returncode, err


# Far beyond the few seconds the import takes: only a hang reaches it.
_HANG_S = 90


def test_a_full_disk_during_import_loses_nothing_and_the_next_run_resumes(
    tmp_path: Path, curator_home: Path
) -> None:
    lib = tmp_path / "lib"
    lib.mkdir()
    for i in range(40):
        make_jpeg(lib / f"p{i:02d}.jpg", 320 + i, 240, pattern="texture")
    assert run_cli("status")[0] == 0  # the catalog exists; its WAL is what grows
    # 60 kB: the catalog's WAL hits the limit after a few batches of photos.
    code, err = _limited_import(lib, curator_home, 60_000)
    con = sqlite3.connect(curator_home / "catalog.sqlite")
    try:
        assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        photos = con.execute("SELECT count(*) FROM photo").fetchone()[0]
        runs = dict(
            con.execute(
                "SELECT status, count(*) FROM stage_run WHERE stage='technical' GROUP BY status"
            ).fetchall()
        )
    finally:
        con.close()
    assert photos < 40  # the limit did stop the writes
    # No photo without its stage row: nothing half-written. A photo the quick
    # look wrote but the technical stage had not yet is `pending`, by design.
    assert sum(runs.values()) == photos and set(runs) <= {"done", "pending"}
    measured = runs.get("done", 0)
    again = import_json(lib)
    # A measured photo is unchanged; a pending one is measured now and counts as new.
    assert again["failed"] == 0 and again["unchanged"] == measured
    assert again["new"] == 40 - measured
    assert _technical_counts().get("done") == 40
    assert code == 3, f"import ended with {code} (None: hung), not 3 with the sentence: {err}"
    assert "disk is full" in err and "Traceback" not in err


# -- non-UTF-8 file names round-trip through `curator list` --------------------------


def test_non_utf8_name_round_trips_through_list_json(tmp_path: Path) -> None:
    lib = tmp_path / "lib"
    lib.mkdir()
    name_bytes = b"caf\xe9 \xff.jpg"  # not valid UTF-8
    photo = Path(os.fsdecode(os.fsencode(lib) + b"/" + name_bytes))
    make_jpeg(photo, 320, 240, pattern="texture")
    assert import_json(lib)["new"] == 1
    code, out, err = run_cli("list", "--json")
    assert code == 0 and out.isascii()
    assert "\\udcff" in out and "\\udce9" in out  # surrogate escapes, not U+FFFD
    (listed,) = json.loads(out)
    assert os.fsencode(listed["path"]) == os.fsencode(photo)
    # Passed back as is, the path finds the photo (in-process and as raw argv bytes).
    code, out, err = run_cli("rate", "--stars", "3", listed["path"])
    assert code == 0, err
    proc = subprocess.run(
        [sys.executable, "-m", "curator", "pick", os.fsencode(listed["path"])],
        cwd=REPO,
        env=dict(os.environ),
        capture_output=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    (after,) = list_json()
    assert after["rating"] == 3 and after["picked"]
    # The text listing prints the name's own bytes.
    code, out, err = run_cli("list")
    assert code == 0 and listed["path"] in out

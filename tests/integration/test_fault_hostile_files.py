"""Fault suite, hostile files (issue 22 §1): what a folder contains can neither
hang an import nor exhaust the computer.

- A 68-byte PNG declaring 2,000,000,000 × 1 RGBA pixels: reading its EXIF
  made Pillow decode it (8 GB and more). In a decoder child under a real 1 GiB
  memory limit it is refused by the pixel guard, with the guard's sentence,
  and a second import does not try it again.
- A PNG under the guard whose pixels still do not fit the child's limit: a
  per-file failure with a sentence, not "will be retried" on every import.
- Every decoder child runs under a memory limit.
- FIFOs named card.jpg and card2.xmp (and links to /dev/zero named like a
  photo and a sidecar) in a real `curator import` subprocess: the import ends,
  reports them, skips them, and imports the good photos.
"""

from __future__ import annotations

import json
import os
import resource
import sqlite3
import struct
import subprocess
import sys
import zlib
from pathlib import Path

import pytest

from curator.engine.isolation import ChildProcessPool, memory_limit_for
from curator.imaging.types import TechnicalRequest
from curator.pipeline.stages.environmental import cause_may_have_changed
from curator.pipeline.stages.technical import (
    TechnicalFailure,
    init_decoder_process,
    run_technical,
)
from tests.imaging_helpers import make_jpeg
from tests.integration.cli_helpers import curator_subprocess, is_human_sentence
from tests.integration.fault_helpers import report

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="FIFOs and RLIMIT_AS are POSIX")

GIB = 2**30
_DEADLINE_S = 180  # per import: only a hang reaches it


def png_header_only(path: Path, width: int, height: int, colour_type: int = 6) -> Path:
    """A valid PNG signature + IHDR declaring width × height, with a token IDAT."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        crc = zlib.crc32(kind + body) & 0xFFFFFFFF
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", crc)

    ihdr = struct.pack(">IIBBBBB", width, height, 8, colour_type, 0, 0, 0)
    path.write_bytes(
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", ihdr)
        + chunk(b"IDAT", zlib.compress(b"\x00" * 16))
        + chunk(b"IEND", b"")
    )
    return path


def _measure_in_child(path: Path, cache: Path, memory_limit: int) -> object:
    pool = ChildProcessPool(
        1, initializer=init_decoder_process, initargs=(frozenset(),), memory_limit=memory_limit
    )
    try:
        return pool.call(run_technical, TechnicalRequest(path=str(path), cache_dir=str(cache)), 120)
    finally:
        pool.close()


def test_png_bomb_is_refused_by_the_pixel_guard_under_a_1_gib_limit(tmp_path: Path) -> None:
    bomb = png_header_only(tmp_path / "bomb.png", 2_000_000_000, 1)
    assert bomb.stat().st_size < 100
    outcome = _measure_in_child(bomb, tmp_path / "cache", 1 * GIB)
    assert isinstance(outcome, TechnicalFailure), outcome
    assert outcome.error_type == "DecompressionBombError", (outcome.error_type, outcome.message)
    assert not outcome.transient
    assert "safety limit" in outcome.message and is_human_sentence(outcome.message)
    assert not cause_may_have_changed(outcome.error_type, str(bomb), str(tmp_path / "cache"))
    report("png-bomb", bytes=bomb.stat().st_size, error=outcome.error_type, limit_gib=1)


def test_a_file_that_exhausts_the_child_limit_is_one_failure_not_retried(tmp_path: Path) -> None:
    # 15,000 × 15,000 RGBA = 225 MP: under the 250 MP guard, but 900 MB of pixels
    # do not fit a child limited to 1 GiB of address space.
    big = png_header_only(tmp_path / "big.png", 15_000, 15_000)
    outcome = _measure_in_child(big, tmp_path / "cache", 1 * GIB)
    assert isinstance(outcome, TechnicalFailure), outcome
    assert outcome.error_type == "MemoryError", (outcome.error_type, outcome.message)
    assert not outcome.transient  # not retried within the run ...
    assert not cause_may_have_changed("MemoryError", str(big), str(tmp_path / "cache"))  # nor next
    assert "more memory than Curator allows" in outcome.message
    assert "retried" not in outcome.message and is_human_sentence(outcome.message)


def _child_address_limit(_: object) -> int:
    return resource.getrlimit(resource.RLIMIT_AS)[0]


def test_every_decoder_child_runs_under_a_memory_limit() -> None:
    pool = ChildProcessPool(1)  # the default, as the loupe's pool makes it
    try:
        assert pool.call(_child_address_limit, None, 60) == memory_limit_for()
    finally:
        pool.close()
    assert memory_limit_for(250_000_000) >= memory_limit_for(50_000_000) > 1 * GIB
    # never more than three quarters of the computer's memory
    physical = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    assert memory_limit_for(10**12) <= physical * 3 // 4


def _import(folder: Path, *extra: str) -> dict[str, object]:
    proc = curator_subprocess("import", str(folder), "--json", "--no-progress", *extra)
    try:
        out, err = proc.communicate(timeout=_DEADLINE_S)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.communicate()
        pytest.fail(f"curator import hung on {folder} (killed after {_DEADLINE_S} s)")
    assert proc.returncode == 0, err
    assert "Traceback" not in err, err
    result: dict[str, object] = json.loads(out)
    return result


def _technical_failures() -> int:
    """How many technical failures the catalog's error log holds."""
    db = Path(os.environ["CURATOR_HOME"]) / "catalog.sqlite"
    con = sqlite3.connect(f"{db.resolve().as_uri()}?mode=ro", uri=True)
    try:
        return int(
            con.execute("SELECT count(*) FROM error_log WHERE stage = 'technical'").fetchone()[0]
        )
    finally:
        con.close()


def test_fifos_and_devices_named_like_photos_and_sidecars_do_not_hang_an_import(
    tmp_path: Path,
) -> None:
    lib = tmp_path / "card"
    lib.mkdir()
    for name, width in (("good.jpg", 320), ("card2.jpg", 330), ("zero2.jpg", 340)):
        make_jpeg(lib / name, width, 240, pattern="texture")
    os.mkfifo(lib / "card.jpg")
    os.mkfifo(lib / "card2.xmp")  # card2.jpg's sidecar
    os.symlink("/dev/zero", lib / "zero.jpg")
    os.symlink("/dev/zero", lib / "zero2.xmp")  # zero2.jpg's sidecar
    png_header_only(lib / "bomb.png", 2_000_000_000, 1)
    hostile = {"card.jpg", "zero.jpg"}

    first = _import(lib)
    skipped = {Path(str(p["path"])).name: str(p["reason"]) for p in first["scan_problems"]}  # type: ignore[attr-defined]
    assert set(skipped) == hostile, skipped
    assert "named pipe" in skipped["card.jpg"] and "device" in skipped["zero.jpg"]
    assert all(is_human_sentence(r) for r in skipped.values())
    assert first["failed"] == 1, first  # the bomb, by the guard
    assert first["new"] == 3, first  # the good photos (their hostile sidecars only said so)

    assert _technical_failures() == 1
    second = _import(lib)
    assert second["failed"] == 1 and second["unchanged"] == 3, second  # known, not read again
    assert _technical_failures() == 1  # the bomb was not retried: no second failure logged
    report(
        "hostile-files",
        fifos=2,
        devices=2,
        bombs=1,
        skipped=len(skipped),
        imported=3,
        technical_failures_after_two_imports=_technical_failures(),
    )


def _jpeg_with_a_lying_exif(path: Path) -> Path:
    """A good JPEG whose EXIF says Make is 1,000 bytes at offset 5,000 (past the end):
    Pillow warns "Tag data larger than file" when it reads it."""
    from PIL import Image

    Image.new("RGB", (800, 600), (120, 80, 40)).save(path, "JPEG")
    data = path.read_bytes()
    tiff = b"MM\x00*" + struct.pack(">IH", 8, 1) + struct.pack(">HHII", 0x010F, 2, 1000, 5000)
    app1 = b"Exif\x00\x00" + tiff + struct.pack(">I", 0)
    path.write_bytes(data[:2] + b"\xff\xe1" + struct.pack(">H", len(app1) + 2) + app1 + data[2:])
    return path


def test_a_normal_import_prints_no_library_warnings(tmp_path: Path) -> None:
    lib = tmp_path / "lib"
    lib.mkdir()
    _jpeg_with_a_lying_exif(lib / "lying.jpg")
    make_jpeg(lib / "plain.jpg", 640, 480, pattern="texture")
    args = ("import", str(lib), "--json", "--no-progress", "--stages", "technical")
    proc = curator_subprocess(*args)
    out, err = proc.communicate(timeout=_DEADLINE_S)
    assert proc.returncode == 0, err
    assert json.loads(out)["new"] == 2
    assert "Warning" not in err and "warnings.warn" not in err, err

"""Fault suite, hostile sidecars (issue 22 §1): `curator xmp write` (a real
subprocess, so a hang is a failed test and not a stuck suite) beside sidecars
that are a link to /dev/zero, a FIFO, 5,000 elements deep, and larger than any
real sidecar: each fails its own photo with a sentence, is left exactly as it
was, and the good photo's sidecar is still written.
"""

from __future__ import annotations

import json
import os
import sqlite3
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from tests.imaging_helpers import make_jpeg
from tests.integration.cli_helpers import curator_subprocess, import_json, run_cli
from tests.integration.fault_helpers import report

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="FIFOs and /dev/zero are POSIX")

_DEADLINE_S = 120

_HEAD = (
    b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF '
    b'xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
    b'<rdf:Description rdf:about="" xmlns:xmp="http://ns.adobe.com/xap/1.0/" xmp:Rating="2">'
)
_TAIL = b"</rdf:Description></rdf:RDF></x:xmpmeta>"


def _deep(levels: int) -> bytes:
    return _HEAD + b"<xmp:Nest>" * levels + b"</xmp:Nest>" * levels + _TAIL


def _huge(size: int) -> bytes:
    comment = b"<!-- " + b"x" * size + b" -->"
    return _HEAD + comment + _TAIL


def test_xmp_write_fails_one_photo_per_hostile_sidecar(tmp_path: Path) -> None:
    lib = tmp_path / "lib"
    lib.mkdir()
    names = ("zero", "fifo", "deep", "huge", "good")
    for width, name in enumerate(names, start=300):
        make_jpeg(lib / f"{name}.jpg", width, 200, pattern="texture")
    assert import_json(lib, "--stages", "technical")["new"] == len(names)
    assert run_cli("rate", "--stars", "4", *(str(lib / f"{n}.jpg") for n in names))[0] == 0

    os.symlink("/dev/zero", lib / "zero.xmp")
    os.mkfifo(lib / "fifo.xmp")
    (lib / "deep.xmp").write_bytes(_deep(5_000))
    (lib / "huge.xmp").write_bytes(_huge(17 * 2**20))
    for name in ("deep", "huge"):  # older than the ratings: Curator's 4 stars must go in
        os.utime(lib / f"{name}.xmp", (1_000_000_000, 1_000_000_000))
    before = {n: (lib / f"{n}.xmp").read_bytes() for n in ("deep", "huge")}

    proc = curator_subprocess("xmp", "write", "--json", "--all")
    try:
        out, err = proc.communicate(timeout=_DEADLINE_S)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.communicate()
        pytest.fail(f"curator xmp write hung (killed after {_DEADLINE_S} s)")
    assert "Traceback" not in err, err
    assert proc.returncode == 1, (proc.returncode, err)  # some photos failed: said, not crashed
    result = json.loads(out)
    status = {Path(f["original"]).stem: f for f in result["files"]}
    assert {n: status[n]["status"] for n in names} == {
        "zero": "failed",
        "fifo": "failed",
        "deep": "failed",
        "huge": "failed",
        "good": "written",
    }, result
    reasons = {n: status[n]["reason"] for n in names[:4]}
    assert "device" in reasons["zero"] and "named pipe" in reasons["fifo"], reasons
    assert "deep" in reasons["deep"] and "larger than any real sidecar" in reasons["huge"]
    assert all(r.rstrip().endswith(".") and "Error" not in r for r in reasons.values()), reasons
    # Left exactly as they were.
    assert stat.S_ISFIFO(os.lstat(lib / "fifo.xmp").st_mode)
    assert os.readlink(lib / "zero.xmp") == "/dev/zero"
    assert {n: (lib / f"{n}.xmp").read_bytes() for n in ("deep", "huge")} == before
    good = Path(status["good"]["sidecar"]).read_bytes()
    assert b'Rating="4"' in good or b">4<" in good, good
    report("hostile-sidecars", tried=4, failed_alone=4, good_written=1)


def _many_keywords(n: int) -> bytes:
    items = "".join(f"<rdf:li>keyword {i:06d}</rdf:li>" for i in range(n))
    return (
        '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF '
        'xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
        '<rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/" '
        'xmlns:xmp="http://ns.adobe.com/xap/1.0/" xmp:Rating="3">'
        f"<dc:subject><rdf:Bag>{items}</rdf:Bag></dc:subject>"
        "</rdf:Description></rdf:RDF></x:xmpmeta>"
    ).encode()


def test_a_sidecar_with_thousands_of_keywords_gives_the_first_thousand(
    tmp_path: Path, curator_home: Path
) -> None:
    """Issue 22: a 500k-keyword sidecar kept an import inside one transaction for
    over 20 minutes. The first 1,000 are taken (in short batches), with a note."""
    lib = tmp_path / "lib"
    lib.mkdir()
    make_jpeg(lib / "many.jpg", 320, 200, pattern="texture")
    (lib / "many.xmp").write_bytes(_many_keywords(5_000))
    summary = import_json(lib, "--stages", "technical")
    assert summary["new"] == 1 and summary["xmp_applied"] == 1, summary
    con = sqlite3.connect(f"{(curator_home / 'catalog.sqlite').as_uri()}?mode=ro", uri=True)
    try:
        kept = con.execute("SELECT count(*) FROM photo_keyword").fetchone()[0]
        notes = [r[0] for r in con.execute("SELECT message FROM error_log WHERE stage = 'xmp'")]
        rating = con.execute("SELECT rating FROM photo").fetchone()[0]
    finally:
        con.close()
    assert kept == 1_000, kept
    assert rating == 3  # the rest of the sidecar is taken as usual
    assert any("5,000 keywords" in n and "first 1,000" in n for n in notes), notes

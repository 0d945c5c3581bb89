"""The destination's journal (curator/ingest/journal.py): a line is a copy only
while its file is there; a torn line (a kill mid-write) is ignored and never
swallows the next one; one ingest at a time per destination."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from curator.ingest.journal import (
    DestinationBusy,
    JournalEntry,
    append_entry,
    ingest_lock,
    journal_path,
    read_journal,
)


def entry(
    n: int, *, seq: int | None = None, folder: str = "2024", photo: bool = True
) -> JournalEntry:
    return JournalEntry(
        hash=f"h{n}",
        path=f"{folder}/P{n}.JPG",
        size=3,
        name=f"DSC{n}.JPG",
        mtime_ns=1000 + n,
        source=f"DCIM/DSC{n}.JPG",
        folder=folder,
        stem=f"P{n}",
        seq=seq,
        photo=photo,
    )


def place(root: Path, e: JournalEntry, data: bytes = b"abc") -> None:
    (root / e.path).parent.mkdir(parents=True, exist_ok=True)
    (root / e.path).write_bytes(data)


def test_a_line_is_a_copy_only_while_its_file_is_there(tmp_path: Path) -> None:
    assert read_journal(tmp_path).lines == 0
    here, absent, truncated = entry(1, seq=4), entry(2, seq=9), entry(3, seq=5)
    for e in (here, absent, truncated):
        append_entry(tmp_path, e)
    place(tmp_path, here)
    place(tmp_path, truncated, b"a")  # not the size recorded: not our copy
    index = read_journal(tmp_path)
    assert index.lines == 3
    assert set(index.present) == {"h1"}
    assert index.hashes[absent.fingerprint] == "h2"  # its hash is still known
    assert index.names[absent.fingerprint].path == "2024/P2.JPG"  # and the name it gets
    assert index.seq_max == {"2024": 4}  # only present copies count
    assert index.paths == {"2024/P1.JPG"}


def test_a_sidecars_bytes_never_stand_for_a_photo(tmp_path: Path) -> None:
    sidecar = entry(1, photo=False)
    append_entry(tmp_path, sidecar)
    place(tmp_path, sidecar)
    index = read_journal(tmp_path)
    assert index.present == {} and index.paths == {"2024/P1.JPG"}


def test_a_torn_line_is_ignored_and_the_next_starts_afresh(tmp_path: Path) -> None:
    first, second = entry(1), entry(2)
    append_entry(tmp_path, first)
    with open(journal_path(tmp_path), "ab") as f:
        f.write(b'{"v": 1, "hash": "h9", "pa')  # killed mid-write
    append_entry(tmp_path, second)
    place(tmp_path, first)
    place(tmp_path, second)
    index = read_journal(tmp_path)
    assert set(index.present) == {"h1", "h2"} and index.lines == 2


def test_lines_of_another_version_or_garbage_are_not_read(tmp_path: Path) -> None:
    journal_path(tmp_path).write_text('{"v": 99, "hash": "x"}\nnot json\n[1, 2]\n')
    assert read_journal(tmp_path).lines == 0


def test_one_ingest_at_a_time_per_destination(tmp_path: Path) -> None:
    code = (
        "import sys, time; from pathlib import Path;"
        "from curator.ingest.journal import ingest_lock\n"
        "with ingest_lock(Path(sys.argv[1])):\n"
        "    print('held', flush=True); sys.stdin.readline()\n"
    )
    holder = subprocess.Popen(
        [sys.executable, "-c", code, str(tmp_path)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        with pytest.raises(DestinationBusy) as caught, ingest_lock(tmp_path):
            pass
        assert str(tmp_path) in str(caught.value) and "Another ingest" in str(caught.value)
    finally:
        assert holder.stdin is not None
        holder.stdin.close()
        holder.wait(timeout=30)
    with ingest_lock(tmp_path):  # released when its process let go
        pass

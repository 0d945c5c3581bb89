"""One card file into verified temporary copies (curator/ingest/copy.py): the
hash is the card's, a copy that does not verify is written again once and
then refused, a file that changes while it is read is read again once and
then refused, and nothing is ever left half-written."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import blake3
import pytest

import curator.ingest.copy as copy_module
from curator.ingest.copy import CHANGED, CHUNK, Cancelled, copy_verified
from curator.ingest.source import CardFile


def card_file(path: Path) -> CardFile:
    st = path.stat()
    return CardFile(str(path), path.name, st.st_size, st.st_mtime_ns, True)


def leftovers(*folders: Path) -> list[str]:
    return [p.name for f in folders for p in f.iterdir()]


@pytest.fixture
def big(tmp_path: Path) -> Path:
    path = tmp_path / "card" / "DSC1.ARW"
    path.parent.mkdir()
    path.write_bytes(os.urandom(2 * CHUNK + 12345))
    os.utime(path, ns=(1_600_000_000_000_000_000, 1_700_000_000_123_456_789))
    return path


def test_two_verified_copies_from_one_read(big: Path, tmp_path: Path) -> None:
    a, b = tmp_path / "a", tmp_path / "b"
    a.mkdir()
    b.mkdir()
    read: list[int] = []
    outcome = copy_verified(card_file(big), {0: a, 1: b}, on_bytes=read.append)
    data = big.read_bytes()
    assert sum(read) == len(data)  # read once, for both
    assert outcome.content_hash == blake3.blake3(data).hexdigest()
    assert set(outcome.temps) == {0, 1} and not outcome.unverified
    for tmp in outcome.temps.values():
        assert tmp.name.startswith(".curator-tmp-") and tmp.read_bytes() == data
        assert tmp.stat().st_mtime_ns == big.stat().st_mtime_ns  # the card's time
    outcome.discard()
    assert leftovers(a, b) == []


def test_a_copy_that_does_not_verify_is_written_again_once(
    big: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = copy_module.verify
    calls: list[Path] = []

    def flaky(path: Path, digest: str) -> bool:
        calls.append(path)
        if len(calls) == 1:  # the disk returned other bytes, once
            with open(path, "r+b") as f:
                f.write(b"\xff\xfe")
        return real(path, digest)

    monkeypatch.setattr(copy_module, "verify", flaky)
    outcome = copy_verified(card_file(big), {0: tmp_path})
    assert len(calls) == 2 and calls[0] != calls[1]
    assert set(outcome.temps) == {0} and outcome.temps[0].read_bytes() == big.read_bytes()
    assert not calls[0].exists()  # the bad copy is gone


def test_a_copy_that_never_verifies_is_refused_and_removed(
    big: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    good, bad = tmp_path / "good", tmp_path / "bad"
    good.mkdir()
    bad.mkdir()
    real = copy_module.verify

    def bad_disk(path: Path, digest: str) -> bool:
        return path.parent != bad and real(path, digest)

    monkeypatch.setattr(copy_module, "verify", bad_disk)
    outcome = copy_verified(card_file(big), {0: good, 1: bad})
    assert set(outcome.temps) == {0} and outcome.unverified == {1}
    assert leftovers(bad) == []  # never a copy that did not verify


def test_a_file_that_changes_while_read_is_read_again(big: Path, tmp_path: Path) -> None:
    changes = []

    def camera_still_writing(_n: int) -> None:
        if not changes:
            changes.append(1)
            with open(big, "ab") as f:
                f.write(b"more")

    outcome = copy_verified(card_file(big), {0: tmp_path}, on_bytes=camera_still_writing)
    assert outcome.source_error is None
    assert outcome.temps[0].read_bytes() == big.read_bytes()  # the file as it is now


def test_a_file_that_keeps_changing_is_refused_with_a_sentence(big: Path, tmp_path: Path) -> None:
    def always_writing(_n: int) -> None:
        with open(big, "ab") as f:
            f.write(b"x")

    outcome = copy_verified(card_file(big), {0: tmp_path}, on_bytes=always_writing)
    assert outcome.source_error == CHANGED and outcome.temps == {}
    assert "changed while Curator copied it" in CHANGED.sentence
    assert leftovers(tmp_path) == ["card"]


def test_a_fifo_is_refused_at_once(tmp_path: Path) -> None:
    fifo = tmp_path / "DSC1.JPG"
    os.mkfifo(fifo)
    dest = tmp_path / "dest"
    dest.mkdir()
    fake = CardFile(str(fifo), "DSC1.JPG", 0, 0, True)
    outcome = copy_verified(fake, {0: dest})  # would block for ever if it were opened
    assert outcome.source_error is not None and "named pipe" in outcome.source_error.sentence
    assert leftovers(dest) == []


def test_a_vanished_file_is_not_retried(tmp_path: Path) -> None:
    fake = CardFile(str(tmp_path / "gone.JPG"), "gone.JPG", 3, 0, True)
    outcome = copy_verified(fake, {0: tmp_path})
    assert outcome.source_error is not None and "vanished" in outcome.source_error.sentence
    assert not outcome.source_error.retry


def test_cancel_between_chunks_leaves_nothing(big: Path, tmp_path: Path) -> None:
    cancel = threading.Event()
    with pytest.raises(Cancelled):
        copy_verified(
            card_file(big), {0: tmp_path}, cancel=cancel, on_bytes=lambda _n: cancel.set()
        )
    assert leftovers(tmp_path) == ["card"]


def test_a_destination_that_cannot_be_written_spares_the_other(big: Path, tmp_path: Path) -> None:
    good = tmp_path / "good"
    good.mkdir()
    outcome = copy_verified(card_file(big), {0: good, 1: tmp_path / "no-such-disk"})
    assert set(outcome.temps) == {0}
    assert isinstance(outcome.dest_errors[1], FileNotFoundError)

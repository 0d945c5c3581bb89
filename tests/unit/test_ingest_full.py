"""A destination that fills up mid-batch (curator/ingest/run.py, state.py,
place.py), with ENOSPC injected where the copy writes its temporary files
(the real disk has room): the copy that did not fit ends, not the batch —
every copy written before it lands, verified and journaled; the sentence
names what is left; ingesting again copies only the rest. The same on a real
tmpfs of 28 MB: tests/integration/test_fault_ingest_full.py."""

from __future__ import annotations

import errno
from pathlib import Path
from typing import Any

import pytest

import curator.ingest.copy as copy_module
import curator.ingest.run as run_module
from curator.ingest.journal import JOURNAL_NAME
from curator.ingest.plan import plan_ingest
from curator.ingest.run import run_ingest
from curator.ingest.state import RESERVE
from curator.ingest.types import IngestRequest, human_bytes
from tests.card_helpers import digests, files_under, make_card

RENAME = "{date:%Y%m%d}-{seq}"


class FullAfter:
    """`open` for the copy's temporary files: once a file named `first_full`
    is opened in `dest`, every write into `dest` fails with ENOSPC."""

    def __init__(self, dest: Path, first_full: str):
        self.dest, self.first_full, self.full = dest, first_full, False
        self.refused: list[str] = []

    def __call__(self, path: Path, mode: str) -> Any:
        out = open(path, mode)  # noqa: SIM115 (the copy closes it)
        if Path(path).parent != self.dest:
            return out
        if Path(path).name.endswith("-" + self.first_full):
            self.full = True
        return _Writer(out, self, Path(path).name)


class _Writer:
    def __init__(self, out: Any, disk: FullAfter, name: str):
        self.out, self.disk, self.name = out, disk, name

    def write(self, data: bytes) -> int:
        if self.disk.full:
            self.disk.refused.append(self.name)
            raise OSError(errno.ENOSPC, "No space left on device")
        return int(self.out.write(data))

    def __getattr__(self, name: str) -> Any:
        return getattr(self.out, name)


def _ingest(card_root: Path, dest: Path):  # type: ignore[no-untyped-def]
    request = IngestRequest(str(card_root), str(dest), rename=RENAME, subfolder="")
    return run_ingest(plan_ingest(request, known=frozenset()))


def test_a_full_disk_ends_the_copy_that_did_not_fit_not_the_batch(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    card = make_card(tmp_path / "card", pairs=6)  # 13 photos, 3 companions (pairs 1 and 2)
    dest = tmp_path / "photos"
    dest.mkdir()
    disk = FullAfter(dest, "DSC00004.DNG")
    monkeypatch.setattr(copy_module, "open", disk, raising=False)
    monkeypatch.setattr(run_module, "BATCH_S", 3600.0)  # one batch after the first group
    first = _ingest(card.root, dest)

    # The first group lands in a batch of its own; pairs 2 and 3 and the 4th
    # pair's RAW were written in the next one: pairs 2 and 3 are kept.
    assert disk.refused and all(n.endswith("DSC00004.DNG") for n in disk.refused)
    assert first.copied == 6 and first.destinations[0].companions == 3
    kept = files_under(dest)
    assert len(kept) == 9 and not list(dest.glob(".curator-tmp-*"))
    assert digests(kept) <= digests(card.photos + card.companions)
    assert (dest / JOURNAL_NAME).read_text().count("\n") == 9
    assert len(first.catalog_paths) == 6  # the kept copies go to the catalog
    stopped = first.stopped
    assert stopped == first.destinations[0].error
    assert stopped.startswith(f"{dest} is full: 6 of 13 photos copied; the 7 left need ")
    assert stopped.endswith(" more — free that much and ingest again to finish.")
    # This disk is not really full: the figure is the floor, the reserve.
    assert first.destinations[0].to_free == RESERVE
    assert f"need {human_bytes(RESERVE)} more" in stopped

    monkeypatch.undo()
    before = {p: (p.stat().st_ino, p.stat().st_mtime_ns) for p in kept}
    rest = _ingest(card.root, dest)
    assert rest.complete and rest.copied == 7 and rest.destinations[0].present == 6
    assert {p: (p.stat().st_ino, p.stat().st_mtime_ns) for p in kept} == before
    again = [p for p in card.photos if p.name[:8] >= "DSC00004"]
    assert rest.bytes_read == sum(p.stat().st_size for p in again)  # only the rest is read
    assert digests(files_under(dest)) == digests(card.photos + card.companions)
    assert len(files_under(dest)) == len(card.photos) + len(card.companions)

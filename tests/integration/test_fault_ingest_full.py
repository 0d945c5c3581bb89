"""Fault suite, ingest (issue 43 §7): 60 photos (76.8 MB) into a real tmpfs of
28 MB. Every whole photo that fits is kept (verified, named, journaled), the
sentence's figure is what the rest needs — their sizes less the free space,
plus the margin Curator keeps (its journal and folders: `state.RESERVE`, and
a block per file) — and growing the disk by exactly that figure lets the
next ingest finish the rest without copying anything twice. Skipped where a
tmpfs can't be mounted (not root, not Linux); the same rule with an
injected ENOSPC runs everywhere (tests/unit/test_ingest_full.py).
"""

from __future__ import annotations

import os
import re
from datetime import timedelta
from pathlib import Path

from curator.ingest.journal import JOURNAL_NAME
from curator.ingest.plan import plan_ingest
from curator.ingest.run import run_ingest
from curator.ingest.state import RESERVE
from curator.ingest.types import IngestRequest, IngestResult, human_bytes
from tests.card_helpers import SHOT, camera_jpeg, card_state, digests, files_under
from tests.integration.fault_helpers import report
from tests.integration.ingest_helpers import resize_disk, small_disk

PHOTOS, PHOTO_BYTES = 60, 1_280_000  # 76.8 MB
DISK = 28 * 1024 * 1024  # `mount -t tmpfs -o size=28m`
BLOCK = 4096  # a tmpfs page


def _card(root: Path) -> list[Path]:
    """60 camera JPEGs of 1.28 MB each (the picture, then noise after its end)."""
    folder = root / "DCIM" / "100CURAT"
    folder.mkdir(parents=True)
    photos = []
    for n in range(1, PHOTOS + 1):
        path = camera_jpeg(folder / f"DSC{n:05d}.JPG", SHOT + timedelta(seconds=n), seed=n)
        data = path.read_bytes()
        path.write_bytes(data + os.urandom(PHOTO_BYTES - len(data)))
        photos.append(path)
    return photos


def _ingest(card: Path, dest: Path) -> IngestResult:
    request = IngestRequest(str(card / "DCIM"), str(dest), rename="{date:%Y%m%d}-{seq}")
    return run_ingest(plan_ingest(request, known=frozenset()))


def _free(path: Path) -> int:
    st = os.statvfs(path)
    return st.f_bavail * st.f_frsize


def test_a_nearly_full_destination_keeps_every_photo_that_fits(tmp_path: Path) -> None:
    photos = _card(tmp_path / "card")
    before = card_state(tmp_path / "card")
    with small_disk(tmp_path / "disk", DISK) as dest:
        free_at_start = _free(dest)
        first = _ingest(tmp_path / "card", dest)

        kept = files_under(dest)
        copied = first.copied
        assert len(kept) == copied and len(first.catalog_paths) == copied
        assert (dest / JOURNAL_NAME).read_text().count("\n") == copied
        assert not list(dest.rglob(".curator-tmp-*"))
        assert digests(kept) <= digests(photos)
        # Every whole photo that fits is kept: what is left free is less than
        # one more photo beside the reserve (the journal's few kB come out of it).
        on_disk = -(-PHOTO_BYTES // BLOCK) * BLOCK
        free_after = _free(dest)
        assert free_after < on_disk + RESERVE
        assert copied == (free_at_start - RESERVE) // on_disk  # 22 of 60 here

        left = PHOTOS - copied
        figure = first.destinations[0].to_free
        stopped = first.stopped
        assert stopped == (
            f"{dest} is full: {copied} of {PHOTOS} photos copied; the {left} left need "
            f"{human_bytes(figure)} more — free that much and ingest again to finish."
        )
        # The figure: the sizes not copied less the free space, plus the margin
        # (the reserve, each file's last block and one more for its journal line),
        # rounded up to the 0.1 MB shown.
        plain = left * PHOTO_BYTES - free_after
        margin = RESERVE + left * 2 * BLOCK
        assert plain + RESERVE <= figure <= plain + margin + 100_000
        shown = float(re.search(r"need ([\d.]+) MB more", stopped).group(1))  # type: ignore[union-attr]
        assert shown * 1_000_000 == figure  # the sentence never shows less than it means

        # Free exactly that much (the disk grows by the figure): the next ingest
        # finishes, reading only what is left and leaving the kept copies alone.
        ids = {p: (p.stat().st_ino, p.stat().st_mtime_ns) for p in kept}
        resize_disk(dest, os.statvfs(dest).f_blocks * BLOCK + figure)
        rest = _ingest(tmp_path / "card", dest)
        assert rest.complete, rest.stopped
        assert rest.copied == left and rest.destinations[0].present == copied
        assert rest.bytes_read == left * PHOTO_BYTES  # nothing copied twice
        assert {p: (p.stat().st_ino, p.stat().st_mtime_ns) for p in kept} == ids
        placed = files_under(dest)
        assert len(placed) == PHOTOS and digests(placed) == digests(photos)
        report(
            "ingest-nearly-full",
            photos=PHOTOS,
            kept_at_first=copied,
            figure_mb=figure / 1e6,
            sizes_left_less_free_mb=round(plain / 1e6, 2),
            free_after_the_rest_kb=_free(dest) // 1000,
        )
    assert card_state(tmp_path / "card") == before

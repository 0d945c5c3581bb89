"""Ejecting a card (curator/ingest/eject.py), which volumes are cards
(ui/ingest/cards.py), and the dialog's sentences (ui/ingest/text.py)."""

from __future__ import annotations

import sys
from dataclasses import replace
from pathlib import Path

import pytest

from curator.ingest.eject import eject, eject_command
from curator.ingest.plan import PlannedName
from curator.ingest.types import IngestProgress, IngestRequest
from curator.ui.ingest.cards import Volume, cards_among
from curator.ui.ingest.controller import IngestPreview
from curator.ui.ingest.text import fits, names_text, preview_text, progress_text


def tools(*present: str):  # type: ignore[no-untyped-def]
    return lambda name: f"/usr/bin/{name}" if name in present else None


def test_each_system_ejects_with_its_own_tool_or_not_at_all() -> None:
    card = "/media/me/EOS_DIGITAL"
    linux = eject_command(card, "/dev/sdb1", platform="linux", which=tools("gio", "udisksctl"))
    assert linux == ["/usr/bin/gio", "mount", "-e", card]
    udisks = eject_command(card, "/dev/sdb1", platform="linux", which=tools("udisksctl"))
    assert udisks == ["/usr/bin/udisksctl", "unmount", "--no-user-interaction", "-b", "/dev/sdb1"]
    assert eject_command(card, "", platform="linux", which=tools("udisksctl")) is None
    assert eject_command(card, platform="linux", which=tools()) is None
    assert eject_command("/Volumes/EOS", platform="darwin", which=tools("diskutil")) == [
        "/usr/bin/diskutil",
        "eject",
        "/Volumes/EOS",
    ]
    windows = eject_command("E:\\", platform="win32", which=tools("powershell"))
    assert windows is not None and "ParseName('E:')" in windows[-1]
    assert eject_command("\\\\server\\share", platform="win32", which=tools("powershell")) is None
    assert eject_command(card, platform="sunos5", which=tools("gio")) is None


def test_eject_says_whether_the_card_may_be_taken_out(tmp_path: Path) -> None:
    ok = eject("EOS_DIGITAL", "/media/x", command=[sys.executable, "-c", "pass"])
    assert ok == "The card EOS_DIGITAL was ejected: you can take it out."
    busy = eject(
        "EOS_DIGITAL",
        "/media/x",
        command=[sys.executable, "-c", "import sys; sys.exit('target is busy.')"],
    )
    assert "could not be ejected (target is busy)" in busy and "file manager" in busy
    gone = eject("EOS_DIGITAL", "/media/x", command=[str(tmp_path / "no-such-tool")])
    assert "could not be ejected" in gone


def test_a_card_is_a_volume_with_a_dcim_folder(tmp_path: Path) -> None:
    (tmp_path / "card" / "DCIM").mkdir(parents=True)
    (tmp_path / "disk").mkdir()
    card = Volume(str(tmp_path / "card"), "EOS_DIGITAL", "/dev/sdb1", 64_000_000_000, 10)
    volumes = [card, Volume(str(tmp_path / "disk"), "DATA", "/dev/sda1", 1, 1), card]
    (found,) = cards_among(volumes)
    assert found.dcim == str(tmp_path / "card" / "DCIM")
    assert found.label == f"EOS_DIGITAL — 64.0 GB card at {tmp_path / 'card'}"


@pytest.fixture
def request_() -> IngestRequest:
    return IngestRequest("/media/card/DCIM", "/photos")


def test_the_preview_says_what_ingest_would_do(request_: IngestRequest) -> None:
    preview = IngestPreview(
        1,
        request_,
        (
            PlannedName("100/DSC1.ARW", "2024/DSC1.ARW", True),
            PlannedName("100/DSC0.ARW", "", False),
        ),
        photos=412,
        files=500,
        size=12_300_000_000,
        known=2,
        free=(("/photos", 3_100_000_000), ("/backup", 900_000_000_000)),
        problems=1,
        owed=(12_200_000_000, 12_200_000_000),
        short=(9_200_000_000, 0),
    )
    text = preview_text(preview)
    assert text.startswith("412 photos (12.3 GB) in /media/card/DCIM; 2 were ingested before")
    assert (
        "/photos has 3.1 GB free, not enough for the 12.2 GB to copy there: free 9.2 GB more "
        "first, or Curator copies the photos that fit and then says what is left."
    ) in text
    assert "/backup has 900 GB free." in text
    assert not fits(preview)
    assert fits(replace(preview, short=(0, 0)))
    assert "not enough" not in preview_text(replace(preview, short=(0, 0)))
    assert "1 file can't be read (it is listed after the ingest)." in text
    assert names_text(preview).splitlines() == [
        "100/DSC1.ARW  →  2024/DSC1.ARW",
        "100/DSC0.ARW  (ingested before: skipped)",
    ]
    refused = IngestPreview(2, request_, error="The destination is inside the card.")
    assert preview_text(refused) == "The destination is inside the card."


def test_progress_shows_photos_bytes_rate_and_time_left() -> None:
    p = IngestProgress(123, 412, 3_100_000_000, 12_300_000_000, 31.0)
    assert progress_text(p) == (
        "123 of 412 photos · 3.1 GB of 12.3 GB · 100 MB/s · about 1 min 32 s left"
    )
    assert progress_text(IngestProgress(0, 5, 0, 10, 0.0)) == "0 of 5 photos · 0 bytes of 10 bytes"

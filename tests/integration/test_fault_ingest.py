"""Fault suite, ingest (issue 33 §3): a real `curator ingest` killed with
SIGKILL at any moment, a destination that fills up, a backup that fails while
the primary completes, a card file that can't be read — each time the card
untouched, no partial file under a final name, and ingesting again finishes
the job with every photo copied and verified once and no duplicate in the
catalog.

The full disk is a real tmpfs where the test may mount one (root, Linux),
grown afterwards with `mount -o remount,size=`; elsewhere (and besides) a
file-size limit on the ingesting process (RLIMIT_FSIZE, SIGXFSZ ignored:
EFBIG, which Curator reads as a full disk).
"""

from __future__ import annotations

import json
import resource
import signal
import sqlite3
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from curator.ingest.journal import JOURNAL_NAME
from curator.ingest.types import human_bytes
from tests.card_helpers import Card, card_state, make_card
from tests.integration.fault_helpers import report
from tests.integration.ingest_helpers import (
    HANG_S,
    assert_each_card_file_once,
    assert_nothing_half_written,
    catalog_paths,
    ingest_process,
    resize_disk,
    run_ingest_cli,
    small_disk,
)
from tests.unprivileged import as_unprivileged, open_tmp

RENAME = "{date:%Y%m%d}-{seq}"
MB = 1_000_000


def _journal_lines(root: Path) -> int:
    try:
        return (root / JOURNAL_NAME).read_text().count("\n")
    except FileNotFoundError:
        return 0


def _photos_in_catalog(home: Path) -> int:
    try:
        con = sqlite3.connect(f"{(home / 'catalog.sqlite').as_uri()}?mode=ro", uri=True)
        try:
            return int(con.execute("SELECT count(*) FROM photo").fetchone()[0])
        finally:
            con.close()
    except sqlite3.Error:
        return 0


def _moments(dest: Path, home: Path, files: int) -> dict[str, Callable[[], bool]]:
    return {
        # a copy being written: a temporary file beside placed ones
        "mid-file": lambda: (
            _journal_lines(dest) >= 2
            and any(p.name.startswith(".curator-tmp-") for p in dest.iterdir())
        ),
        "between-files": lambda: _journal_lines(dest) >= files // 2,
        "importing": lambda: _photos_in_catalog(home) > 0,  # every copy placed, import on
    }


@pytest.mark.parametrize("moment", ["mid-file", "between-files", "importing"])
def test_kill_9_at_any_moment_then_ingest_again(tmp_path: Path, moment: str) -> None:
    card = make_card(tmp_path / "card", pairs=8, dng_edge=1600)
    before = card_state(tmp_path / "card")
    home, dest, backup = tmp_path / "home", tmp_path / "photos", tmp_path / "backup"
    args = (str(card.root), "--to", str(dest), "--backup", str(backup), "--rename", RENAME)
    files = len(card.photos) + len(card.companions)
    proc = ingest_process(home, *args, "--no-progress")
    condition = _moments(dest, home, files)[moment]
    deadline = time.monotonic() + HANG_S
    while not (dest.is_dir() and condition()):
        assert proc.poll() is None, f"the ingest ended before {moment}: {proc.communicate()}"
        assert time.monotonic() < deadline
        time.sleep(0.002)
    proc.send_signal(signal.SIGKILL)
    proc.communicate(timeout=HANG_S)
    placed_at_kill = _journal_lines(dest)
    leftovers = sum(
        1 for root in (dest, backup) if root.is_dir() for _ in root.glob(".curator-tmp-*")
    )
    for root in (dest, backup):
        assert_nothing_half_written(root, card, killed=True)  # no partial file, final names

    code, result, err = run_ingest_cli(home, *args)
    assert code == 0, (result, err)
    assert result["complete"] and result["failed"] == []
    for root in (dest, backup):
        assert_each_card_file_once(root, card)  # nothing copied twice, nothing missing
    paths = catalog_paths(home)
    assert len(paths) == len(card.photos) == len(set(paths))  # no duplicate photo
    assert all(p.startswith(str(dest)) for p in paths)
    assert card_state(tmp_path / "card") == before
    report(
        f"ingest-kill[{moment}]",
        files=files,
        journal_lines_at_kill=placed_at_kill,
        temps_left_by_the_kill=leftovers,
        copied_after=result["copied"],
        catalogued=len(paths),
    )


def _limit_file_size(limit: int) -> Callable[[], None]:
    def limited() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # EFBIG instead of a killed process
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    return limited


def _full_card(tmp_path: Path) -> Card:
    """Small pairs first, then a RAW too big for the limited disk."""
    card = make_card(tmp_path / "card", pairs=3)
    big = make_card(tmp_path / "big", pairs=1, dng_edge=1600, first=50)
    folder = card.root / "100CURAT"
    moved = [folder / p.name for p in big.photos]
    for src, dst in zip(big.photos, moved, strict=True):
        src.rename(dst)
    return Card(card.root, card.photos + moved, card.companions, 4)


@pytest.mark.parametrize("medium", ["tmpfs", "file-size-limit"])
def test_a_full_destination_stops_with_the_sentence_and_the_next_ingest_finishes(
    tmp_path: Path, medium: str
) -> None:
    card = _full_card(tmp_path)
    before = card_state(tmp_path / "card")
    home = tmp_path / "home"
    limit = None
    if medium == "tmpfs":
        disk_cm = small_disk(tmp_path / "disk", 2 * MB)
        dest = disk_cm.__enter__()
    else:
        dest, limit = tmp_path / "photos", _limit_file_size(2 * MB)
    try:
        args = (str(card.root), "--to", str(dest), "--rename", RENAME)
        code, result, err = run_ingest_cli(home, *args, preexec_fn=limit)
        assert code == 1, err
        stopped = result["stopped"]
        assert stopped.startswith(f"{dest} is full: ") and "ingest again to finish" in stopped
        copied = result["copied"]
        assert 0 < copied < len(card.photos)
        assert f"{copied} of {len(card.photos)} photos copied; the " in stopped
        figure = result["destinations"][0]["to_free"]
        assert figure > 0 and f" left need {human_bytes(figure)} more — free " in stopped
        assert_nothing_half_written(dest, card)
        assert result["import"]["new"] == copied  # what landed is catalogued already
        if medium == "tmpfs":
            resize_disk(dest, 64 * MB)
        code, result, err = run_ingest_cli(home, *args)
        assert code == 0, err
        assert result["copied"] == len(card.photos) - copied and result["complete"]
        assert_each_card_file_once(dest, card)
        assert len(set(catalog_paths(home))) == len(card.photos)
        assert card_state(tmp_path / "card") == before
        report(f"ingest-full[{medium}]", photos=len(card.photos), before_full=copied)
    finally:
        if medium == "tmpfs":
            disk_cm.__exit__(None, None, None)


def test_a_failing_backup_never_stops_the_primary_and_is_completed_later(
    tmp_path: Path,
) -> None:
    card = make_card(tmp_path / "card", pairs=4, dng_edge=1200)
    home, dest = tmp_path / "home", tmp_path / "photos"
    with small_disk(tmp_path / "backup-disk", 5 * MB) as backup:
        args = (str(card.root), "--to", str(dest), "--backup", str(backup), "--rename", RENAME)
        code, result, err = run_ingest_cli(home, *args)
        assert code == 1, err
        primary, second = result["destinations"]
        assert primary["copied"] == len(card.photos) and primary["error"] is None
        assert second["error"].startswith(f"The backup {backup} is full: ")
        assert not result["stopped"]  # the ingest itself finished: the primary did
        missing = result["no_backup"]
        assert 0 < len(missing) == len(card.photos) - second["copied"]
        assert result["import"]["new"] == len(card.photos)
        assert_each_card_file_once(dest, card)
        assert_nothing_half_written(backup, card)

        resize_disk(backup, 64 * MB)
        code, result, err = run_ingest_cli(home, *args)
        assert code == 0, err
        assert result["copied"] == 0 and result["no_backup"] == []
        assert result["destinations"][1]["copied"] == len(missing)
        assert_each_card_file_once(backup, card)
    report("ingest-backup-full", photos=len(card.photos), without_backup_at_first=len(missing))


def test_an_unreadable_card_file_is_a_sentence_and_the_rest_lands() -> None:
    from curator.ingest.plan import plan_ingest
    from curator.ingest.run import run_ingest
    from curator.ingest.types import IngestRequest

    with open_tmp() as base:
        card = make_card(base / "card", pairs=2)
        for folder in (base / "card", *(base / "card").rglob("*")):
            if folder.is_dir():
                folder.chmod(0o755)
        locked = card.photos[1]  # the first pair's JPEG
        locked.chmod(0o000)
        dest = base / "photos"
        dest.mkdir(mode=0o777)
        dest.chmod(0o777)
        request = IngestRequest(str(card.root), str(dest), rename=RENAME)

        def ingest() -> tuple[list[tuple[str, str]], int]:
            result = run_ingest(plan_ingest(request, known=frozenset()))
            return [(f.source, f.reason) for f in result.failures], result.copied

        kind, value = as_unprivileged(ingest, ("curator.ingest.run", "curator.imaging.exif"))  # type: ignore[misc]
        assert kind == "ok", value
        failures, copied = value
        assert failures == [
            (
                "100CURAT/DSC00001.JPG",
                "Curator may not read this file on the card (permission denied).",
            )
        ]
        assert copied == len(card.photos) - 1
        assert json.dumps(failures)  # plain sentences, nothing else

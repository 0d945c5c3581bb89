"""`curator watch FOLDER --copy-to DEST` (issue 75 §5): a real subprocess
watching a folder the test writes real camera files into, each frame also
copied to DEST as it lands — byte for byte, named by the templates, a RAW+JPEG
pair under one name, its result in the `--json` line; killed with SIGKILL and
started again, what landed meanwhile is backed up and nothing is copied
twice; DEST turning read-only is a sentence, the watch goes on and the frames
that waited are copied once DEST can take them."""

from __future__ import annotations

import shutil
import signal
import subprocess
from pathlib import Path

from curator.ingest.journal import JOURNAL_NAME
from tests.integration.ingest_helpers import small_disk
from tests.integration.watch_helpers import WatchProcess, write_then_rename

TEMPLATES = ("--rename", "shoot-{seq}", "--subfolder", "")
FRAMES = (  # real camera files (../shared/fixtures), in the order the camera sends them
    "jpeg/canon_sx60_hdr_NO.jpg",
    "jpeg/nikon_d70s_dark.jpg",
    "jpeg/olympus_ep3_iso1600.jpg",
)

PAIRED = "jpeg/jolla_leaf_soft.jpg"  # the JPEG beside the RAW


def _copies(dest: Path) -> list[str]:
    return sorted(p.name for p in dest.iterdir() if p.is_file() and not p.name.startswith("."))


def _journal_lines(dest: Path) -> int:
    return (dest / JOURNAL_NAME).read_text().count("\n")


def _land(proc: WatchProcess, tether: Path, source: Path, name: str) -> dict[str, object]:
    """`source` lands in the watched folder as `name`; its arrival line."""
    write_then_rename(tether / name, source.read_bytes())
    proc.until(lambda: name in proc.names())
    return next(a for a in proc.arrivals if a["path"] == str(tether / name))


def test_each_frame_is_copied_as_it_lands_and_a_restart_copies_nothing_twice(
    tmp_path: Path, fixtures_dir: Path, curator_home: Path
) -> None:
    tether, dest = tmp_path / "tether", tmp_path / "backup"
    tether.mkdir()
    sources = [fixtures_dir / f for f in FRAMES]
    first = WatchProcess(tether, "--copy-to", str(dest), *TEMPLATES).watching()
    try:
        assert any(f"copying each frame to {dest}" in s for s in first.sentences)
        for i, source in enumerate(sources, start=1):
            arrival = _land(first, tether, source, source.name)
            assert arrival["backup"] == {
                "status": "copied",
                "copy": str(dest / f"shoot-{i:04d}.jpg"),
                "reason": "",
            }
        # A RAW and its JPEG: one name for both.
        raw, mate = fixtures_dir / "raw/LG-H815_sample_1mp.dng", fixtures_dir / PAIRED
        shutil.copyfile(raw, tmp_path / "pair.dng")
        shutil.copyfile(mate, tmp_path / "pair.jpg")
        (tmp_path / "pair.dng").rename(tether / "LG_0001.dng")
        (tmp_path / "pair.jpg").rename(tether / "LG_0001.jpg")
        first.until(lambda: {"LG_0001.dng", "LG_0001.jpg"} <= set(first.names()))
        pair = {a["path"]: a["backup"] for a in first.arrivals if "LG_0001" in str(a["path"])}
        assert {b["copy"] for b in pair.values()} == {  # type: ignore[index]
            str(dest / "shoot-0004.dng"),
            str(dest / "shoot-0004.jpg"),
        }
        assert {b["status"] for b in pair.values()} == {"copied"}  # type: ignore[index]
    finally:
        first.kill()  # SIGKILL: no handler runs; everything landed had been backed up
    expected = {f"shoot-{i:04d}.jpg": s for i, s in enumerate(sources, start=1)}
    expected |= {"shoot-0004.dng": raw, "shoot-0004.jpg": mate}
    assert _copies(dest) == sorted(expected)
    for name, source in expected.items():
        assert (dest / name).read_bytes() == source.read_bytes()
    assert not any(p.name.startswith(".curator-tmp") for p in dest.iterdir())
    lines = _journal_lines(dest)
    # Landed while Curator was not running: the next start backs it up, once.
    late = fixtures_dir / "jpeg/sony_a200_unset_clock.jpg"
    shutil.copyfile(late, tether / late.name)
    second = WatchProcess(tether, "--copy-to", str(dest), *TEMPLATES).watching()
    try:
        second.until(lambda: late.name in second.names())
        [arrival] = second.arrivals
        assert arrival["backup"]["status"] == "copied"  # type: ignore[index]
        assert arrival["backup"]["copy"] == str(dest / "shoot-0005.jpg")  # type: ignore[index]
        assert second.stop() == 0
    finally:
        if second.proc.poll() is None:
            second.kill()
    assert (dest / "shoot-0005.jpg").read_bytes() == late.read_bytes()
    assert _copies(dest) == sorted([*expected, "shoot-0005.jpg"])
    assert _journal_lines(dest) == lines + 1  # the frames it held were not copied again
    assert any(f"the backup folder {dest} holds 6." in s for s in second.sentences)


def test_a_bad_backup_is_refused_before_the_watch(tmp_path: Path, curator_home: Path) -> None:
    from tests.integration.cli_helpers import curator_subprocess

    tether = tmp_path / "tether"
    tether.mkdir()
    proc = curator_subprocess("watch", str(tether), "--copy-to", str(tether / "copies"))
    _out, err = proc.communicate(timeout=120)
    assert proc.returncode == 2
    assert "inside the watched folder" in err
    proc = curator_subprocess("watch", str(tether), "--rename", "{seq}")
    _out, err = proc.communicate(timeout=120)
    assert proc.returncode == 2 and "give it too" in err


def test_a_read_only_backup_folder_is_a_sentence_and_the_watch_goes_on(
    tmp_path: Path, fixtures_dir: Path, curator_home: Path
) -> None:
    tether = tmp_path / "tether"
    tether.mkdir()
    sources = [fixtures_dir / f for f in FRAMES]
    with small_disk(tmp_path / "disk", 64_000_000) as disk:
        dest = disk / "backup"
        proc = WatchProcess(tether, "--copy-to", str(dest), *TEMPLATES).watching()
        try:
            assert _land(proc, tether, sources[0], "A.jpg")["backup"]["status"] == "copied"  # type: ignore[index]
            subprocess.run(["mount", "-o", "remount,ro", str(disk)], check=True)
            arrival = _land(proc, tether, sources[1], "B.jpg")
            assert arrival["status"] == "new"  # measured as ever: the watch goes on
            backup = arrival["backup"]
            assert backup["status"] == "failed" and backup["copy"] is None  # type: ignore[index]
            assert "read-only disk" in backup["reason"]  # type: ignore[index]
            assert any("read-only disk" in s for s in proc.sentences)
            third = _land(proc, tether, sources[2], "C.jpg")
            assert third["status"] == "new" and third["backup"]["status"] == "failed"  # type: ignore[index]
            subprocess.run(["mount", "-o", "remount,rw", str(disk)], check=True)
            proc.until(lambda: any("takes copies again" in s for s in proc.sentences))
            assert proc.stop() == 0
        finally:
            if proc.proc.poll() is None:
                proc.kill()
            subprocess.run(["mount", "-o", "remount,rw", str(disk)], check=False)
        assert _copies(dest) == ["shoot-0001.jpg", "shoot-0002.jpg", "shoot-0003.jpg"]
        for i, source in enumerate(sources, start=1):
            assert (dest / f"shoot-{i:04d}.jpg").read_bytes() == source.read_bytes()
        assert any(f"the backup folder {dest} holds 3." in s for s in proc.sentences)


def test_frames_not_backed_up_when_it_stops_are_said_and_exit_1(
    tmp_path: Path, fixtures_dir: Path, curator_home: Path
) -> None:
    tether = tmp_path / "tether"
    tether.mkdir()
    blocker = tmp_path / "unplugged"
    blocker.write_text("a file where the backup's parent folder should be")
    proc = WatchProcess(tether, "--copy-to", str(blocker / "backup"), *TEMPLATES).watching()
    try:
        arrival = _land(proc, tether, fixtures_dir / FRAMES[0], "A.jpg")
        assert arrival["backup"]["status"] == "failed"  # type: ignore[index]
        reason = arrival["backup"]["reason"]  # type: ignore[index]
        assert f"Writing into the backup folder {blocker / 'backup'} failed" in reason
        assert proc.stop(signal.SIGINT) == 1
    finally:
        if proc.proc.poll() is None:
            proc.kill()
    assert any("1 frame not backed up yet" in s for s in proc.sentences)

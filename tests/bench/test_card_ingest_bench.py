"""Card ingest benchmark (issue 33 §4): copying a card into two destinations,
verified, against `cp` of the same files in the same run; and the first tile
in the grid after File ▸ Ingest from Card… starts.

Run with ``make bench`` (``pytest tests/bench -m bench -s -q``). Not the
technical stage's throughput (that is test_ingest_bench.py, an older name).

The card: `WANTED_PAIRS` generated 24 MP JPEG+RAW pairs in one folder (a
6000 x 4000 uncompressed 12-bit DNG embedding a full-size JPEG preview, as
camera RAWs do, and the detailed 6000 x 4000 JPEG itself; each pair's bytes
made unique by its capture time), 500 as the issue asks
(`CURATOR_BENCH_CARD_PAIRS` sets it), fewer when the disk has not room for
the card and two copies within a quarter of its free space (the disk is
shared; the run says how many it used and why). The source and both
destinations are folders of one temporary folder: the same disk.

Copy throughput, `ROUNDS` interleaved rounds, the fastest of each kept (the
machines these run on are shared), every timed run starting with the
card's pages dropped from the OS cache (`posix_fadvise DONTNEED` on each of
its files: ours only, never the system's):
- cp: ``cp -r SOURCE DEST1``, ``cp -r SOURCE DEST2``, then ``sync`` (the
  copies on the disk, as ours are when it returns);
- ours: `plan_ingest` + `run_ingest` into DEST1 and DEST2, the engine the
  CLI and the window run (renamed by a template, every copy synced and read
  back from the disk, journals written; the catalog import is not timed);
- floor: what any true verification costs on this disk: cp's run, then every
  copy read back once from the disk (its pages dropped first).
Budget: ours <= `MAX_OVER_CP` (1.3) x cp. Printed too: ours / floor, MB/s,
and ours' CPU seconds.

First tile: the real app (offscreen, 1280 x 800) ingests the first
`TILE_PAIRS` pairs of the card (hard links: the same files); timed from
`IngestController.start` until the grid's first tile paints a thumbnail
(printed too: when the first copies landed, verified).
Budget: <= `FIRST_TILE_BUDGET_S` (2 s). The baseline, in the same run: a
plain import of those files (File ▸ Import Folder…), timed the same way —
the share of the time that is the pipeline's, not the copy's.

Results: card-ingest.json in the bench results folder (tests/bench/results.py).
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from curator.app import App
from curator.ingest.plan import plan_ingest
from curator.ingest.run import run_ingest
from curator.ingest.types import IngestRequest
from tests.bench.results import merge_results, results_path
from tests.imaging_helpers import make_dng, texture
from tests.raw_helpers import add_jpeg_preview
from tests.ui.conftest import running_app

pytestmark = pytest.mark.bench

WANTED_PAIRS = int(os.environ.get("CURATOR_BENCH_CARD_PAIRS", "500"))
DISK_SHARE = 0.25  # of the free space, for the card and two copies
ROUNDS = 2
MAX_OVER_CP = 1.3
TILE_PAIRS = 20
FIRST_TILE_BUDGET_S = 2.0
RENAME, SUBFOLDER = "{date:%Y%m%d}-{seq}", "{date:%Y}/{date:%m-%d}"
STAMP = b"2024:05:12 10:00:00"
RESULTS = results_path("card-ingest.json")


@dataclass(frozen=True)
class BenchCard:
    root: Path  # the card folder
    work: Path  # where the destinations go (the same disk)
    pairs: int
    size: int  # bytes
    why: str  # how the number of pairs was chosen


def _templates(folder: Path) -> tuple[bytes, bytes]:
    folder.mkdir(parents=True, exist_ok=True)
    when = datetime(2024, 5, 12, 10, 0, 0)
    dng = make_dng(folder / "t.DNG", 6000, 4000, captured_at=when, make="SONY", model="ILCE-7M3")
    exif = Image.Exif()
    exif[0x010F], exif[0x0110] = "SONY", "ILCE-7M3"
    exif.get_ifd(0x8769)[0x9003] = STAMP.decode()
    grey = texture(6000, 4000, block=6)
    rgb = np.stack([grey, np.roll(grey, 7, axis=1), np.roll(grey, 13, axis=0)], axis=-1)
    shade = np.linspace(0.6, 1.0, 6000, dtype=np.float32)[None, :, None]
    picture = Image.fromarray((rgb * shade).astype(np.uint8))
    picture.save(folder / "t.JPG", "JPEG", quality=92, exif=exif)
    add_jpeg_preview(dng, picture)  # as every camera's RAW carries one
    return dng.read_bytes(), (folder / "t.JPG").read_bytes()


@pytest.fixture(scope="module")
def card() -> Iterator[BenchCard]:
    work = Path(tempfile.mkdtemp(prefix="curator-card-bench-"))
    try:
        dng, jpg = _templates(work / "templates")
        pair = len(dng) + len(jpg)
        room = int(shutil.disk_usage(work).free * DISK_SHARE) // (3 * pair)
        pairs = min(WANTED_PAIRS, room)
        why = (
            f"{WANTED_PAIRS} asked"
            if pairs == WANTED_PAIRS
            else f"{WANTED_PAIRS} asked; the disk has room for {room} in {DISK_SHARE:.0%} "
            "of its free space (source + two copies)"
        )
        assert pairs >= TILE_PAIRS, why
        root = work / "card" / "DCIM" / "100CURAT"
        root.mkdir(parents=True)
        start = datetime(2024, 5, 12, 10, 0, 0)
        for i in range(pairs):
            stamp = (start + timedelta(seconds=i)).strftime("%Y:%m:%d %H:%M:%S").encode()
            for data, ext in ((dng, "DNG"), (jpg, "JPG")):
                (root / f"DSC{i + 1:05d}.{ext}").write_bytes(data.replace(STAMP, stamp))
        subprocess.run(["sync"], check=True)
        yield BenchCard(work / "card" / "DCIM", work, pairs, pairs * pair, why)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _drop_cache(root: Path) -> None:
    """The pages of these files only, out of the OS cache (the next read is the disk's)."""
    for path in root.rglob("*"):
        if path.is_file():
            fd = os.open(path, os.O_RDONLY)
            try:
                os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
            finally:
                os.close(fd)


def _fresh(*folders: Path) -> None:
    for folder in folders:
        shutil.rmtree(folder, ignore_errors=True)
    subprocess.run(["sync"], check=True)


def _cp(card: BenchCard, d1: Path, d2: Path) -> float:
    start = time.perf_counter()
    for dest in (d1, d2):
        subprocess.run(["cp", "-r", str(card.root), str(dest)], check=True)
    subprocess.run(["sync"], check=True)
    return time.perf_counter() - start


def _read_back(*folders: Path) -> None:
    for folder in folders:
        _drop_cache(folder)
        for path in folder.rglob("*"):
            if path.is_file():
                with open(path, "rb", buffering=0) as f:
                    while f.read(8 << 20):
                        pass


def _ours(card: BenchCard, d1: Path, d2: Path) -> tuple[float, float]:
    request = IngestRequest(str(card.root), str(d1), str(d2), RENAME, SUBFOLDER)
    cpu = resource.getrusage(resource.RUSAGE_SELF)
    start = time.perf_counter()
    result = run_ingest(plan_ingest(request, known=frozenset()))
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_SELF)
    assert result.complete and result.copied == 2 * card.pairs, result.stopped
    assert result.verified == 4 * card.pairs
    return wall, (after.ru_utime - cpu.ru_utime) + (after.ru_stime - cpu.ru_stime)


@pytest.mark.timeout(7200)
def test_ingest_with_verification_against_cp_to_both_destinations(card: BenchCard) -> None:
    d1, d2 = card.work / "dest1", card.work / "dest2"
    times: dict[str, list[float]] = {"cp": [], "ours": [], "floor": []}
    cpu_s: list[float] = []
    for _ in range(ROUNDS):
        _fresh(d1, d2)
        _drop_cache(card.root)
        times["cp"].append(_cp(card, d1, d2))
        _fresh(d1, d2)
        _drop_cache(card.root)
        wall, cpu = _ours(card, d1, d2)
        times["ours"].append(wall)
        cpu_s.append(cpu)
        _fresh(d1, d2)
        _drop_cache(card.root)
        start = time.perf_counter()
        _cp(card, d1, d2)
        _read_back(d1, d2)
        times["floor"].append(time.perf_counter() - start)
    _fresh(d1, d2)
    best = {k: min(v) for k, v in times.items()}
    mb = card.size / 1e6
    report = {
        "pairs": card.pairs,
        "pairs_why": card.why,
        "card_mb": round(mb),
        "rounds": ROUNDS,
        "cp_s": round(best["cp"], 2),
        "ours_s": round(best["ours"], 2),
        "floor_s": round(best["floor"], 2),
        "ours_over_cp": round(best["ours"] / best["cp"], 3),
        "ours_over_floor": round(best["ours"] / best["floor"], 3),
        "ours_mb_per_s": round(mb / best["ours"], 1),
        "cp_mb_per_s": round(mb / best["cp"], 1),
        "ours_cpu_s": round(min(cpu_s), 2),
        "all_s": {k: [round(t, 2) for t in v] for k, v in times.items()},
        "budget_ours_over_cp": MAX_OVER_CP,
    }
    merge_results(RESULTS.name, {"copy": report})
    print("\ncard ingest, two destinations on one disk:", json.dumps(report, indent=1))
    assert report["ours_over_cp"] <= MAX_OVER_CP, report


def _first_tile(app: App) -> bool:
    model = app.model
    return model.rowCount() > 0 and (
        model.data(model.index(0), Qt.ItemDataRole.DecorationRole) is not None
    )


@pytest.fixture
def tile_card(card: BenchCard, tmp_path: Path) -> Path:
    """The card's first `TILE_PAIRS` pairs, hard-linked into a card of their own."""
    folder = tmp_path / "card" / "DCIM"
    folder.mkdir(parents=True)
    for path in sorted(p for p in card.root.rglob("*") if p.is_file())[: 2 * TILE_PAIRS]:
        os.link(path, folder / path.name)
    return folder


@pytest.mark.timeout(1200)
def test_first_tile_after_the_ingest_starts(tile_card: Path, tmp_path: Path, qtbot: QtBot) -> None:
    with running_app(qtbot) as app:
        _drop_cache(tile_card)
        start = time.perf_counter()
        assert app.window.start_import(str(tile_card))
        qtbot.waitUntil(lambda: _first_tile(app), timeout=120_000)
        baseline = time.perf_counter() - start
        qtbot.waitUntil(lambda: not app.pipeline.running, timeout=600_000)
    os.environ["CURATOR_HOME"] = str(tmp_path / "second-home")  # an empty catalog again
    try:
        with running_app(qtbot) as app:
            assert app.ingest_slot is not None
            controller = app.ingest_slot()
            request = IngestRequest(
                str(tile_card), str(tmp_path / "d1"), str(tmp_path / "d2"), RENAME, SUBFOLDER
            )
            landed: list[float] = []
            controller.progress.connect(
                lambda p: landed.append(time.perf_counter()) if p.landed and not landed else None
            )
            _drop_cache(tile_card)
            start = time.perf_counter()
            assert controller.start(request)
            qtbot.waitUntil(lambda: _first_tile(app), timeout=120_000)
            first = time.perf_counter() - start
            with qtbot.waitSignal(controller.imported, timeout=600_000):
                pass
    finally:
        os.environ.pop("CURATOR_HOME", None)
    report = {
        "pairs": TILE_PAIRS,
        "first_tile_s": round(first, 3),
        "first_landed_s": round(landed[0] - start, 3),  # copied, verified, named
        "baseline_import_first_tile_s": round(baseline, 3),
        "budget_s": FIRST_TILE_BUDGET_S,
    }
    merge_results(RESULTS.name, {"first_tile": report})
    print("\nfirst tile after the ingest starts:", json.dumps(report))
    assert first <= FIRST_TILE_BUDGET_S, report

"""Quick look benchmark: pointed at 1,000 three-megapixel JPEGs, how soon is
every one in the grid? (issue 10 §2; docs/product.md budget: every one of the
1,000 in the grid <= 5 s, quick look before measuring).

Run with ``make bench`` (``pytest tests/bench -m bench -s -q``). Inputs are
generated in a temporary folder: `N_FILES` 2048 x 1536 JPEGs as a camera
writes them — an EXIF block with a 160 x 120 thumbnail — whose bytes differ
by their EXIF (one encoded picture, a different camera serial per file, so
every file is its own photo), plus the same without EXIF
thumbnails (the DCT 1/8 path): a folder of JPEGs without EXIF thumbnails
is common (phones, exports, scans).

What is timed is what the user sees, in the real app (`running_app`: the
main window, the pipeline service, its child processes), from
`start_import(folder)` (see `_import_timed`): every file in the grid and
the screen's tiles filled within 5 s, a jump to the end filled within 1 s
(bar U2), every thumbnail within 5 s — or, for files without one, within
1.5x the physical floor of decoding them all at DCT 1/8 on this machine's
cores (~10 ms of CPU per 1 MB file: 1,000 of them are ~5 s of 2 cores;
measured in the same run, `_decode_floor_s`) — and the import's end (every photo
measured). "before" runs the same import
with the quick look planned empty (`pipeline.service.plan_quick_look`
patched to return no job), i.e. photos reach the grid only once measured,
as before the split. Results go to quick-look.json in the bench results
folder (tests/bench/results.py).
"""

from __future__ import annotations

import io
import json
import os
import struct
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PIL import Image
from pytestqt.qtbot import QtBot

from curator.pipeline import service as service_module
from tests.bench.results import results_path
from tests.raw_helpers import exif_with_thumbnail
from tests.ui.conftest import running_app

pytestmark = pytest.mark.bench

N_FILES = 1000
WIDTH, HEIGHT = 2048, 1536
BUDGET_ALL_VISIBLE_S = 5.0
BUDGET_JUMP_S = 1.0  # bar U2: after a jump, the tiles on screen within 1 s
RESULTS = results_path("quick-look.json")


def _picture() -> Image.Image:
    """A photo-like picture: gradients, a disc and sensor-like noise (~1 MB as JPEG)."""
    y, x = np.mgrid[0:HEIGHT, 0:WIDTH].astype(np.float32)
    base = np.dstack([120 + 80 * x / WIDTH, 90 + 100 * y / HEIGHT, 160 - 60 * x / WIDTH])
    disc = (x - WIDTH * 0.6) ** 2 + (y - HEIGHT * 0.45) ** 2 < (HEIGHT * 0.25) ** 2
    base[disc] = 255 - base[disc]
    noise = np.random.default_rng(7).normal(0, 9, size=(HEIGHT, WIDTH, 1))
    return Image.fromarray(np.clip(base + noise, 0, 255).astype(np.uint8))


def _write_folder(folder: Path, *, thumbnails: bool) -> Path:
    folder.mkdir(parents=True)
    picture = _picture()
    encoded = io.BytesIO()
    picture.save(encoded, "JPEG", quality=90)
    body = encoded.getvalue()[2:]  # after SOI
    small = picture.copy()
    small.thumbnail((160, 120))
    boxed = Image.new("RGB", (160, 120))
    boxed.paste(small, (0, (120 - small.height) // 2))
    for index in range(N_FILES):
        model = f"Bench camera #{index:05d}"
        if thumbnails:
            exif = exif_with_thumbnail(boxed, model=model)
        else:
            exif = exif_with_thumbnail(Image.new("RGB", (8, 8)), model=model)
            exif = _without_ifd1(exif)
        app1 = b"\xff\xe1" + struct.pack(">H", len(exif) + 2) + exif
        (folder / f"IMG_{index:05d}.jpg").write_bytes(b"\xff\xd8" + app1 + body)
    return folder


def _without_ifd1(exif: bytes) -> bytes:
    """The same EXIF with IFD0's next-IFD pointer zeroed: no thumbnail."""
    tiff = bytearray(exif[6:])
    ifd0 = struct.unpack_from("<I", tiff, 4)[0]
    count = struct.unpack_from("<H", tiff, ifd0)[0]
    struct.pack_into("<I", tiff, ifd0 + 2 + 12 * count, 0)
    return exif[:6] + bytes(tiff)


@pytest.fixture(scope="module")
def folders(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Path]]:
    root = tmp_path_factory.mktemp("quick-look")
    yield {
        "camera": _write_folder(root / "camera", thumbnails=True),
        "plain": _write_folder(root / "plain", thumbnails=False),
    }


@pytest.fixture
def offline(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("CURATOR_OLLAMA_URL", "http://127.0.0.1:9")
    monkeypatch.setenv("CURATOR_CLIP_PRETRAINED", str(tmp_path / "no-such-weights.pt"))


def _keyed(model: Any, rows: range) -> bool:
    """Every row of `rows` has a thumbnail; False for none (a layout not done yet)."""
    return bool(rows) and all(
        (row := model.photo_row(r)) is not None and row.thumbnail_key for r in rows
    )


def _import_timed(qtbot: QtBot, folder: Path) -> dict[str, float]:
    """The marks, in seconds from `start_import`: first_visible (a first row),
    all_in_grid (every file a row), screen_filled (every tile on screen has a
    thumbnail), jump_filled (after a jump to the end once everything is in the
    grid: the time from the jump until that screen is filled: bar U2),
    all_thumbnails (the pipeline has handed the window every photo's thumbnail:
    in its quick look, its second round or its measurement; ui_thread_cpu and
    process_cpu: the CPU seconds spent until then), all_measured (the import
    finished). Every thumbnail is counted from the batches, not from the
    model's cached rows: rows off screen are re-read only when shown
    (`GalleryListModel.reload_rows`), so a row cached before its thumbnail
    came stays without it until scrolled to, as the user would see it."""
    with running_app(qtbot, 1400, 900) as app:
        model, view = app.model, app.window.gallery
        marks: dict[str, float] = {}
        start = time.perf_counter()
        cpu0, proc0 = time.thread_time(), time.process_time()
        jumped: list[float] = []
        thumbed: set[int] = set()  # photos whose thumbnail reached the window

        def on_added(ids: list[int]) -> None:
            rows = (model.row_for(pid) for pid in ids)
            looked = (model.photo_row(r) for r in rows if r is not None)
            thumbed.update(row.id for row in looked if row is not None and row.thumbnail_key)
            on_rows()

        def on_thumbnails(ids: list[int]) -> None:  # round two, or measured
            thumbed.update(ids)
            on_rows()

        def on_rows(*_args: Any) -> None:
            now = time.perf_counter() - start
            count = model.rowCount()
            if count and "first_visible_s" not in marks:
                marks["first_visible_s"] = now
            if count == N_FILES:
                marks.setdefault("all_in_grid_s", now)
            if count and "screen_filled_s" not in marks and _keyed(model, view.visible_rows()):
                marks["screen_filled_s"] = now
            if "screen_filled_s" in marks and count == N_FILES and not jumped:
                view.scrollToBottom()
                jumped.append(time.perf_counter() - start)
            elif jumped and "jump_filled_s" not in marks and _keyed(model, view.visible_rows()):
                marks["jump_filled_s"] = now - jumped[0]
            if len(thumbed) == N_FILES and "all_thumbnails_s" not in marks:
                marks["all_thumbnails_s"] = now
                # CPU seconds until then, which a busy machine does not inflate
                # as it does the wall times: the UI thread's (the window's own
                # work, these checks included) and this process's (+ writer,
                # pool threads; the decoder children are not counted).
                marks["ui_thread_cpu_s"] = time.thread_time() - cpu0
                marks["process_cpu_s"] = time.process_time() - proc0

        app.pipeline.photos_added.connect(on_added)
        app.pipeline.photos_changed.connect(on_thumbnails)
        app.pipeline.thumbnails_changed.connect(on_thumbnails)
        with qtbot.waitSignal(app.pipeline.completed, timeout=1_800_000):
            assert app.window.start_import(str(folder))
        marks["all_measured_s"] = time.perf_counter() - start
        assert model.rowCount() == N_FILES
        return {k: round(v, 2) for k, v in marks.items()}


def _decode_file(path: Path) -> None:
    from curator.imaging.quicklook import jpeg_quick_look

    jpeg_quick_look(path.read_bytes(), 320)


def _decode_floor_s(folder: Path) -> float:
    """The physical floor of round two, measured now (same machine, same load):
    the wall time of a DCT 1/8 decode of every file by one started process per
    core this process may use (at the window's decoder priority), with no
    catalog, no IPC of pixels, no window."""
    from concurrent.futures import ProcessPoolExecutor

    from curator.pipeline.stages.technical import DECODER_NICENESS

    cores = max(1, len(os.sched_getaffinity(0)))
    files = sorted(folder.iterdir())
    # At the priority the window's decoder children run at: the same share of
    # a busy machine.
    with ProcessPoolExecutor(cores, initializer=os.nice, initargs=(DECODER_NICENESS,)) as pool:
        list(pool.map(_decode_file, files[:cores]))  # started and warm
        start = time.perf_counter()
        list(pool.map(_decode_file, files, chunksize=16))
        return time.perf_counter() - start


CASES = {
    # name: (folder, quick look on)
    "camera jpeg, quick look": ("camera", True),
    "camera jpeg, before (measured only)": ("camera", False),
    "no exif thumbnail, quick look (DCT 1/8)": ("plain", True),
}


@pytest.mark.timeout(3600)
@pytest.mark.parametrize("case", list(CASES))
def test_every_photo_in_the_grid_within_five_seconds(
    case: str,
    folders: dict[str, Path],
    offline: None,
    qtbot: QtBot,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    folder, quick = CASES[case]
    if not quick:
        monkeypatch.setattr(service_module, "plan_quick_look", lambda *_args: [])
    # The floor brackets the import (measured just before and just after, the
    # mean used): on a shared machine the load drifts, and one floor measured
    # after the import alone moved the ratio by ±0.3 (5.0–12.6 s seen).
    before = _decode_floor_s(folders[folder]) if folder == "plain" else 0.0
    marks = _import_timed(qtbot, folders[folder])
    after = _decode_floor_s(folders[folder]) if folder == "plain" else 0.0
    floor = (before + after) / 2
    if floor:
        marks["decode_floor_s"] = round(floor, 2)
        marks["decode_floor_before_s"], marks["decode_floor_after_s"] = (
            round(before, 2),
            round(after, 2),
        )
    print(f"\n{case}: {marks}")
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    stored = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    stored.update({"files": N_FILES, case: marks})
    RESULTS.write_text(json.dumps(stored, indent=2) + "\n")
    if quick:  # with or without EXIF thumbnails, every file in the grid within the budget
        assert marks["all_in_grid_s"] <= BUDGET_ALL_VISIBLE_S, (case, marks)
        assert marks["screen_filled_s"] <= BUDGET_ALL_VISIBLE_S, (case, marks)
        assert marks["jump_filled_s"] <= BUDGET_JUMP_S, (case, marks)
        # Every thumbnail: 5 s, or (files without one) within 1.5x the decode floor.
        assert marks["all_thumbnails_s"] <= max(BUDGET_ALL_VISIBLE_S, 1.5 * floor), (case, marks)

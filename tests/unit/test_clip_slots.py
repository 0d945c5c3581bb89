"""The CLIP loader's shared-memory slots (`ml.clip_slots`): crops a worker process
writes reach the model's process unchanged, a slot is never lent twice while its
chunk may still write it, and every way shared memory can be missing ends on the
pipe, with the same crops."""

from __future__ import annotations

import os
import threading
from concurrent.futures import Future
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import numpy as np
import pytest

from curator.ml import clip_slots
from curator.ml.clip_batches import BatchLoader, merge_loaded
from curator.ml.clip_loading import LoaderPlan, end_loader_processes, load_chunk
from curator.ml.clip_pixels import PixelPlan, prepare_pixels
from curator.ml.clip_slots import SlotLender, release_slots, slot_lender, write_crops

PLAN = PixelPlan(
    short_side=32,
    resample=3,
    crop=(32, 32),
    mean=(0.5, 0.5, 0.5),
    std=(0.25, 0.25, 0.25),
)
CROP_BYTES = 32 * 32 * 3


def _photos(fixtures_dir: Path, count: int) -> list[str]:
    return [str(p) for p in sorted((fixtures_dir / "jpeg").glob("*.jpg"))[:count]]


def _in_shm(name: str) -> bool:
    return os.path.exists(f"/dev/shm/{name}")


@pytest.fixture
def lender() -> Any:
    made = SlotLender(max_bytes=64 * CROP_BYTES)
    yield made
    made.release()


def test_a_worker_s_crops_come_back_through_the_slot_unchanged(
    fixtures_dir: Path, lender: SlotLender
) -> None:
    photos = _photos(fixtures_dir, 4)
    slot = lender.lend(len(photos) * CROP_BYTES)
    assert slot is not None
    through_slot = load_chunk(photos, PLAN, slot=slot.name)
    assert through_slot.in_slot and through_slot.pixels is None
    assert through_slot.positions == (0, 1, 2, 3)
    crops = slot.crops(4, PLAN.crop)
    assert crops is not None
    expected = np.stack([prepare_pixels(p, PLAN) for p in photos])
    np.testing.assert_array_equal(crops, expected)
    through_pipe = load_chunk(photos, PLAN)
    assert not through_pipe.in_slot
    np.testing.assert_array_equal(through_pipe.pixels, expected)


def test_a_bad_photo_leaves_the_others_in_order_in_the_slot(
    fixtures_dir: Path, tmp_path: Path, lender: SlotLender
) -> None:
    photos = _photos(fixtures_dir, 3)
    broken = tmp_path / "broken.jpg"
    broken.write_bytes(b"\xff\xd8\xff\xe0 not a jpeg")
    chunk = [photos[0], str(broken), photos[1], photos[2]]
    slot = lender.lend(len(chunk) * CROP_BYTES)
    assert slot is not None
    result = load_chunk(chunk, PLAN, slot=slot.name)
    assert result.in_slot and result.positions == (0, 2, 3)
    assert [f.position for f in result.failures] == [1]
    crops = slot.crops(3, PLAN.crop)
    assert crops is not None
    np.testing.assert_array_equal(crops[1], prepare_pixels(photos[1], PLAN))


def test_a_slot_that_cannot_be_written_sends_the_crops_through_the_pipe(
    fixtures_dir: Path, lender: SlotLender
) -> None:
    photos = _photos(fixtures_dir, 2)
    gone = load_chunk(photos, PLAN, slot="curator-no-such-slot")
    assert not gone.in_slot and gone.pixels is not None and len(gone.pixels) == 2
    small = lender.lend(CROP_BYTES)  # room for one crop, two to write
    assert small is not None
    assert not write_crops(small.name, [prepare_pixels(p, PLAN) for p in photos])
    too_small = load_chunk(photos, PLAN, slot=small.name)
    assert not too_small.in_slot and too_small.pixels is not None


def test_slots_are_reused_and_bounded(lender: SlotLender) -> None:
    first = lender.lend(16 * CROP_BYTES)
    assert first is not None
    second = lender.lend(16 * CROP_BYTES)
    assert second is not None and second is not first  # lent: never handed out twice
    lender.give_back(first)
    lender.give_back(first)  # twice is harmless
    assert lender.lend(8 * CROP_BYTES) is first  # a free slot big enough is reused
    assert lender.count == 2
    lender.lend(32 * CROP_BYTES)  # 64 crops in all: the limit
    assert lender.lend(CROP_BYTES) is None  # past it: the pipe
    names = [first.name, second.name]
    assert all(_in_shm(name) for name in names)
    lender.release()
    assert not any(_in_shm(name) for name in names)  # closed and unlinked
    assert first.crops(1, PLAN.crop) is None  # a released slot is not read


def test_no_shared_memory_or_no_room_on_it_means_the_pipe(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    cramped = SlotLender(folder=str(tmp_path))
    full = SimpleNamespace(total=100 * CROP_BYTES, used=100 * CROP_BYTES - 1, free=1)
    monkeypatch.setattr(clip_slots.shutil, "disk_usage", lambda _p: full)
    assert cramped.lend(CROP_BYTES) is None  # a full tmpfs would kill the writer (SIGBUS)
    monkeypatch.undo()

    def refused(*_a: Any, **_k: Any) -> Any:
        raise OSError(38, "Function not implemented")

    none = SlotLender(folder=None)
    monkeypatch.setattr(clip_slots.shared_memory, "SharedMemory", refused)
    assert none.lend(CROP_BYTES) is None
    assert none.lend(CROP_BYTES) is None and none.count == 0  # not tried again


class _Pool:
    """A process pool stand-in whose futures the test finishes by hand."""

    def __init__(self) -> None:
        self.futures: list[Future[Any]] = []
        self.calls: list[tuple[Any, ...]] = []

    def submit(self, fn: Any, *args: Any) -> Future[Any]:
        future: Future[Any] = Future()
        self.futures.append(future)
        self.calls.append(args)
        return future

    def shutdown(self, **_kw: Any) -> None:
        pass


class _Embedder:
    pixel_plan = PLAN
    batch_size = 4
    device = "cuda"

    def embed_pixels(self, pixels: Any) -> Any:
        raise AssertionError("not called here")


def test_a_chunk_s_slot_is_lent_again_only_once_its_task_is_finished(
    fixtures_dir: Path,
) -> None:
    release_slots()  # a fresh session lender: no free slot another test left behind
    photos = _photos(fixtures_dir, 4)
    pool = _Pool()
    loader: BatchLoader[int] = BatchLoader(
        _Embedder(),  # type: ignore[arg-type]
        LoaderPlan(4, 2, True, 1, 2),
        threading.Event(),
    )
    loader.processes = pool  # type: ignore[assignment]
    try:
        tasks = loader.submit([(i, p) for i, p in enumerate(photos)])
        assert len(tasks) == 2 and all(t.slot is not None for t in tasks)
        names = [call[3] for call in pool.calls]
        assert names == [t.slot.name for t in tasks if t.slot is not None]
        # the worker's part, done here: the first chunk through its slot
        pool.futures[0].set_result(load_chunk(photos[:2], PLAN, slot=names[0]))
        loaded = loader.result(tasks[0])
        np.testing.assert_array_equal(
            merge_loaded([loaded]).pixels, np.stack([prepare_pixels(p, PLAN) for p in photos[:2]])
        )
        assert slot_lender().lend(2 * CROP_BYTES) is tasks[0].slot  # back once collected
        slot_lender().give_back(tasks[0].slot)  # type: ignore[arg-type]
        pool.futures[1].set_running_or_notify_cancel()  # a worker runs the second chunk
    finally:
        loader.close()
    # closed while the second chunk still runs: its slot is not lent to anyone yet
    taken = [slot_lender().lend(2 * CROP_BYTES) for _ in range(2)]
    assert tasks[1].slot not in taken
    for slot in taken:
        if slot is not None:
            slot_lender().give_back(slot)
    pool.futures[1].set_result(load_chunk(photos[2:], PLAN, slot=names[1]))
    assert tasks[1].slot in [slot_lender().lend(2 * CROP_BYTES) for _ in range(3)]
    release_slots()


def test_ending_the_loader_processes_unlinks_the_slots() -> None:
    slot = slot_lender().lend(CROP_BYTES)
    assert slot is not None and _in_shm(slot.name)
    end_loader_processes()  # no process left to write them (no pool running: slots still go)
    assert not _in_shm(slot.name)
    assert slot_lender().count == 0  # a new lender for the next run

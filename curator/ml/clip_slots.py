"""Shared-memory slots: where a loader process puts a chunk's crops for the model's process.

`SlotLender.lend` lends a block per chunk, a worker writes its uint8 crops
(`write_crops`), and `SlotLender.give_back` takes it back once copied, so
crops skip the result pipe (which capped the loader near 5,000 photos/s:
docs/decisions/clip.md).

Invariants: a slot is lent to one chunk, written only by its worker, and given
back only when that task finished; slots are the session's (`release_slots`),
at most `MAX_BYTES`; without shared memory `lend` gives None and the chunk uses
the pipe. Nothing here fails a photo.
"""

from __future__ import annotations

import atexit
import logging
import os
import shutil
import threading
from collections import OrderedDict
from multiprocessing import shared_memory

import numpy as np

log = logging.getLogger(__name__)

MAX_BYTES = 512 * 1024**2  # all slots together (≈ 3,400 crops of 224 px)
SHM_FOLDER = "/dev/shm"  # Linux's POSIX shared memory; elsewhere the OS's own
ROOM_FACTOR = 4  # a slot is made only where the folder has 4× its size free


class Slot:
    """One block of shared memory of `size` bytes, lent to one chunk at a time."""

    def __init__(self, memory: shared_memory.SharedMemory) -> None:
        self.memory = memory
        self.name = memory.name
        self.size = memory.size

    def crops(self, count: int, crop: tuple[int, int]) -> np.ndarray | None:
        """A copy of the first `count` crops written into the slot (None: the slot
        was released meanwhile, its processes ended)."""
        height, width = crop
        buffer = self.memory.buf
        if buffer is None:
            return None
        view = np.ndarray((count, height, width, 3), dtype=np.uint8, buffer=buffer)
        return view.copy()


class SlotLender:
    """The session's slots: a free list, grown on demand up to `MAX_BYTES`."""

    def __init__(self, max_bytes: int = MAX_BYTES, folder: str | None = SHM_FOLDER) -> None:
        self.max_bytes, self.folder = max_bytes, folder
        self._lock = threading.Lock()
        self._free: list[Slot] = []
        self._all: list[Slot] = []
        self._unavailable = False  # shared memory failed once: the pipe from then on

    def lend(self, size: int) -> Slot | None:
        """A slot of at least `size` bytes, or None (then the pipe carries the crops)."""
        with self._lock:
            for index, slot in enumerate(self._free):
                if slot.size >= size:
                    return self._free.pop(index)
            if self._unavailable or sum(s.size for s in self._all) + size > self.max_bytes:
                return None
            if not self._room_for(size):
                return None
            try:
                memory = shared_memory.SharedMemory(create=True, size=size)
            except (OSError, ValueError) as err:
                self._unavailable = True
                log.info("CLIP loader: no shared memory (%s); crops come through the pipe", err)
                return None
            slot = Slot(memory)
            self._all.append(slot)
            return slot

    def _room_for(self, size: int) -> bool:
        """Whether the shared-memory folder has room (writing past a full tmpfs
        kills the writer with SIGBUS); True where there is no such folder to ask."""
        if self.folder is None or not os.path.isdir(self.folder):
            return True
        try:
            return shutil.disk_usage(self.folder).free >= ROOM_FACTOR * size
        except OSError:
            return False

    def give_back(self, slot: Slot) -> None:
        """Return a slot whose chunk is finished (see the module's invariants)."""
        with self._lock:
            if slot in self._all and slot not in self._free:
                self._free.append(slot)

    def release(self) -> None:
        """Close and unlink every slot (the processes that wrote them are ending)."""
        with self._lock:
            slots, self._all, self._free = self._all, [], []
        for slot in slots:
            try:
                slot.memory.close()
                slot.memory.unlink()
            except (OSError, BufferError):  # already gone, or a view still open
                pass

    @property
    def count(self) -> int:
        with self._lock:
            return len(self._all)


_lender_lock = threading.Lock()
_lender: SlotLender | None = None


def slot_lender() -> SlotLender:
    """The session's lender (made on first use)."""
    global _lender
    with _lender_lock:
        if _lender is None:
            _lender = SlotLender()
        return _lender


def release_slots() -> None:
    """Close and unlink the session's slots (with the loader processes, and at exit)."""
    global _lender
    with _lender_lock:
        ending, _lender = _lender, None
    if ending is not None:
        ending.release()


atexit.register(release_slots)


# -- in a worker process -------------------------------------------------------------

_OPENED_LIMIT = 256
_opened: OrderedDict[str, shared_memory.SharedMemory] = OrderedDict()


def _open(name: str) -> shared_memory.SharedMemory:
    """A worker's view of a slot, kept for the next chunk lent the same slot."""
    memory = _opened.pop(name, None)
    if memory is None:
        memory = _attach(name)
        while len(_opened) >= _OPENED_LIMIT:
            _, oldest = _opened.popitem(last=False)
            oldest.close()
    _opened[name] = memory
    return memory


def _attach(name: str) -> shared_memory.SharedMemory:
    """Open an existing slot without making this process its owner: the model's
    process unlinks it (Python ≥ 3.13 says so with track=False; before, a
    spawned worker shares its parent's resource tracker, which already knows it)."""
    try:
        return shared_memory.SharedMemory(name=name, track=False)  # type: ignore[call-arg]
    except TypeError:  # Python < 3.13
        return shared_memory.SharedMemory(name=name)


def write_crops(name: str, crops: list[np.ndarray]) -> bool:
    """Write a chunk's crops, in order, into slot `name`; False where the slot
    cannot be opened or is too small (the crops then go through the pipe)."""
    if not crops:
        return True
    needed = sum(crop.nbytes for crop in crops)
    try:
        memory = _open(name)
    except (OSError, ValueError):
        return False
    if memory.size < needed:
        return False
    view = np.ndarray((needed,), dtype=np.uint8, buffer=memory.buf)
    offset = 0
    for crop in crops:
        view[offset : offset + crop.nbytes] = crop.reshape(-1)
        offset += crop.nbytes
    del view
    return True

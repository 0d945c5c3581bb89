"""A stall detector for the UI thread: where the main thread was while the Qt
event loop did not tick.

A 5 ms QTimer on the main thread stamps the time of each tick; a watchdog
thread looks every 5 ms and, whenever the loop has not ticked for 40 ms,
samples the main thread's Python stack. When the
loop ticks again, a gap over 50 ms becomes a `Stall`: its length and the
stacks sampled during it (the innermost Curator frames first, so the cause
reads at a glance). Used by the import-responsiveness bench; a bench tool,
never a unit test (the shared machine has stalls of its own).

Each stall is split by the kernel's scheduler statistics of the main thread
(`/proc/<pid>/task/<tid>/schedstat`: time on a CPU, time runnable but
waiting for one): **ran** is the UI thread's own work; **queued** is the
core given to another task — another process on the shared 2-core host, or
another of the app's threads at the same priority (engine/thread_priority.py
lowers the pipeline's); the rest, **blocked**, is the thread asleep — the
GIL held by a worker thread, a lock, I/O.

Each stall also says how much of it was the cycle collector on the UI thread
(`gc_ms`, the collections by generation: a `gc.callbacks` hook timing each
collection the main thread runs, `engine/collector.py`'s timer), since a
full collection's walk shows in no Python frame of its own.

The stack is read by `faulthandler` (C code that walks the frames and writes
text, the GIL held throughout: every other thread's frames stand still),
never through a frame object: holding one of the main thread's frames
keeps its locals alive past the function's return — a QPainter outliving
its paintEvent, then freed on the watchdog's thread (a segfault seen in
`paint_histogram`).

A dump holds the GIL: ~1 ms, but up to ~100 ms when the host preempts the
watch mid-dump (the watch bench at load 6-9: 10 of 405 dumps over 20 ms).
The main thread waiting for it is the watch's doing, not the app's: each
stall keeps its dumps' time (`watch_ms`) and `own_ms` leaves it out.
"""

from __future__ import annotations

import faulthandler
import gc
import os
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field

from PySide6.QtCore import QTimer

SAMPLE_AFTER_S = 0.040
STALL_S = 0.050


def _schedstat(path: str) -> tuple[float, float]:
    """(ms on a CPU, ms runnable waiting for one) of a thread so far; zeros
    where the kernel keeps no scheduler statistics."""
    try:
        with open(path) as f:
            ran, queued = f.read().split()[:2]
        return int(ran) / 1e6, int(queued) / 1e6
    except (OSError, ValueError):
        return 0.0, 0.0


def main_thread_schedstat() -> tuple[float, float]:
    """`_schedstat` of the main thread (call it from any thread)."""
    native = threading.main_thread().native_id
    return _schedstat(f"/proc/{os.getpid()}/task/{native}/schedstat")


@dataclass
class Stall:
    ms: float
    stacks: Counter[str] = field(default_factory=Counter)
    ran_ms: float = 0.0  # the UI thread on a CPU
    queued_ms: float = 0.0  # runnable, but another task had the core
    workers: Counter[str] = field(default_factory=Counter)  # the others' Curator stacks
    gc_ms: float = 0.0  # the cycle collector on the UI thread during the stall
    gc_generations: tuple[int, ...] = ()  # the generation of each such collection
    watch_ms: float = 0.0  # the watch's own dumps during the stall, the GIL held

    def gc_split(self) -> str:
        if not self.gc_generations:
            return ""
        return f"gc {self.gc_ms:.0f} ms (generations {list(self.gc_generations)})"

    @property
    def blocked_ms(self) -> float:
        """Asleep: waiting for the GIL, a lock or I/O."""
        return max(0.0, self.ms - self.ran_ms - self.queued_ms)

    @property
    def own_ms(self) -> float:
        """What the app made the UI thread wait: its work plus its sleeps,
        less the sleeps the watch's dumps caused."""
        return self.ms - self.queued_ms - min(self.watch_ms, self.blocked_ms)

    def split(self) -> str:
        gc_part = self.gc_split()
        watch_part = f"; the watch's dumps {self.watch_ms:.0f}" if self.watch_ms >= 1 else ""
        return (
            f"ran {self.ran_ms:.0f}, queued for a CPU {self.queued_ms:.0f}, "
            f"blocked {self.blocked_ms:.0f}" + (f"; {gc_part}" if gc_part else "") + watch_part
        )

    def top(self) -> str:
        """The stack sampled most often during the stall."""
        return self.stacks.most_common(1)[0][0] if self.stacks else "(no sample)"

    def worker_top(self) -> str:
        """The worker stack sampled most often during the stall ("" if none)."""
        return self.workers.most_common(1)[0][0] if self.workers else ""


def _worker_stacks(dump: str, ident: int) -> list[str]:
    """The other threads' blocks that run Curator code, innermost frame first
    (a stall the UI thread spent `blocked` is often a worker holding the GIL
    in one long C call: its innermost frame names the call)."""
    header = f"0x{ident:016x}"
    out = []
    for block in dump.split("\n\n"):
        lines = block.strip().splitlines()
        if not lines or header in lines[0]:
            continue
        ours = [ln for ln in lines[1:] if "/curator/" in ln]
        if ours:
            out.append("\n".join(lines[1:3] + ours[:6]))
    return out


def _main_stack(dump: str, ident: int) -> str:
    """The main thread's block of a faulthandler dump, innermost frame first:
    the three innermost frames, then the Curator frames that led there."""
    header = f"0x{ident:016x}"
    for block in dump.split("\n\n"):
        lines = block.strip().splitlines()
        if lines and header in lines[0]:
            frames = lines[1:]
            ours = [ln for ln in frames[3:] if "/curator/" in ln]
            return "\n".join(frames[:3] + ours[:10])
    return ""


class StallWatch:
    """Start on the main thread; `stalls` grows while it runs; `stop()` ends it."""

    def __init__(self) -> None:
        self.stalls: list[Stall] = []
        self._main = threading.main_thread().ident
        native = threading.main_thread().native_id
        self._schedstat_path = f"/proc/{os.getpid()}/task/{native}/schedstat"
        self._tick = time.monotonic()
        self._sched = (0.0, 0.0)
        self._samples: Counter[str] = Counter()
        self._workers: Counter[str] = Counter()
        self._watch_ms = [0.0]  # the dumps since the last tick (swapped whole, as the samples)
        self._stop = threading.Event()
        self._timer = QTimer()
        self._timer.setInterval(5)
        self._timer.timeout.connect(self._ticked)
        self._thread = threading.Thread(target=self._watch, daemon=True, name="stall-watch")
        self._gc_started = 0.0
        self._gc_ms = 0.0  # the main thread's collections since the last tick
        self._gc_generations: list[int] = []
        self.collections: list[tuple[int, float]] = []  # every main-thread (generation, ms)

    def _on_gc(self, phase: str, info: dict[str, int]) -> None:
        if threading.get_ident() != self._main:
            return
        if phase == "start":
            self._gc_started = time.perf_counter()
            return
        ms = (time.perf_counter() - self._gc_started) * 1000
        self._gc_ms += ms
        self._gc_generations.append(info["generation"])
        self.collections.append((info["generation"], ms))

    def start(self) -> StallWatch:
        self._tick = time.monotonic()
        self._sched = _schedstat(self._schedstat_path)
        gc.callbacks.append(self._on_gc)
        self._timer.start()
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._on_gc in gc.callbacks:
            gc.callbacks.remove(self._on_gc)
        self._timer.stop()
        self._stop.set()
        self._thread.join()

    def _ticked(self) -> None:
        now, sched = time.monotonic(), _schedstat(self._schedstat_path)
        gap, samples, workers = now - self._tick, self._samples, self._workers
        ran, queued = sched[0] - self._sched[0], sched[1] - self._sched[1]
        self._tick, self._samples, self._workers, self._sched = now, Counter(), Counter(), sched
        watch_ms, self._watch_ms = self._watch_ms, [0.0]
        gc_ms, gens = self._gc_ms, tuple(self._gc_generations)
        self._gc_ms, self._gc_generations = 0.0, []
        if gap > STALL_S:
            stall = Stall(gap * 1000, samples, ran, queued, workers, gc_ms, gens, sum(watch_ms))
            self.stalls.append(stall)

    def _watch(self) -> None:
        with tempfile.TemporaryFile("w+") as out:
            while not self._stop.wait(0.005):
                if time.monotonic() - self._tick > SAMPLE_AFTER_S:
                    out.seek(0)
                    out.truncate()
                    started = time.perf_counter()
                    faulthandler.dump_traceback(out, all_threads=True)
                    self._watch_ms.append((time.perf_counter() - started) * 1000)
                    out.flush()
                    out.seek(0)
                    dump = out.read()
                    stack = _main_stack(dump, self._main or 0)
                    if stack:
                        self._samples[stack] += 1
                    self._workers.update(_worker_stacks(dump, self._main or 0))

    def gc_report(self) -> str:
        """The main thread's collections while watched: count, longest, total, per generation."""
        out = []
        for gen in (0, 1, 2):
            times = [ms for g, ms in self.collections if g == gen]
            if times:
                out.append(
                    f"generation {gen}: {len(times)} collections, longest {max(times):.1f} ms, "
                    f"total {sum(times):.0f} ms"
                )
        return "\n".join(out) or "no collection on the UI thread"

    def report(self, limit: int = 10) -> str:
        """The longest stalls with their most-sampled stack."""
        out = []
        for stall in sorted(self.stalls, key=lambda s: -s.ms)[:limit]:
            out.append(f"--- stall {stall.ms:.0f} ms ({stall.split()}) ---\n{stall.top()}")
            if stall.worker_top():
                out.append(f"  a worker meanwhile:\n{stall.worker_top()}")
        return "\n".join(out)

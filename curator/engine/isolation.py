"""Crash isolation: run a function in child processes that may die.

Decoders (libraw above all) can crash on a bad file: the technical stage runs
its body in child processes; a dead child fails only its request.

Protocol (one block, as docs/architecture.md asks of every concurrency protocol):
- `ChildProcessPool(size)` owns up to `size` `ChildWorker`s, started lazily
  (spawn context: never fork a process that runs Qt threads).
- A caller thread calls `pool.call(fn, arg, timeout)`: it takes an idle worker
  from a thread-safe queue (blocking while all are busy), sends `(fn, arg)`
  over its pipe, and waits on the pipe *and* the process sentinel.
- The child sends back `("ok", value)` or `("error", "Type: message",
  traceback)` (`fn` should return values: custom exceptions don't pickle).
- A child dead before answering gives `WorkerCrashed`; one past `timeout` is
  killed, `WorkerTimedOut`. Either way a fresh worker replaces it.
- Idle workers are taken last-in first-out: a live child is reused before a
  new one starts (a start costs ~0.4 s CPU).
- `start_one()` starts a child without a request; an idle child that died
  fails no request: the call that takes it starts a fresh one.
- `reprime(*initargs)`: each live child runs the initializer again with them
  before its next request; later children get them directly.
- `close()` tells idle children to exit and kills the rest; children also exit
  when the parent dies (pipe EOF). A child exits by `os._exit`: the
  teardown of the face networks cost ~0.1 s CPU and ~0.3 s of the parent's exit.
- Every child runs under `memory_limit` (bytes of address space, RLIMIT_AS,
  set before the initializer): a runaway decoder gets a `MemoryError` (or
  dies) in its child instead of waking the kernel's out-of-memory killer.
"""

from __future__ import annotations

import contextlib
import multiprocessing as mp
import os
import queue
import signal
import sys
import threading
import traceback
import warnings
from collections.abc import Callable
from multiprocessing.connection import Connection, wait
from multiprocessing.process import BaseProcess
from typing import Any, NoReturn, TypeVar, cast

T = TypeVar("T")
R = TypeVar("R")


class WorkerCrashed(Exception):
    """The child process died while working on the request."""

    def __init__(self, exitcode: int | None):
        self.exitcode = exitcode
        if exitcode is not None and exitcode < 0:
            try:
                name = signal.Signals(-exitcode).name
            except ValueError:
                name = f"signal {-exitcode}"
            how = f"killed by {name}"
        else:
            how = f"exited with code {exitcode}"
        super().__init__(f"decoder process {how}")


class WorkerTimedOut(Exception):
    """The child took longer than the allowed time and was stopped."""


class WorkerFailed(Exception):
    """The function raised inside the child; `detail` carries its traceback."""

    def __init__(self, summary: str, detail: str):
        super().__init__(summary)
        self.detail = detail


# What one decoder child may map: the interpreter with numpy, OpenCV and LibRaw
# loaded (about 0.5 GB of address space, measured) with room to spare, plus
# 16 bytes per pixel of the largest image allowed (16-bit RGB from LibRaw, the
# 8-bit copy, the luma and the preview of a `max_pixels` image).
BASE_MEMORY_BYTES = 3 * 2**29  # 1.5 GiB
BYTES_PER_PIXEL = 16
DEFAULT_MAX_PIXELS = 250_000_000


def memory_limit_for(max_pixels: int = DEFAULT_MAX_PIXELS) -> int:
    """The address space a decoder child may use for images up to `max_pixels`,
    never more than three quarters of the computer's memory."""
    wanted = BASE_MEMORY_BYTES + BYTES_PER_PIXEL * max_pixels
    try:
        physical = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (ValueError, OSError, AttributeError):
        return wanted
    return max(BASE_MEMORY_BYTES, min(wanted, physical * 3 // 4)) if physical > 0 else wanted


def limit_memory(limit: int | None) -> None:
    """Cap this process's address space at `limit` bytes (POSIX; a no-op elsewhere,
    and never raises a limit someone else set lower)."""
    if limit is None:
        return
    try:
        import resource
    except ImportError:  # Windows: no RLIMIT_AS
        return
    try:
        soft, hard = resource.getrlimit(resource.RLIMIT_AS)
        if hard != resource.RLIM_INFINITY:
            limit = min(limit, hard)
        if soft == resource.RLIM_INFINITY or soft > limit:
            resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    except (ValueError, OSError):  # a platform that refuses it (macOS at times)
        return


def _child_main(
    conn: Connection,
    initializer: Callable[..., object] | None,
    initargs: tuple[Any, ...],
    memory_limit: int | None = None,
) -> None:
    # Children ignore Ctrl+C: the parent decides when to stop (cooperative cancel),
    # and an in-flight decode finishes or is killed by the parent.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # Decoders' warnings about the files they read ("Tag data larger than file",
    # "Possibly corrupt EXIF data") are not the user's to read on the terminal:
    # what matters about a file reaches them as its sentence (issue 22).
    warnings.simplefilter("ignore")
    limit_memory(memory_limit)
    if initializer is not None:
        initializer(*initargs)
    while True:
        try:
            message = conn.recv()
        except (EOFError, OSError):
            message = None
        if message is None:
            _exit_now()
        fn, arg = message
        try:
            reply: tuple[Any, ...] = ("ok", fn(arg))
        except Exception as exc:
            reply = ("error", f"{type(exc).__name__}: {exc}", traceback.format_exc())
        try:
            conn.send(reply)
        except OSError:  # the parent is gone
            _exit_now()


def _exit_now() -> NoReturn:
    """End this child at once (see the module docstring): its output flushed,
    no interpreter teardown."""
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):
            stream.flush()
    os._exit(0)


def _rerun_initializer(job: tuple[Callable[..., object], tuple[Any, ...]]) -> None:
    """In a live child: run the pool's initializer again with new arguments."""
    initializer, initargs = job
    initializer(*initargs)


class ChildWorker:
    """One child process serving requests one at a time."""

    def __init__(
        self,
        ctx: mp.context.BaseContext,
        initializer: Callable[..., object] | None = None,
        initargs: tuple[Any, ...] = (),
        memory_limit: int | None = None,
        primed: int = 0,
    ):
        self.primed = primed  # the pool's initargs version this child was initialised with
        self.asked = False  # whether a request was ever sent to it
        parent_conn, child_conn = ctx.Pipe(duplex=True)
        self.conn = parent_conn
        self.process: BaseProcess = ctx.Process(  # type: ignore[attr-defined]
            target=_child_main,
            args=(child_conn, initializer, initargs, memory_limit),
            daemon=True,
            name="curator-decoder",
        )
        self.process.start()
        child_conn.close()

    @property
    def pid(self) -> int | None:
        return self.process.pid

    def call(self, fn: Callable[[T], R], arg: T, timeout: float | None) -> R:
        self.asked = True
        try:
            self.conn.send((fn, arg))
        except OSError:  # the child died before the request reached it (a broken pipe)
            self.process.join(1.0)
            raise WorkerCrashed(self.process.exitcode) from None
        ready = wait([self.conn, self.process.sentinel], timeout)
        if self.conn in ready:
            try:
                reply = self.conn.recv()
            except (EOFError, OSError):
                self.process.join(1.0)
                raise WorkerCrashed(self.process.exitcode) from None
            if reply[0] == "ok":
                return cast(R, reply[1])
            raise WorkerFailed(reply[1], reply[2])
        if self.process.sentinel in ready:
            self.process.join(1.0)
            raise WorkerCrashed(self.process.exitcode)
        self.kill()
        raise WorkerTimedOut(f"no answer within {timeout:.0f} s")

    def stop(self) -> None:
        if not self.asked:  # it may still be starting: it would read the stop only then
            self.kill()
            self.conn.close()
            return
        with contextlib.suppress(BrokenPipeError, OSError):
            self.conn.send(None)
        self.process.join(2.0)
        if self.process.is_alive():
            self.kill()
        self.conn.close()

    def kill(self) -> None:
        if self.process.is_alive():
            self.process.kill()
        self.process.join(2.0)


class ChildProcessPool:
    """A fixed-size set of crash-isolated child workers (see module docstring)."""

    def __init__(
        self,
        size: int,
        *,
        start_method: str = "spawn",
        initializer: Callable[..., object] | None = None,
        initargs: tuple[Any, ...] = (),
        memory_limit: int | None = -1,
    ):
        """`memory_limit`: bytes of address space per child; -1 (the default) is
        `memory_limit_for()` (images up to 250 MP), None no limit."""
        if size < 1:
            raise ValueError("pool size must be at least 1")
        self.size = size
        self._initializer, self._initargs = initializer, initargs
        self.memory_limit = memory_limit_for() if memory_limit == -1 else memory_limit
        self._ctx = mp.get_context(start_method)
        self._version = 0  # bumped by `reprime`
        # LIFO: the most recently used live child first (see the module docstring).
        self._idle: queue.LifoQueue[ChildWorker | None] = queue.LifoQueue()
        self._lock = threading.Lock()
        self._all: set[ChildWorker] = set()
        self._closed = False
        for _ in range(size):
            self._idle.put(None)  # a free slot; the worker is started on first use

    def call(self, fn: Callable[[T], R], arg: T, timeout: float | None = None) -> R:
        if self._closed:
            raise RuntimeError("pool is closed")
        worker = self._idle.get()
        if self._closed:  # closed while this caller waited for a slot: start nothing
            self._idle.put(worker)
            raise RuntimeError("pool is closed")
        with self._lock:
            initargs, version = self._initargs, self._version
        if worker is not None and not worker.process.is_alive():
            self._forget(worker)  # died while idle: it had no request to fail
            worker = None
        if worker is None:
            worker = self._new_worker()
        healthy = False
        try:
            if worker.primed != version and self._initializer is not None:
                worker.call(_rerun_initializer, (self._initializer, initargs), timeout)
                worker.primed = version
            result = worker.call(fn, arg, timeout)
            healthy = True
            return result
        except WorkerFailed:
            healthy = True  # the function raised; the child itself is fine
            raise
        finally:
            if healthy:
                self._idle.put(worker)
            else:
                # Crashed, timed out, or the pipe broke: never reuse this child. The
                # slot comes back and a fresh child starts on demand.
                self._forget(worker)
                self._idle.put(None)

    def start_one(self) -> None:
        """Start a child in a free slot now, unless a live one is idle already
        or none is free (see the module docstring)."""
        if self._closed:
            return
        try:
            worker = self._idle.get_nowait()
        except queue.Empty:
            return
        try:
            if worker is None and not self._closed:
                worker = self._new_worker()
        finally:
            self._idle.put(worker)

    def _new_worker(self) -> ChildWorker:
        """A started child, initialised with the pool's current arguments."""
        with self._lock:
            initargs, version = self._initargs, self._version
        worker = ChildWorker(
            self._ctx, self._initializer, initargs, self.memory_limit, primed=version
        )
        with self._lock:
            self._all.add(worker)
        return worker

    def _forget(self, worker: ChildWorker) -> None:
        worker.kill()
        with self._lock:
            self._all.discard(worker)

    def warm(self, fn: Callable[[T], R], arg: T, timeout: float | None = None) -> list[R]:
        """Start a child in every slot and run `fn(arg)` once in each (for benches:
        every child warmed, whatever the order calls would take them in)."""
        taken = [self._idle.get() for _ in range(self.size)]
        results: list[R] = []
        try:
            for index, worker in enumerate(taken):
                if worker is None:
                    worker = taken[index] = self._new_worker()
                results.append(worker.call(fn, arg, timeout))
        finally:
            for worker in taken:
                if worker is not None and not worker.process.is_alive():
                    with self._lock:  # died while warming: the slot starts afresh
                        self._all.discard(worker)
                    worker = None
                self._idle.put(worker)
        return results

    def reprime(self, *initargs: Any) -> None:
        """New initializer arguments for every child, live or future (see the
        module docstring); takes effect at each child's next request."""
        with self._lock:
            self._initargs = initargs
            self._version += 1

    @property
    def unused(self) -> bool:
        """Whether no child of this pool was ever asked anything (`start_one`'s)."""
        with self._lock:
            return not any(worker.asked for worker in self._all)

    def worker_pids(self) -> list[int]:
        with self._lock:
            return [w.pid for w in self._all if w.pid is not None and w.process.is_alive()]

    def close(self) -> None:
        self._closed = True
        with self._lock:
            workers = list(self._all)
            self._all.clear()
        for worker in workers:
            worker.stop()

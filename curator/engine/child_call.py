"""One long call in a child process of its own, with progress and a cancel.

A long pure-Python job on a pool thread holds the GIL and stalls the window
on a busy machine (docs/decisions/engine.md); in a child it has its own GIL.

Protocol:
- `call_in_child(fn, args, progress, stop)` runs on a pool thread; a spawned
  child calls `fn(*args, progress=send)`; `fn` is a module-level function and
  its arguments, progress and result are picklable.
- `send(value)` pipes a progress value and raises `ChildStopped` in `fn` once
  a stop was asked, so `fn`'s own clean-up runs.
- The parent waits `POLL_S` at a time: progress goes to `progress`; `("ok",
  value)` returns; `("error", …)` raises `ChildFailed`; `("stopped",)` raises
  `ChildStopped`.
- `stop` set: one stop message; a child silent `STOP_GRACE_S` later is killed.
  A child that dies without answering raises `WorkerCrashed`.
- The child is always joined or killed before the call returns; it ignores Ctrl+C.
"""

from __future__ import annotations

import contextlib
import multiprocessing as mp
import signal
import threading
import time
import traceback
from collections.abc import Callable
from multiprocessing.connection import Connection, wait
from typing import Any

from curator.engine.isolation import WorkerCrashed

POLL_S = 0.1  # how often the parent looks at `stop`
STOP_GRACE_S = 30.0  # a stopped child's time to clean up before it is killed
_STOP = "stop"


class ChildStopped(BaseException):
    """The call was stopped (`stop` set) before it finished."""


class ChildFailed(Exception):
    """`fn` raised in the child: `str(err)` is "Type: message"; `detail` its traceback."""

    def __init__(self, summary: str, detail: str = "") -> None:
        super().__init__(summary)
        self.detail = detail


def _child(conn: Connection, fn: Callable[..., Any], args: tuple[Any, ...]) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)

    def send(value: object) -> None:
        if conn.poll() and conn.recv() == _STOP:
            raise ChildStopped
        conn.send(("progress", value))

    try:
        reply: tuple[Any, ...] = ("ok", fn(*args, progress=send))
    except ChildStopped:
        reply = ("stopped",)
    except Exception as exc:
        reply = ("error", f"{type(exc).__name__}: {exc}", traceback.format_exc())
    try:
        conn.send(reply)
    except (BrokenPipeError, OSError):
        pass
    finally:
        conn.close()


def call_in_child(
    fn: Callable[..., Any],
    args: tuple[Any, ...],
    progress: Callable[[Any], object] | None = None,
    stop: threading.Event | None = None,
) -> Any:
    """`fn(*args, progress=…)` in a child process (see the module docstring)."""
    ctx = mp.get_context("spawn")
    parent, child = ctx.Pipe()
    process = ctx.Process(target=_child, args=(child, fn, args), daemon=True)
    process.start()
    child.close()
    stop_sent_at: float | None = None
    try:
        while True:
            if stop is not None and stop.is_set() and stop_sent_at is None:
                with contextlib.suppress(BrokenPipeError, OSError):
                    parent.send(_STOP)
                stop_sent_at = time.monotonic()
            if stop_sent_at is not None and time.monotonic() - stop_sent_at > STOP_GRACE_S:
                raise ChildStopped
            ready = wait([parent, process.sentinel], timeout=POLL_S)
            if parent in ready:
                try:
                    message = parent.recv()
                except (EOFError, OSError):
                    process.join(5)
                    raise WorkerCrashed(process.exitcode) from None
                kind = message[0]
                if kind == "progress":
                    if progress is not None:
                        progress(message[1])
                    continue
                if kind == "ok":
                    return message[1]
                if kind == "stopped":
                    raise ChildStopped
                raise ChildFailed(message[1], message[2])
            if process.sentinel in ready and not parent.poll():
                process.join(5)
                raise WorkerCrashed(process.exitcode)
    finally:
        parent.close()
        process.join(5)
        if process.is_alive():
            process.kill()
            process.join()

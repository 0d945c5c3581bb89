"""Top-level functions that tests run inside child processes (must be importable)."""

from __future__ import annotations

import os
import signal
import time
from typing import Any


def child_echo(arg: dict[str, Any]) -> dict[str, Any]:
    return {**arg, "pid": os.getpid()}


def child_crash(sig: int) -> None:
    os.kill(os.getpid(), sig)
    time.sleep(5)


def child_sleep(seconds: float) -> None:
    time.sleep(seconds)


def child_raise(message: str) -> None:
    raise ValueError(message)


class child_state:
    value: str | None = None

    @staticmethod
    def set_state(value: str) -> None:
        child_state.value = value

    @staticmethod
    def get_state(_: object) -> str | None:
        return child_state.value


def child_modules(_: object) -> list[str]:
    """The modules the child has imported so far."""
    import sys

    return sorted(sys.modules)


def child_band_products(rounds: int) -> dict[str, float]:
    """The child's BLAS threads, and the CPU of the whole process and of its
    calling thread over `rounds` eye-band area averages of a 1,440 px preview
    (`WorkingView.window`, the faces stage's matrix product): another thread's
    CPU is threads spinning idle."""
    import time

    import numpy as np
    from threadpoolctl import threadpool_info

    from curator.imaging.metrics import WorkingView

    luma = np.random.default_rng(5).integers(0, 256, (960, 1440), dtype=np.uint8)
    view = WorkingView(luma)
    process, thread = time.process_time(), time.thread_time()
    for i in range(rounds):
        view.window(100 + i % 50, 200, 400, 260)
        time.sleep(0.002)  # the stage's other work between two faces
    blas = [int(info["num_threads"]) for info in threadpool_info() if info["user_api"] == "blas"]
    return {
        "blas_threads": max(blas, default=1),
        "process_s": time.process_time() - process,
        "thread_s": time.thread_time() - thread,
    }


def child_refaults(megabytes: int) -> int:
    """Page faults of the third round of allocating, touching and freeing four
    `megabytes` buffers at once (a decoder's buffers for one file): ~0 when
    the allocator keeps freed memory, ~4 x megabytes x 256 when it gives the
    heap back to the kernel between rounds."""
    import ctypes
    import resource

    libc = ctypes.CDLL(None)
    libc.malloc.restype = ctypes.c_void_p
    libc.malloc.argtypes = (ctypes.c_size_t,)
    libc.free.argtypes = (ctypes.c_void_p,)
    size = megabytes * 1024 * 1024
    faults = 0
    for _ in range(3):
        before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
        blocks = [libc.malloc(size) for _ in range(4)]
        for block in blocks:
            ctypes.memset(block, 1, size)
        faults = resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before
        for block in blocks:
            libc.free(block)
    return faults


def crash_on_marked_files(request: Any) -> Any:
    """Stage body for tests: segfaults on files whose name contains CRASHME, else the real one."""
    from curator.pipeline.stages.technical import run_technical

    if "CRASHME" in os.path.basename(request.path):
        os.kill(os.getpid(), signal.SIGSEGV)
    return run_technical(request)


def crash_on_marked_renders(request: Any) -> Any:
    """An export's RAW render for tests: segfaults on sources whose name contains
    CRASHME (as LibRaw does on some damaged files), else the real one."""
    from curator.export.render_ahead import render_isolated

    if "CRASHME" in os.path.basename(request.source):
        os.kill(os.getpid(), signal.SIGSEGV)
    return render_isolated(request)


def crash_when_judging_faces(request: Any) -> Any:
    """Stage body for tests: segfaults when the faces stage rides along (a face
    model that crashes the decoder child), else the real one."""
    from curator.pipeline.stages.technical import run_technical

    if request.faces_model:
        os.kill(os.getpid(), signal.SIGSEGV)
    return run_technical(request)


def child_slow_exit(seconds: float) -> None:
    """Make this child's interpreter teardown take `seconds` (an atexit handler)."""
    import atexit

    atexit.register(time.sleep, seconds)


def child_early_load_waited(_: object) -> bool:
    """Whether this decoder child loaded the face networks early (waiting for it)."""
    from curator.pipeline.stages.faces_child import wait_for_early_load

    return wait_for_early_load()


def child_judge_portrait(job: tuple[str, str]) -> Any:
    """(model folder, portrait name) -> the faces outcome of the portrait judged
    as the import's hook judges a preview (`faces_child.judge_preview`)."""
    from curator.pipeline.stages.faces_child import judge_preview
    from tests.faces_helpers import portrait

    folder, name = job
    return judge_preview(portrait(name), folder, "test", noise_sd=None, sharpness=80.0)

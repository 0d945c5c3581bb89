"""One compute thread in a worker process: numpy's BLAS and OpenMP held to one.

A decoder child is one of a child per core; OpenBLAS's spinning threads took
the cores other children needed (an import of faces ran ~30 % slower:
docs/decisions/engine.md).

`one_compute_thread()` sets the environment OpenBLAS, MKL and OpenMP read when
they load, so it runs first in a pool's initializer; a library already loaded
is held through threadpoolctl (weaker: OpenBLAS keeps its threads). Running it
again changes nothing; before numpy it never imports threadpoolctl.

Invariants: only for worker processes; the app's own process keeps its
libraries' defaults.
"""

from __future__ import annotations

import os
import sys

THREAD_ENV = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")


def one_compute_thread() -> None:
    """Hold this process's native compute libraries to one thread each: those
    it loads from now on (`THREAD_ENV`) and those it has loaded already."""
    for name in THREAD_ENV:
        os.environ[name] = "1"
    if "numpy" not in sys.modules:
        # nothing that brings a compute library is loaded yet (OpenCV, rawpy and
        # torch all import numpy): the environment holds them, and a child's start
        # does not pay threadpoolctl's import (~20 ms)
        return
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # a bundle without it: the environment above still holds numpy
        return
    threadpool_limits(limits=1)

"""One compute thread in a worker process: numpy's BLAS and OpenMP held to one.

Why: a decoder child (the technical stage, with the faces riding along) is
one of a pool that already has a child per core. numpy's OpenBLAS starts a
thread per core the first time a matrix product is large enough to share
(the faces' eye-band area average, `imaging.metrics.WorkingView.window`,
is), and after every shared product those threads spin, waiting for the
next one, for a while before they sleep: with a face in nearly every photo
they never sleep, and the spinning thread takes the core another child
needs (an import of faces ran ~30 % slower: docs/decisions/engine.md).

How: `one_compute_thread()` sets the environment the native libraries read
when they load (OpenBLAS, MKL, OpenMP: LibRaw's loops through rawpy), so it
runs first in a pool's initializer, before OpenCV's import loads numpy: the
child then has no BLAS thread but its own. A library loaded already is held
to one thread through threadpoolctl (scikit-learn's own library for this),
which is weaker: OpenBLAS keeps the threads it started. Running it again (a
pool's `reprime`) changes nothing. A child's first run, before numpy, never
imports threadpoolctl (~20 ms of a start that costs ~0.45 s).

Invariants: only for worker processes (a pool's initializer); the app's
own process keeps its libraries' defaults.
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

"""Garbage collection at safe moments for tests that share one process."""

from __future__ import annotations

import gc


def collect_earlier_tests_garbage() -> None:
    """Collect the cyclic garbage earlier tests left, before this test runs a
    pipeline in this process (an in-process import, a real app). One process
    runs every test, so windows, pools and catalogs of earlier tests pile up in
    reference cycles; collected mid-import, while the writer thread wrote, they
    crashed the process ("Garbage-collecting": 5 of 7 runs of the UI tests at GC
    threshold 50, none in 3 when collected first). The app opens one catalog
    and one window per process."""
    gc.collect()

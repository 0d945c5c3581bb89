"""Test-only: a "full disk" for Curator's decode children (they write the cache).

On PYTHONPATH with CURATOR_TEST_CHILD_FSIZE=<bytes> set, every process that
multiprocessing spawns (its command line carries --multiprocessing-fork)
starts with RLIMIT_FSIZE at that many bytes and SIGXFSZ ignored, so a larger
cache file fails with EFBIG — what Curator reports as a full disk — while the
importing process (and so the catalog) writes normally. Used by
test_fault_disk_full where no tmpfs can be mounted (not root).
"""

import os
import sys

_LIMIT = os.environ.get("CURATOR_TEST_CHILD_FSIZE")
if _LIMIT and "--multiprocessing-fork" in sys.argv:
    import resource
    import signal

    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (int(_LIMIT), int(_LIMIT)))

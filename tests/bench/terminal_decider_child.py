"""A terminal deciding on a catalog, for tests/bench/test_windows_in_step_bench.py:
the command line's decision code (`catalog.decisions`, desk "terminal") in a
process of its own, one decision every PACE seconds.

Usage: python -m tests.bench.terminal_decider_child PACE ID…

For each ID in turn it rejects the photo (or keeps it, when it is rejected
already) and prints `{"photo": ID, "cull": NEW, "at": T}`, T the
`time.monotonic()` right after the commit (one clock for every process of
the machine). CURATOR_HOME names the catalog.
"""

from __future__ import annotations

import json
import sys
import time

from curator.catalog.backends.seat import TERMINAL, set_desk
from curator.catalog.db import Catalog
from curator.catalog.decisions import decision_state, set_cull
from curator.catalog.models import CullState
from curator.paths import resolve_paths


def main(pace: float, ids: list[int]) -> int:
    set_desk(TERMINAL)
    with Catalog.open(resolve_paths().catalog_location):
        for pid in ids:
            rejected = decision_state(pid).cull is CullState.REJECTED
            new = CullState.KEPT if rejected else CullState.REJECTED
            set_cull(pid, new)
            print(json.dumps({"photo": pid, "cull": new.value, "at": time.monotonic()}), flush=True)
            time.sleep(pace)
    return 0


if __name__ == "__main__":
    sys.exit(main(float(sys.argv[1]), [int(a) for a in sys.argv[2:]]))

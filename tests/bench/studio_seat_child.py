"""A paced deciding seat for the studio benchmark (tests/bench/test_studio_bench.py).

Usage: python -m tests.bench.studio_seat_child CATALOG USER COUNT SEED PACE_MS

As USER, makes COUNT decisions (a keep/reject turned over on a random photo
of the catalog, through `catalog.decisions`: one committed transaction
each), one every PACE_MS ± 50 % (a person culling fast), and prints one JSON
line per acknowledged decision: its photo, its value, how long the call took
(`ms`: the commit as the seat waits for it) and the wall-clock time it
returned (`at`, to match the other seats' receipt of it). Then `done`.
"""

from __future__ import annotations

import json
import os
import random
import sys
import time


def main(catalog: str, user: str, count: int, seed: int, pace_ms: float) -> int:
    os.environ["CURATOR_SEAT_USER"] = user
    from curator.catalog import decisions
    from curator.catalog.db import Catalog
    from curator.catalog.models import Photo
    from curator.catalog.types import CullState

    rng = random.Random(seed)
    cat = Catalog.open(catalog)
    made = 0
    while made < count:
        ids = [int(pid) for (pid,) in Photo.select(Photo.id).tuples()]
        if not ids:
            time.sleep(0.05)
            continue
        pid = rng.choice(ids)
        new = CullState.REJECTED if rng.random() < 0.5 else CullState.KEPT
        t0 = time.perf_counter()
        records = decisions.set_cull(pid, new)
        took = (time.perf_counter() - t0) * 1000
        if records:
            line = {"photo": pid, "value": new.value, "ms": took, "at": time.time()}
            print(json.dumps(line), flush=True)
            made += 1
        time.sleep(rng.uniform(0.5, 1.5) * pace_ms / 1000)
    print("done", flush=True)
    cat.close()
    return 0


if __name__ == "__main__":
    a = sys.argv[1:]
    sys.exit(main(a[0], a[1], int(a[2]), int(a[3]), float(a[4])))

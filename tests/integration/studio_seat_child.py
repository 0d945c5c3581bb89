"""A seat deciding in a loop on a shared catalog, for the studio kill tests.

Usage: python -m tests.integration.studio_seat_child URL USER COUNT SEED

As USER (the decision log's seat), decides COUNT times: picks one of the
photos in the catalog at random and turns its keep/reject over through
`catalog.decisions` (one committed transaction each), then prints
`<photo id> <new cull>` and flushes (a decision another seat made first, so
that nothing changed and nothing was logged, is not printed) — so every line on its stdout is a
decision the catalog acknowledged. A failed read (the server is down) is
retried from a new connection for up to 60 s, as a person would try again;
a decision itself goes through `tx.write`, which waits a lost server out.
Ends with `done` once COUNT decisions are in.
"""

from __future__ import annotations

import os
import random
import sys
import time


def main(url: str, user: str, count: int, seed: int) -> int:
    os.environ["CURATOR_SEAT_USER"] = user
    from curator.catalog import decisions
    from curator.catalog.db import Catalog
    from curator.catalog.models import Photo
    from curator.catalog.types import CullState

    rng = random.Random(seed)
    cat = Catalog.open(url)
    made = 0
    while made < count:
        try:
            ids = [int(pid) for (pid,) in Photo.select(Photo.id).tuples()]
            if not ids:
                time.sleep(0.05)  # the import has not added a photo yet
                continue
            pid = rng.choice(ids)
            now = decisions.decision_state(pid).cull
            _since.clear()
        except Exception:
            _retry(cat)
            continue
        new = CullState.REJECTED if now is CullState.KEPT else CullState.KEPT
        if not decisions.set_cull(pid, new):  # committed when it returns
            continue  # the other seat made the same decision first: nothing to log
        print(f"{pid} {new.value}", flush=True)
        made += 1
    print("done", flush=True)
    cat.close()
    return 0


_since: list[float] = []


def _retry(cat: object) -> None:
    if not _since:
        _since.append(time.monotonic())
    if time.monotonic() - _since[0] > 60:
        raise SystemExit("the catalog's server stayed away for a minute")
    cat.db.drop_connection()  # type: ignore[attr-defined]
    time.sleep(0.2)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])))

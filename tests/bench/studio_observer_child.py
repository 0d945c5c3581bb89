"""Another seat's window, as far as hearing goes, for the studio benchmark.

Usage: python -m tests.bench.studio_observer_child URL STOP_FILE

Listens to the catalog the way a seat's window does (`SeatListener`: one
LISTEN connection, one batch per commit burst) and prints, for every news,
the decision ids it brought and the wall-clock time the poll returned it
(when the window would apply it), as JSON lines, until STOP_FILE exists.
"""

from __future__ import annotations

import json
import os
import sys
import time


def main(url: str, stop: str) -> int:
    from curator.catalog.backends.listen import SeatListener
    from curator.paths import PostgresLocation

    listener = SeatListener(PostgresLocation.parse(url))
    listener.connect()
    print("listening", flush=True)
    while not os.path.exists(stop):
        news = listener.poll(0.25)
        if news is not None and news.decisions:
            print(json.dumps({"ids": list(news.decisions), "at": time.time()}), flush=True)
    listener.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))

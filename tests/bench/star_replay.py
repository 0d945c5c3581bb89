"""Replay the burst star's rule on a kept burst-star bench, in seconds (issue 49 §2).

``python -m tests.bench.star_replay FOLDER`` where FOLDER is what
``$BURST_STAR_KEEP`` kept (test_burst_star_bench: its planned.json and the
catalog its import wrote): reads every frame as the score step does
(`catalog.judgments.burst_frames` and `key_eyes`: the stage's readings, nothing
re-measured),
groups them by the plan (not by the import's grouping: a burst the import
did not group counts here) and prints how many bursts `ml.bursts.best_frame`
stars on the peak — the rule as it is in the checkout, so a change to the
star's rule is measured without importing again (the figure to report is
still the bench's own, through a real import).

Invariants: reads the kept catalog only; writes nothing.
"""

from __future__ import annotations

import json
import sys
from collections import defaultdict
from collections.abc import Callable, Sequence
from pathlib import Path

from curator.records import Frame

Star = Callable[[Sequence[Frame]], int]  # a burst's frames in capture order -> the star's id


def bursts_of(folder: Path) -> dict[int, dict[str, Frame]]:
    """The kept bench's bursts: burst number -> kind ("peak", ...) -> its frame."""
    from dataclasses import replace

    from curator.catalog.judgments import burst_frames, key_eyes

    read = burst_frames("none")
    eyes = key_eyes(f.photo_id for f in read)  # as the regroup's loader gives them
    frames = {Path(f.path).name: replace(f, key_eyes=eyes.get(f.photo_id, ())) for f in read}
    plan = json.loads((folder / "planned.json").read_text())["frames"]
    out: dict[int, dict[str, Frame]] = defaultdict(dict)
    for name, burst, kind, _ in plan:
        out[burst][kind] = frames[name]
    return out


def on_peak(bursts: dict[int, dict[str, Frame]], star: Star) -> int:
    """How many bursts `star` stars on the peak frame."""
    right = 0
    for frames in bursts.values():
        ordered = sorted(frames.items(), key=lambda kv: kv[1].name)  # capture order
        best = star([f for _, f in ordered])
        right += next(k for k, f in ordered if f.photo_id == best) == "peak"
    return right


def main(argv: list[str]) -> int:
    from curator.catalog.db import Catalog
    from curator.ml.bursts import best_frame

    if len(argv) != 1:
        print(__doc__)
        return 2
    folder = Path(argv[0])
    with Catalog.open(folder / "home" / "catalog.sqlite"):
        bursts = bursts_of(folder)
    print(f"star on the peak: {on_peak(bursts, best_frame)} of {len(bursts)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

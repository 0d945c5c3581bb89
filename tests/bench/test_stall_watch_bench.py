"""The stall watch (issue 51 §2): the real window on a 100,000-photo catalog,
on SQLite and on PostgreSQL (tests/pg_server.py's throwaway server), driven
through the catalog-wide actions a photographer takes, with
`stall_watch.StallWatch` on the UI thread. Reported per action: the longest
UI-thread stall (and how much of it was the app's own: the stall less the
time the UI thread waited for a CPU that another process held) and the time
until the result is shown.

The actions, in the order a cull runs: Cull ▸ Propose… on the whole catalog,
Least sure first, back to the grid, Cull ▸ Accept the Rest, Ctrl+Z (undo
the accept), Ctrl+Shift+Z (redo it), Uncertain first, a filter change
(Kept); then (tests/bench/stall_watch_actions.py) a tag cloud click, a
project switch, an XMP write of 2,000 photos (File ▸ Export… of originals,
decisions in their XMP: the window's only XMP write), an export of 2,000
photos (256-pixel JPEGs) and File ▸ Back Up Catalog Now. "Shown" is what the
photographer waits for: the status line's sentence for a write or an order
(the loupe on the new order), the grid's new first rows for a filter, a tag
or a project, the export's or the backup's end (the file actions also
report their first progress, `progress_s`). After each, the watch keeps
going for `SETTLE_S` so the work an action sets off after its result (the
gallery's re-read, the retrain's poke) is counted with it. Each stall names
the UI thread's stack and a worker's (a UI thread `blocked` on the GIL).

Run with ``make bench`` (or this file alone). Size: ``STALL_WATCH_N`` photos
(default 100,000) and ``STALL_WATCH_FILES`` files (default 2,000);
``STALL_WATCH_ONLY=cull`` runs only propose .. the filter change (about 90 s
on PostgreSQL at 100,000), ``STALL_WATCH_GC_TYPES=1`` prints after each action
the tracked objects per generation and the oldest generation's commonest
kinds. Every stall of an action is printed with its stack and the UI
thread's garbage collections in it (`gc ms`, by generation: a collection's
walk shows in no Python frame; the figure includes the GIL waits around the
watch's own gc callbacks), and the run ends with the collections' totals. At
100,000 on 2 shared cores: SQLite 3-4 minutes, PostgreSQL 6-9 (its backup
copies the whole catalog: 2-3 minutes). Results go to the bench results
folder (stall_watch.json), with the host's load average beside each action.
Budget (DESIGN.md): no stall over 100 ms; the bench reports and asserts
only that every result was shown — the shared machine has stalls of its
own (`queued`), so the figures are read, not gated.

Measured at 100,000 photos and 2,000 files, 2 cores shared with a full
`make test` and other engineers' work (load average 12-19, so the whole
stalls are pessimistic: read the app's own part, the stall less the time
the UI thread waited for a CPU). Longest stall / its own part, ms; result
shown, s. Before: main at f8c1cbf with this watch; after: issue 51 §2's fixes.

  action              SQLite before    SQLite after     PG before        PG after
  propose             132/54   2.6     106/55   2.1     333/91   5.7     109/8    3.3
  least sure first      0/0    0.36     72/5    0.34    104/54   0.48    120/81   0.68
  accept the rest     103/47   4.9     189/51   4.9     374/52  22.3     215/56  20.1
  undo (the accept)   203/11   7.9     249/4    6.3     252/46  35.8     229/56  26.2
  redo (the accept)   211/60   6.7      99/49   4.6     657/116 24.9     193/49  26.1
  uncertain first       0/0    0.20      0/0    0.17    166/71   3.6      87/32   0.62
  filter (kept)        54/22   0.00      0/0    0.00     57/15   0.01      0/0    0.01
  tag cloud click       0/0    0.01      0/0    0.01      0/0    0.03     52/18   0.01
  project switch        0/0    0.01    132/14   0.03     50/19   0.03      0/0    0.02
  XMP write 2,000      81/79  30.8     225/1   23.5      61/16  39.7      57/24  34.4
  export 2,000         58/4   21.0     108/1   23.3      95/33  24.9      95/18  16.1
  backup                0/0    4.1      62/16   4.4    117/15 178       67/65 122

On a quiet machine (load 1.0-1.1, the same 2 cores, nothing else running;
main at 9d10231 with every branch of the turn merged), 100,000 photos and
2,000 files, longest stall / its own part, ms; result shown, s:

  action              SQLite           PostgreSQL
  propose              68/51   2.2     115/112  2.7  (waiting for the GIL: psycopg on a worker)
  least sure first      0/0    0.15      0/0    0.20
  accept the rest       0/0    3.2      72/66   7.1
  undo (the accept)    64/63   4.0     142/132 12.5  (gallery refresh after the undo; a gen-2 GC)
  redo (the accept)    81/80   3.2      57/51  10.9
  uncertain first       0/0    0.11      0/0    0.15
  filter (kept)         0/0    0.00      0/0    0.01
  tag cloud click       0/0    0.01      0/0    0.01
  project switch        0/0    0.01      0/0    0.03
  XMP write 2,000       0/0    6.1       0/0    9.5
  export 2,000         54/51   8.9       0/0   10.0
  backup                0/0    2.4     115/114 75.6

SQLite has no stall over 100 ms; PostgreSQL has three (propose, undo,
backup: 115-142 ms) — the issue's line is not yet met there.

(load: SQLite before 16, after 12, PostgreSQL before 12-16 and niced, after
14-19; first progress of the XMP write and the export 0.75-2.5 s; the
backup shows "Backing up the catalog…" at once, and no percentage.)
What the before run showed, and what changed: PostgreSQL's accept came
back to its own window as another seat's news (the worker's connection was
closed, and its pid forgotten, before the listener read the commit's
notification: catalog/backends/own_backends.py keeps it 30 s); the loupe
re-read its rows, `pair_info` included, on the UI thread after every step,
hidden or not (325 ms, 72 of it its own: now the rows pool's, `STEP_ROWS`);
after a Propose the gallery listed 100,000 photos on the UI thread
(`refresh_scores`: 175 ms of its own, now the lists pool's); an undo's
worker held the GIL for one json.dumps of 60,000 rows (~70 ms, now 2,000 a
call). Every action's own part is now under 100 ms on both backends (the
largest, 81 ms: Least sure first's loupe reading its first rows on
PostgreSQL). A run under `nice` (its workers below the other engineers'
processes) measured propose's own part at 317 ms on SQLite, all of it
`blocked`: the pure proposal run holds the GIL on a worker that the busy
host deschedules — the priority inversion a loaded machine gives any
pure-Python worker; at normal priority it was 55 ms (the table). Earlier figures (issue 51
§1, before the step queue): undo of the accept 1672 / 692 ms on SQLite,
accept 5095 / 2134 on PostgreSQL.

PostgreSQL's propose and backup (issue 51 §2, second turn), 100,000 photos
and 2,000 files, the same 2 cores shared with two other stall-watch runs and
the other engineers' tests; before (41dfa89) and after ran one after the
other. Longest stall / its own part, ms (stalls over 100 ms); result
shown, s; the host's load:

  action     before                          after
  propose    176/141 (1)   2.6  load 5.7     0/0 (0)     2.8  load 4.7
                                             0/0 (0)     2.0  load 4.1 (again, all commits)
  backup     294/1   (15) 78.7  load 7.3     0/0 (0)    50.8  load 3.3
                                             0/0 (0)    59.3  load 3.2 (again, all commits)
                                             91/86 (0) 128    load 6.8 (an earlier after)

(SQLite, all commits, load 3.6-5.1: propose 55/33, backup 70/1 ms.)

Propose's stall was the UI thread blocked on the GIL (138 of 176 ms, no
stack sampled): psycopg's fetchall() of the plan's 100,000 rows converts
them in one C call (catalog/backends/bulk_read.py: 2,000 a call now); a
later run's 106 ms was a garbage collection on the UI thread walking the
plan's live rows and frames (now made a slice at a time, frames slotted);
the proposals' one json.dumps held the GIL too (proposals/store._packed).
The backup's were a worker holding the GIL in pure Python (459 ms, 443
blocked, the worker in backends/copy.canonical, at load 8) and the run
queue: it now runs in a child process (engine/child_call.py), and says how
far it is from 0.5 s on ("Backing up the catalog (387 MB): 40 %", ~90
sentences, the last at 100 %). `in GC` (stall_watch.py) is the part of a
stall spent in garbage collections.

Issue 51 §2's last look (the undo's stall and the UI thread's collections),
100,000 photos, 2,000 files, 2 cores shared with other engineers' runs;
before = main at 41dfa89, after = this branch, run back to back (after,
before, on SQLite, then on PostgreSQL; load 3.2-5.2); longest stall / its
own part, ms; result shown, s:

  action              SQLite before    SQLite after     PG before        PG after
  propose             165/161  2.6     86/47    3.2     100/90   2.2     106/104  1.8
  least sure first      0/0    0.28     0/0    0.40     68/44   0.24      0/0    0.20
  accept the rest     134/57   5.9      0/0    3.9     152/60   8.7      59/46   5.6
  undo (the accept)   132/88   5.8     56/22   5.0      74/64  13.6       0/0    9.2
  redo (the accept)   124/6    5.0      0/0    3.7      74/43   9.6       0/0   10.8
  uncertain first       0/0    0.16     0/0    0.15      0/0    0.20      0/0    0.19
  filter (kept)         0/0    0.01     0/0    0.01      0/0    0.01      0/0    0.00
  tag cloud click      70/29   0.02     0/0    0.01     56/26   0.01      0/0    0.01
  project switch        0/0    0.02     0/0    0.01      0/0    0.03      0/0    0.03
  XMP write 2,000      58/52  16.4     52/4   21.9       0/0    7.2       0/0   21.0
  export 2,000          0/0   10.3      0/0   22.7       0/0    8.8      53/23  16.0
  backup                0/0    3.6      0/0    4.1      62/4   86.0       0/0   77.4

The UI thread's collections over the whole run, longest young ones: SQLite
gen 0 95.7 -> 29.8 ms, gen 1 131.3 -> 45.8 ms; PostgreSQL gen 1 64.7 ->
23.2 ms. An earlier pair at load 5-8 (the after one beside a niced pytest of
~160 tests, before the step queue's hold): undo PG 85 -> 53, SQLite 200 ->
128; redo PG 221 -> 57, SQLite 126 -> 109; accept PG 174 -> 98, the file
actions' shown times then the other way round (XMP write SQLite 21.4 ->
14.7 s, export 27.7 -> 18.0 s): the file actions' times swing with the
host's other work, and nothing here runs on their path.

What the stalls over 50 ms were, and what changed:
- undo, redo and accept: the UI thread inside `photos_changed.emit` (its
  stack ended at the emit in `_after_history` and `decided_in_one_step`): a
  `Signal(list)` converted the 60,000 ids to a QVariantList and back for
  each of three receivers, 62 ms measured alone: now a `Signal(object)`;
- the gallery's and the loupe's drop of the step's rows walked the 60,000
  ids (7 ms quiet, 24 ms at load 6): now the caches (`listing.cached_among`);
- full collections: after the accept the oldest generation held 47,000
  `Proposal` records and 35,000 tuples (58,000 and 43,000 after the undo),
  the ended proposals kept for the undo: now packed rows the collector stops
  tracking (catalog/proposals/packed.py), 6,000 objects left there; a full
  collection that still costs over 20 ms freezes its survivors
  (engine/collector.py);
- a 217 ms stall with no sample (a worker holding the GIL: one json.dumps of
  the 60,000 proposals the undo puts back): encoded 2,000 a call;
- young collections of 60-180 ms: what a worker makes between two 200 ms
  ticks was walked in one piece; a tick that finds a burst now brings the
  next after 20 ms. And an undo's or redo's worker holds 58,000 `LogRow`s,
  58,000 `DecisionRecord`s and the stacks' `Entry`s (dataclasses: tracked;
  a NamedTuple would not help, CPython untracks exact tuples only) for the
  whole step, which one collection of the middle generation walked (102-124
  ms on SQLite at load 6.5): the step queue now holds the collector while a
  step runs, and they are freed by reference counting, never walked.
What is left over 100 ms: PostgreSQL's propose (a worker holding the GIL,
no sample: its read, another engineer's), and at load 5-8 an accept's
96 ms with no sample (a worker in one C call) and the host's own stalls.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from pytestqt.qtbot import QtBot

from tests.bench.results import merge_results
from tests.bench.stall_watch import StallWatch
from tests.bench.stall_watch_actions import CatalogChanges, Heard, prepare, second_half

pytestmark = pytest.mark.bench

RESULTS = "stall_watch.json"
N = int(os.environ.get("STALL_WATCH_N", "100000"))  # smaller for a quick look
# "cull": only propose .. filter change (a quick look at the cull's steps); else all 13
ONLY = os.environ.get("STALL_WATCH_ONLY", "")
SETTLE_S = 0.5
WAIT_MS = 600_000  # a PostgreSQL backup of 100,000 photos took 178 s under a load of 13
BUDGET_MS = 100
UNCERTAIN_SHOWN = ("Rating pass, most uncertain", "Most uncertain first:")


def _drive(
    qtbot: QtBot,
    watch: StallWatch,
    name: str,
    act: Callable[[], object],
    shown: Callable[[], bool],
    progress: Heard | None = None,
) -> dict[str, Any]:
    """Run `act`, wait until `shown()`, settle; the stalls meanwhile (and when
    `progress` first came, for an action that reports it)."""
    first = len(watch.stalls)
    started = time.perf_counter()
    act()
    qtbot.waitUntil(shown, timeout=WAIT_MS)
    shown_s = time.perf_counter() - started
    qtbot.wait(int(SETTLE_S * 1000))
    stalls = watch.stalls[first:]
    worst = max(stalls, key=lambda s: s.ms, default=None)
    figure = {
        "shown_s": round(shown_s, 3),
        "longest_stall_ms": 0 if worst is None else round(worst.ms),
        "its_own_ms": 0 if worst is None else round(worst.own_ms),
        "stalls_over_100_ms": sum(1 for s in stalls if s.ms > BUDGET_MS),
        "gc_ms_in_longest": 0 if worst is None else round(worst.gc_ms),
        "load_1m": round(os.getloadavg()[0], 1),  # the shared host's, beside the figures
    }
    if progress is not None and progress.first is not None:
        figure["progress_s"] = round(progress.first - started, 3)
    if worst is not None and worst.ms > BUDGET_MS:
        figure["split"] = worst.split()
        figure["stack"] = worst.top()
        if worst.worker_top():
            figure["worker"] = worst.worker_top()
    print(f"\n{name:22s} {figure}")
    for stall in stalls:  # every stall of the action, not only its longest
        where = stall.top().splitlines()
        print(f"  stall {stall.ms:.0f} ms ({stall.split()}): {where[0].strip() if where else ''}")
    if os.environ.get("STALL_WATCH_GC_TYPES"):
        import gc
        from collections import Counter

        sizes = [len(gc.get_objects(g)) for g in (0, 1, 2)]
        kinds = Counter(type(o).__name__ for o in gc.get_objects(2)).most_common(12)
        print(f"  tracked per generation {sizes}, frozen {gc.get_freeze_count()}; oldest: {kinds}")
    return figure


def _measure(qtbot: QtBot, location: str | None, tmp: Path) -> dict[str, dict[str, Any]]:
    """The actions on the catalog at `location` (None: this test's SQLite file);
    the files of the XMP write and the export under `tmp`."""
    from curator.app import build_app
    from curator.catalog.db import Catalog
    from curator.catalog.proposals.plan import Scope
    from curator.catalog.types import GalleryFilter
    from curator.cull.tuning import CullTuning
    from curator.engine.collector import active_collector
    from curator.paths import resolve_paths
    from curator.settings import load_settings
    from tests.bench.gallery_catalog import populate

    paths = resolve_paths(location)
    with Catalog.open(paths.catalog_location) as cat:
        populate(cat, N)
        prepare(cat, tmp / "files")
    catalog = Catalog.open(paths.catalog_location)
    switch = sys.getswitchinterval()
    # As app.main's collector: a costly full collection freezes its survivors.
    collector = active_collector()
    froze = collector is not None and collector.freeze_survivors
    if collector is not None:
        collector.freeze_survivors = True
    figures: dict[str, dict[str, Any]] = {}
    try:
        app = build_app(catalog, paths, load_settings(paths.settings_file))
        window, session = app.window, app.session
        window.resize(1400, 900)
        window.show()
        qtbot.waitExposed(window)
        qtbot.waitUntil(lambda: window.catalog_open and not app.model.rest_pending, timeout=60_000)
        status = window.statusBar().currentMessage
        actions = window.window_actions
        steps = session.steps
        assert steps is not None
        cull = window.cull
        changes = CatalogChanges(app, catalog, paths.catalog_location, tmp)  # before the watch
        watch = StallWatch().start()
        try:
            controller = cull.controller()

            def proposed() -> bool:
                return not controller.busy and status().startswith("Proposed")

            figures["propose"] = _drive(
                qtbot,
                watch,
                "propose (whole catalog)",
                lambda: controller.propose(Scope(), CullTuning()),
                proposed,
            )
            figures["least sure first"] = _drive(
                qtbot,
                watch,
                "least sure first",
                actions["least_sure_first"].trigger,
                lambda: status().startswith("Cull pass, least sure first"),
            )
            figures["to the grid"] = _drive(
                qtbot,
                watch,
                "to the grid",
                lambda: window.dispatch("grid"),
                lambda: not window.loupe_slot.showing(),
            )
            figures["accept the rest"] = _drive(
                qtbot,
                watch,
                "accept the rest",
                cull.accept_all,
                lambda: steps.idle and status().startswith("Accepted"),
            )
            figures["undo"] = _drive(
                qtbot,
                watch,
                "undo (the accept)",
                lambda: window.dispatch("undo"),
                lambda: steps.idle and status().startswith("Undone"),
            )
            figures["redo"] = _drive(
                qtbot,
                watch,
                "redo (the accept)",
                lambda: window.dispatch("redo"),
                lambda: steps.idle and status().startswith("Redone"),
            )
            figures["uncertain first"] = _drive(
                qtbot,
                watch,
                "uncertain first",
                actions["uncertain_first"].trigger,
                lambda: status().startswith(
                    ("Rating pass, most uncertain", "Most uncertain first:")
                ),
            )
            window.dispatch("grid")
            qtbot.wait(int(SETTLE_S * 1000))
            figures["filter: kept"] = _drive(
                qtbot,
                watch,
                "filter change (kept)",
                lambda: window.filter_bar.show_state(GalleryFilter.KEPT),
                lambda: app.model.filter is GalleryFilter.KEPT and app.model.rowCount() > 0,
            )
            steps_after = [] if ONLY == "cull" else second_half(app, window, tmp / "out", qtbot)
            for step in steps_after:
                figures[step.key] = _drive(
                    qtbot, watch, step.label, step.act, step.shown, step.progress
                )
                if step.outcome is not None:
                    figures[step.key]["outcome"] = step.outcome()
                    print(f"  {step.outcome()}")
            for step in changes.steps():  # Open Catalog…, back, Restore… (issue 51 §1)
                figures[step.key] = _drive(qtbot, watch, step.label, step.act, step.shown)
        finally:
            watch.stop()
        print("\n" + watch.report(5))
        print(watch.gc_report())
        if collector is not None:
            frozen, reclaimed = collector.survivor_freezes, collector.reclaims
            print(f"survivors frozen {frozen} times, reclaimed {reclaimed}")
        changes.close()  # the window's app now, shut down, its window gone
    finally:
        sys.setswitchinterval(switch)
        if collector is not None:
            collector.freeze_survivors = froze
        catalog.close()
    assert len(figures) >= (8 if ONLY == "cull" else 15)
    return figures


@pytest.mark.timeout(1800)
def test_the_window_never_stalls_at_100000_photos_on_sqlite(qtbot: QtBot, tmp_path: Path) -> None:
    figures = _measure(qtbot, None, tmp_path)
    merge_results(RESULTS, {f"SQLite {N}": figures})


@pytest.mark.timeout(2400)
def test_the_window_never_stalls_at_100000_photos_on_postgresql(
    qtbot: QtBot, pg_server: Any, tmp_path: Path
) -> None:
    figures = _measure(qtbot, pg_server.url(pg_server.new_database()), tmp_path)
    merge_results(RESULTS, {f"PostgreSQL {N}": figures})

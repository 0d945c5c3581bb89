"""Cycle collection on the main thread only (curator/engine/collector.py).

The crash it prevents: CPython collects cycles on whichever thread allocates
past the threshold; on a pool thread that deleted main-thread Qt objects
while the main thread used them (CI's "Garbage-collecting" segfault). The
first test shows the hazard with automatic collection; the second that
with the collector the same garbage is collected on the main thread.
"""

from __future__ import annotations

import gc
import sys
import threading
import weakref
from collections.abc import Iterator
from pathlib import Path

import pytest

from curator.engine import collector as collector_module
from curator.engine.collector import (
    DEFAULT_INTERVAL_MS,
    FULL_EVERY_S,
    MainThreadCollector,
    active_collector,
    collected_on_main_thread,
)


class _Node:
    """An object in a reference cycle: only the cycle collector frees it."""

    def __init__(self) -> None:
        self.me = self


def _cycle_reporting_its_collector(threads: list[str]) -> None:
    """A new cycle that records the name of the thread that frees it."""
    node = _Node()
    weakref.finalize(node, lambda: threads.append(threading.current_thread().name))


def _allocate_on_a_thread(keep: list[object]) -> None:
    """A worker that allocates well past the young generation's threshold and
    keeps it (so the count stays high, as a busy pool thread's does)."""

    def work() -> None:
        keep.extend([] for _ in range(20 * gc.get_threshold()[0]))

    worker = threading.Thread(target=work, name="pool-like worker")
    worker.start()
    worker.join()


@pytest.fixture
def automatic_collection() -> Iterator[None]:
    """Automatic collection as in a plain Python process, for this test only."""
    was = gc.isenabled()
    gc.collect()
    gc.enable()
    try:
        yield
    finally:
        if not was:
            gc.disable()


def test_automatic_collection_frees_main_thread_garbage_on_a_worker(
    automatic_collection: None,
) -> None:
    threads: list[str] = []
    keep: list[object] = []
    gc.collect()  # counts at zero: the worker's allocations trigger the next one
    _cycle_reporting_its_collector(threads)
    _allocate_on_a_thread(keep)
    assert threads == ["pool-like worker"]


def test_the_collector_frees_the_same_garbage_on_the_main_thread(qtbot: object) -> None:
    threads: list[str] = []
    keep: list[object] = []
    collector = MainThreadCollector(interval_ms=10)
    collector.start()
    try:
        assert not gc.isenabled()
        gc.collect()
        _cycle_reporting_its_collector(threads)
        _allocate_on_a_thread(keep)
        assert threads == []  # nothing collected on the worker
        # The timer's own tick, called here: a test process in which `app.main` ran
        # before (tests/ui: the opening upgrade, the catalog switch) fires no
        # QTimer any more, so waiting for the timer measured that, not the collector.
        collector.tick()
        assert threads == ["MainThread"]
    finally:
        collector.stop()


def test_collect_due_collects_the_generation_cpython_would() -> None:
    collector = MainThreadCollector()
    gc.collect()
    assert collector.collect_due() == 0 and collector.collections == [0, 0, 0]
    threads: list[str] = []
    _cycle_reporting_its_collector(threads)
    keep = [[] for _ in range(gc.get_threshold()[0] + 10)]
    assert collector.collect_due() >= 1  # the node
    assert collector.collections == [1, 0, 0] and threads == ["MainThread"]
    assert gc.get_count()[1] == 1  # one young collection counted towards the next
    del keep


def test_the_outermost_context_turns_automatic_collection_off_and_back_on(
    monkeypatch: pytest.MonkeyPatch, qtbot: object
) -> None:
    monkeypatch.setattr(collector_module, "_active", None)  # outside the test session's
    was = gc.isenabled()
    gc.enable()
    try:
        with collected_on_main_thread() as outer:
            assert not gc.isenabled() and active_collector() is outer
            with collected_on_main_thread() as inner:  # a CLI run inside the GUI
                assert inner is outer
            assert not gc.isenabled() and active_collector() is outer
        assert gc.isenabled() and active_collector() is None
    finally:
        if not was:
            gc.disable()


def test_a_headless_run_collects_on_the_main_thread_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from curator.pipeline.service import PipelineService
    from tests.imaging_helpers import make_jpeg
    from tests.integration.cli_helpers import import_json

    make_jpeg(tmp_path / "a.jpg", 320, 240)
    monkeypatch.setattr(collector_module, "_active", None)  # as in a real `curator import`
    seen: list[bool] = []
    start = PipelineService.start

    def spying_start(self: PipelineService, *args: object, **kwargs: object) -> None:
        seen.append(gc.isenabled())
        start(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(PipelineService, "start", spying_start)
    was = gc.isenabled()
    gc.enable()
    try:
        assert import_json(tmp_path)["new"] == 1
        assert seen == [False]  # pools started with automatic collection off
        assert gc.isenabled()  # and back on after the run
    finally:
        if not was:
            gc.disable()


def test_full_collections_are_paced_and_the_middle_generation_goes_instead() -> None:
    now = [1000.0]
    collector = MainThreadCollector(clock=lambda: now[0])
    was = gc.get_threshold()
    gc.set_threshold(was[0], 1, 1)  # two collections of a generation make the next one due

    def make_due(*generations: int) -> None:
        for generation in generations:
            gc.collect(generation)
            gc.collect(generation)

    try:
        gc.collect()
        make_due(1)
        assert gc.get_count()[2] > 1
        collector.collect_due()
        assert collector.collections == [0, 0, 1]  # the first full collection runs
        make_due(1, 0)  # the oldest and the middle are due again at once
        collector.collect_due()
        assert collector.collections == [0, 1, 1]  # too soon: the middle one instead
        now[0] += FULL_EVERY_S
        collector.collect_due()
        assert collector.collections == [0, 1, 2]  # the pause is over
    finally:
        gc.set_threshold(*was)


def test_what_imports_made_is_frozen_out_of_the_full_collections_walk(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """torch and open_clip leave ~470k tracked objects that every full collection
    on the UI thread walked (~250 ms): after modules load, the collector freezes
    what there is, young garbage collected first, and a full collection then
    walks only what came after; its stop gives the frozen objects back."""
    import types

    collector = MainThreadCollector()
    threads: list[str] = []
    try:
        _cycle_reporting_its_collector(threads)  # young garbage: freed, not frozen
        assert collector.freeze_after_imports()  # the first look freezes
        assert threads == ["MainThread"] and gc.get_freeze_count() > 0
        walked = len(gc.get_objects())
        assert walked < gc.get_freeze_count()
        assert not collector.freeze_after_imports()  # no module loaded since
        statics = [
            types.ModuleType(f"_fake_{n}") for n in range(collector_module.FREEZE_AFTER_MODULES)
        ]
        for module in statics:  # an import of many modules (the embedder's)
            monkeypatch.setitem(sys.modules, module.__name__, module)
        frozen = gc.get_freeze_count()
        assert collector.freeze_after_imports() and gc.get_freeze_count() > frozen
        later: list[str] = []
        _cycle_reporting_its_collector(later)  # garbage made after a freeze is collected
        gc.collect()
        assert later == ["MainThread"]
    finally:
        collector.stop()
    assert gc.get_freeze_count() == 0  # stop: the collector's again


def test_stop_without_start_leaves_automatic_collection_as_it_is() -> None:
    """A collector used only to collect or freeze (as the tests above use one)
    must not turn automatic collection on when it stops: in the GUI or the
    test session that would let pool threads collect cycles again."""
    was = gc.isenabled()
    gc.disable()
    try:
        MainThreadCollector().stop()
        assert not gc.isenabled()
        started = MainThreadCollector()
        started.start()
        started.stop()
        started.stop()  # a second stop restores nothing more
        assert not gc.isenabled()
    finally:
        if was:
            gc.enable()


def test_a_costly_full_collection_freezes_its_survivors_and_a_reclaim_frees_their_cycles(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A big load that lives long (a 100,000-photo gallery's rows scrolled
    through) made every full collection on the UI thread walk it: a full
    collection that cost more than FREEZE_AFTER_FULL_S freezes what survived
    it, so the next walks only what came after. A frozen object that later
    becomes cyclic garbage is still freed, by the reclaim RECLAIM_EVERY_S on.
    (The window's collector does so; one made without `freeze_survivors`, as
    the test session's, never does: see the pacing test above.)"""
    now, away = [1000.0], [False]
    collector = MainThreadCollector(
        clock=lambda: now[0], freeze_survivors=True, away=lambda: away[0]
    )
    monkeypatch.setattr(collector_module, "FREEZE_AFTER_FULL_S", -1.0)  # every one is costly
    was = gc.get_threshold()
    gc.set_threshold(was[0], 1, 1)  # two collections of a generation make the next one due
    threads: list[str] = []
    rows = [{"row": [pid]} for pid in range(50_000)]  # long-lived and tracked: 100,000 objects
    held: _Node | None = _Node()  # alive at the freeze, cyclic garbage after it
    weakref.finalize(held, lambda: threads.append(threading.current_thread().name))

    def full_collection_due() -> None:
        gc.collect(1)
        gc.collect(1)

    try:
        gc.collect()
        off = MainThreadCollector(clock=lambda: now[0])  # as the test session's
        frozen = gc.get_freeze_count()
        full_collection_due()
        off.collect_due()
        # Nothing frozen: the count does not grow. (It may shrink: where an
        # earlier test of this process froze its objects, one of them freed by
        # its reference count meanwhile leaves the permanent generation — a
        # full run read 834,773 against 834,775.)
        assert off.collections[2] == 1 and gc.get_freeze_count() <= frozen
        full_collection_due()
        collector.collect_due()
        assert collector.collections[2] == 1 and collector.survivor_freezes == 1
        assert len(gc.get_objects()) < len(rows)  # the rows are out of the next walks
        held = None
        now[0] += FULL_EVERY_S
        full_collection_due()
        collector.collect_due()
        assert collector.collections[2] == 2 and threads == []  # frozen: not walked
        now[0] += collector_module.RECLAIM_EVERY_S
        collector.collect_due()
        assert collector.reclaims == 0 and threads == []  # at the keys: the long walk waits
        away[0] = True  # the photographer went to another app
        collector.collect_due()
        assert collector.reclaims == 1 and threads == ["MainThread"]  # freed, on this thread
        assert len(gc.get_objects()) < len(rows)  # the survivors frozen again
        assert len(rows) == 50_000
    finally:
        gc.set_threshold(*was)
        collector.stop()
    assert gc.get_freeze_count() == 0  # stop: the collector's again


def test_a_photographer_who_never_leaves_the_window_still_gets_the_reclaim() -> None:
    """The reclaim's long walk waits for the photographer to step away, but
    not forever: RECLAIM_ANYWAY_S after the freeze it runs at the keys too."""
    now = [1000.0]
    collector = MainThreadCollector(clock=lambda: now[0], freeze_survivors=True, away=lambda: False)
    try:
        collector._freeze_survivors()  # as after a costly full collection
        now[0] += collector_module.RECLAIM_ANYWAY_S - 1
        collector.collect_due()
        assert collector.reclaims == 0
        now[0] += 1
        collector.collect_due()
        assert collector.reclaims == 1
    finally:
        collector.stop()
    assert gc.get_freeze_count() == 0


def test_a_burst_of_young_objects_brings_the_next_tick_sooner() -> None:
    """A worker that makes 100,000 objects between two 200 ms ticks left them
    all to one young collection on the UI thread (40-110 ms): a tick that
    finds a burst makes the next come after FAST_INTERVAL_MS, so the same
    objects are walked in smaller pieces; a quiet tick goes back to the pace."""
    collector = MainThreadCollector()
    collector.freeze_after_imports()  # its first look, done: the ticks below only collect
    gc.collect()
    assert collector.interval_ms == DEFAULT_INTERVAL_MS
    keep: list[list[int]] = [[] for _ in range(2 * collector_module.BURST_YOUNG)]  # kept alive
    assert gc.get_count()[0] > collector_module.BURST_YOUNG
    collector.tick()
    assert collector.interval_ms == collector_module.FAST_INTERVAL_MS
    assert collector.collections[0] + collector.collections[1] + collector.collections[2] == 1
    collector.tick()  # nothing new since: the usual pace
    assert collector.interval_ms == DEFAULT_INTERVAL_MS
    assert len(keep) == 2 * collector_module.BURST_YOUNG
    collector.stop()


def test_a_hold_makes_collections_wait_until_released_or_too_old() -> None:
    """A step on a worker holds its 60,000 rows and records till it ends: the
    window's step queue holds the collector meanwhile, so the UI thread never
    walks them (they are freed by reference counting at the step's end)."""
    now = [1000.0]
    collector = MainThreadCollector(clock=lambda: now[0])
    collector.freeze_after_imports()  # its first look, done
    was = gc.get_threshold()
    gc.set_threshold(was[0], 1, 1)
    try:
        gc.collect()
        release = collector.hold()
        keep = [[] for _ in range(2 * collector_module.BURST_YOUNG)]  # a step's worker's
        collector.tick()
        assert collector.held and sum(collector.collections) == 0  # nothing walked
        release()
        release()  # twice: harmless
        assert not collector.held
        collector.tick()
        assert sum(collector.collections) == 1  # due, so collected once let go
        stuck = collector.hold()
        gc.collect(0)
        gc.collect(0)  # the middle generation due
        now[0] += collector_module.HOLD_MAX_S  # a hold never released stops nothing for long
        assert not collector.held
        collector.collect_due()
        assert sum(collector.collections) == 2 and len(keep) > 0
        stuck()
    finally:
        gc.set_threshold(*was)
        collector.stop()

"""The one way back from workers (engine/delivery.py): a Job's result reaches its
owner's slot on the main thread, in order, errors become messages, the pool
thread's catalog connection is closed, and nothing is posted once closed."""

from __future__ import annotations

import gc
import threading
import time
import weakref
from pathlib import Path

import shiboken6
from PySide6.QtCore import QObject, QRunnable, QThread
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from curator.catalog.db import Catalog
from curator.catalog.models import Photo
from curator.engine.delivery import IN_FLIGHT, Delivery, Job, delivery_to, log_and_deliver
from tests.pools import make_pool


class Owner(QObject):
    def __init__(self) -> None:
        super().__init__()
        self.got: list[object] = []
        self.threads: list[QThread] = []
        self.delivery: Delivery[object] = delivery_to(self, self.on_delivered)

    def on_delivered(self, value: object) -> None:
        self.got.append(value)
        self.threads.append(QThread.currentThread())


def test_a_job_delivers_its_result_and_what_it_streamed_in_order(qtbot: QtBot) -> None:
    owner, pool = Owner(), make_pool(1)

    def work() -> str:
        for i in range(50):
            owner.delivery.deliver(i)
        return "done"

    pool.start(Job(work, owner.delivery))
    qtbot.waitUntil(lambda: "done" in owner.got, timeout=30_000)
    assert owner.got == [*range(50), "done"]
    main = QApplication.instance()
    assert main is not None and all(t is main.thread() for t in owner.threads)
    pool.waitForDone()


def test_an_error_becomes_the_message_on_error_makes_of_it(qtbot: QtBot) -> None:
    owner, pool = Owner(), make_pool(1)

    def fail() -> str:
        raise ValueError("the disk said no")

    pool.start(Job(fail, owner.delivery, lambda exc: f"failed: {exc}"))
    pool.start(Job(fail, owner.delivery, log_and_deliver))
    pool.start(Job(fail, owner.delivery))  # the default: logged, nothing delivered
    pool.start(Job(lambda: None, owner.delivery))  # None: nothing to deliver
    pool.start(Job(lambda: "last", owner.delivery))
    qtbot.waitUntil(lambda: "last" in owner.got, timeout=30_000)
    assert owner.got[0] == "failed: the disk said no"
    assert isinstance(owner.got[1], ValueError) and len(owner.got) == 3
    pool.waitForDone()


def test_a_job_closes_its_threads_catalog_connection(tmp_path: Path, qtbot: QtBot) -> None:
    owner, pool = Owner(), make_pool(1)  # one thread: both jobs run on it
    with Catalog.open(tmp_path / "cat.sqlite") as catalog:
        db = catalog.db

        def read() -> bool:
            Photo.select().count()
            return db.is_closed()  # open while the job runs

        pool.start(Job(read, owner.delivery))
        pool.start(Job(db.is_closed, owner.delivery))  # the next job on that thread
        qtbot.waitUntil(lambda: len(owner.got) == 2, timeout=30_000)
        pool.waitForDone()
    assert owner.got == [False, True]


def test_nothing_is_posted_once_the_owner_is_gone(qtbot: QtBot) -> None:
    owner, pool = Owner(), make_pool(1)
    delivery = owner.delivery
    started, release = threading.Event(), threading.Event()

    def slow() -> str:
        started.set()
        release.wait(30)
        return "late"

    pool.start(Job(slow, delivery))
    assert started.wait(30)
    owner.deleteLater()
    qtbot.waitUntil(lambda: not shiboken6.isValid(owner), timeout=30_000)
    assert delivery.closed  # closed by the owner's `destroyed`, before its children went
    release.set()
    pool.waitForDone()
    assert delivery.deliver("after") is False


def test_the_owners_destroyed_keeps_its_delivery_alive_until_the_owner_goes(qtbot: QtBot) -> None:
    """PySide holds a plain object's bound method weakly: with `destroyed`
    connected to `delivery.close`, the cycle collector could free a Delivery
    whose owner still had a deferred delete to run, and `destroyed` then called
    into freed memory (a segfault "Garbage-collecting" in CI)."""
    owner = QObject()
    delivery: Delivery[object] = delivery_to(owner, lambda _value: None)
    ref = weakref.ref(delivery)
    del delivery
    gc.collect()
    kept = ref()
    assert kept is not None  # held by the owner's connection, not by chance
    owner.deleteLater()
    qtbot.waitUntil(lambda: not shiboken6.isValid(owner), timeout=30_000)
    assert kept.closed
    del kept
    gc.collect()
    assert ref() is None  # let go with the owner: nothing leaks


def test_a_queued_job_keeps_what_it_needs_when_its_pool_is_cyclic_garbage() -> None:
    """A pool nobody drained, its Python side only in a reference cycle: the
    collector clears the cycle and the pool's C++ side runs its queued jobs
    while it goes. Those jobs must run whole (before: their attributes and
    Deliveries were cleared first — "'Delivery' object has no attribute
    '_lock'" on a pool thread, seen at a test's teardown)."""
    got: list[object] = []
    errors: list[Exception] = []
    in_flight = len(IN_FLIGHT)

    def start_and_abandon() -> None:
        pool = make_pool(1)
        pool.start(Job(lambda: time.sleep(0.2), Delivery(lambda _v: None)))  # keeps "made" queued
        delivery: Delivery[object] = Delivery(got.append)
        pool.start(Job(lambda: "made", delivery, on_error=errors.append))
        cycle: dict[str, object] = {"pool": pool, "delivery": delivery}
        cycle["itself"] = cycle

    start_and_abandon()
    gc.collect()  # frees the pool: its C++ side finishes its jobs first
    assert errors == [] and got == ["made"]
    assert len(IN_FLIGHT) <= in_flight  # and lets go of both jobs once they ran


class _Idle(QRunnable):
    def run(self) -> None:
        pass


def test_jobs_a_pool_dropped_unrun_are_let_go() -> None:
    """`pool.clear()` deletes queued jobs without running them: their entries
    go at the next pruning, which runs once the set has doubled."""
    registry = type(IN_FLIGHT)()
    pool = make_pool(1)
    gate = threading.Event()
    pool.start(Job(lambda: gate.wait(10) and None, Delivery(lambda _v: None)))  # holds the queue
    dropped = [Job(lambda: None, Delivery(lambda _v: None)) for _ in range(100)]
    for job in dropped:
        pool.start(job)
        registry.add(job)
    pool.clear()  # never run: their C++ side is gone
    gate.set()
    pool.waitForDone()
    assert not any(shiboken6.isValid(job) for job in dropped)
    kept = [_Idle() for _ in range(60)]
    for job in kept:
        registry.add(job)
    assert len(registry) == len(kept)  # the 100 dropped ones were pruned on the way

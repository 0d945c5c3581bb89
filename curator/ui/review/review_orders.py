"""`ReviewOrders`: the two switched review orders — the cull pass's *Least
sure first* (Shift+A) and the rating pass's *Uncertain first* (Shift+U) —
read on a worker (issue 51 §2) and kept on as a sort is (§3).

Reading either order takes 150-470 ms at 100,000 proposals, so it never runs
on the UI thread: the toggle asks, the order arrives, then the pass starts
there (`switch_least_sure_first`, `switch_uncertain_first`, which say it).

Concurrency protocol (the pool is app.py's `UiPools.lists`: one thread):
- `toggle(name, on)` (main thread): off is at once (the pass goes back to its
  usual order, which `PassOrder` reads as before). On takes a new
  generation and starts a Job that reads the order (`PassOrder.read`, and
  for Uncertain first whether a taste model exists) with its thread's own
  connection; the status line says it is being read.
- The read arrives as an `OrderRead` on the main thread. One older than the
  newest toggle (switched again meanwhile) is dropped. Otherwise
  `PassOrder.hold` keeps it and the switch function starts the pass on it;
  every later start of that pass walks the held order, without a read.
- `enter(pass_, at_photo)` (the loupe entered from the grid, which would
  walk what the grid shows): while that pass's order is switched on, the
  loupe walks the switched order instead, at the photo opened — the held
  one at once, or one read now as above. So the order stays on through a
  trip to the grid, as a sort does.
- The switches are remembered (`remember(name, on)`: the window's state
  file) and `restore` turns them back on at the next start: the actions are
  checked at once and the orders read on the worker; until a read arrives
  the pass keeps its usual order (no read on the UI thread).
- `start_first_pass()` (a catalog's open): the pass's usual order is read on
  the worker too (`PassOrder.read_usual`, ~0.1 s at 100,000 photos, after a
  restored switch's read: one thread, in order); when it arrives the pass
  starts on it (`PassOrder.fresh`), unless something started it meanwhile
  (an import, the loupe), which then read its own order.
- `close()` (the window going): later reads are dropped.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from PySide6.QtCore import QObject, QThreadPool, Slot
from PySide6.QtGui import QAction

from curator.engine.delivery import Delivery, Job, delivery_to, log_and_deliver
from curator.ui.review.least_sure_first import switch_least_sure_first
from curator.ui.review.pass_order import PassOrder
from curator.ui.review.session import ReviewPass, ReviewSession
from curator.ui.review.uncertain_first import has_taste_model, switch_uncertain_first

LEAST_SURE, UNCERTAIN = "least_sure_first", "uncertain_first"
PASS_OF = {LEAST_SURE: ReviewPass.CULL, UNCERTAIN: ReviewPass.RATING}
READING = {
    LEAST_SURE: "Reading the proposals, least sure first…",
    UNCERTAIN: "Reading the unrated kept photos, most uncertain first…",
}


@dataclass(frozen=True)
class OrderRead:
    generation: int
    name: str  # LEAST_SURE or UNCERTAIN
    ids: tuple[int, ...]
    fitted: bool | None  # Uncertain first: is there a taste model
    # What to do with it: "switch" (the toggle), "enter" (the loupe, at `at_photo`),
    # "hold" (a restored switch: kept for the next start).
    purpose: str = "switch"
    at_photo: int | None = None


@dataclass(frozen=True)
class UsualOrder:
    """`start_first_pass`'s read: a pass's usual order."""

    pass_: str
    ids: tuple[int, ...]


class ReviewOrders(QObject):
    def __init__(
        self,
        session: ReviewSession,
        pass_order: PassOrder,
        threads: QThreadPool,
        *,
        embedding_model: Callable[[], str],
        notify: Callable[[str], None],
        show_loupe_page: Callable[[], None],
        remember: Callable[[str, bool], None] | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.session, self.pass_order, self.threads = session, pass_order, threads
        self._embedding_model, self._notify = embedding_model, notify
        self._show_loupe_page, self._remember = show_loupe_page, remember
        self._delivery: Delivery[object] = delivery_to(self, self._on_read)
        self._generation = {LEAST_SURE: 0, UNCERTAIN: 0}

    def toggle(self, name: str, on: bool) -> None:
        """The toolbar's toggle (or its key) turned `name` on or off."""
        if self._remember is not None:
            self._remember(name, on)
        if on:
            self._notify(READING[name])
            self._read(name, "switch")
            return
        self._generation[name] += 1  # a read still in flight is stale now
        if name == LEAST_SURE:
            self._notify(switch_least_sure_first(self.session, self.pass_order, False))
        else:
            notice = switch_uncertain_first(
                self.session, self.pass_order, False, self._embedding_model()
            )
            self._notify(notice)

    def enter(self, pass_: ReviewPass, at_photo: int | None) -> bool:
        """The loupe entered into `pass_`: True when its switched order takes it
        (the caller then leaves the grid's order alone)."""
        if not self.pass_order.switched(pass_.value):
            return False
        self.session.set_scope(None)  # the switched order wins over what the grid shows
        if pass_.value in self.pass_order.held:
            self._start(pass_, at_photo)
            self._show_loupe_page()
            return True
        name = LEAST_SURE if pass_ is ReviewPass.CULL else UNCERTAIN
        self._notify(READING[name])
        self._read(name, "enter", at_photo)
        return True

    def restore(
        self, remembered: Callable[[str], bool | None], actions: Mapping[str, QAction]
    ) -> None:
        """At start-up: the switches left on last time are on again (read on the worker)."""
        for name in (LEAST_SURE, UNCERTAIN):
            if remembered(name):
                action = actions.get(name)
                if action is not None:
                    action.setChecked(True)
                self._read(name, "hold")

    def start_first_pass(self) -> None:
        """The catalog is open: the session's pass starts on its usual order, read
        on the worker (module docstring)."""
        pass_, order = self.session.pass_.value, self.pass_order
        self.threads.start(
            Job(
                lambda: UsualOrder(pass_, tuple(order.read_usual(pass_))),
                self._delivery,
                log_and_deliver,
            )
        )

    def close(self) -> None:
        self._delivery.close()

    def _read(self, name: str, purpose: str, at_photo: int | None = None) -> None:
        self._generation[name] += 1
        generation, pass_ = self._generation[name], PASS_OF[name].value
        order, model = self.pass_order, self._embedding_model()

        def job() -> OrderRead:
            ids = tuple(order.read(pass_))
            fitted = has_taste_model(model) if name == UNCERTAIN and ids else None
            return OrderRead(generation, name, ids, fitted, purpose, at_photo)

        self.threads.start(Job(job, self._delivery, log_and_deliver))

    def _start(self, pass_: ReviewPass, at_photo: int | None) -> None:
        # A photo opened from the grid that the switched order lacks is shown
        # first, never looked for in the other pass (a read on this thread).
        self.session.start(pass_, at_photo=at_photo, look_elsewhere=False)

    @Slot(object)
    def _on_read(self, read: object) -> None:
        if isinstance(read, Exception):
            self._notify(f"The review order could not be read: {read}.")
            return
        if isinstance(read, UsualOrder):
            if not self.session.started and self.session.pass_.value == read.pass_:
                self.pass_order.fresh[read.pass_] = list(read.ids)
                self.session.start(self.session.pass_)
            return
        assert isinstance(read, OrderRead)
        if read.generation != self._generation[read.name]:
            return  # switched again since: a newer read (or none) decides
        pass_ = PASS_OF[read.name]
        self.pass_order.hold(pass_.value, list(read.ids))
        if read.purpose == "hold":  # a restored switch: on, for the next start
            setattr(self.pass_order, read.name, True)
            return
        if read.purpose == "enter":
            self._start(pass_, read.at_photo)
            self._show_loupe_page()
            return
        if read.name == LEAST_SURE:
            notice = switch_least_sure_first(self.session, self.pass_order, True)
        else:
            notice = switch_uncertain_first(
                self.session, self.pass_order, True, self._embedding_model(), read.fitted
            )
        self._show_loupe_page()
        self._notify(notice)


__all__ = ["LEAST_SURE", "UNCERTAIN", "OrderRead", "ReviewOrders", "UsualOrder"]

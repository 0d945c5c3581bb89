"""`ReviewOrders`: the two switched review orders — *Least sure first* (Shift+A,
cull pass) and *Uncertain first* (Shift+U, rating pass) — read on a worker
(150-470 ms at 100,000 proposals) and kept on as a sort is.

Protocol (on `UiPools.lists`, one thread):
- `toggle(name, on)`: off at once; on starts a Job, with a new generation,
  that reads the order (`PassOrder.read`); the arriving `OrderRead` is dropped
  if older than the newest toggle, else held (`PassOrder.hold`) and the pass
  starts on it.
- `enter(pass_, at_photo)`: while that pass's order is on, the loupe walks it.
- The switches are remembered and `restore`d, read on the worker.
- `start_first_pass()`: the usual order read on the worker too
  (`PassOrder.read_usual`), unless something started the pass meanwhile.
- `close()`: later reads are dropped.
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
        """The loupe entered into `pass_`: True when its switched order takes it."""
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
        """The catalog is open: the pass starts on its usual order, read on the worker."""
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
        # A photo the switched order lacks is shown first, never looked for elsewhere.
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

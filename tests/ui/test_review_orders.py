"""Issue 51 §2 and §3: Least sure first reads its order on a worker, and it
stays on when the photographer goes to the grid and back, and across a
restart (the window's state file), as a sort does."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from curator.app import App
from curator.catalog.backends.seat import current_seat
from curator.catalog.models import Photo
from curator.catalog.proposals import store
from curator.catalog.proposals.store import write_proposals
from curator.records import Proposal, ProposalVerdict
from tests.ui.conftest import running_app

WAIT = 30_000
SHIFT = Qt.KeyboardModifier.ShiftModifier
KEEP, REJECT = ProposalVerdict.KEEP, ProposalVerdict.REJECT


def _propose() -> list[int]:
    """Proposals for four photos; their ids, least sure first."""
    by_name = {Path(bytes(p.path).decode()).name: int(p.id) for p in Photo.select()}
    p = [by_name[f"IMG_{i:04d}.jpg"] for i in range(8)]
    proposals = [
        Proposal(p[0], REJECT, (), 0.9),
        Proposal(p[1], KEEP, (), 0.4),
        Proposal(p[2], REJECT, (), 0.2),
        Proposal(p[3], KEEP, (), 0.7),
    ]
    assert write_proposals(current_seat().user, proposals) == 4
    return [p[2], p[1], p[3], p[0]]


@pytest.fixture
def read_threads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The threads the least-sure order was read on."""
    threads: list[str] = []
    real: Callable[[str], list[int]] = store.least_sure_first

    def recorded(owner: str) -> list[int]:
        threads.append(threading.current_thread().name)
        return real(owner)

    monkeypatch.setattr(store, "least_sure_first", recorded)
    return threads


def test_least_sure_first_is_read_on_a_worker_and_survives_the_grid(
    library: Path, app: App, qtbot: QtBot, read_threads: list[str]
) -> None:
    ascending = _propose()
    window, session = app.window, app.session
    action = window.window_actions["least_sure_first"]
    window.gallery.setFocus()
    qtbot.keyClick(window.gallery, Qt.Key.Key_A, SHIFT)
    qtbot.waitUntil(lambda: session.order == ascending, timeout=WAIT)
    assert read_threads and threading.main_thread().name not in read_threads
    assert window.loupe_slot.showing()

    # To the grid (G) and back (E): the order is still the proposals', least sure first.
    window.dispatch("grid")
    assert not window.loupe_slot.showing() and action.isChecked()
    reads = len(read_threads)
    window.dispatch("loupe")
    assert window.loupe_slot.showing()
    assert session.order == ascending and session.scope is None
    assert len(read_threads) == reads  # the order held: no read again, none on this thread
    # Opening a proposed photo from the grid walks the same order, from there.
    window.dispatch("grid")
    window.show_loupe(ascending[2])
    assert session.order == ascending and session.current == ascending[2]

    action.trigger()  # off: the grid's order again on the next entry
    window.dispatch("grid")
    window.dispatch("loupe")
    assert session.scope is not None and sorted(session.order) != sorted(ascending)


def test_least_sure_first_is_on_again_after_a_restart(
    library: Path, qtbot: QtBot, read_threads: list[str]
) -> None:
    with running_app(qtbot) as app:
        ascending = _propose()
        qtbot.waitUntil(lambda: app.window.catalog_open, timeout=WAIT)
        app.window.window_actions["least_sure_first"].trigger()
        qtbot.waitUntil(lambda: app.session.order == ascending, timeout=WAIT)
    with running_app(qtbot) as app:
        window, session = app.window, app.session
        action = window.window_actions["least_sure_first"]
        qtbot.waitUntil(lambda: window.catalog_open, timeout=WAIT)
        assert action.isChecked()
        orders = window.tools.orders
        assert orders is not None
        qtbot.waitUntil(lambda: orders.pass_order.least_sure_first, timeout=WAIT)
        window.dispatch("loupe")
        assert session.order == ascending
        assert threading.main_thread().name not in read_threads
        action.trigger()  # off, and remembered off
    with running_app(qtbot) as app:
        qtbot.waitUntil(lambda: app.window.catalog_open, timeout=WAIT)
        assert not app.window.window_actions["least_sure_first"].isChecked()


def test_the_first_pass_at_a_catalogs_open_reads_its_order_on_a_worker(
    library: Path, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    """At 100,000 photos the cull pass's usual order took ~0.1 s of the UI
    thread at every open (the stall watch's catalog switch): it is read on
    the worker, and the pass starts on it, in the order the catalog gives."""
    from curator.pipeline.stages import score

    threads: list[str] = []
    real = score.review_order

    def recorded(pass_: str, model: str, **kw: bool) -> list[int]:
        threads.append(threading.current_thread().name)
        return real(pass_, model, **kw)

    monkeypatch.setattr(score, "review_order", recorded)
    with running_app(qtbot) as app:
        qtbot.waitUntil(lambda: app.session.started, timeout=WAIT)
        assert threads and threading.main_thread().name not in threads
        assert app.session.pass_.value == "cull"
        assert sorted(app.session.order) == sorted(real("cull", ""))
        assert app.session.order == real("cull", "")  # the usual order, as read on this thread
        assert app.window.tools.orders is not None
        assert app.window.tools.orders.pass_order.fresh == {}  # walked once, not kept

"""A seat's own PostgreSQL connections (catalog.backends.own_backends): a
closed connection's pid stays the seat's for a grace, then is forgotten."""

from __future__ import annotations

from curator.catalog.backends.own_backends import GRACE_S, OwnBackends


def test_a_closed_connection_stays_own_for_the_grace_then_is_forgotten() -> None:
    now = [100.0]
    own = OwnBackends(clock=lambda: now[0])
    own.add(11)
    own.add(12)
    own.discard(11)
    now[0] += GRACE_S - 1
    assert set(own) == {11, 12}  # its commit's notification may still be on the way
    now[0] += 2
    assert set(own) == {12}
    own.discard(12)
    own.add(12)  # open again: own with no end
    now[0] += 10 * GRACE_S
    assert set(own) == {12}


def test_discarding_a_pid_never_added_adds_nothing() -> None:
    own = OwnBackends(clock=lambda: 0.0)
    own.discard(7)
    assert set(own) == set()

"""Waiting for the review session's step queue (undo, redo, accept run on its
worker: ui/review/step_queue.py) in the window's tests."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from curator.ui.review.session import ReviewSession


def steps_done(session: ReviewSession, qtbot: QtBot, timeout: int = 10_000) -> None:
    """Until every undo, redo and accept asked so far is written and its news shown."""
    steps = session.steps
    if steps is not None:
        qtbot.waitUntil(lambda: steps.idle, timeout=timeout)

"""The GUI's decoding children run below the window's CPU priority (issue 19
§1: on busy cores the loupe goes first); the CLI's run at normal priority."""

from __future__ import annotations

import os

import pytest
from pytestqt.qtbot import QtBot

from curator.engine.thread_priority import NORMAL_PRIORITY_ENV
from curator.pipeline.service import PipelineService, make_process_pool
from curator.pipeline.stages.technical import DECODER_NICENESS, TechnicalPlan
from curator.settings import Settings
from tests.ui.conftest import running_app


@pytest.mark.skipif(not hasattr(os, "nice"), reason="no process priorities here")
@pytest.mark.parametrize("niceness", [0, DECODER_NICENESS])
def test_decoder_children_take_the_niceness_they_are_given(
    niceness: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(NORMAL_PRIORITY_ENV)  # the product's priorities, not the suite's
    ours = os.nice(0)
    processes = make_process_pool(Settings(decode_workers=1), TechnicalPlan(), niceness)
    try:
        assert processes.call(os.nice, 0, 120) == min(19, ours + niceness)
        # The import service keeps its children from run to run and re-primes
        # them: the priority stays where it was, it does not drop a step a run.
        for _ in range(2):
            processes.reprime(frozenset({"abc"}), niceness)
            assert processes.call(os.nice, 0, 120) == min(19, ours + niceness)
    finally:
        processes.close()


def test_the_window_asks_for_background_children_and_the_cli_does_not(qtbot: QtBot) -> None:
    with running_app(qtbot, 800, 600) as app:
        assert app.pipeline.service.decoder_niceness == DECODER_NICENESS > 0
    assert PipelineService.__init__.__kwdefaults__["decoder_niceness"] == 0  # the CLI's


def test_normal_priority_asked_for_keeps_the_children_at_normal(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The suite's switch (tests/conftest.py) reaches the decoder children too."""
    monkeypatch.setenv(NORMAL_PRIORITY_ENV, "1")
    ours = os.nice(0)
    processes = make_process_pool(Settings(decode_workers=1), TechnicalPlan(), DECODER_NICENESS)
    try:
        assert processes.call(os.nice, 0, 120) == ours
    finally:
        processes.close()

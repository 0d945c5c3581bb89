"""engine.compute_threads: a worker process's native libraries held to one thread."""

from __future__ import annotations

import os
import sys

import pytest

from curator.engine.compute_threads import THREAD_ENV, one_compute_thread


@pytest.fixture
def fresh_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in THREAD_ENV:
        monkeypatch.setenv(name, "8")  # restored after the test


@pytest.mark.usefixtures("fresh_env")
def test_without_threadpoolctl_the_environment_is_still_set(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A bundle that left threadpoolctl out must still start its decoder
    # children: the environment is what holds a library loaded from now on.
    monkeypatch.setitem(sys.modules, "threadpoolctl", None)  # import raises ImportError
    one_compute_thread()
    assert all(os.environ[name] == "1" for name in THREAD_ENV)

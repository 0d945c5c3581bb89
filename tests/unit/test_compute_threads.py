"""engine.compute_threads: a worker process's native libraries held to one thread."""

from __future__ import annotations

import os
import subprocess
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


def test_before_numpy_loads_only_the_environment_is_set() -> None:
    # A decoder child runs this first, before OpenCV's import loads numpy: then
    # nothing is loaded to hold, and threadpoolctl's import (~20 ms) would be
    # paid at every child start for nothing.
    probe = (
        "import os, sys\n"
        "from curator.engine.compute_threads import THREAD_ENV, one_compute_thread\n"
        "one_compute_thread()\n"
        "print('threadpoolctl' in sys.modules, 'numpy' in sys.modules, "
        "all(os.environ[n] == '1' for n in THREAD_ENV))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=120
    )
    assert done.stdout.split() == ["False", "False", "True"], done.stdout + done.stderr

"""A `curator watch` subprocess for the tests, and a camera that writes into its
folder the ways tethering apps and FTP servers do."""

from __future__ import annotations

import json
import os
import queue
import shutil
import signal
import subprocess
import threading
import time
from pathlib import Path
from typing import Any

from tests.integration.cli_helpers import curator_subprocess

WAIT_S = 120.0  # far beyond what these few frames take: only a hang reaches it


class WatchProcess:
    """`curator watch FOLDER --json`: its arrivals (stdout lines) and its
    sentences (stderr) read on threads, taken by the test in order."""

    def __init__(self, folder: Path, *extra: str, env: dict[str, str] | None = None):
        self.proc: subprocess.Popen[str] = curator_subprocess(
            "watch", str(folder), "--json", *extra, env=env
        )
        self.arrivals: list[dict[str, Any]] = []
        self.sentences: list[str] = []
        self._lines: queue.SimpleQueue[tuple[str, str | None]] = queue.SimpleQueue()
        self._ended = 0  # streams read to their end
        for name, stream in (("out", self.proc.stdout), ("err", self.proc.stderr)):
            threading.Thread(target=self._read, args=(name, stream), daemon=True).start()

    def _read(self, name: str, stream: Any) -> None:
        for line in stream:
            self._lines.put((name, line.rstrip("\n")))
        self._lines.put((name, None))

    def _take(self, timeout: float) -> None:
        try:
            name, line = self._lines.get(timeout=timeout)
        except queue.Empty:
            return
        if line is None:
            self._ended += 1
        elif name == "out":
            self.arrivals.append(json.loads(line))
        else:
            self.sentences.append(line)

    def until(self, done: Any, timeout: float = WAIT_S) -> None:
        deadline = time.monotonic() + timeout
        while not done():
            left = deadline - time.monotonic()
            if left <= 0 or (self.proc.poll() is not None and self._lines.empty()):
                raise AssertionError(
                    f"not seen: arrivals {[a['path'] for a in self.arrivals]}, "
                    f"sentences {self.sentences}, exit {self.proc.poll()}"
                )
            self._take(min(left, 0.5))

    def pump(self) -> None:
        """Take whatever it printed so far (without waiting)."""
        while not self._lines.empty():
            self._take(0)

    def watching(self) -> WatchProcess:
        """Once it said it watches (files written from here on are seen)."""
        self.until(lambda: any(s.startswith("Watching ") for s in self.sentences))
        return self

    def names(self) -> list[str]:
        return [os.path.basename(a["path"]) for a in self.arrivals]

    def stop(self, sig: int = signal.SIGINT) -> int:
        self.proc.send_signal(sig)
        return self.exited()

    def exited(self) -> int:
        """Its exit code, once it exited and all it printed was taken."""
        code = self.proc.wait(timeout=WAIT_S)
        deadline = time.monotonic() + WAIT_S
        while self._ended < 2 and time.monotonic() < deadline:
            self._take(0.5)
        return code

    def kill(self) -> None:
        self.proc.kill()
        self.proc.wait(timeout=WAIT_S)


def write_slowly(path: Path, data: bytes, chunks: int = 4, pause_s: float = 0.4) -> None:
    """As an FTP upload over a slow link: one open, chunks with pauses, one close."""
    step = -(-len(data) // chunks)
    with path.open("wb") as f:
        for i in range(0, len(data), step):
            f.write(data[i : i + step])
            f.flush()
            time.sleep(pause_s)


def write_then_rename(path: Path, data: bytes, suffix: str = ".part") -> None:
    """As a tethering app or an FTP server: a temporary name, then the final one."""
    temp = path.with_name(path.name + suffix)
    temp.write_bytes(data)
    temp.rename(path)


def copy_in(source: Path, dest: Path) -> None:
    shutil.copyfile(source, dest)

"""What LibRaw says on its own while it reads sensor data.

LibRaw writes data errors straight to descriptor 2, naming no photo.
`libraw_messages()` sends descriptor 2 to a temporary file for a block of
LibRaw calls and hands back its lines for the failure's detail
(`with_libraw_said`).

Invariants: descriptor 2 is always restored; one block at a time (a lock);
without descriptor 2 or a temporary file nothing is captured and the block
still runs.
"""

from __future__ import annotations

import contextlib
import os
import sys
import tempfile
import threading
from collections.abc import Iterator
from typing import IO

_ONE_AT_A_TIME = threading.Lock()


@contextlib.contextmanager
def libraw_messages() -> Iterator[list[str]]:
    """The block's output on descriptor 2, kept off the terminal: the list
    yielded is filled with its non-blank lines when the block ends. Where
    descriptor 2 or a temporary file is not to be had, the block runs as it
    would without this (its lines, if any, reach the terminal)."""
    said: list[str] = []
    with _ONE_AT_A_TIME:
        sink, saved = _redirected()
        if sink is None or saved is None:
            yield said
            return
        try:
            yield said
        finally:
            os.dup2(saved, 2)
            os.close(saved)
            with sink:
                sink.seek(0)
                text = sink.read(64 * 1024).decode("utf-8", errors="replace")
            said.extend(line.strip() for line in text.splitlines() if line.strip())


def _redirected() -> tuple[IO[bytes] | None, int | None]:
    """A temporary file now on descriptor 2, and a copy of what was there
    before; (None, None) where either cannot be had (nothing redirected)."""
    try:
        sys.stderr.flush()
        sink = tempfile.TemporaryFile()  # noqa: SIM115  (closed by libraw_messages, after the block)
    except (OSError, ValueError):  # no standard error, or no temporary folder to write
        return None, None
    try:
        saved = os.dup(2)
    except OSError:
        sink.close()
        return None, None
    try:
        os.dup2(sink.fileno(), 2)
    except OSError:
        os.close(saved)
        sink.close()
        return None, None
    return sink, saved


def with_libraw_said(detail: str, said: list[str]) -> str:
    """`detail` with what LibRaw said appended (unchanged when it said nothing)."""
    if not said:
        return detail
    quoted = "; ".join(said[:5])
    return f"{detail}; LibRaw said: {quoted}" if detail else f"LibRaw said: {quoted}"

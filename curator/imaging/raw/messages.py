"""What LibRaw says on its own while it reads sensor data.

LibRaw's data-error callback writes straight to the process's standard error
(file descriptor 2, from C, past Python's `sys.stderr`): a truncated CRW or
RAF prints "unknown file: Unexpected end of file", a damaged NEF "unknown
file: data corrupted at 1378" ("unknown file" because Curator hands it bytes,
not a path). rawpy offers no way to set the callback. On a terminal that line
stands alone, naming no photo, beside the import's own report, which already
says in a sentence what went wrong with which file.

`libraw_messages()` sends descriptor 2 to a temporary file for a block of
LibRaw calls and hands back the lines written there, so the caller can put
them in the failure's technical detail (the error log), where they say which
photo they belong to.

Invariants: descriptor 2 is always restored, also when the block raises;
one block at a time in a process (a lock); where there is no descriptor 2
to redirect, nothing is captured and the block still runs. Sensor decodes
run in decoder child processes, one file at a time, so the redirect hides no
other work's output.
"""

from __future__ import annotations

import contextlib
import os
import sys
import tempfile
import threading
from collections.abc import Iterator

_ONE_AT_A_TIME = threading.Lock()


@contextlib.contextmanager
def libraw_messages() -> Iterator[list[str]]:
    """The block's output on descriptor 2, kept off the terminal: the list
    yielded is filled with its non-blank lines when the block ends."""
    said: list[str] = []
    with _ONE_AT_A_TIME:
        try:
            sys.stderr.flush()
            saved = os.dup(2)
        except (OSError, ValueError):  # no standard error to redirect
            yield said
            return
        try:
            with tempfile.TemporaryFile() as sink:
                os.dup2(sink.fileno(), 2)
                try:
                    yield said
                finally:
                    os.dup2(saved, 2)
                    sink.seek(0)
                    text = sink.read(64 * 1024).decode("utf-8", errors="replace")
                    said.extend(line.strip() for line in text.splitlines() if line.strip())
        finally:
            os.close(saved)


def with_libraw_said(detail: str, said: list[str]) -> str:
    """`detail` with what LibRaw said appended (unchanged when it said nothing)."""
    if not said:
        return detail
    quoted = "; ".join(said[:5])
    return f"{detail}; LibRaw said: {quoted}" if detail else f"LibRaw said: {quoted}"

"""What every CLI command shares: exit codes, the usage error, the context, and
the exit code of a pipeline run (import, describe)."""

from __future__ import annotations

import signal
import threading
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TextIO

if TYPE_CHECKING:
    from curator.catalog.db import Catalog
    from curator.paths import AppPaths
    from curator.settings import Settings

EXIT_OK, EXIT_INTERNAL, EXIT_USAGE, EXIT_CATALOG, EXIT_CANCELLED = 0, 1, 2, 3, 130


class UsageError(Exception):
    """Bad input from the user; the message says what to do."""


@dataclass(frozen=True)
class CommandContext:
    """The open catalog, where things live, the settings and the two streams."""

    catalog: Catalog
    paths: AppPaths
    settings: Settings
    out: TextIO
    err: TextIO


def printable(text: object) -> str:
    """`text` safe to print on a terminal: control characters (ESC, BEL, CR,
    newline… in a file name) are shown as ``\\x1b`` instead of being obeyed.
    Surrogate escapes (undecodable bytes of a name) are left for the printer."""
    return "".join(
        f"\\x{ord(ch):02x}" if unicodedata.category(ch) == "Cc" else ch for ch in str(text)
    )


def run_exit_code(report: Any, err: TextIO) -> int:
    """A pipeline run's exit code (its `RunReport`): 130 cancelled; 3 a storage
    fault stopped the run; 1 results not saved; else 0 (failed photos included)."""
    if report.error:
        print(f"curator: {report.error}", file=err)
        return EXIT_CATALOG
    if report.cancelled:
        return EXIT_CANCELLED
    if report.counts.get("write_failed") or any(
        counts.get("write_failed") for counts in report.stages.values()
    ):
        print(
            "curator: some results could not be saved in the catalog "
            "(see `curator status`); run the import again.",
            file=err,
        )
        return EXIT_INTERNAL
    return EXIT_OK


@contextmanager
def first_ctrl_c_cancels(cancel: threading.Event) -> Iterator[None]:
    """A long command's Ctrl+C: the first sets `cancel` (the run stops cleanly at
    its next check), a second interrupts. Off the main thread (a test driving
    the command) no handler can be set, so Ctrl+C leaves `cancel` alone. The
    previous handler is put back on the way out."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def on_sigint(_signum: int, _frame: object) -> None:
        if cancel.is_set():
            raise KeyboardInterrupt
        cancel.set()

    previous = signal.signal(signal.SIGINT, on_sigint)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous or signal.default_int_handler)

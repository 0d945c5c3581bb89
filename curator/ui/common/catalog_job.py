"""`CatalogJob`: run one catalog-reading or -writing function on a pool thread.

The shared shape of the export, purge and project workers: the function runs
on the pool thread (peewee gives that thread its own SQLite connection), its
result — or what `on_error` makes of an exception — is handed to a `Delivery`
(dropped once the owner closed it), and the thread's catalog connection is
closed when the job ends, so no idle connection outlives it. A result of None
is not delivered.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from PySide6.QtCore import QRunnable

from curator.catalog.db import close_thread_connection
from curator.ui.common.delivery import Delivery

log = logging.getLogger(__name__)


def _log_and_drop(exc: Exception) -> object:
    log.error("a background catalog job failed", exc_info=exc)
    return None


class CatalogJob(QRunnable):
    """`job()` on a pool thread, its message delivered (see the module docstring)."""

    def __init__(
        self,
        job: Callable[[], object],
        delivery: Delivery,
        on_error: Callable[[Exception], object] = _log_and_drop,
    ):
        super().__init__()
        self.job, self.delivery, self.on_error = job, delivery, on_error

    def run(self) -> None:
        try:
            message = self.job()
        except Exception as exc:  # turned into a message for the UI thread, never lost
            message = self.on_error(exc)
        finally:
            close_thread_connection()
        if message is not None:
            self.delivery.deliver(message)

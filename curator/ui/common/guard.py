"""Guarded slots: an exception in a Qt slot is logged and shown, never fatal.

`guarded_slot` wraps a method of an object with an `errors` attribute (an
`ErrorReporter`, passed in — no global look-up): the exception is logged with
its traceback, the reporter emits a short sentence, and the slot returns None.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from typing import Concatenate, ParamSpec, Protocol, TypeVar

from PySide6.QtCore import QObject, Signal

log = logging.getLogger("curator.ui")

P = ParamSpec("P")
R = TypeVar("R")


class ErrorReporter(QObject):
    """Where guarded slots (and app-level hooks) report errors for the user to see."""

    reported = Signal(str)
    # An exception's own sentence, where the app knows one (None: none).
    explain: Callable[[BaseException], str | None] = staticmethod(lambda exc: None)

    def report(self, message: str) -> None:
        self.reported.emit(message)

    def report_exception(self, where: str, exc: BaseException) -> None:
        log.error("error in %s", where, exc_info=(type(exc), exc, exc.__traceback__))
        known = self.explain(exc)
        if known:
            self.reported.emit(known)
            return
        text = str(exc) or type(exc).__name__
        self.reported.emit(f"Something went wrong ({where}): {text}. The details are in the log.")


class HasErrors(Protocol):
    errors: ErrorReporter


S = TypeVar("S", bound=HasErrors)


def guarded_slot(fn: Callable[Concatenate[S, P], R]) -> Callable[Concatenate[S, P], R | None]:
    """Catch, log and report any exception raised by the slot `fn`."""

    @functools.wraps(fn)
    def wrapper(self: S, *args: P.args, **kwargs: P.kwargs) -> R | None:
        try:
            return fn(self, *args, **kwargs)
        except Exception as exc:
            self.errors.report_exception(fn.__name__.strip("_").replace("_", " "), exc)
            return None

    return wrapper

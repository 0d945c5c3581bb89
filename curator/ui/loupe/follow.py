"""`FollowNewest`: W in the loupe — go to each photo as it arrives (a watched
folder, an ingest, another seat's import), unless the photographer is deciding.

Rules (all on the UI thread):
- On (W toggles it), when the pass grows with a photo shot after every photo it
  went to so far, the loupe goes to it — if the loupe shows (not compare, not a
  survey) and no key was pressed for `DECIDING_S`; else, once the keys have
  been still that long, to the newest. Off, it never moves the loupe.
- Newest is by capture time, then file name, then id — not id alone: a watch's
  backlog gets its newest tiles (lowest ids) first. Of a growth only the
  highest `LOOKED_AT` ids are read.
- A key pressed within `GRACE_S` of a jump is meant for the photo shown before:
  the loupe goes back to it and the key acts there (never taken, never dropped).
- Keys are seen by an event filter on the loupe's canvases (`ShortcutOverride`
  comes before the action); it never consumes one.
"""

from __future__ import annotations

import time
from datetime import datetime
from typing import Protocol

from PySide6.QtCore import QEvent, QObject, QTimer, Slot
from PySide6.QtWidgets import QWidget

from curator.ui.common.guard import ErrorReporter, guarded_slot
from curator.ui.loupe.row_cache import LoupeRows
from curator.ui.loupe.survey_view import Survey
from curator.ui.review.session import ReviewSession

# No key for this long: the photographer is not deciding (a steady cull presses
# one every second or so); a jump may come.
DECIDING_S = 2.0
# A key this soon after a jump was pressed for the photo before it: a person
# needs ~0.25 s to react to a new picture, longer to judge it.
GRACE_S = 0.4
# A growth's newest is looked for among its highest ids only: a quick look's
# chunk is 16 photos, a watch's backlog batch a few hundred.
LOOKED_AT = 256
_KEYS = (QEvent.Type.ShortcutOverride, QEvent.Type.KeyPress)
Rank = tuple[bool, datetime, str, int]


class Followed(Protocol):
    """What follow newest asks of the loupe page."""

    errors: ErrorReporter
    comparing: bool
    survey: Survey
    rows: LoupeRows

    def isVisible(self) -> bool: ...


class FollowNewest(QObject):
    """Follow newest for one loupe page (see the module docstring); lives as long
    as its first canvas (the page's own view)."""

    def __init__(self, session: ReviewSession, page: Followed, canvases: list[QWidget]):
        super().__init__(canvases[0])
        self.session, self.page = session, page
        self.errors = page.errors  # guarded_slot reports here
        self.on = False
        self._seen = 0  # the highest photo id the pass had
        self._top: Rank | None = None  # the newest photo's rank, while on
        self._wanted: int | None = None  # the newest, waiting for a still moment
        self._last_key = 0.0  # monotonic time of the last key in the loupe
        self._jumped_at: float | None = None
        self._before: int | None = None  # the photo shown before the last jump
        self._later = QTimer(self)
        self._later.setSingleShot(True)
        self._later.timeout.connect(self._jump)
        session.order_grew.connect(self._on_grew)
        for canvas in canvases:
            canvas.installEventFilter(self)

    def toggle(self) -> str:
        """W: on or off; the sentence for the status bar."""
        self.on = not self.on
        self._later.stop()
        self._wanted = self._top = None
        if not self.on:
            return "Follow newest off."
        order = self.session.order
        self._seen = max(order, default=0)
        self._consider(sorted(order)[-LOOKED_AT:])
        self._last_key = 0.0  # W itself: the first jump is now
        self._jump()
        return (
            "Follow newest on: the loupe goes to each photo that arrives, unless you are deciding."
        )

    def _rank(self, photo_id: int) -> Rank:
        row = self.page.rows.cached(photo_id)
        at = None if row is None else row.captured_at
        name = "" if row is None else row.file_name
        return (at is not None, at or datetime.min, name, photo_id)

    def _consider(self, fresh: list[int]) -> None:
        """The newest of `fresh` is wanted when it is newer than any so far."""
        fresh = fresh[-LOOKED_AT:]
        if not fresh:
            return
        self.page.rows.load(fresh)
        newest = max(fresh, key=self._rank)
        rank = self._rank(newest)
        if self._top is None or rank > self._top:
            self._top, self._wanted = rank, newest

    @Slot()
    @guarded_slot
    def _on_grew(self) -> None:
        seen = self._seen
        fresh = sorted(pid for pid in self.session.order if pid > seen)
        if not fresh:
            return
        self._seen = fresh[-1]
        if self.on:
            self._consider(fresh)
            self._jump()

    @Slot()
    @guarded_slot
    def _jump(self) -> None:
        wanted = self._wanted
        if wanted is None or not self.on:
            return
        page = self.page
        if not page.isVisible() or page.comparing or page.survey.active_mode:
            return  # the grid, compare or a survey: nothing moves (kept for a still moment)
        still_for = time.monotonic() - self._last_key
        if still_for < DECIDING_S:
            self._later.start(int((DECIDING_S - still_for) * 1000) + 1)
            return
        before = self.session.current
        self._wanted = None
        if wanted == before or wanted not in self.session.order:
            return
        self._jumped_at, self._before = time.monotonic(), before
        self.session.go_to(wanted)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in _KEYS:
            now = time.monotonic()
            jumped = self._jumped_at
            if jumped is not None and now - jumped < GRACE_S and self._before is not None:
                self.session.go_to(self._before)  # the key is for the photo it was pressed on
            self._jumped_at = None
            self._last_key = now
        return False

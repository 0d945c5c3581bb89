"""`LoupeRows`: the loupe's cached gallery rows and photo details (main thread).

`row(pid)` / `load(ids)` read what is not cached in one query; `drop(ids)`
(the UI's own writes) forgets rows at once; `rows_rewritten(ids)` (a live
import's batch) marks them stale (`StaleRows`: re-read on the rows pool when
next served, the old row painted meanwhile, `on_fresh` told), or drops them
without a pool. Details (EXIF, tags) are always re-read when shown.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, QThreadPool

from curator.catalog.queries import GalleryRow, PhotoDetails, gallery_rows, photo_details
from curator.ui.common.guard import ErrorReporter
from curator.ui.gallery.listing import cached_among
from curator.ui.gallery.model import with_pairs
from curator.ui.gallery.stale_rows import StaleRows

_MAX_ROWS = 2000
_MAX_DETAILS = 200


def _read(ids: list[int]) -> dict[int, GalleryRow]:
    return with_pairs(gallery_rows(ids))


class LoupeRows:
    def __init__(
        self,
        errors: ErrorReporter,
        owner: QObject,
        *,
        pool: QThreadPool | None = None,
        on_fresh: Callable[[list[int]], object] = lambda _ids: None,
    ) -> None:
        self._rows: dict[int, GalleryRow] = {}
        self._details: dict[int, PhotoDetails] = {}
        self._on_fresh = on_fresh
        self.stale: StaleRows | None = None
        if pool is not None:
            self.stale = StaleRows(pool, _read, self._read_back, errors, owner)

    def row(self, photo_id: int) -> GalleryRow | None:
        self.load([photo_id])
        return self._rows.get(photo_id)

    def cached(self, photo_id: int) -> GalleryRow | None:
        return self._rows.get(photo_id)

    def load(self, ids: list[int]) -> None:
        """Read the rows of `ids` not cached (one query); ask for the stale ones."""
        rows = self._rows
        missing = [pid for pid in ids if pid not in rows]
        if missing:
            if len(rows) > _MAX_ROWS:
                self.drop(None)
            rows.update(_read(missing))
        self.want(ids)

    def want(self, ids: list[int]) -> None:
        """Ask for the re-read of those of `ids` that are stale; read nothing here."""
        if self.stale is not None:
            for pid in ids:
                if self.stale.is_stale(pid):
                    self.stale.want(pid)

    def details(self, photo_id: int) -> PhotoDetails | None:
        if photo_id not in self._details:
            if len(self._details) > _MAX_DETAILS:
                self._details.clear()
            found = photo_details(photo_id)
            if found is None:
                return None
            self._details[photo_id] = found
        return self._details[photo_id]

    def drop_details(self, photo_id: int) -> None:
        self._details.pop(photo_id, None)

    def drop(self, ids: list[int] | None) -> None:
        """Forget these rows (all: None) now; the next read is fresh."""
        if ids is None:
            self._rows.clear()
            self._details.clear()
            if self.stale is not None:
                self.stale.clear()
            return
        if len(ids) > len(self._rows) + len(self._details):  # an accept of 60,000: the
            gone = set(ids)  # caches are the smaller side (issue 51's stall watch)
            self._rows = {k: v for k, v in self._rows.items() if k not in gone}
            self._details = {k: v for k, v in self._details.items() if k not in gone}
        else:
            for pid in ids:
                self._rows.pop(pid, None)
                self._details.pop(pid, None)
        if self.stale is not None:
            self.stale.forget(ids)

    def rows_rewritten(self, ids: list[int]) -> None:
        """A live import rewrote these photos: shown as they are, re-read when next served."""
        if self.stale is None:
            self.drop(ids)
            return
        changed = set(ids)  # a step's 60,000: the caches are walked, not the step
        for pid in cached_among(self._details, changed):
            del self._details[pid]
        self.stale.mark(cached_among(self._rows, changed))

    def close(self) -> None:
        if self.stale is not None:
            self.stale.close()

    def _read_back(self, fresh: dict[int, GalleryRow], gone: list[int]) -> None:
        self._rows.update(fresh)
        for pid in gone:
            self._rows.pop(pid, None)
        self._on_fresh([*fresh, *gone])

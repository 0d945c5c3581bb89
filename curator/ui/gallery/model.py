"""`GalleryListModel`: the gallery's ordered photo ids and a small row cache.

Invariants:
- it holds the ids of its `GalleryQuery` (one SQL query) and a bounded cache of
  `GalleryRow`s read in windows around the rows Qt asks for;
- `set_query(q, first_rows=N)` lists N ids, the rest after the first paint
  (`fetch_rest`); whatever needs the whole list completes it first, and a
  late or older list is dropped;
- `insert_new` places new photos by a binary search SQL ranks
  (`gallery_ranks`), read on the lists pool (`Arrivals`: never against a list
  that changed since, nor after a later batch); `rows_rewritten` re-queries (at most once per
  `REQUERY_EVERY_MS`) only when a rewritten row moved;
- `refresh` updates the list in place (rows removed and inserted,
  layoutChanged, dataChanged), never a reset, so the view keeps its scroll
  and selection; only a new query resets;
- badges come from the row and the live MATCH threshold (`FlagsRole`);
- main thread only, except the re-reads and whole lists read on pools.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Collection, Iterable, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import (
    QAbstractListModel,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    QThreadPool,
    QTimer,
    Signal,
    Slot,
)

from curator.catalog.types import GalleryFilter, GalleryQuery, GalleryRow, GallerySort
from curator.engine.delivery import Delivery, Job, delivery_to
from curator.ui.common.guard import ErrorReporter, guarded_slot
from curator.ui.common.image_loader import ImageLoader
from curator.ui.gallery.arrivals import Arrivals
from curator.ui.gallery.flags import photo_flags, tooltip
from curator.ui.gallery.listing import cached_among, insertion_rows, thumbnail_key
from curator.ui.gallery.stale_rows import StaleRows

PhotoRole = Qt.ItemDataRole.UserRole + 1  # GalleryRow
PhotoIdRole = Qt.ItemDataRole.UserRole + 2  # int
FlagsRole = Qt.ItemDataRole.UserRole + 3  # PhotoFlags

_WINDOW = 100  # rows read around a cache miss
REQUERY_EVERY_MS = 500  # a live import re-queries a moving list at most this often
_MAX_CACHED_ROWS = 20_000
FIRST_ROWS = 500  # rows listed before a new list's first paint (a large screen's worth)
# More changed rows than this: ONE dataChanged over the rows the view last read
# to paint (`read_visible`); per row was 0.65 s of the UI thread for 60,000.
SPAN_ROWS = 256

Index = QModelIndex | QPersistentModelIndex
log = logging.getLogger(__name__)

if TYPE_CHECKING:
    from curator.catalog.paths_codec import PairInfo


# The catalog's reads, imported at their first call (the window paints before the
# catalog opens); module functions, so a test can count the reads the model makes.
def gallery_query_ids(q: GalleryQuery, limit: int | None = None) -> list[int]:
    from curator.catalog import queries

    return queries.gallery_query_ids(q, limit)


def gallery_ids_among(q: GalleryQuery, photo_ids: Sequence[int]) -> list[int]:
    from curator.catalog import queries

    return queries.gallery_ids_among(q, photo_ids)


def gallery_ranks(sort: GallerySort, photo_ids: Sequence[int]) -> dict[int, int]:
    from curator.catalog import queries

    return queries.gallery_ranks(sort, photo_ids)


def gallery_rows(photo_ids: Iterable[int]) -> dict[int, GalleryRow]:
    from curator.catalog import queries

    return queries.gallery_rows(photo_ids)


def followers_of(photo_ids: Iterable[int]) -> dict[int, list[int]]:
    from curator.catalog import paths_codec

    return paths_codec.followers_of(photo_ids)


def pair_info(photo_ids: Iterable[int]) -> dict[int, PairInfo]:
    from curator.catalog import paths_codec

    return paths_codec.pair_info(photo_ids)


def with_pairs(rows: dict[int, GalleryRow]) -> dict[int, GalleryRow]:
    """`rows` with the other files of each RAW+JPEG pair they lead, and the JPEG's
    thumbnail and preview where the RAW's is not ready yet."""
    found = pair_info(rows)
    out = dict(rows)
    for pid, info in found.items():
        row = rows[pid]
        out[pid] = replace(
            row,
            paired_with=info.names,
            thumbnail_key=row.thumbnail_key or info.thumbnail_key,
            preview_key=row.preview_key or info.preview_key,
        )
    return out


def with_copies(photo_ids: set[int]) -> set[int]:
    """`photo_ids` and the other live copies of their pictures, whose DUPLICATE
    pill reads these photos' decisions; as given past `SPAN_ROWS`."""
    if not photo_ids or len(photo_ids) > SPAN_ROWS:
        return photo_ids
    from curator.catalog.duplicates.reads import stored_groups

    return photo_ids.union(*stored_groups(photo_ids).values())


def read_rows(ids: list[int]) -> dict[int, GalleryRow]:
    """The display rows of `ids`, each pair's other file folded in (any thread)."""
    return with_pairs(gallery_rows(ids))


def place_new(
    query: GalleryQuery, listed: list[int], photo_ids: list[int]
) -> tuple[list[int], list[int], list[int]]:
    """(those of `photo_ids` the query shows; those of them not in `listed`; the
    row of `listed` before which each of these goes) (any thread). Search results
    keep their rank order: no rows, the list is read again instead."""
    shown = gallery_ids_among(query, photo_ids)
    known = set(listed)
    new = [pid for pid in shown if pid not in known]
    if not new or query.ranked_ids is not None:
        return shown, new, []
    sort = query.sort
    rows = insertion_rows(listed, new, lambda ids: gallery_ranks(sort, ids))
    for i in range(1, len(rows)):  # in order, whatever a stale listing said
        rows[i] = max(rows[i], rows[i - 1])
    return shown, new, rows


class GalleryListModel(QAbstractListModel):
    arrivals_listed = Signal(list)  # new photos the query shows, now in the list (`insert_new`)

    def __init__(
        self,
        thumbnails: ImageLoader,
        errors: ErrorReporter,
        *,
        match_threshold: float = 70.0,
        rows_pool: QThreadPool | None = None,
        lists_pool: QThreadPool | None = None,
    ) -> None:
        super().__init__()
        self.thumbnails, self.errors = thumbnails, errors
        self.query = GalleryQuery(match_threshold=match_threshold)
        self._ids: list[int] = []
        self._row_index: dict[int, int] | None = {}  # id → row, built on first use
        self._rows: dict[int, GalleryRow] = {}
        self._painted = (range(0), range(0))  # the view's last two `read_visible` ranges
        self._rest_pending = False  # only a first page of the query is listed
        self._rest_token = 0  # which `set_query` a whole list read off-thread is for
        self._rest_asked = False  # that read is in flight
        self._retired: tuple[list[int], dict[int, int] | None] | None = None  # set_query's
        self._lists_pool = lists_pool
        self._rest_delivery = delivery_to(self, self._on_rest)
        self._list_token = 0  # which listing a whole list read after a change is for
        self._listed_delivery = delivery_to(self, self._on_listed)
        self._last_requery = -float("inf")  # time.monotonic() of the last whole-list query
        self._requery_timer = QTimer(self)  # a coalesced re-query (`rows_rewritten`)
        self._requery_timer.setSingleShot(True)
        self._requery_timer.timeout.connect(self._requery)
        thumbnails.image_ready.connect(self._on_thumbnail_ready)
        self.stale: StaleRows | None = None  # the import's re-reads, off the UI thread
        if rows_pool is not None:
            self.stale = StaleRows(rows_pool, read_rows, self._rows_read, errors, self)
        self._generation = 0  # one more each time rows go in, out or move (`Arrivals`)
        for changed in (self.rowsInserted, self.rowsRemoved, self.modelReset, self.layoutChanged):
            changed.connect(self._list_changed)
        self.arrivals: Arrivals | None = None  # where new photos go, read off the UI thread
        if lists_pool is not None:
            self.arrivals = Arrivals(
                lists_pool,
                lambda: (self._generation, self.query),
                lambda: list(self._ids),
                place_new,
                self._place_arrivals,
                self._insert_now,
                errors,
                self,
            )

    def close(self) -> None:
        """No re-read or list is applied after this (App.shutdown, before the pools drain)."""
        self._rest_delivery.close()
        self._listed_delivery.close()
        if self.arrivals is not None:
            self.arrivals.close()
        if self.stale is not None:
            self.stale.close()

    # --- Qt model API -------------------------------------------------------

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._ids)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._ids):
            return None
        if role == PhotoIdRole:
            return self._ids[index.row()]
        row = self.photo_row(index.row())
        if row is None:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return row.file_name
        if role == Qt.ItemDataRole.ToolTipRole:
            return tooltip(row, photo_flags(row, self.match_threshold))
        if role == Qt.ItemDataRole.DecorationRole:
            key = thumbnail_key(row)
            # The previous thumbnail until the new key's is decoded: never grey.
            return None if key is None else self.thumbnails.pixmap_or_previous(key)
        if role == PhotoRole:
            return row
        if role == FlagsRole:
            flags = photo_flags(row, self.match_threshold)
            if self.thumbnails.offline(row.id) and not flags.missing:
                return replace(flags, offline=True)
            return flags
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return (
            Qt.ItemFlag.ItemIsEnabled
            | Qt.ItemFlag.ItemIsSelectable
            | Qt.ItemFlag.ItemNeverHasChildren
        )

    # --- queries ------------------------------------------------------------

    @property
    def ids(self) -> list[int]:
        self.load_rest()
        return list(self._ids)

    @property
    def rest_pending(self) -> bool:
        """Only the first page of the query is listed (see `load_rest`)."""
        return self._rest_pending

    @property
    def match_threshold(self) -> float:
        return self.query.match_threshold

    @property
    def filter(self) -> GalleryFilter:
        """The pass-state part of the query, as the old single filter."""
        if self.query.failed_only:
            return GalleryFilter.FAILED
        if self.query.missing_only:
            return GalleryFilter.MISSING
        return GalleryFilter(self.query.cull) if self.query.cull else GalleryFilter.ALL

    @property
    def _row_of(self) -> dict[int, int]:
        if self._row_index is None:
            self._row_index = {pid: i for i, pid in enumerate(self._ids)}
        return self._row_index

    def row_for(self, photo_id: int) -> int | None:
        self.load_rest()
        return self._row_of.get(photo_id)

    def photo_id(self, row: int) -> int | None:
        return self._ids[row] if 0 <= row < len(self._ids) else None

    def photo_row(self, row: int) -> GalleryRow | None:
        """The display fields of the photo at `row` (reads a window on a miss)."""
        pid = self._ids[row]
        cached = self._rows.get(pid)
        if cached is not None:
            if self.stale is not None and self.stale.is_stale(pid):
                self.stale.want(pid)  # shown as it was until the new row arrives
        else:
            if len(self._rows) > _MAX_CACHED_ROWS:
                self._forget_all()
            rows = self._rows  # only the window's rows not cached
            window = [p for p in self._ids[max(0, row - _WINDOW) : row + _WINDOW] if p not in rows]
            rows.update(read_rows(window))
            cached = rows.get(pid)
        return cached

    def read_visible(self, rows: range) -> None:
        """Read the rows of `rows` not cached yet, in one read (the view calls it
        before it paints them), so a first paint reads only the tiles it paints."""
        # The hull of the last two reads: the screen's and the screen ahead's.
        self._painted = (rows, self._painted[0])
        wanted = [p for p in self._ids[rows.start : rows.stop] if p not in self._rows]
        if not wanted:
            return
        if len(self._rows) + len(wanted) > _MAX_CACHED_ROWS:
            self._forget_all()
        self._rows.update(read_rows(wanted))

    def _forget_all(self) -> None:
        self._rows.clear()
        if self.stale is not None:
            self.stale.clear()

    def _forget(self, ids: Iterable[int]) -> None:
        ids = ids if isinstance(ids, set) else set(ids)  # walked on the smaller side
        for pid in cached_among(self._rows, ids):
            del self._rows[pid]
        if self.stale is not None:
            self.stale.forget(ids)

    def _rows_read(self, fresh: dict[int, GalleryRow], gone: list[int]) -> None:
        """`StaleRows` brought these rows back from the catalog: show them."""
        self._rows.update(fresh)
        for pid in gone:
            self._rows.pop(pid, None)
        row_of = self._row_of
        for pid in (*fresh, *gone):
            row = row_of.get(pid)
            if row is not None:
                index = self.index(row)
                self.dataChanged.emit(index, index)

    # --- updates ------------------------------------------------------------

    def set_query(self, query: GalleryQuery, *, first_rows: int | None = None) -> None:
        """List what `query` selects (a reset: the user asked for another list).
        `first_rows`: list only that many now, the rest at `load_rest`."""
        self.beginResetModel()
        self.query = query
        # The old list is freed after the new first paint, in `fetch_rest`.
        self._retired = (self._ids, self._row_index)
        self._ids = gallery_query_ids(query, first_rows)
        self._rest_pending = first_rows is not None and len(self._ids) == first_rows
        self._rest_token += 1
        self._list_token += 1
        self._rest_asked = False
        self._row_index = None
        self._forget_all()
        self.endResetModel()

    def show_query(self, query: GalleryQuery) -> None:
        """Another filter or sort: its first page now, the rest after the paint."""
        self.set_query(query, first_rows=FIRST_ROWS)

    def widen_query(self, query: GalleryQuery) -> None:
        """List `query`, which only appends to the rows listed (a search's whole
        ranking after its first page), in place: no reset."""
        self.query = query
        self._listed_now()
        self._become(gallery_query_ids(query))

    @Slot()
    @guarded_slot
    def load_rest(self) -> None:
        """Append the rows after the first page; a no-op once the whole list is there."""
        if not self._rest_pending:
            return
        self._rest_pending = False
        self._append_rest(gallery_query_ids(self.query))

    @Slot()
    @guarded_slot
    def fetch_rest(self) -> None:
        """`load_rest` off the UI thread: read on the lists pool, appended when it
        arrives (`_on_rest`) unless the list was completed meanwhile."""
        self._retired = None
        if not self._rest_pending or self._rest_asked:
            return
        if self._lists_pool is None:
            self.load_rest()
            return
        self._rest_asked = True
        self._list_on_pool(self._rest_token, self._rest_delivery, "after the first page")

    def _list_on_pool(self, token: int, delivery: Delivery, when: str) -> None:
        """The query's whole list read on the lists pool, delivered as (token, ids),
        or (token, None) when the read failed (logged)."""
        assert self._lists_pool is not None
        query = self.query

        def failed(exc: Exception) -> tuple[int, None]:
            log.warning("listing the gallery %s failed", when, exc_info=exc)
            return token, None

        self._lists_pool.start(
            Job(lambda: (token, gallery_query_ids(query)), delivery, on_error=failed)
        )

    @Slot(object)
    @guarded_slot
    def _on_rest(self, result: tuple[int, list[int] | None]) -> None:
        token, full = result
        if token != self._rest_token or not self._rest_pending:
            return  # another list since, or this one completed on the UI thread
        if full is None:  # the read failed (logged): once more here, where an
            self.load_rest()  # error that persists is shown as any catalog error
            return
        self._rest_pending = False
        self._append_rest(full)

    def _append_rest(self, full: list[int]) -> None:
        """The whole list after its first page (its head), applied by `_become`."""
        self._become(full)

    def _listed_now(self) -> None:
        """The whole list is read now: no first page pending, no re-query due."""
        self._rest_pending = False
        self._requery_timer.stop()
        self._last_requery = time.monotonic()

    def _become(self, new_ids: list[int]) -> None:
        """The list becomes `new_ids`, in place: rows appended when it only grew at
        the end (a first page's rest), else removed and inserted, else re-laid out."""
        n = len(self._ids)
        if new_ids[:n] != self._ids:
            if not self._apply_diff(new_ids):
                self._relayout(new_ids)
        elif len(new_ids) > n:  # one insertion at the end (a third of `_apply_diff`'s time)
            self.beginInsertRows(QModelIndex(), n, len(new_ids) - 1)
            self._ids = new_ids
            self._row_index = None
            self.endInsertRows()

    def set_match_threshold(self, threshold: float) -> None:
        """A new MATCH threshold: badges repaint at once, a MATCH filter re-queries."""
        if threshold == self.query.match_threshold:
            return
        self.query = replace(self.query, match_threshold=threshold)
        self.refresh()
        self._all_changed()

    def refresh_scores(self) -> None:
        """Every photo may have a new score (a retrain, a Propose): re-read, keep the view."""
        self._forget_all() if self.stale is None else self.stale.mark(list(self._rows))
        self.refresh(later=True)
        self._all_changed()

    def refresh(self, changed: Iterable[int] = (), *, later: bool = False) -> None:
        """Bring the list up to date after `changed` photos were written; for more
        than `SPAN_ROWS`, or `later`, the list is read on the lists pool."""
        changed = with_copies(set(changed))
        self._forget(changed)
        self._list_token += 1  # a list read off the thread before this is stale
        if (later or len(changed) > SPAN_ROWS) and self._lists_pool is not None:
            self._refresh_later(changed)
            return
        self._listed_now()
        self._become(gallery_query_ids(self.query))
        self._rows_changed(changed)

    def _refresh_later(self, changed: set[int]) -> None:
        """`refresh`, the list read on the lists pool and applied in place when it
        arrives (`_on_listed`) unless listed again since (`_list_token`)."""
        self._rows_changed(changed)
        self._list_on_pool(self._list_token, self._listed_delivery, "after a change")

    @Slot(object)
    @guarded_slot
    def _on_listed(self, result: tuple[int, list[int] | None]) -> None:
        token, new_ids = result
        if token != self._list_token:
            return  # listed again since
        if new_ids is None:  # the read failed (logged): here, where an error is shown
            self.refresh()
            return
        self._listed_now()
        self._become(new_ids)

    def _rows_changed(self, changed: Collection[int]) -> None:
        """dataChanged for the rows of `changed` (for many, the painted rows: SPAN_ROWS)."""
        if len(changed) > SPAN_ROWS:
            self._painted_changed(0, len(self._ids) - 1)
            return
        row_of = self._row_of
        for row in [row for pid in changed if (row := row_of.get(pid)) is not None]:
            index = self.index(row)
            self.dataChanged.emit(index, index)

    def reload_rows(self, changed: Iterable[int]) -> None:
        """Re-read these photos' display fields where they are (nothing that sorts
        or filters changed, so the list is not queried)."""
        changed = list(with_copies(set(changed)))
        if self.stale is None:
            self._forget(changed)
        else:
            cached = [pid for pid in changed if pid in self._rows]
            self.stale.mark(cached)
        self._rows_changed(changed)  # another seat's accept of 60,000 too (SPAN_ROWS)

    def rows_rewritten(self, changed: Iterable[int]) -> list[int]:
        """A live import rewrote these photos: re-read their rows; re-query the list,
        coalesced, only when one moved in, out of or within it. Returns those the
        query shows, in its order (none for more than `SPAN_ROWS` with a lists pool)."""
        self.load_rest()
        ids = list(dict.fromkeys(int(pid) for pid in changed))
        self.reload_rows(ids)
        if not ids:
            return []
        if len(ids) > SPAN_ROWS and self._lists_pool is not None:  # a seat's accept: listed there
            self._list_token += 1
            self._refresh_later(set())
            return []
        mates = [pid for found in followers_of(ids).values() for pid in found]
        batch = list(dict.fromkeys([*ids, *mates]))  # a new RAW hides its listed JPEG
        shown = gallery_ids_among(self.query, batch)
        if not self._requery_timer.isActive() and not self._in_place(shown, batch):
            wait_ms = (self._last_requery - time.monotonic()) * 1000 + REQUERY_EVERY_MS
            if wait_ms <= 0:
                self.refresh()
            else:
                self._requery_timer.start(int(wait_ms) + 1)
        wanted = set(ids)
        return [pid for pid in shown if pid in wanted]

    def _in_place(self, shown: list[int], batch: list[int]) -> bool:
        """Whether the list holds exactly `shown` of `batch`, each in order with its
        neighbours (only their sort keys changed, so the whole list is in order)."""
        row_of = self._row_of
        if set(shown) != {pid for pid in batch if pid in row_of}:
            return False
        if self.query.ranked_ids is not None:  # search results keep their rank order
            return True
        rows = sorted(row_of[pid] for pid in shown)
        pairs = [(r - 1, r) for r in rows if r > 0] + [(r, r + 1) for r in rows]
        pairs = [(a, b) for a, b in pairs if b < len(self._ids)]
        rank = gallery_ranks(self.query.sort, list({self._ids[i] for p in pairs for i in p}))
        return all(rank.get(self._ids[a], -1) < rank.get(self._ids[b], -1) for a, b in pairs)

    @Slot()
    @guarded_slot
    def _requery(self) -> None:
        self.refresh()

    def insert_new(self, photo_ids: Iterable[int]) -> None:
        """Insert the new photos the query shows at their place in its order, read
        on the lists pool (`Arrivals`); `arrivals_listed` says which once they are in."""
        self.load_rest()  # the places are found in the whole list
        ids = list(dict.fromkeys(photo_ids))
        if self.arrivals is None:
            self._insert_now(ids)
        else:
            self.arrivals.add(ids)

    def _insert_now(self, photo_ids: list[int]) -> None:
        """`insert_new`, read on the UI thread (no lists pool, or its read failed)."""
        self.load_rest()
        self._place_arrivals(place_new(self.query, self._ids, photo_ids))

    def _place_arrivals(self, placed: tuple[list[int], list[int], list[int]]) -> None:
        """Insert what `place_new` found, read against the list as it is now."""
        shown, new, rows = placed
        if new and self.query.ranked_ids is not None:  # search results: rank order
            self.refresh(new, later=self._lists_pool is not None)
        elif new:
            # Bottom-up, in runs of consecutive photos going to one place: the
            # rows above each insertion keep their numbers.
            start = len(new)
            while start > 0:
                end, start = start, start - 1
                while start > 0 and rows[start - 1] == rows[end - 1]:
                    start -= 1
                at = rows[start]
                self.beginInsertRows(QModelIndex(), at, at + end - start - 1)
                self._ids[at:at] = new[start:end]
                self.endInsertRows()
            self._row_index = None
        if shown:
            self.arrivals_listed.emit(shown)

    def _list_changed(self, *_: object) -> None:
        self._generation += 1

    def _all_changed(self) -> None:
        if self._ids:
            self._painted_changed(0, len(self._ids) - 1)

    def _painted_changed(self, first: int, last: int) -> None:
        """dataChanged for those of rows `first`..`last` the view last painted."""
        painted = [r for r in self._painted if len(r)]
        if not painted:
            return  # nothing painted yet: every row is read when it shows
        first = max(first, min(r.start for r in painted))
        last = min(last, max(r.stop for r in painted) - 1, len(self._ids) - 1)
        if first <= last:
            self.dataChanged.emit(self.index(first), self.index(last))

    def _remove_missing(self, keep: set[int]) -> None:
        """Remove the rows whose photo is not in `keep`, bottom-up in contiguous runs."""
        row = len(self._ids) - 1
        while row >= 0:
            if self._ids[row] in keep:
                row -= 1
                continue
            end = row
            while row >= 0 and self._ids[row] not in keep:
                row -= 1
            self.beginRemoveRows(QModelIndex(), row + 1, end)
            del self._ids[row + 1 : end + 1]
            self.endRemoveRows()

    def _apply_diff(self, new_ids: list[int]) -> bool:
        """Remove and insert rows so the list becomes `new_ids`; False (nothing
        done) if a photo moved relative to the others."""
        keep = set(new_ids)
        survivors = [pid for pid in self._ids if pid in keep]
        old_set = set(self._ids)
        if survivors != [pid for pid in new_ids if pid in old_set]:
            return False
        self._remove_missing(keep)
        # Insertions, top-down in contiguous runs.
        row = 0
        while row < len(new_ids):
            if row < len(self._ids) and self._ids[row] == new_ids[row]:
                row += 1
                continue
            end = row
            while end < len(new_ids) and new_ids[end] not in old_set:
                end += 1
            self.beginInsertRows(QModelIndex(), row, end - 1)
            self._ids[row:row] = new_ids[row:end]
            self.endInsertRows()
            row = end
        self._row_index = None
        return True

    def _relayout(self, new_ids: list[int]) -> None:
        """The order changed: remove, append, then one layoutChanged that carries
        the persistent indexes (selection, current item) to their new rows."""
        old_set = set(self._ids)
        self._remove_missing(set(new_ids))
        fresh = [pid for pid in new_ids if pid not in old_set]
        if fresh:
            n = len(self._ids)
            self.beginInsertRows(QModelIndex(), n, n + len(fresh) - 1)
            self._ids.extend(fresh)
            self.endInsertRows()
        self.layoutAboutToBeChanged.emit()
        position = {pid: i for i, pid in enumerate(new_ids)}
        old_indexes = self.persistentIndexList()
        new_indexes = [
            self.index(position[self._ids[i.row()]], i.column())
            if 0 <= i.row() < len(self._ids)
            else QModelIndex()
            for i in old_indexes
        ]
        self._ids = list(new_ids)
        self.changePersistentIndexList(old_indexes, new_indexes)
        self._row_index = position
        self.layoutChanged.emit()

    @Slot(int)
    @guarded_slot
    def _on_thumbnail_ready(self, photo_id: int) -> None:
        row = self._row_of.get(photo_id)
        if row is not None:
            index = self.index(row)
            self.dataChanged.emit(index, index, [Qt.ItemDataRole.DecorationRole])

"""`GalleryListModel`: the gallery's ordered photo ids and a small row cache.

Invariants:
- the model holds only ids (in gallery order) and a bounded cache of
  `GalleryRow`s read in windows around the rows Qt asks for; pixmaps live in
  the `ImageLoader`'s LRU, not here;
- `refresh(ids)` (live import batches, decisions, undo) updates the list in
  place with beginRemoveRows/beginInsertRows and dataChanged — never a
  reset — so the view keeps its scroll position and selection; only a
  filter change resets;
- main thread only (it reads the catalog synchronously, in small queries).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from PySide6.QtCore import (
    QAbstractListModel,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    Slot,
)

from curator.catalog.queries import GalleryFilter, GalleryRow, gallery_ids, gallery_rows
from curator.ui.guard import ErrorReporter, guarded_slot
from curator.ui.image_loader import ImageKey, ImageLoader

PhotoRole = Qt.ItemDataRole.UserRole + 1  # GalleryRow
PhotoIdRole = Qt.ItemDataRole.UserRole + 2  # int

_WINDOW = 100  # rows read around a cache miss
_MAX_CACHED_ROWS = 20_000

Index = QModelIndex | QPersistentModelIndex


class GalleryListModel(QAbstractListModel):
    def __init__(self, thumbnails: ImageLoader, errors: ErrorReporter) -> None:
        super().__init__()
        self.thumbnails, self.errors = thumbnails, errors
        self.filter = GalleryFilter.ALL
        self._ids: list[int] = []
        self._row_of: dict[int, int] = {}
        self._rows: dict[int, GalleryRow] = {}
        thumbnails.image_ready.connect(self._on_thumbnail_ready)

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
            return f"{row.path}\n{row.failed_reason}" if row.failed_reason else row.path
        if role == Qt.ItemDataRole.DecorationRole:
            key = thumbnail_key(row)
            return None if key is None else self.thumbnails.pixmap(key)
        if role == PhotoRole:
            return row
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
        return list(self._ids)

    def row_for(self, photo_id: int) -> int | None:
        return self._row_of.get(photo_id)

    def photo_id(self, row: int) -> int | None:
        return self._ids[row] if 0 <= row < len(self._ids) else None

    def photo_row(self, row: int) -> GalleryRow | None:
        """The display fields of the photo at `row` (reads a window on a miss)."""
        pid = self._ids[row]
        cached = self._rows.get(pid)
        if cached is None:
            if len(self._rows) > _MAX_CACHED_ROWS:
                self._rows.clear()
            self._rows.update(gallery_rows(self._ids[max(0, row - _WINDOW) : row + _WINDOW]))
            cached = self._rows.get(pid)
        return cached

    # --- updates ------------------------------------------------------------

    def set_filter(self, which: GalleryFilter) -> None:
        self.beginResetModel()
        self.filter = GalleryFilter(which)
        self._ids = gallery_ids(self.filter)
        self._row_of = {pid: i for i, pid in enumerate(self._ids)}
        self._rows.clear()
        self.endResetModel()

    def refresh(self, changed: Iterable[int] = ()) -> None:
        """Bring the list up to date after `changed` photos were written."""
        changed = set(changed)
        for pid in changed:
            self._rows.pop(pid, None)
        new_ids = gallery_ids(self.filter)
        if new_ids != self._ids and not self._apply_diff(new_ids):
            self.set_filter(self.filter)  # order of known photos changed: rare
            return
        for pid in changed:
            row = self._row_of.get(pid)
            if row is not None:
                index = self.index(row)
                self.dataChanged.emit(index, index)

    def _apply_diff(self, new_ids: list[int]) -> bool:
        """Remove and insert rows so the list becomes `new_ids`; False if a
        photo moved relative to the others (then the caller resets)."""
        keep = set(new_ids)
        survivors = [pid for pid in self._ids if pid in keep]
        old_set = set(self._ids)
        if survivors != [pid for pid in new_ids if pid in old_set]:
            return False
        # Removals, bottom-up in contiguous runs.
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
        self._row_of = {pid: i for i, pid in enumerate(self._ids)}
        return True

    @Slot(int)
    @guarded_slot
    def _on_thumbnail_ready(self, photo_id: int) -> None:
        row = self._row_of.get(photo_id)
        if row is not None:
            index = self.index(row)
            self.dataChanged.emit(index, index, [Qt.ItemDataRole.DecorationRole])


def thumbnail_key(row: GalleryRow) -> ImageKey | None:
    return None if row.thumbnail_key is None else ImageKey(row.id, row.thumbnail_key)


def preview_key(row: GalleryRow) -> ImageKey | None:
    return None if row.preview_key is None else ImageKey(row.id, row.preview_key)

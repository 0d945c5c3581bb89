"""The Failed lane and the error-log view: `FailedListModel` / `ErrorLogModel`
over rows from `catalog.problems`, shown by `ProblemsPanel` with Retry and
Retry all (`retry_requested(photo_ids)`). Short lists: reloaded with a reset;
a hidden panel only notes it is stale and reloads when shown.
"""

from __future__ import annotations

from typing import Any, Generic, TypeVar

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from curator.catalog.problems import (
    ErrorEntry,
    FailedPhoto,
    error_entries,
    failed_photos,
    reset_for_retry,
)

Index = QModelIndex | QPersistentModelIndex
R = TypeVar("R")
_DISPLAY = Qt.ItemDataRole.DisplayRole
_TOOLTIP = Qt.ItemDataRole.ToolTipRole


class _RowsTableModel(QAbstractTableModel, Generic[R]):
    """A read-only table over frozen rows; subclasses load the rows and name the columns."""

    HEADERS: tuple[str, ...] = ()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.rows: list[R] = []

    def load(self) -> list[R]:
        raise NotImplementedError

    def cells(self, row: R) -> tuple[Any, ...]:
        raise NotImplementedError

    def tooltip(self, row: R) -> str:
        raise NotImplementedError

    def reload(self) -> None:
        self.beginResetModel()
        self.rows = self.load()
        self.endResetModel()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.HEADERS)

    def data(self, index: Index, role: int = _DISPLAY) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self.rows):
            return None
        row = self.rows[index.row()]
        if role == _DISPLAY:
            return self.cells(row)[index.column()]
        if role == _TOOLTIP:
            return self.tooltip(row)
        return None

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = _DISPLAY) -> Any:
        horizontal = orientation == Qt.Orientation.Horizontal
        if role == _DISPLAY and horizontal and 0 <= section < len(self.HEADERS):
            return self.HEADERS[section]
        return None


class FailedListModel(_RowsTableModel[FailedPhoto]):
    HEADERS = ("Photo", "Stage", "Why", "Attempts")

    def load(self) -> list[FailedPhoto]:
        return failed_photos()

    def cells(self, row: FailedPhoto) -> tuple[Any, ...]:
        return (row.display.rsplit("/", 1)[-1], row.stage, row.reason, row.attempts)

    def tooltip(self, row: FailedPhoto) -> str:
        return f"{row.display}\n{row.reason}"


class ErrorLogModel(_RowsTableModel[ErrorEntry]):
    HEADERS = ("When", "Stage", "Photo", "Attempt", "Message")

    def load(self) -> list[ErrorEntry]:
        return error_entries()

    def cells(self, e: ErrorEntry) -> tuple[Any, ...]:
        name = (e.path or "").rsplit("/", 1)[-1] or "—"
        when = e.created_at.strftime("%Y-%m-%d %H:%M:%S")
        return (when, e.stage, name, f"{e.attempt}/{e.max_attempts}", e.message)

    def tooltip(self, e: ErrorEntry) -> str:
        return f"{e.error_type}: {e.message}\n\n{e.detail}".strip()


def _table(model: QAbstractTableModel, stretch: int) -> QTableView:
    """A row-selecting table whose `stretch` column (the sentence) takes the rest."""
    view = QTableView()
    view.setModel(model)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setWordWrap(False)
    header = view.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    header.setSectionResizeMode(stretch, QHeaderView.ResizeMode.Stretch)
    header.setStretchLastSection(False)
    view.verticalHeader().setVisible(False)
    return view


class ProblemsPanel(QWidget):
    """Failed lane (with Retry / Retry all) and the error log, in two tabs."""

    retry_requested = Signal(list)  # photo ids whose failed stages were reset

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        # Parented: they go with the panel, never later in a cycle collection
        # (a live QObject freed by the collector runs its destructor mid-GC).
        self.failed = FailedListModel(self)
        self.errors = ErrorLogModel(self)
        self.failed_view = _table(self.failed, stretch=2)
        self.error_view = _table(self.errors, stretch=4)
        self.summary = QLabel()
        self.retry_button = QPushButton("Retry")
        self.retry_all_button = QPushButton("Retry all")
        self.retry_button.clicked.connect(self.retry_selected)
        self.retry_all_button.clicked.connect(self.retry_all)
        buttons = QHBoxLayout()
        buttons.addWidget(self.summary, 1)
        buttons.addWidget(self.retry_button)
        buttons.addWidget(self.retry_all_button)
        failed_tab = QWidget()
        lane = QVBoxLayout(failed_tab)
        lane.addWidget(self.failed_view)
        lane.addLayout(buttons)
        self.tabs = QTabWidget()
        self.tabs.addTab(failed_tab, "Failed")
        self.tabs.addTab(self.error_view, "Error log")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.tabs)
        self._stale = False
        self.refresh()

    def refresh_when_shown(self) -> None:
        """Reload now if the panel is on screen, else when it is next shown."""
        if self.isVisible():
            self.refresh()
        else:
            self._stale = True

    def showEvent(self, event: QShowEvent) -> None:
        if self._stale:
            self.refresh()
        super().showEvent(event)

    def refresh(self) -> None:
        self._stale = False
        self.failed.reload()
        self.errors.reload()
        n = len(self.failed.rows)
        self.summary.setText(
            "Nothing failed." if n == 0 else f"{n} photo(s) failed — hover for the reason."
        )
        self.retry_all_button.setEnabled(n > 0)
        self.retry_button.setEnabled(n > 0)
        self.tabs.setTabText(0, f"Failed ({n})" if n else "Failed")

    def retry_selected(self) -> None:
        rows = {i.row() for i in self.failed_view.selectionModel().selectedRows()}
        ids = sorted({self.failed.rows[r].photo_id for r in rows if r < len(self.failed.rows)})
        if ids:
            self._retry(ids)

    def retry_all(self) -> None:
        ids = sorted({r.photo_id for r in self.failed.rows})
        if ids:
            self._retry(ids)

    def _retry(self, ids: list[int]) -> None:
        reset_for_retry(ids)
        self.refresh()
        self.retry_requested.emit(ids)

"""Follow newest (ui.loupe.follow) picks the newest arrival by when it was shot,
not by its id: a watch's backlog gets its newest tiles, and so its lowest ids,
first; the older frames inserted after them must not pull the loupe back."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from curator.ui.loupe.follow import FollowNewest

SHOT = datetime(2024, 5, 6, 7, 8, 9)


@dataclass
class _Row:
    captured_at: datetime | None
    file_name: str


class _Session(QObject):
    order_grew = Signal()

    def __init__(self) -> None:
        super().__init__()
        self.order: list[int] = []
        self.current: int | None = None

    def grow(self, ids: list[int]) -> None:
        self.order.extend(ids)
        self.order_grew.emit()

    def go_to(self, photo_id: int) -> bool:
        self.current = photo_id
        return True


@dataclass
class _Rows:
    rows: dict[int, _Row] = field(default_factory=dict)
    loaded: list[list[int]] = field(default_factory=list)

    def load(self, ids: list[int]) -> None:
        self.loaded.append(list(ids))

    def cached(self, photo_id: int) -> _Row | None:
        return self.rows.get(photo_id)


class _Survey:
    active_mode = False


class _Page:
    comparing = False
    survey = _Survey()

    def __init__(self) -> None:
        self.errors = None
        self.rows = _Rows()

    def isVisible(self) -> bool:
        return True


def _shot(rows: _Rows, photo_id: int, frame: int, name: str | None = None) -> None:
    """Photo `photo_id` is the camera's frame `frame` (10 a second)."""
    at = SHOT + timedelta(seconds=frame // 10)
    rows.rows[photo_id] = _Row(at, name or f"DSC{frame:05d}.JPG")


def test_a_backlog_inserted_newest_first_leaves_the_loupe_on_the_newest(qtbot: QtBot) -> None:
    canvas = QWidget()
    qtbot.addWidget(canvas)
    session, page = _Session(), _Page()
    follow = FollowNewest(session, page, [canvas])  # type: ignore[arg-type]
    _shot(page.rows, 1, 0)
    session.grow([1])
    session.current = 1
    follow.toggle()
    assert session.current == 1  # the only photo: the newest
    # A burst's backlog: its newest batch is looked at first (lowest ids) ...
    for pid, frame in ((2, 27), (3, 28), (4, 29)):
        _shot(page.rows, pid, frame)
    session.grow([2, 3, 4])
    assert session.current == 4  # frame 29, the last one shot
    # ... then the older batches: frames of the same second, and earlier ones.
    for pid, frame in ((5, 24), (6, 25), (7, 26), (8, 12)):
        _shot(page.rows, pid, frame)
    session.grow([5, 6, 7])
    session.grow([8])
    assert session.current == 4  # not pulled back by the older frames' higher ids
    assert page.rows.loaded[-1] == [8]  # only the new ids' rows were asked for
    _shot(page.rows, 9, 31)  # the next frame shot
    session.grow([9])
    assert session.current == 9


def test_without_capture_times_the_highest_id_is_the_newest(qtbot: QtBot) -> None:
    canvas = QWidget()
    qtbot.addWidget(canvas)
    session, page = _Session(), _Page()
    follow = FollowNewest(session, page, [canvas])  # type: ignore[arg-type]
    for pid in (1, 2):
        page.rows.rows[pid] = _Row(None, "scan.png")
    session.grow([1, 2])
    follow.toggle()
    assert session.current == 2
    page.rows.rows[3] = _Row(None, "scan.png")
    session.grow([3])
    assert session.current == 3

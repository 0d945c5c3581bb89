"""`PeoplePanel`: the People view's widgets — a face tile per person, most
photographed first; naming, merging, and a person's faces to take a wrong one out.

A tile shows the face (blank until cut: `set_tile_faces`), the name and the
count; a click filters on that person (`person_clicked`), Ctrl/Shift+click
selects for Merge (two different names are refused). Take Out takes the
selected face out for good. Every tile is given its cell's size: the view
keeps one size (`setUniformItemSizes`), measured once. The panel decides and
reads nothing: it shows what it is given and signals what was asked.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from PySide6.QtCore import QSize, Qt, Signal, Slot
from PySide6.QtGui import QColor, QIcon, QImage, QMouseEvent, QPixmap
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListView,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from curator.ui.people.controller import FACE_EDGE, TILE_EDGE

if TYPE_CHECKING:
    from curator.catalog.people.tiles import FaceCrop, PersonTile

ID_ROLE = Qt.ItemDataRole.UserRole
NAME_ROLE = Qt.ItemDataRole.UserRole + 1
FACE_ROLE = Qt.ItemDataRole.UserRole + 2  # True once the tile shows its face (not the blank)
TILE_PADDING = 4  # pixels above the face and below the text, in a tile's cell
TILE_TEXT = Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop  # right under the face
BLANK_FACE = QColor(128, 128, 128, 48)  # a face not cut yet: a dim square in its place


class PeopleTiles(QListWidget):
    """Icon tiles that tell a plain click (`plain_clicked`) from a selecting one."""

    plain_clicked = Signal(object)  # the QListWidgetItem

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        super().mouseReleaseEvent(event)
        selecting = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
        item = self.itemAt(event.position().toPoint())
        if item is not None and not (event.modifiers() & selecting):
            self.plain_clicked.emit(item)


def _icon_list(view: QListWidget, edge: int, lines: int) -> QSize:
    """Make `view` a grid of `edge`-pixel faces over `lines` lines; the size every tile gets."""
    view.setViewMode(QListView.ViewMode.IconMode)
    view.setIconSize(QSize(edge, edge))
    text = lines * view.fontMetrics().lineSpacing()
    cell = QSize(edge + 36, edge + text + 2 * TILE_PADDING)
    view.setGridSize(cell)
    view.setResizeMode(QListView.ResizeMode.Adjust)
    view.setMovement(QListView.Movement.Static)
    view.setWordWrap(True)
    view.setUniformItemSizes(True)
    return cell


def _blank(edge: int) -> QIcon:
    """A face's place on a tile until its face is cut (or when it has none)."""
    pixmap = QPixmap(edge, edge)
    pixmap.fill(BLANK_FACE)
    return QIcon(pixmap)


class PeoplePanel(QWidget):
    person_clicked = Signal(int, str)  # show this person's photos (id, label)
    person_selected = Signal(int)  # one person selected: their faces are wanted
    name_requested = Signal(int, str)  # person, name ("": clear)
    merge_requested = Signal(int, int)  # into, other
    take_out_requested = Signal(int)  # face

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.tiles = PeopleTiles(self)
        self._tile_cell = _icon_list(self.tiles, TILE_EDGE, lines=3)  # a name on two, the count
        self._tile_blank = _blank(TILE_EDGE)
        self.tiles.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.tiles.setToolTip(
            "Click: that person's photos in the grid (again: all). Ctrl+click: select two to merge"
        )
        self.name_field = QLineEdit(self)
        self.name_field.setPlaceholderText("Name the selected person, then Enter")
        self.merge_button = QPushButton("Merge", self)
        self.merge_button.setToolTip("Merge the two selected people into the first")
        self.faces = QListWidget(self)
        self._face_cell = _icon_list(self.faces, FACE_EDGE, lines=1)
        self._face_blank = _blank(FACE_EDGE)
        self.faces.setToolTip("The selected person's faces, largest first")
        self.take_out_button = QPushButton("Take Out", self)
        self.take_out_button.setToolTip(
            "Take the selected face out of this person: it never joins them again"
        )
        self.faces_label = QLabel("Select a person to see their faces.", self)
        self.more = QLabel("", self)
        self.more.setWordWrap(True)
        self.more.hide()
        self.notice = QLabel("", self)
        self.notice.setWordWrap(True)
        row = QHBoxLayout()
        row.addWidget(self.name_field, 1)
        row.addWidget(self.merge_button)
        faces_row = QHBoxLayout()
        faces_row.addWidget(self.faces_label, 1)
        faces_row.addWidget(self.take_out_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.tiles, 3)
        layout.addWidget(self.more)
        layout.addLayout(row)
        layout.addWidget(self.notice)
        layout.addLayout(faces_row)
        layout.addWidget(self.faces, 2)
        self.tiles.plain_clicked.connect(self._on_plain_click)
        self.tiles.itemSelectionChanged.connect(self._on_selection)
        self.faces.itemSelectionChanged.connect(self._update_buttons)
        self.name_field.returnPressed.connect(self._on_name)
        self.merge_button.clicked.connect(self._on_merge)
        self.take_out_button.clicked.connect(self._on_take_out)
        self.faces_of: int | None = None
        self._update_buttons()

    # --- what it is given ----------------------------------------------------------

    def show_tiles(
        self, tiles: Sequence[PersonTile], images: Mapping[int, QImage], more: int = 0
    ) -> None:
        """The people, in the order given; the selection stays on the same people."""
        chosen = set(self.selected_people())
        self.tiles.blockSignals(True)
        self.tiles.clear()
        for tile in tiles:
            item = QListWidgetItem(f"{tile.label}\n{tile.photos} photos", self.tiles)
            item.setData(ID_ROLE, tile.id)
            item.setData(NAME_ROLE, tile.filter_label)
            item.setToolTip(f"{tile.label}: {tile.photos} photos, {tile.kept} kept")
            item.setSizeHint(self._tile_cell)
            item.setTextAlignment(TILE_TEXT)
            _show_face(item, images.get(tile.id), self._tile_blank)
            item.setSelected(tile.id in chosen)
        self.tiles.blockSignals(False)
        self.notice.setText("" if tiles else "No people yet: faces are grouped as photos arrive.")
        self.more.setText(
            f"… and {more:,} more people in fewer photos (`curator people` lists everyone)."
            if more
            else ""
        )
        self.more.setVisible(bool(more))
        self._on_selection()

    def set_tile_faces(self, images: Mapping[int, QImage]) -> None:
        """Faces cut since the tiles were shown (person id -> face)."""
        for row in range(self.tiles.count()):
            item = self.tiles.item(row)
            image = images.get(int(item.data(ID_ROLE)))
            if image is not None and not image.isNull():
                _show_face(item, image, self._tile_blank)

    def show_faces(
        self, person: int, faces: Sequence[FaceCrop], images: Mapping[int, QImage]
    ) -> None:
        """The faces of `person` (if still the one selected)."""
        if person != self.faces_of:
            return
        self.faces.clear()
        for face in faces:
            item = QListWidgetItem(f"face {face.face_id}", self.faces)
            item.setData(ID_ROLE, face.face_id)
            item.setSizeHint(self._face_cell)
            item.setTextAlignment(TILE_TEXT)
            _show_face(item, images.get(face.face_id), self._face_blank)
        self.faces_label.setText(f"Faces of the selected person ({len(faces)}):")
        self._update_buttons()

    def say(self, sentence: str) -> None:
        self.notice.setText(sentence)

    def selected_people(self) -> list[int]:
        """The selected people, in the tiles' order."""
        return [
            int(self.tiles.item(row).data(ID_ROLE))
            for row in range(self.tiles.count())
            if self.tiles.item(row).isSelected()
        ]

    def select_people(self, people: Sequence[int]) -> None:
        """Select these people (tests, and the slot after a merge)."""
        wanted = set(people)
        for row in range(self.tiles.count()):
            item = self.tiles.item(row)
            item.setSelected(int(item.data(ID_ROLE)) in wanted)

    # --- what the photographer asks ------------------------------------------------

    @Slot(object)
    def _on_plain_click(self, item: QListWidgetItem) -> None:
        self.person_clicked.emit(int(item.data(ID_ROLE)), str(item.data(NAME_ROLE)))

    @Slot()
    def _on_selection(self) -> None:
        chosen = self.selected_people()
        one = chosen[0] if len(chosen) == 1 else None
        if one != self.faces_of:
            self.faces_of = one
            self.faces.clear()
            if one is None:
                self.faces_label.setText("Select a person to see their faces.")
            else:
                self.faces_label.setText("Reading the faces…")
                self.person_selected.emit(one)
        self._update_buttons()

    @Slot()
    def _update_buttons(self) -> None:
        chosen = self.selected_people()
        self.name_field.setEnabled(len(chosen) == 1)
        self.merge_button.setEnabled(len(chosen) == 2)
        self.take_out_button.setEnabled(
            self.faces_of is not None and bool(self.faces.selectedItems())
        )

    @Slot()
    def _on_name(self) -> None:
        chosen = self.selected_people()
        if len(chosen) == 1:
            self.name_requested.emit(chosen[0], self.name_field.text())
            self.name_field.clear()

    @Slot()
    def _on_merge(self) -> None:
        chosen = self.selected_people()
        if len(chosen) == 2:
            self.merge_requested.emit(chosen[0], chosen[1])

    @Slot()
    def _on_take_out(self) -> None:
        for item in self.faces.selectedItems()[:1]:
            self.take_out_requested.emit(int(item.data(ID_ROLE)))


def _show_face(item: QListWidgetItem, image: QImage | None, blank: QIcon) -> None:
    """`image` as the tile's face; the blank square while there is none."""
    if image is None or image.isNull():
        item.setIcon(blank)
        item.setData(FACE_ROLE, False)
    else:
        item.setIcon(QIcon(QPixmap.fromImage(image)))
        item.setData(FACE_ROLE, True)

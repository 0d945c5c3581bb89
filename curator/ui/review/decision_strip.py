"""The clickable decision strip of a gallery tile and of the loupe's footer:
keep ✓, reject ✗ and pick ⚑, five stars, the color label's dot. One geometry
(`strip_targets`) serves painting and hit testing. A click names a *target*
("flag_keep", "star_3"); `click_action` makes it a `DecisionAction` for the
photo's state now (a click on what is set clears it).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from PySide6.QtCore import QPointF, QRectF
from PySide6.QtGui import QColor

from curator.catalog.types import GalleryRow
from curator.records import ColorLabel
from curator.ui.review.actions import DecisionAction

FLAGS = ("keep", "reject", "pick")

LABEL_COLORS: dict[str, QColor] = {
    ColorLabel.RED.value: QColor(220, 60, 60),
    ColorLabel.YELLOW.value: QColor(235, 205, 60),
    ColorLabel.GREEN.value: QColor(80, 185, 90),
    ColorLabel.BLUE.value: QColor(70, 130, 230),
    ColorLabel.PURPLE.value: QColor(160, 90, 210),
}


@dataclass(frozen=True)
class Target:
    rect: QRectF
    name: str  # flag_keep | flag_reject | flag_pick | star_1…star_5 | label


def strip_targets(left: float, center_y: float, size: float) -> list[Target]:
    """Where each clickable part of a strip starting at `left` sits."""
    targets = []
    x = left
    for flag in FLAGS:
        targets.append(Target(QRectF(x, center_y - size / 2, size, size), f"flag_{flag}"))
        x += size + 3
    x += size / 2
    for n in range(1, 6):
        targets.append(Target(QRectF(x, center_y - size / 2, size, size), f"star_{n}"))
        x += size + 2
    x += size / 2
    dot = size * 0.8
    targets.append(Target(QRectF(x, center_y - dot / 2, dot, dot), "label"))
    return targets


@functools.lru_cache(maxsize=16)
def strip_width(size: float) -> float:
    last = strip_targets(0.0, 0.0, size)[-1].rect
    return last.right()


def hit(left: float, center_y: float, size: float, pos: QPointF) -> str | None:
    """The target under `pos` (a little slack around each), or None."""
    for target in strip_targets(left, center_y, size):
        if target.name != "label" and target.rect.adjusted(-1, -2, 1, 2).contains(pos):
            return target.name
    return None


def click_action(target: str, row: GalleryRow) -> DecisionAction:
    """The session action a click on `target` means for `row` as it is now."""
    A = DecisionAction
    if target.startswith("star_"):
        stars = int(target.removeprefix("star_"))
        return A.RATE_0 if row.rating == stars else A.rate(stars)
    if target == "flag_keep":
        return A.UNREVIEWED if row.cull == "kept" else A.KEEP
    if target == "flag_reject":
        return A.UNREVIEWED if row.cull == "rejected" else A.REJECT
    if target == "flag_pick":
        return A.UNPICK if row.picked else A.PICK_ON
    raise ValueError(f"not a clickable target: {target!r}")

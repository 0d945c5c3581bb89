"""The grid's scroll position across a batched relayout, and its end kept in view.

The grid lays its rows out in batches (`LAYOUT_BATCH` rows per turn of the
event loop), again from row 0 at every insertion. Qt sets the scroll range
after the first batch from those rows alone, and the scroll bar clamps its
value to it: a grid scrolled past row ~500 jumped back there at each frame a
watch brought in, and stayed. `layout_partial` says a layout has rows left to
lay out; the view keeps the previous range until the last batch, so the
position never moves.

`EndFollower`: a grid scrolled to its end (where a watch's frames land in a
capture-time sort) stays at its end as rows are added, since the end is what
it shows. Anywhere else it does not move. A list shorter than the screen has
no end to follow (an import's first photos stay in view), unless a watch
starts on it (`follow_if_at_end`): its frames are followed past the screen.
"""

from __future__ import annotations

from PySide6.QtWidgets import QListView, QScrollBar

LAYOUT_BATCH = 500  # rows laid out per turn of the event loop (a large screen's worth)
END_SLACK_PX = 2  # a scroll this close to the end is at the end


def layout_partial(view: QListView) -> bool:
    """Whether the view's layout has rows left for a later batch (its last row has no cell)."""
    model = view.model()
    if model is None:
        return False
    n = model.rowCount()
    return n > view.batchSize() and not view.rectForIndex(model.index(n - 1, 0)).isValid()


class EndFollower:
    """Keeps a scroll bar at its end while it is there (see the module)."""

    def __init__(self, bar: QScrollBar) -> None:
        self.bar = bar
        self.following = False
        bar.valueChanged.connect(self._moved)

    def _moved(self, value: int) -> None:
        top = self.bar.maximum()
        self.following = top > 0 and value >= top - END_SLACK_PX

    def follow_if_at_end(self) -> None:
        """Follow from now on if the grid shows its end, one that fits on the
        screen included (a watch starting: its first frames fill the screen)."""
        self.following = self.bar.value() >= self.bar.maximum() - END_SLACK_PX

    def hold(self) -> None:
        """After the range changed (a whole layout): back to the end if following."""
        if self.following and self.bar.value() != self.bar.maximum():
            self.bar.setValue(self.bar.maximum())

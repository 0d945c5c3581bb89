"""Zoom and pan for the loupe and compare views, as plain numbers (no Qt).

The views keep a `Zoom` and ask it every geometric question; they only turn
Qt's rectangles into `Box`es and back. `Zoom` (frozen) is a level — `factor`
None is fit, 1.0 is 100 % (one original pixel per device pixel); `fill` covers
the area — and a `center`, the image point in the middle of the area,
normalised 0–1 (the zoom survives moving to the next frame of a burst). A
`Viewport` is one view's geometry (image size, area, `unit` at 100 %).

Invariants:
- changing the level keeps the image point under the anchor under it, unless
  clamping moves it; every state returned is clamped (no gap at an edge of a
  larger image; a smaller one centred);
- at a factor the image's top-left lands on whole widget pixels (1:1 blits);
- synchronised views hold the same `Zoom`;
- `stepped` walks fit, fill, 50 %, 100 %, 200 % by the scale each gives in
  this view; levels of the same scale are one.
"""

from __future__ import annotations

from dataclasses import dataclass, replace


@dataclass(frozen=True)
class Point:
    x: float
    y: float


@dataclass(frozen=True)
class Box:
    """A rectangle in widget pixels (or, for `Zoom.visible`, normalised 0–1)."""

    left: float
    top: float
    width: float
    height: float

    @property
    def right(self) -> float:
        return self.left + self.width

    @property
    def bottom(self) -> float:
        return self.top + self.height

    @property
    def center(self) -> Point:
        return Point(self.left + self.width / 2, self.top + self.height / 2)

    @property
    def empty(self) -> bool:
        return self.width <= 0 or self.height <= 0

    def contains(self, p: Point) -> bool:
        return self.left <= p.x < self.right and self.top <= p.y < self.bottom


EMPTY = Box(0.0, 0.0, 0.0, 0.0)


@dataclass(frozen=True)
class Viewport:
    """One view of one image: its size in original pixels, the widget area it
    is drawn in, and the widget pixels an original pixel takes at 100 %."""

    image_width: float
    image_height: float
    area: Box
    unit: float = 1.0

    @property
    def valid(self) -> bool:
        return self.image_width > 0 and self.image_height > 0 and not self.area.empty

    @property
    def fit_scale(self) -> float:
        """Widget pixels per original pixel when the whole image fits the area."""
        return min(self.area.width / self.image_width, self.area.height / self.image_height)


def fit_box(image_width: float, image_height: float, area: Box) -> Box:
    """The image scaled to fit `area` (aspect kept, up or down), centred in it."""
    view = Viewport(image_width, image_height, area)
    return Zoom().image_box(view) if view.valid else EMPTY


@dataclass(frozen=True)
class Zoom:
    """A zoom level and the normalised image point at the area's centre; `Zoom()` is fit."""

    factor: float | None = None
    center: Point = Point(0.5, 0.5)
    fill: bool = False  # the image covers the area (factor None): a crop, pannable

    @property
    def fitted(self) -> bool:
        return self.factor is None and not self.fill

    @property
    def label(self) -> str:
        """What the view's caption says: "Fit", "Fill", "100 %", "50 %"…"""
        if self.fill:
            return "Fill"
        return "Fit" if self.factor is None else f"{self.factor * 100:g} %"

    def scale(self, view: Viewport) -> float:
        """Widget pixels per original pixel at this level."""
        if self.fill:
            return max(view.area.width / view.image_width, view.area.height / view.image_height)
        return view.fit_scale if self.factor is None else self.factor * view.unit

    def image_box(self, view: Viewport) -> Box:
        """Where the whole image lies in the widget now (EMPTY without one)."""
        if not view.valid:
            return EMPTY
        s = self.scale(view)
        w, h = view.image_width * s, view.image_height * s
        area = view.area
        left = _axis(area.left, area.width, w, self.center.x)
        top = _axis(area.top, area.height, h, self.center.y)
        if self.factor is not None:
            left, top = round(left), round(top)
        return Box(left, top, w, h)

    def to_image(self, view: Viewport, pos: Point) -> Point | None:
        """The original's pixel coordinates under widget position `pos`."""
        box = self.image_box(view)
        if box.empty:
            return None
        s = self.scale(view)
        return Point((pos.x - box.left) / s, (pos.y - box.top) / s)

    def to_widget(self, view: Viewport, point: Point) -> Point | None:
        """Where original pixel `point` lies in the widget."""
        box = self.image_box(view)
        if box.empty:
            return None
        s = self.scale(view)
        return Point(box.left + point.x * s, box.top + point.y * s)

    def visible(self, view: Viewport) -> Box:
        """The normalised part (0–1) of the image that shows in the area."""
        box = self.image_box(view)
        if box.empty:
            return EMPTY
        area = view.area
        left, top = max(box.left, area.left), max(box.top, area.top)
        right, bottom = min(box.right, area.right), min(box.bottom, area.bottom)
        if right <= left or bottom <= top:
            return EMPTY
        return Box(
            (left - box.left) / box.width,
            (top - box.top) / box.height,
            (right - left) / box.width,
            (bottom - top) / box.height,
        )

    def zoomed_to(
        self,
        factor: float | None,
        view: Viewport,
        anchor: Point | None,
        bounds: Viewport | None = None,
    ) -> Zoom:
        """This view at `factor` (None: fit), the image point under `anchor`
        (default: the centre) kept under it, clamped by `bounds` (default `view`)."""
        return self.at_level(Zoom(factor), view, anchor, bounds)

    def at_level(
        self, level: Zoom, view: Viewport, anchor: Point | None, bounds: Viewport | None = None
    ) -> Zoom:
        """This view at `level`'s zoom (fit, fill or a factor), anchored as in `zoomed_to`."""
        if level.fitted:
            return Zoom()
        if not view.valid:
            return replace(level, center=self.center)
        box = self.image_box(view)
        at = anchor if anchor is not None else view.area.center
        nx = min(1.0, max(0.0, (at.x - box.left) / box.width))
        ny = min(1.0, max(0.0, (at.y - box.top) / box.height))
        size = level.scale(view)
        middle = view.area.center
        center = Point(
            nx + (middle.x - at.x) / (view.image_width * size),
            ny + (middle.y - at.y) / (view.image_height * size),
        )
        return replace(level, center=center).clamped(bounds or view)

    def stepped(
        self, view: Viewport, direction: int, anchor: Point | None, bounds: Viewport | None = None
    ) -> Zoom:
        """One step in (`direction` > 0) or out along the ladder, anchored as in `zoomed_to`."""
        if not view.valid:
            return self
        now = self.scale(view)
        ladder = zoom_ladder(view)
        if direction > 0:
            ahead = [z for z in ladder if z.scale(view) > now * (1 + _SAME)]
            target = ahead[0] if ahead else None
        else:
            behind = [z for z in ladder if z.scale(view) < now * (1 - _SAME)]
            target = behind[-1] if behind else None
        return self if target is None else self.at_level(target, view, anchor, bounds)

    def toggled(self, view: Viewport, anchor: Point | None, bounds: Viewport | None = None) -> Zoom:
        """Z: fit ↔ 100 %, anchored at `anchor` (see `zoomed_to`)."""
        return self.zoomed_to(1.0 if self.fitted else None, view, anchor, bounds)

    def panned(self, view: Viewport, dx: float, dy: float) -> Zoom:
        """The image moved by (dx, dy) widget pixels; fit does not pan."""
        if self.fitted or not view.valid:
            return self
        s = self.scale(view)
        center = Point(
            self.center.x - dx / (view.image_width * s),
            self.center.y - dy / (view.image_height * s),
        )
        return replace(self, center=center).clamped(view)

    def clamped(self, view: Viewport) -> Zoom:
        """The centre moved just enough that no gap opens at an edge (see the invariants)."""
        if self.fitted or not view.valid:
            return self
        s = self.scale(view)
        cx = _clamp_axis(self.center.x, view.area.width, view.image_width * s)
        cy = _clamp_axis(self.center.y, view.area.height, view.image_height * s)
        return replace(self, center=Point(cx, cy))


STEP_FACTORS = (0.5, 1.0, 2.0)  # the fixed steps beside fit and fill
_SAME = 0.01  # scales within 1 % are one step


def zoom_ladder(view: Viewport) -> list[Zoom]:
    """Fit, fill, 50 %, 100 %, 200 % in `view`, by increasing scale, one per scale."""
    levels = [Zoom(), Zoom(fill=True), *(Zoom(f) for f in STEP_FACTORS)]
    levels.sort(key=lambda z: z.scale(view))
    ladder: list[Zoom] = []
    for level in levels:
        if not ladder or level.scale(view) > ladder[-1].scale(view) * (1 + _SAME):
            ladder.append(level)
    return ladder


def _axis(start: float, extent: float, size: float, centre: float) -> float:
    """Where an image axis of `size` starts, showing normalised `centre` mid-area, clamped."""
    if size <= extent:
        return start + (extent - size) / 2
    pos = start + extent / 2 - centre * size
    return min(start, max(start + extent - size, pos))


def _clamp_axis(centre: float, extent: float, size: float) -> float:
    """The nearest normalised centre that keeps an axis of `size` covering `extent`."""
    if size <= extent:
        return 0.5
    half = extent / 2 / size
    return min(1.0 - half, max(half, centre))

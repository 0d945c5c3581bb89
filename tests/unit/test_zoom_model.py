"""The loupe's and compare's zoom model (`curator.ui.loupe.zoom`), as plain
numbers: fit, 100 % (and any factor) keeping the point under the pointer,
panning clamped to the image, widget ↔ image mapping, two views in sync."""

from __future__ import annotations

import random

import pytest

from curator.ui.loupe.zoom import Box, Point, Viewport, Zoom, fit_box

AREA = Box(12, 12, 800, 600)
BIG = Viewport(2400, 1600, AREA)  # larger than the area at 100 %
SMALL = Viewport(300, 200, AREA)  # smaller than the area at 100 %


def _no_gap(box: Box, area: Box) -> bool:
    """Along each axis the image covers the area, or is centred in it."""

    def axis(lo: float, size: float, a_lo: float, a_size: float) -> bool:
        if size <= a_size:
            return abs((lo - a_lo) - (a_size - size) / 2) <= 0.5
        return lo <= a_lo and lo + size >= a_lo + a_size

    return axis(box.left, box.width, area.left, area.width) and axis(
        box.top, box.height, area.top, area.height
    )


def test_fit_shows_the_whole_image_centred() -> None:
    box = Zoom().image_box(BIG)
    assert (box.width, box.height) == (800, pytest.approx(533.333, abs=0.01))
    assert box.center == Point(412, 312) and Zoom().scale(BIG) == pytest.approx(1 / 3)
    assert fit_box(2400, 1600, AREA) == box
    tall = Zoom().image_box(Viewport(1000, 3000, AREA))
    assert tall.height == 600 and tall.width == pytest.approx(200) and tall.top == 12
    assert Zoom().label == "Fit" and Zoom(1.0).label == "100 %" and Zoom(0.5).label == "50 %"
    assert fit_box(0, 10, AREA).empty and Zoom().image_box(Viewport(10, 10, Box(0, 0, 0, 5))).empty


def test_100_percent_keeps_the_point_under_the_pointer() -> None:
    rng = random.Random(17)
    for _ in range(200):
        fit = Zoom()
        inner = fit.image_box(BIG)
        # Anchors away from the edges, where clamping does not move the point.
        at = Point(
            rng.uniform(inner.left + 0.25 * inner.width, inner.right - 0.25 * inner.width),
            rng.uniform(inner.top + 0.3 * inner.height, inner.bottom - 0.3 * inner.height),
        )
        before = fit.to_image(BIG, at)
        zoomed = fit.toggled(BIG, at)
        after = zoomed.to_image(BIG, at)
        assert before is not None and after is not None
        assert zoomed.factor == 1.0 and zoomed.scale(BIG) == 1.0
        # Within a pixel: the image's corner lands on whole pixels.
        assert abs(after.x - before.x) <= 0.5 and abs(after.y - before.y) <= 0.5
        box = zoomed.image_box(BIG)
        assert box.left == int(box.left) and box.top == int(box.top)
        assert zoomed.toggled(BIG, at) == Zoom()  # and back to fit


def test_any_factor_keeps_the_anchor_so_steps_are_one_call() -> None:
    at = Point(400, 300)
    z = Zoom(1.0, Point(0.5, 0.5))
    for factor in (2.0, 0.5, 1.0, 3.0):
        before = z.to_image(BIG, at)
        z = z.zoomed_to(factor, BIG, at)
        after = z.to_image(BIG, at)
        assert before is not None and after is not None and z.factor == factor
        assert abs(after.x - before.x) * factor <= 0.5 and abs(after.y - before.y) * factor <= 0.5
    assert z.zoomed_to(None, BIG, at) == Zoom()


def test_an_anchor_at_a_corner_is_clamped_so_no_gap_opens() -> None:
    fit = Zoom()
    inner = fit.image_box(BIG)
    for at in (Point(inner.left, inner.top), Point(inner.right, inner.bottom), Point(0, 0)):
        zoomed = fit.toggled(BIG, at)
        assert _no_gap(zoomed.image_box(BIG), AREA)
    top_left = fit.toggled(BIG, Point(inner.left, inner.top)).image_box(BIG)
    assert (top_left.left, top_left.top) == (AREA.left, AREA.top)


def test_panning_moves_by_the_drag_and_stops_at_the_edges() -> None:
    z = Zoom().toggled(BIG, None)  # 100 % at the centre
    box = z.image_box(BIG)
    moved = z.panned(BIG, -120, -80).image_box(BIG)
    assert (moved.left - box.left, moved.top - box.top) == (-120, -80)
    far = z.panned(BIG, 10_000, -10_000)
    at_edge = far.image_box(BIG)
    assert at_edge.left == AREA.left and at_edge.bottom == AREA.bottom  # no gap at either edge
    # The overshoot is not remembered: dragging back moves the image at once.
    back = far.panned(BIG, -50, 30).image_box(BIG)
    assert (back.left - at_edge.left, back.top - at_edge.top) == (-50, 30)
    assert Zoom().panned(BIG, 50, 50) == Zoom()  # fit does not pan


def test_an_image_smaller_than_the_area_stays_centred() -> None:
    z = Zoom().toggled(SMALL, Point(20, 20))
    box = z.image_box(SMALL)
    assert (box.width, box.height) == (300, 200) and _no_gap(box, AREA)
    assert z.panned(SMALL, 40, -30).image_box(SMALL) == box


def test_widget_and_image_coordinates_map_both_ways() -> None:
    for zoom in (Zoom(), Zoom(1.0, Point(0.3, 0.6)).clamped(BIG), Zoom(2.0, Point(0.9, 0.1))):
        for image_point in (Point(0, 0), Point(1234.5, 987.25), Point(2400, 1600)):
            widget = zoom.to_widget(BIG, image_point)
            assert widget is not None
            back = zoom.to_image(BIG, widget)
            assert back is not None
            assert back.x == pytest.approx(image_point.x) and back.y == pytest.approx(image_point.y)
    assert Zoom().to_image(Viewport(0, 0, AREA), Point(1, 1)) is None


def test_a_high_dpi_screen_shows_one_original_pixel_per_device_pixel() -> None:
    retina = Viewport(2400, 1600, AREA, unit=0.5)  # devicePixelRatio 2
    z = Zoom().toggled(retina, None)
    assert z.image_box(retina).width == 1200 and z.scale(retina) == 0.5


def test_two_views_holding_one_zoom_show_the_same_region() -> None:
    """Compare: the candidate (another size) drawn at the reference's width."""
    left = Viewport(2400, 1600, Box(10, 36, 600, 500))
    right_size = (1200, 800)
    right = Viewport(*right_size, Box(620, 36, 600, 500), unit=2400 / right_size[0])
    z = Zoom().toggled(right, Point(700, 200), left)  # anchored in the right pane
    for dx, dy in ((0, 0), (35, -12), (-400, 300)):
        z = z.panned(left, dx, dy)
        a, b = z.visible(left), z.visible(right)
        for u, v in zip(
            (a.left, a.top, a.width, a.height), (b.left, b.top, b.width, b.height), strict=True
        ):
            assert u == pytest.approx(v, abs=1 / 1200)
    assert Zoom().visible(left) == Box(0, 0, 1, 1)


def test_the_ladder_steps_fit_fill_50_100_200_by_scale() -> None:
    from curator.ui.loupe.zoom import zoom_ladder

    assert [z.label for z in zoom_ladder(BIG)] == ["Fit", "Fill", "50 %", "100 %", "200 %"]
    # A small original fits at 267 %: the fixed steps all lie below fit.
    assert [z.label for z in zoom_ladder(SMALL)] == ["50 %", "100 %", "200 %", "Fit", "Fill"]
    # Same aspect as the area: fill is fit, one step.
    same = Viewport(2000, 1500, AREA)
    assert [z.label for z in zoom_ladder(same)] == ["Fit", "50 %", "100 %", "200 %"]
    zoom, seen = Zoom(), []
    for _ in range(5):
        zoom = zoom.stepped(BIG, +1, None)
        seen.append(zoom.label)
    assert seen == ["Fill", "50 %", "100 %", "200 %", "200 %"]  # stays at the top
    for _ in range(5):
        zoom = zoom.stepped(BIG, -1, None)
    assert zoom.fitted


def test_fill_covers_the_area_and_pans_along_the_long_axis() -> None:
    fill = Zoom().stepped(BIG, +1, None)
    assert fill.fill and not fill.fitted and fill.label == "Fill"
    box = fill.image_box(BIG)
    assert box.height == pytest.approx(AREA.height) and box.width > AREA.width
    assert _no_gap(box, AREA)
    moved = fill.panned(BIG, -30, -30)  # only the long axis moves (50 px to spare)
    after = moved.image_box(BIG)
    assert after.left == pytest.approx(box.left - 30) and after.top == pytest.approx(box.top)
    assert moved.fill and _no_gap(after, AREA)
    # Z from fill goes back to fit, as from any zoom.
    assert fill.toggled(BIG, None).fitted


def test_steps_keep_the_point_under_the_pointer() -> None:
    rng = random.Random(5)
    for _ in range(100):
        zoom = Zoom(1.0, Point(rng.uniform(0.3, 0.7), rng.uniform(0.3, 0.7))).clamped(BIG)
        inner = zoom.image_box(BIG)
        at = Point(rng.uniform(AREA.left + 300, AREA.right - 300), rng.uniform(250, 370))
        assert inner.contains(at)
        before = zoom.to_image(BIG, at)
        deeper = zoom.stepped(BIG, +1, at)
        after = deeper.to_image(BIG, at)
        assert deeper.factor == 2.0 and before is not None and after is not None
        assert abs(after.x - before.x) <= 0.5 and abs(after.y - before.y) <= 0.5
        box = deeper.image_box(BIG)
        assert box.left == int(box.left) and _no_gap(box, AREA)

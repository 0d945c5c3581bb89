"""The face labels' words, places and the People row's groups (issue 41 §5):
in a group no two labels overlap, every label stays in the image, the long
reason only for the focused face, each verdict counted once."""

from __future__ import annotations

import random
from dataclasses import replace

import pytest

from curator.records import EyeState, Face, Looking
from curator.ui.loupe.face_labels import (
    GAP,
    label_order,
    labels_overlap,
    long_label,
    looks_sentence,
    people_sentence,
    place_labels,
    ready_reason,
    short_label,
)
from curator.ui.loupe.zoom import Box

TELL = "too small to tell shut eyes from a look down"
WORD = (44.0, 16.0)  # a short word's plate, px
LONG = (300.0, 16.0)  # "too small to tell shut eyes from a look down · sharpness 91"


def face(
    eyes: EyeState = EyeState.OPEN,
    *,
    judged: bool = True,
    note: str | None = None,
    key: bool = False,
    size: int = 60,
    sharpness: float | None = 70.0,
) -> Face:
    return Face((0.0, 0.0, 0.1, 0.1), size, judged, eyes, note, None, sharpness, key)


def _inside(box: Box, bounds: Box) -> bool:
    eps = 1e-9
    return (
        box.left >= bounds.left - eps
        and box.top >= bounds.top - eps
        and box.right <= bounds.right + eps
        and box.bottom <= bounds.bottom + eps
    )


def _meets(box: Box, bounds: Box) -> bool:
    return (
        box.left < bounds.right
        and bounds.left < box.right
        and box.top < bounds.bottom
        and bounds.top < box.bottom
    )


def _check(places: list[Box | None], bounds: Box) -> list[Box]:
    shown = [p for p in places if p is not None]
    assert not labels_overlap(places)
    for k, a in enumerate(shown):
        assert _inside(a, bounds), (a, bounds)
        for b in shown[k + 1 :]:  # not even touching
            apart_x = a.right + GAP <= b.left or b.right + GAP <= a.left
            apart_y = a.bottom + GAP <= b.top or b.bottom + GAP <= a.top
            assert apart_x or apart_y, (a, b)
    return shown


def test_twelve_faces_in_a_row_each_get_a_label_and_none_overlap() -> None:
    # Faces 40 px wide, 48 px apart: a 44 px word under each would touch its
    # neighbour's; the labels alternate below and above instead.
    bounds = Box(0, 0, 700, 300)
    boxes = [Box(20 + 48 * i, 120, 40, 40) for i in range(12)]
    places = place_labels(boxes, [WORD] * 12, bounds, list(range(12)))
    shown = _check(places, bounds)
    assert len(shown) == 12
    # Each label is next to its own face (above or below it, overlapping its column).
    for box, place in zip(boxes, places, strict=True):
        assert place is not None
        assert place.left < box.right and box.left < place.right
        assert place.bottom <= box.top or place.top >= box.bottom


def test_a_six_by_five_grid_of_small_faces_never_overlaps() -> None:
    bounds = Box(0, 0, 420, 330)
    boxes = [Box(10 + 68 * c, 10 + 64 * r, 26, 26) for r in range(5) for c in range(6)]
    order = list(range(30))
    places = place_labels(boxes, [WORD] * 30, bounds, order)
    shown = _check(places, bounds)
    assert len(shown) >= 24  # most faces keep their word; a left-out one keeps its colour
    # A tight grid (faces 30 px apart): still never an overlap, whatever is left out.
    tight = [Box(5 + 30 * c, 5 + 30 * r, 24, 24) for r in range(5) for c in range(6)]
    _check(place_labels(tight, [WORD] * 30, Box(0, 0, 190, 160), order), Box(0, 0, 190, 160))


def test_labels_stay_inside_the_image_at_its_edges() -> None:
    bounds = Box(100, 50, 400, 300)
    boxes = [
        Box(90, 40, 30, 30),  # over the top-left corner
        Box(480, 330, 40, 40),  # past the bottom-right
        Box(100, 310, 30, 40),  # on the bottom edge
        Box(470, 50, 30, 20),  # on the right edge
    ]
    places = place_labels(boxes, [WORD, WORD, LONG, WORD], bounds, [0, 1, 2, 3])
    assert len(_check(places, bounds)) == 4
    # Wider than the image: cut to its width (the painter elides the text), inside.
    wide = place_labels([Box(120, 100, 30, 30)], [(900.0, 16.0)], bounds, [0])[0]
    assert wide is not None and wide.width == bounds.width and _inside(wide, bounds)
    # Taller than the image: no label rather than one outside it.
    assert place_labels([Box(120, 100, 30, 30)], [(40.0, 400.0)], bounds, [0]) == [None]


def test_the_focused_face_is_placed_first_and_the_others_make_way() -> None:
    bounds = Box(0, 0, 600, 300)
    boxes = [Box(40 + 45 * i, 120, 40, 40) for i in range(10)]
    faces = [face(size=60 - i) for i in range(10)]
    focus = 6
    order = label_order(faces, list(range(10)), [focus])
    assert order[0] == focus
    sizes: list[tuple[float, float] | None] = [WORD] * 10
    sizes[focus] = LONG
    places = place_labels(boxes, sizes, bounds, order)
    _check(places, bounds)
    long_place = places[focus]
    assert long_place is not None and long_place.width == LONG[0]
    # Nothing was in its way: it sits right under its own face, across its column.
    own = boxes[focus]
    assert long_place.top == own.bottom + GAP
    assert long_place.left <= own.left and own.right <= long_place.right
    # The neighbours under it moved (above their faces) or were left out.
    for i in (5, 7):
        other = places[i]
        assert other is None or other.bottom <= boxes[i].top


def test_the_order_is_key_faces_then_closed_eyes_then_the_largest() -> None:
    faces = [
        face(size=90),
        face(EyeState.CLOSED, size=50),
        face(size=70, key=True),
        face(size=200),
        face(judged=False, note="too small", size=30, sharpness=None),
    ]
    assert label_order(faces, [0, 1, 2, 3], []) == [2, 1, 3, 0]
    assert label_order(faces, [0, 1, 2, 3, 4], [4]) == [4, 2, 1, 3, 0]


def test_random_groups_keep_every_invariant() -> None:
    rng = random.Random(41)
    for _ in range(300):
        bounds = Box(rng.uniform(0, 50), rng.uniform(0, 50), rng.uniform(200, 900), 500)
        n = rng.randint(1, 40)
        boxes = []
        for _ in range(n):
            side = rng.uniform(12, 120)
            boxes.append(
                Box(  # some partly or wholly off the image (at 100 %)
                    rng.uniform(bounds.left - 150, bounds.right - side + 150),
                    rng.uniform(bounds.top - 60, bounds.bottom - side + 60),
                    side,
                    side,
                )
            )
        sizes: list[tuple[float, float] | None] = [
            None if rng.random() < 0.1 else (rng.uniform(14, 80), 16.0) for _ in range(n)
        ]
        order = [i for i in range(n) if sizes[i] is not None]
        rng.shuffle(order)
        places = place_labels(boxes, sizes, bounds, order)
        _check(places, bounds)
        assert all(places[i] is None for i in range(n) if sizes[i] is None)
        off = [i for i, b in enumerate(boxes) if not _meets(b, bounds)]
        assert all(places[i] is None for i in off)
        assert places == place_labels(boxes, sizes, bounds, order)  # the same every paint
        first = [i for i in order if i not in off]
        assert places[first[0]] is not None if first else True  # the first always has room


@pytest.mark.parametrize(
    ("f", "word"),
    [
        (face(EyeState.OPEN), "open"),
        (face(EyeState.CLOSED), "closed"),
        (face(EyeState.NARROWED), "laugh"),
        (face(EyeState.UNKNOWN, note=TELL), "small"),
        (face(EyeState.UNKNOWN, note="turned away or hidden"), "away"),
        (face(EyeState.UNKNOWN, note="sunglasses"), "shades"),
        (face(EyeState.UNKNOWN, note="can't tell"), "?"),
        (face(EyeState.UNKNOWN, note=None), "?"),
        (face(EyeState.UNKNOWN, note="a new reason"), "?"),
        (face(judged=False, note="too small", sharpness=None), "small"),
    ],
)
def test_each_verdict_has_one_short_word(f: Face, word: str) -> None:
    assert short_label(f) == word
    assert len(short_label(f)) <= 6


def test_the_long_label_says_the_whole_reason_and_the_sharpness() -> None:
    assert long_label(face(EyeState.UNKNOWN, note=TELL, sharpness=91)) == f"{TELL} · sharpness 91"
    assert long_label(face(EyeState.OPEN, key=True, sharpness=78.4)) == (
        "key face: eyes open · sharpness 78"
    )
    # Shut eyes on a face not read smiling may be lowered in a look down: the
    # stage does not tell them apart, so the words say both (issue 74).
    assert long_label(face(EyeState.CLOSED, sharpness=None)) == "eyes closed or looking down"
    smiling_shut = replace(face(EyeState.CLOSED, sharpness=None), smile=0.8)
    assert long_label(smiling_shut) == "eyes closed · smiling"
    laugh = replace(face(EyeState.NARROWED, key=True, sharpness=64), smile=0.9)
    assert long_label(laugh) == "key face: eyes narrowed in a laugh · smiling · sharpness 64"
    small = face(judged=False, note="too small", sharpness=None)
    assert long_label(small) == "too small to judge"


def test_how_a_face_looks_is_said_in_words_where_it_was_read() -> None:
    ready = replace(face(EyeState.OPEN, key=True, sharpness=78), smile=0.91, looking=Looking.CAMERA)
    assert (
        long_label(ready) == "key face: eyes open · smiling · looking at the camera · sharpness 78"
    )
    glum = replace(face(EyeState.OPEN, sharpness=None), smile=0.12, looking=Looking.AWAY)
    assert long_label(glum) == "eyes open · not smiling · looking away"
    unsure = replace(face(EyeState.CLOSED, sharpness=None), smile=0.5, looking=None)
    assert long_label(unsure) == "eyes closed · smiling"  # where it looks: can't tell, unsaid
    row = people_sentence([ready, glum, face(judged=False, note="too small", sharpness=None)])
    assert row == (
        "3 faces (1 key): 2 open; 1 smiling · 1 looking at the camera · 1 looking away; "
        "1 face too small to judge; key face sharpness 78."
    )
    # No face read smiling: said in words, never "0 smiling".
    assert looks_sentence([glum]) == "not smiling · 1 looking away"
    assert looks_sentence([glum, replace(glum, looking=Looking.CAMERA)]) == (
        "none smiling · 1 looking at the camera · 1 looking away"
    )
    assert looks_sentence([replace(glum, smile=None)]) == "1 looking away"
    assert looks_sentence([replace(glum, smile=None, looking=None)]) is None


def test_a_burst_s_best_frame_says_why_its_faces_are_ready() -> None:
    def key(smile: float, looking: Looking | None, eyes: EyeState = EyeState.OPEN) -> Face:
        return replace(face(eyes, key=True), smile=smile, looking=looking)

    couple = [key(0.9, Looking.CAMERA), key(0.8, Looking.CAMERA), face(EyeState.CLOSED)]
    assert ready_reason(couple) == "everyone's eyes open · both smiling, looking at the camera"
    group = [key(0.9, Looking.CAMERA), key(0.1, Looking.AWAY), key(0.7, None)]
    assert ready_reason(group) == "everyone's eyes open · 1 looking away"
    assert ready_reason([key(0.2, Looking.CAMERA)]) == "eyes open · looking at the camera"
    assert ready_reason([face(EyeState.OPEN)]) == ""  # no key face: nothing to say


def test_the_people_row_counts_each_verdict_once() -> None:
    faces = [
        face(EyeState.CLOSED, key=True, sharpness=64),
        face(EyeState.CLOSED),
        face(EyeState.OPEN, key=True, sharpness=80),
        face(EyeState.OPEN),
        face(EyeState.OPEN),
        *[face(EyeState.UNKNOWN, note=TELL, sharpness=91) for _ in range(3)],
        *[face(judged=False, note="too small", sharpness=None, size=30) for _ in range(4)],
    ]
    sentence = people_sentence(faces)
    assert sentence == (
        f"12 faces (2 key): 2 closed (1 key) · 3 open · 3 {TELL}; "
        "4 faces too small to judge; key face sharpness 64."
    )
    assert sentence.count(TELL) == 1 and sentence.count("too small to judge") == 1
    one = people_sentence([face(EyeState.OPEN, key=True, sharpness=78)])
    assert one == "1 face (1 key): 1 open; key face sharpness 78."
    many = people_sentence(
        [face(judged=False, note="not judged (too many faces)", sharpness=None)] * 2
        + [face(EyeState.UNKNOWN, note="turned away or hidden")] * 2
    )
    assert many == "4 faces (0 key): 2 turned away or hidden; 2 faces not judged (too many faces)."


def test_the_loupes_proposal_line_says_why_a_keep_was_chosen_for_its_people() -> None:
    """Issue 49 §2: a stored keep keeps no words, so the loupe says its moment's
    people with the same wording as the burst's star; a reject says its reasons."""
    from curator.records import Proposal, ProposalReason, ProposalVerdict
    from curator.ui.loupe.proposal_mark import proposal_line

    keep = Proposal(1, ProposalVerdict.KEEP, (), 0.7)
    words = "eyes open · smiling, looking at the camera"
    assert proposal_line(keep, words) == f"Keep? {words} (sure: 70%) · A accepts"
    assert proposal_line(keep) == "Keep? (sure: 70%) · A accepts"
    said = Proposal(1, ProposalVerdict.KEEP, (), 0.7, why="smiling")
    assert proposal_line(said, words).startswith("Keep? smiling (")  # its own words first
    reject = Proposal(2, ProposalVerdict.REJECT, (ProposalReason.BLUR,), 0.8)
    assert proposal_line(reject, words) == "Reject? blur (sure: 80%) · A accepts"

"""What the face boxes (O) and the People row say, and where the labels go,
as plain values (no Qt): `curator.ui.loupe.faces` measures and paints them.

- **Words**: every judged face's label is one short word (`short_label`:
  "open", "laugh", "closed", "small", "away", "shades", "?"); only shut eyes
  read "closed". The whole reason, the look (`looks_words`) and the face's
  sharpness (`long_label`) only for the face under the pointer or Shift+Z's;
  a face too small to judge has no label unless it is that face.
- **Places** (`place_labels`): each label tries spots around its box, pushed
  inside the image, and takes the one covering the fewest other faces, never
  one touching a placed label. Order: the focused face, key faces, closed
  eyes, the largest. A label with no free spot is left out (the box's colour
  still tells).
- **The People row** (`people_sentence`): the verdicts once, counted, never
  one sentence a face; `ready_reason` is cull.looks' wording, used as it is.
Invariants: no two placed labels intersect nor touch (`GAP`); each lies inside
its bounds and is never wider than them; the same inputs give the same places.
The eyes notes (`Face.eyes_note`) are matched by their words, not imported
(the UI stays off ml); an unknown note reads "?" and is counted on its own.
"""

from __future__ import annotations

from bisect import bisect_left, insort
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from curator.cull.looks import ready_reason as ready_reason  # the loupe's words, re-exported
from curator.records import EyeState, Face, Looking
from curator.ui.loupe.zoom import Box

GAP = 2.0  # px kept free between two labels
Rect = tuple[float, float, float, float]  # left, top, right, bottom: the placer's working form
RANK_COST = 0.1  # what taking the next spot in line costs (`_cost`)


@dataclass(frozen=True)
class Verdict:
    """One kind of face verdict: its short label and how the People row counts it."""

    word: str  # on the box: "closed"
    phrase: str  # after a count in the People row: "closed", "turned away or hidden"
    judged: bool  # False: a face the stage only counted (no label unless focused)
    rank: int  # the People row's order (closed first)


def verdict(face: Face) -> Verdict:
    """The face's verdict, for its label and the People row's groups."""
    note = (face.eyes_note or "").strip()
    low = note.lower().replace("’", "'")
    if not face.judged:
        if not note or low == "too small":
            return Verdict("small", "too small to judge", False, 10)
        return Verdict("?", note, False, 11)
    if face.eyes is EyeState.CLOSED:
        return Verdict("closed", "closed", True, 0)
    if face.eyes is EyeState.OPEN:
        return Verdict("open", "open", True, 1)
    if face.eyes is EyeState.NARROWED:
        return Verdict("laugh", "laughing", True, 2)
    if low.startswith("too small"):
        return Verdict("small", note, True, 3)
    if "turned away" in low or "hidden" in low:
        return Verdict("away", note, True, 4)
    if "sunglasses" in low:
        return Verdict("shades", note, True, 5)
    if not note or low == "can't tell":
        return Verdict("?", "can't tell", True, 6)
    return Verdict("?", note, True, 7)


def short_label(face: Face) -> str:
    """The word on the box: "open", "laugh", "closed", "small", "away",
    "shades", "?"."""
    return verdict(face).word


def eyes_words(face: Face) -> str:
    """A judged face's eyes in the whole verdict: "eyes open", "eyes narrowed
    in a laugh", "eyes closed" — "eyes closed or looking down" where the
    face is not read smiling (a look down reads as shut: module docstring) —
    or the reason they were not judged ("sunglasses")."""
    if face.eyes is EyeState.CLOSED:
        return "eyes closed" if face.smiling else "eyes closed or looking down"
    if face.eyes is EyeState.NARROWED:
        return "eyes narrowed in a laugh"
    v = verdict(face)
    return f"eyes {v.phrase}" if face.eyes is EyeState.OPEN else v.phrase


def looks_words(face: Face) -> list[str]:
    """How the face looks, in words (issue 49): "smiling" or "not smiling",
    "looking at the camera" or "looking away"; nothing that was not read
    (a face Curator cannot tell is left unsaid)."""
    words = []
    if face.smiling is not None:
        words.append("smiling" if face.smiling else "not smiling")
    if face.looking is Looking.CAMERA:
        words.append("looking at the camera")
    elif face.looking is Looking.AWAY:
        words.append("looking away")
    return words


def long_label(face: Face) -> str:
    """The whole verdict, for the face under the pointer or in close-up:
    "eyes open · smiling · looking at the camera · sharpness 78", "eyes
    narrowed in a laugh · smiling", "too small to tell shut eyes from a
    look down · sharpness 91", "too small to judge"."""
    v = verdict(face)
    if not v.judged:
        return v.phrase
    what = eyes_words(face)
    if face.key:
        what = f"key face: {what}"
    what = " · ".join([what, *looks_words(face)])
    return what if face.sharpness is None else f"{what} · sharpness {face.sharpness:.0f}"


def looks_sentence(faces: Sequence[Face]) -> str | None:
    """The People row's part on how the judged faces look, counted: "2 smiling
    · 2 looking at the camera · 1 looking away"; where no face read smiles,
    "not smiling" (one face read) or "none smiling" (several), never "0
    smiling"; None: nothing read."""
    judged = [f for f in faces if f.judged]
    read = sum(1 for f in judged if f.smile is not None)
    smiling = sum(1 for f in judged if f.smiling)
    camera = sum(1 for f in judged if f.looking is Looking.CAMERA)
    away = sum(1 for f in judged if f.looking is Looking.AWAY)
    if not read and not any(f.looking is not None for f in judged):
        return None
    parts = []
    if smiling:
        parts.append(f"{smiling} smiling")
    elif read:
        parts.append("not smiling" if read == 1 else "none smiling")
    if camera:
        parts.append(f"{camera} looking at the camera")
    if away:
        parts.append(f"{away} looking away")
    return " · ".join(parts)


def _faces(n: int) -> str:
    return f"{n} face" if n == 1 else f"{n} faces"


def people_sentence(faces: Sequence[Face]) -> str:
    """The People row for a photo with faces: each verdict once, counted (see
    the module docstring); the softest key face's sharpness last."""
    if not faces:
        return "No faces found."
    key = [f for f in faces if f.key]
    groups: Counter[Verdict] = Counter(verdict(f) for f in faces)
    closed_key = sum(f.key and f.eyes is EyeState.CLOSED for f in faces)
    judged, counted = [], []
    for v, n in sorted(groups.items(), key=lambda item: (item[0].rank, item[0].phrase)):
        if not v.judged:
            counted.append(f"{_faces(n)} {v.phrase}")
        elif v.phrase == "closed" and closed_key and len(key) < len(faces):
            judged.append(f"{n} closed ({closed_key} key)")
        else:
            judged.append(f"{n} {v.phrase}")
    head = f"{_faces(len(faces))} ({len(key)} key)"
    looks = looks_sentence(faces)
    parts = [f"{head}: {' · '.join(judged)}" if judged else head, *([looks] if looks else [])]
    parts += counted
    sharp = [f.sharpness for f in key if f.sharpness is not None]
    if sharp:
        parts.append(f"key face sharpness {min(sharp):.0f}")
    return "; ".join(parts) + "."


def label_order(faces: Sequence[Face], labelled: Sequence[int], focus: Sequence[int]) -> list[int]:
    """The order labels are placed in: the focused faces, then key faces,
    closed eyes, the largest (a later label gives way to an earlier one)."""
    first = [i for i in focus if i in labelled]

    def rank(i: int) -> tuple[bool, bool, int, int]:
        face = faces[i]
        return (not face.key, face.eyes is not EyeState.CLOSED, -face.size_px, i)

    return first + sorted((i for i in labelled if i not in first), key=rank)


def place_labels(
    boxes: Sequence[Box],
    sizes: Sequence[tuple[float, float] | None],
    bounds: Box,
    order: Sequence[int],
) -> list[Box | None]:
    """Where each label goes (None: none, or no free spot), for faces at `boxes`
    whose labels measure `sizes` (None: no label), inside `bounds`, placed in
    `order`. A face wholly outside the bounds gets no label. Each label looks only
    at the faces and labels near its face, so a 120-face group is placed in a few
    milliseconds (tests/bench/test_face_labels_bench.py).
    """
    rects = [(b.left, b.top, b.right, b.bottom) for b in boxes]
    area = (bounds.left, bounds.top, bounds.right, bounds.bottom)
    placed: list[Box | None] = [None] * len(boxes)
    # Faces and placed labels by their left edge: the ones near a face are a
    # slice (from its neighbourhood's left less the widest one's width).
    by_left = sorted(rects)
    lefts = [r[0] for r in by_left]
    widest_face = max((r[2] - r[0] for r in rects), default=0.0)
    taken: list[Rect] = []  # sorted (by left edge first)
    widest_label = 0.0
    for i in order:
        size = sizes[i]
        if size is None or _area(rects[i], area) <= 0:
            continue
        w, h = min(size[0], bounds.width), size[1]
        if w <= 0 or h <= 0 or h > bounds.height:
            continue
        # Every spot, pushed or not, lies within w + GAP across and 2h + 2 GAP
        # up or down of the face (the face meets the bounds); one GAP more
        # for a label it must not touch.
        mx, my = w + 2 * GAP, 2 * h + 3 * GAP
        fl, ft, fr, fb = rects[i]
        nl, nt, nr, nb = fl - mx, ft - my, fr + mx, fb + my
        lo, hi = bisect_left(lefts, nl - widest_face), bisect_left(lefts, nr)
        faces = [f for f in by_left[lo:hi] if nl < f[2] and f[1] < nb and nt < f[3]]
        faces.remove(rects[i])
        lo, hi = bisect_left(taken, (nl - widest_label,)), bisect_left(taken, (nr,))
        labels = [x for x in taken[lo:hi] if nl < x[2] and x[1] < nb and nt < x[3]]
        best: Rect | None = None
        best_cost = float("inf")
        for rank, spot in enumerate(_spots(rects[i], w, h)):
            if best_cost <= RANK_COST * rank:
                break  # no later spot can cost less (its rank alone costs this much)
            inside = _pushed_inside(spot, area)
            if any(_touch(inside, other) for other in labels):
                continue
            cost = _cost(inside, spot, rank, rects[i], faces, w * h)
            if cost < best_cost:
                best, best_cost = inside, cost
        if best is not None:
            placed[i] = Box(best[0], best[1], best[2] - best[0], best[3] - best[1])
            insort(taken, best)
            widest_label = max(widest_label, w)
    return placed


def labels_overlap(labels: Sequence[Box | None]) -> bool:
    """Whether any two of these labels intersect (a test's and a bench's check)."""
    shown = [(b.left, b.top, b.right, b.bottom) for b in labels if b is not None]
    return any(_area(a, b) > 0 for k, a in enumerate(shown) for b in shown[k + 1 :])


def _spots(face: Rect, w: float, h: float) -> list[Rect]:
    """The places a label of w x h tries around `face`, the preferred first."""
    left, top, right, bottom = face
    below, above = bottom + GAP, top - GAP - h
    middle = (left + right - w) / 2
    corners = [
        (left, below),
        (middle, below),
        (left, above),
        (middle, above),
        (right + GAP, top),
        (left - GAP - w, top),
        (right + GAP, bottom - h),
        (left - GAP - w, bottom - h),
        (right - w, below),
        (right - w, above),
        (middle, bottom - h - GAP),  # inside the box's foot
        (middle, top + GAP),  # inside its head
        (middle, below + h + GAP),  # a row further out
        (middle, above - h - GAP),
    ]
    return [(x, y, x + w, y + h) for x, y in corners]


def _pushed_inside(spot: Rect, bounds: Rect) -> Rect:
    w, h = spot[2] - spot[0], spot[3] - spot[1]
    left = min(max(spot[0], bounds[0]), bounds[2] - w)
    top = min(max(spot[1], bounds[1]), bounds[3] - h)
    return (left, top, left + w, top + h)


def _cost(label: Rect, wanted: Rect, rank: int, own: Rect, faces: list[Rect], area: float) -> float:
    """Lower is better: other faces covered (in label areas), the label's own
    face covered, how far the image's edge pushed it, the spot's rank."""
    left, top, right, bottom = label
    covered = 0.0
    for f in faces:  # _area, inlined: the placer's hot loop
        if f[0] < right and left < f[2] and f[1] < bottom and top < f[3]:
            covered += (min(right, f[2]) - max(left, f[0])) * (min(bottom, f[3]) - max(top, f[1]))
    others = covered / area
    own_face = _area(label, own) / area
    height = max(label[3] - label[1], 1.0)
    pushed = (abs(label[0] - wanted[0]) + abs(label[1] - wanted[1])) / height
    return 10.0 * others + 2.0 * own_face + 0.5 * pushed + RANK_COST * rank


def _area(a: Rect, b: Rect) -> float:
    """The area two rectangles share (0 when they only touch or are apart)."""
    w = min(a[2], b[2]) - max(a[0], b[0])
    h = min(a[3], b[3]) - max(a[1], b[1])
    return w * h if w > 0 and h > 0 else 0.0


def _touch(a: Rect, b: Rect) -> bool:
    """Closer than `GAP` (or overlapping)."""
    return a[0] < b[2] + GAP and b[0] < a[2] + GAP and a[1] < b[3] + GAP and b[1] < a[3] + GAP

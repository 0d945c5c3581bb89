"""Who is who: faces grouped into people by their descriptors, incrementally.

`group_faces(known)` is the people step's pure run: it returns where the faces
without a person go (an existing person, a new one, or nowhere yet), given
every described face, the person each has, and the pairs ruled out.

The rule is average linkage on cosine similarity, cut at `THRESHOLD`; a person
is held as the sum of its faces' unit vectors and its size, so joining is one
matrix product.

1. Unassigned faces go in batches of `BATCH` (import order); each joins the
   person it is most similar to on average when that mean is ≥ `THRESHOLD`
   and the pair is not ruled out.
2. The rest, with the latest `CARRIED` left over from before, are grouped
   among themselves (scipy); a group of `MIN_FACES` or more is a new person.
   A face a run left without a person is looked at again only while among the
   latest `CARRIED`, which keeps a run within its budget.

Never: two existing people merged, a face moved out of its person or put back
into one it was taken out of. Bench: tests/bench/test_people_bench.py and
tests/bench/test_people_dev_bench.py.

Invariants: pure; deterministic; inputs never modified; memory
O(faces + people + BATCH²).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

THRESHOLD = 0.375  # mean cosine similarity to join a group (tuned: the dev bench)
BATCH = 2048
CARRIED = 1024
MIN_FACES = 2


@dataclass(frozen=True)
class KnownFaces:
    """The people step's input: every described face, in face id order."""

    face_ids: NDArray[np.int64]  # (n,)
    vectors: NDArray[np.float32]  # (n, d), unit rows
    person_of: NDArray[np.int64]  # (n,), 0: no person yet
    ruled_out: frozenset[tuple[int, int]] = frozenset()  # (face id, person id)
    # (n,) a run already looked at the face (and left it without a person);
    # None: no face was looked at (a first run, or from scratch)
    looked: NDArray[np.bool_] | None = None


@dataclass(frozen=True)
class Grouping:
    """Where the faces without a person go (face ids)."""

    joined: dict[int, int] = field(default_factory=dict)  # face id -> existing person id
    new_people: list[list[int]] = field(default_factory=list)  # each a new person's faces
    left: list[int] = field(default_factory=list)  # still without a person
    examined: list[int] = field(default_factory=list)  # the faces this run looked at first

    @property
    def placed(self) -> int:
        return len(self.joined) + sum(len(p) for p in self.new_people)


class _People:
    """People as sums of their faces' vectors and sizes; new ones appended.
    Existing people keep their ids; a new one's id is -(its index + 1) until
    the catalog gives it one."""

    def __init__(self, dims: int):
        self.ids: list[int] = []
        self.sums = np.zeros((0, dims), np.float32)
        self.sizes = np.zeros(0, np.float32)
        self._pending: list[tuple[NDArray[np.float32], int, int]] = []

    def add(self, person: int, total: NDArray[np.float32], size: int) -> None:
        self._pending.append((total, size, person))

    def settle(self) -> None:
        if not self._pending:
            return
        self.sums = np.vstack([self.sums, np.stack([p[0] for p in self._pending])])
        self.sizes = np.concatenate([self.sizes, [float(p[1]) for p in self._pending]])
        self.ids += [p[2] for p in self._pending]
        self._pending = []


def group_faces(
    known: KnownFaces, threshold: float = THRESHOLD, batch: int = BATCH, carried: int = CARRIED
) -> Grouping:
    """See the module docstring."""
    n, dims = known.vectors.shape if known.vectors.ndim == 2 else (0, 0)
    grouping = Grouping()
    if n == 0:
        return grouping
    people = _existing_people(known, dims)
    ruled = _ruled_out_by_face(known.ruled_out)
    unplaced = known.person_of == 0
    looked = known.looked if known.looked is not None else np.zeros(n, bool)
    waiting = np.flatnonzero(unplaced & ~looked)
    left: NDArray[np.int64] = np.flatnonzero(unplaced & looked)
    grouping.examined.extend(int(f) for f in known.face_ids[waiting])
    new_count = 0
    for start in range(0, len(waiting), batch):
        rows = waiting[start : start + batch]
        joined_rows, joined_people = _join_existing(known, people, rows, ruled, threshold)
        for row, at in zip(joined_rows, joined_people, strict=True):
            pid = people.ids[at]
            grouping.joined[int(known.face_ids[row])] = pid
            people.sums[at] += known.vectors[row]
            people.sizes[at] += 1
        rest = np.setdiff1d(rows, joined_rows, assume_unique=True)
        pool = np.concatenate([left[-carried:] if carried else left[:0], rest])
        groups = _linked(known.vectors[pool], threshold)
        still: list[int] = []
        for members in groups:
            chosen = pool[members]
            if len(chosen) < MIN_FACES:
                still += [int(r) for r in chosen]
                continue
            new_count += 1
            people.add(-new_count, known.vectors[chosen].sum(axis=0), len(chosen))
            grouping.new_people.append([int(known.face_ids[r]) for r in chosen])
        people.settle()
        dropped = left[:-carried] if carried and len(left) > carried else left[:0]
        left = np.concatenate([dropped, np.asarray(sorted(still), np.int64)])
    grouping.left.extend(int(known.face_ids[r]) for r in left)
    # A face that joined a person this run made (a later batch) is one of that
    # new person's faces: `joined` holds only people the catalog already has.
    for face, pid in list(grouping.joined.items()):
        if pid < 0:
            grouping.new_people[-pid - 1].append(face)
            del grouping.joined[face]
    return grouping


def _existing_people(known: KnownFaces, dims: int) -> _People:
    people = _People(dims)
    assigned = np.flatnonzero(known.person_of != 0)
    if len(assigned):
        ids, inverse = np.unique(known.person_of[assigned], return_inverse=True)
        sums = np.zeros((len(ids), dims), np.float32)
        np.add.at(sums, inverse, known.vectors[assigned])
        people.ids = [int(i) for i in ids]
        people.sums = sums
        people.sizes = np.bincount(inverse, minlength=len(ids)).astype(np.float32)
    return people


def _ruled_out_by_face(pairs: frozenset[tuple[int, int]]) -> dict[int, set[int]]:
    out: dict[int, set[int]] = {}
    for face, person in pairs:
        out.setdefault(int(face), set()).add(int(person))
    return out


def _join_existing(
    known: KnownFaces,
    people: _People,
    rows: NDArray[np.int64],
    ruled: dict[int, set[int]],
    threshold: float,
) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """The rows that join an existing person, and that person's index."""
    if not len(people.ids) or not len(rows):
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    centres = people.sums / people.sizes[:, np.newaxis]  # mean vectors: q·mean = mean of q·v
    means = known.vectors[rows] @ centres.T
    if ruled:
        at = {pid: i for i, pid in enumerate(people.ids)}
        for r, row in enumerate(rows):
            for pid in ruled.get(int(known.face_ids[row]), ()):
                if pid in at:
                    means[r, at[pid]] = -np.inf
    best = np.argmax(means, axis=1)
    ok = means[np.arange(len(rows)), best] >= threshold
    return rows[ok], best[ok]


def _linked(vectors: NDArray[np.float32], threshold: float) -> list[NDArray[np.int64]]:
    """Average-linkage groups of `vectors` cut at mean similarity `threshold`
    (indices into `vectors`, each group in ascending order, groups by their
    first index)."""
    count = len(vectors)
    if count == 0:
        return []
    if count == 1:
        return [np.zeros(1, np.int64)]
    from scipy.cluster.hierarchy import fcluster, linkage
    from scipy.spatial.distance import squareform

    distance = 1.0 - vectors @ vectors.T
    np.fill_diagonal(distance, 0.0)
    np.clip(distance, 0.0, 2.0, out=distance)
    condensed = squareform(distance, checks=False).astype(np.float64)
    labels = fcluster(linkage(condensed, "average"), 1.0 - threshold, "distance")
    order = np.argsort(labels, kind="stable")
    cuts = np.flatnonzero(np.diff(labels[order])) + 1
    groups = [np.sort(g) for g in np.split(order, cuts)]
    return sorted(groups, key=lambda g: int(g[0]))

"""The groups of near-duplicates among photos: the same picture, one moment.

`find_groups` takes the photos' fingerprints and moments (records.
DuplicateInput) and the pairs the photographer said are not duplicates:
candidates come from the index (`index`), a pair is one picture when its
grids agree (`likeness`), and pairs join into groups strongest first,
never making a group that holds two different moments (`moments`: a burst's
frames stay apart even where one web copy looks like both — the copy joins
the frame it matches best) or a pair marked "not a duplicate". `linked`
gives the photos an import's new ones may join (the index alone, on the
hashes: a tenth of what a search reads). Pure.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from curator.duplicates.index import candidate_pairs
from curator.duplicates.likeness import SAME_PICTURE_LINE, likeness
from curator.duplicates.moments import different_moments
from curator.imaging.fingerprint import FINGERPRINT_BYTES, GRID, HASH_BYTES, SCALES, VERSION
from curator.records import DuplicateInput


@dataclass(frozen=True)
class DuplicateGroup:
    """Photos that are one picture (ids ascending)."""

    photo_ids: tuple[int, ...]


@dataclass(frozen=True)
class Prints:
    """The usable fingerprints of some photos, as arrays (`prints_of`)."""

    photos: tuple[DuplicateInput, ...]
    hashes: np.ndarray  # n × 4 uint64
    grids: np.ndarray  # n × scales × GRID × GRID uint8


def prints_of(photos: Iterable[DuplicateInput]) -> Prints:
    """The photos with a fingerprint of this version, and their arrays."""
    usable = tuple(p for p in photos if _usable(p.fingerprint, FINGERPRINT_BYTES))
    raw = np.empty((len(usable), FINGERPRINT_BYTES), np.uint8)  # filled row by row: no
    for row, p in zip(raw, usable, strict=True):  # second whole copy of the bytes
        row[:] = np.frombuffer(p.fingerprint or b"", np.uint8)
    hashes = np.ascontiguousarray(raw[:, 1:HASH_BYTES]).view(">u8").astype(np.uint64)
    grids = raw[:, HASH_BYTES:].reshape(len(usable), len(SCALES), GRID, GRID)
    return Prints(usable, hashes.reshape(len(usable), 4), grids)


def _usable(data: bytes | None, size: int) -> bool:
    return data is not None and len(data) == size and data[0] == VERSION


class _Components:
    """Union-find over positions, each component's members kept (they are few)."""

    def __init__(self, n: int):
        self.parent = list(range(n))
        self.members: dict[int, list[int]] = {}

    def find(self, i: int) -> int:
        while self.parent[i] != i:
            self.parent[i] = self.parent[self.parent[i]]
            i = self.parent[i]
        return i

    def of(self, root: int) -> list[int]:
        return self.members.get(root, [root])

    def join(self, a: int, b: int) -> None:
        members = self.of(a) + self.of(b)
        self.members.pop(b, None)
        self.parent[b] = a
        self.members[a] = members


def find_groups(
    photos: Iterable[DuplicateInput],
    not_duplicates: Iterable[tuple[int, int]] = (),
) -> list[DuplicateGroup]:
    """The groups of near-duplicates among `photos` (see the module docstring)."""
    prints = prints_of(photos)
    found = candidate_pairs(prints.hashes)
    alike = likeness(prints.grids, found.left, found.right, found.turn)
    keep = alike >= SAME_PICTURE_LINE
    left, right, alike = found.left[keep], found.right[keep], alike[keep]
    apart = {frozenset(pair) for pair in not_duplicates}
    groups = _Components(len(prints.photos))
    for k in np.argsort(-alike, kind="stable"):
        a, b = groups.find(int(left[k])), groups.find(int(right[k]))
        if a != b and _may_join(prints.photos, groups.of(a), groups.of(b), apart):
            groups.join(a, b)
    out = [
        DuplicateGroup(tuple(sorted(prints.photos[i].photo_id for i in members)))
        for members in groups.members.values()
    ]
    return sorted(out, key=lambda g: g.photo_ids)


def _may_join(
    photos: Sequence[DuplicateInput],
    a: list[int],
    b: list[int],
    apart: set[frozenset[int]],
) -> bool:
    """Whether two groups may become one: no two different moments, no pair
    the photographer marked apart."""
    for i in a:
        for j in b:
            x, y = photos[i], photos[j]
            if frozenset((x.photo_id, y.photo_id)) in apart:
                return False
            if different_moments(x, y) is not None:
                return False
    return True


def linked(hash_rows: Sequence[tuple[int, bytes]], photo_ids: Iterable[int]) -> set[int]:
    """The photos whose hashes make them candidates of `photo_ids` (the index
    alone: an import's new photos against the catalog's `hash_rows`, each
    (id, the fingerprint's first `HASH_BYTES`))."""
    rows = [(i, h) for i, h in hash_rows if _usable(h, HASH_BYTES)]
    if len(rows) < 2:
        return set()
    ids = np.array([i for i, _ in rows], np.int64)
    raw = np.frombuffer(b"".join(h for _, h in rows), np.uint8).reshape(len(rows), HASH_BYTES)
    hashes = np.ascontiguousarray(raw[:, 1:]).view(">u8").astype(np.uint64)
    wanted = set(photo_ids)
    probes = np.flatnonzero(np.isin(ids, list(wanted)))
    found = candidate_pairs(hashes, probes)
    pairs = set(ids[found.left].tolist()) | set(ids[found.right].tolist())
    return pairs - wanted

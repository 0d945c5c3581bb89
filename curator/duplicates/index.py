"""Candidate pairs of near-duplicates through an index over the fingerprints'
hashes: a multi-index hash, never all pairs.

Each photo has four 64-bit hashes, one per quarter turn (imaging.fingerprint).
A pair is a candidate when one photo's hash at some turn and the other's
upright hash share one of their four 16-bit segments — exactly, or upright
against upright within one bit — *and* differ in at most `HASH_LINE` bits in
all. Each segment's photos are a counting sort looked up in O(1) (numpy), so
100,000 photos take about a second; a bucket holding more than
`CROWDED_BUCKET` photos is left out (a segment that common says nothing). Pure.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

HASH_LINE = 12  # bits of 64: the development set's copies are within it (docs/decisions)
SEGMENTS = 4
CROWDED_BUCKET = 256


@dataclass(frozen=True)
class Candidates:
    """Candidate pairs, one row each: `left` at `turn` quarter turns matches
    `right` upright, `bits` apart (`left` < `right` as positions)."""

    left: np.ndarray  # int64 positions into the hashes given
    right: np.ndarray
    turn: np.ndarray  # 0..3: the left photo's turn; -1..-4: the right one's (-1 - turn)
    bits: np.ndarray

    def __len__(self) -> int:
        return len(self.left)


def _segment(hashes: np.ndarray, s: int) -> np.ndarray:
    return ((hashes >> np.uint64(16 * s)) & np.uint64(0xFFFF)).astype(np.int64)


class _Table:
    """Positions by a 16-bit key: a counting sort, looked up in O(1) a probe."""

    def __init__(self, keys: np.ndarray):
        self.order = np.argsort(keys, kind="stable")
        counts = np.bincount(keys, minlength=1 << 16)
        counts[counts > CROWDED_BUCKET] = 0  # a segment that common says nothing
        self.counts = counts
        self.starts = np.cumsum(np.bincount(keys, minlength=1 << 16)) - np.bincount(
            keys, minlength=1 << 16
        )

    def join(self, probe: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Pairs (p, k): probe[p] is the key of position k."""
        counts = self.counts[probe]
        total = int(counts.sum())
        if total == 0:
            return np.empty(0, np.int64), np.empty(0, np.int64)
        p = np.repeat(np.arange(len(probe), dtype=np.int64), counts)
        within = np.arange(total, dtype=np.int64) - np.repeat(np.cumsum(counts) - counts, counts)
        k = self.order[np.repeat(self.starts[probe], counts) + within]
        return p, k


def candidate_pairs(
    hashes: np.ndarray, probes: np.ndarray | None = None, *, line: int = HASH_LINE
) -> Candidates:
    """The candidate pairs among `hashes` (n × 4 uint64: each photo's hashes at
    turns 0–3). With `probes` (positions), only pairs with at least one of
    them (an import's new photos against the catalog)."""
    n = len(hashes)
    empty = np.empty(0, np.int64)
    if n < 2:
        return Candidates(empty, empty, empty, empty)
    rows = np.arange(n, dtype=np.int64) if probes is None else np.asarray(probes, np.int64)
    found: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []

    def keep(turned: np.ndarray, upright: np.ndarray, t: int) -> None:
        """Pairs (turned at t, upright) within the line, kept."""
        mask = turned != upright
        turned, upright = turned[mask], upright[mask]
        bits = np.bitwise_count(hashes[turned, t] ^ hashes[upright, 0])
        close = bits <= line
        found.append((turned[close], upright[close], np.full(int(close.sum()), t, np.int64)))

    # Each probe at each turn against every photo upright: that finds a pair
    # either way round (Q turned back like P is P turned like Q).
    for s in range(SEGMENTS):
        everyone = _Table(_segment(hashes[:, 0], s))
        for t in range(4):
            for flip in _FLIPS if t == 0 else _EXACT:
                p, k = everyone.join(_segment(hashes[rows, t], s) ^ flip)
                keep(rows[p], k, t)
    left = np.concatenate([f[0] for f in found])
    right = np.concatenate([f[1] for f in found])
    turn = np.concatenate([f[2] for f in found])
    bits = np.bitwise_count(hashes[left, turn] ^ hashes[right, 0]).astype(np.int64)
    # One row per unordered pair: its closest turn (a turn of the right photo
    # is written -1 - turn with the pair swapped so left < right).
    swap = left > right
    turn = np.where(swap, -1 - turn, turn)
    left, right = np.where(swap, right, left), np.where(swap, left, right)
    order = np.lexsort((bits, right, left))
    left, right, turn, bits = left[order], right[order], turn[order], bits[order]
    first = np.ones(len(left), bool)
    first[1:] = (left[1:] != left[:-1]) | (right[1:] != right[:-1])
    return Candidates(left[first], right[first], turn[first], bits[first])


# Upright against upright, a segment may differ in one bit (a crop, a border,
# an edit move a few bits: within `HASH_LINE` in all, one segment is then within
# one bit whenever the pair is within 7); a turned copy's hash is nearly exact.
_FLIPS = (0, *(1 << b for b in range(16)))
_EXACT = (0,)

"""The burst-star bench chooses a burst's partners as sharp as its peak (issue 49 §2).

A bench that builds bursts no camera takes (a partner 20 points sharper than
the peak's face) measures the partners' sharpness, not the star's rule; these
tests hold `tests.bench.burst_star`'s matching to what its docstring says,
with a scripted measure in place of the faces stage.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from tests.bench import burst_star as bs


def _scripted(sharpness: dict[str, float | None], boxes: dict[str, bs.Box] | None = None):
    """A measure reading each pasted "photo" (here: the source's name) from a table;
    a look again (`again`) finds a face where a table's value is None only
    in `boxes` mode; every call is logged."""
    calls: list[tuple[str, tuple[bs.Box, ...]]] = []

    def measure(photo: Any, again: Sequence[bs.Box]) -> tuple[float | None, bs.Box | None]:
        calls.append((photo, tuple(again)))
        value = sharpness[photo]
        if value is None and again and boxes is not None and photo in boxes:
            return 40.0, again[0]
        box = (boxes or {}).get(photo) if value is not None else None
        return value, box or ((0.1, 0.1, 0.2, 0.2) if value is not None else None)

    return measure, calls


def _pool(n: int) -> list[Path]:
    return [Path(f"p{i:03d}.jpg") for i in range(n)]


def test_a_match_among_the_first_candidates_draws_as_before(monkeypatch: Any) -> None:
    """The extra candidates come from the burst's own generator: a burst matched
    within `CHOOSE_FROM` leaves the shared generator where it was."""
    monkeypatch.setattr(bs, "as_saved", lambda photo: photo)
    pool = _pool(100)
    measure, _ = _scripted({p.name: 50.0 for p in pool})
    rng, before = random.Random(7), random.Random(7)
    chosen = bs.nearest_partner(rng, random.Random(1), pool, 51.0, lambda p: p.name, measure)
    assert chosen == before.sample(pool, bs.CHOOSE_FROM)[0]
    assert rng.random() == before.random()


def test_no_match_in_the_first_looks_further_and_takes_one_within_the_line(
    monkeypatch: Any,
) -> None:
    monkeypatch.setattr(bs, "as_saved", lambda photo: photo)
    pool = _pool(40)  # the first 16 and every other (up to `MORE_FROM` in all)
    first = {p.name for p in random.Random(7).sample(pool, bs.CHOOSE_FROM)}
    rest = [p.name for p in pool if p.name not in first]
    table: dict[str, float | None] = {p.name: 90.0 if p.name in first else 20.0 for p in pool}
    table[rest[-1]] = 30.0 + bs.MATCH_WITHIN / 2
    measure, calls = _scripted(table)
    chosen = bs.nearest_partner(
        random.Random(7), random.Random(1), pool, 30.0, lambda p: p.name, measure
    )
    assert chosen.name == rest[-1]
    assert abs(float(table[chosen.name] or 0) - 30.0) <= bs.MATCH_WITHIN
    assert bs.CHOOSE_FROM < len(calls) <= bs.MORE_FROM
    assert len({photo for photo, _ in calls}) == len(calls)  # no candidate measured twice


def test_without_a_match_the_nearest_of_all_is_taken(monkeypatch: Any) -> None:
    monkeypatch.setattr(bs, "as_saved", lambda photo: photo)
    pool = _pool(100)
    table: dict[str, float | None] = {p.name: 90.0 - (i % 50) for i, p in enumerate(pool)}
    measure, calls = _scripted(table)
    chosen = bs.nearest_partner(
        random.Random(3), random.Random(4), pool, 10.0, lambda p: p.name, measure
    )
    assert len(calls) == bs.MORE_FROM
    measured = [table[photo] for photo, _ in calls]
    assert table[chosen.name] == min(measured, key=lambda v: abs((v or 0) - 10.0))


def test_a_peak_the_whole_frame_misses_is_measured_where_a_sibling_s_face_is(
    monkeypatch: Any,
) -> None:
    """As the import's look again: where the first found glum candidate's face is."""
    monkeypatch.setattr(bs, "as_saved", lambda photo: photo)
    glums = _pool(20)
    where = (0.3, 0.4, 0.1, 0.12)
    table: dict[str, float | None] = {p.name: 60.0 for p in glums}
    table["peak"] = None
    measure, calls = _scripted(table, {**{p.name: where for p in glums}, "peak": where})
    value = bs.peak_sharpness(random.Random(5), glums, "peak", lambda p: p.name, measure)
    assert value == 40.0
    assert calls[0] == ("peak", ())  # the whole frame first
    assert calls[-1] == ("peak", (where,))  # then looked at again where the glum's face is


def test_a_peak_found_nowhere_has_no_sharpness_to_match(monkeypatch: Any) -> None:
    monkeypatch.setattr(bs, "as_saved", lambda photo: photo)
    glums = _pool(20)
    table: dict[str, float | None] = {p.name: None for p in glums}
    table["peak"] = None
    measure, calls = _scripted(table)
    assert bs.peak_sharpness(random.Random(5), glums, "peak", lambda p: p.name, measure) is None
    assert len(calls) == 1 + bs.GUIDES  # the whole frame, then every guide tried

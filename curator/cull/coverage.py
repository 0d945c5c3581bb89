"""Coverage: the people of a shoot, and a keep for each of them.
Pure; the frames carry their people (`ProposalFrame.people`).

- `shoot_people`: every person seen, with their frame count and whether one is
  kept. A person *counts* when named or seen in `records.PEOPLE_MIN_FRAMES`
  frames.
- `cover(frames, ranked, target)`: the frames to keep first so every counted
  person not yet kept has one: their best frame in `ranked` (only frames that
  passed every check), named people first, then the most seen; at most
  `target` frames, the rest `beyond`.
- `no_keep(frames, kept)`: the counted people with no keep at all.

Invariants: deterministic; a person is listed once; ordered named first, then
by frames, name (case-folded), id.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass

from curator.records import PEOPLE_MIN_FRAMES, CullState, FramePerson, ProposalFrame


@dataclass(frozen=True)
class ShootPerson:
    id: int
    name: str | None
    frames: int  # frames of the shoot showing them
    kept: bool  # the photographer already kept one of those frames

    @property
    def counts(self) -> bool:
        """Whether coverage looks after them (see the module docstring)."""
        return self.name is not None or self.frames >= PEOPLE_MIN_FRAMES


@dataclass(frozen=True)
class Coverage:
    keeps: tuple[int, ...]  # frame indexes to keep first, in the order chosen
    beyond: int  # counted people with an acceptable frame the target had no room for


def _order(p: ShootPerson) -> tuple[bool, int, str, int]:
    return (p.name is None, -p.frames, (p.name or "").casefold(), p.id)


def shoot_people(frames: Sequence[ProposalFrame]) -> list[ShootPerson]:
    """Every person seen in `frames`, in coverage order (see the module docstring)."""
    seen: dict[int, FramePerson] = {}
    count: dict[int, int] = {}
    kept: set[int] = set()
    for f in frames:
        for person in f.people:
            seen.setdefault(person.id, person)
            count[person.id] = count.get(person.id, 0) + 1
            if f.decided is CullState.KEPT:
                kept.add(person.id)
    people = [ShootPerson(i, p.name, count[i], i in kept) for i, p in seen.items()]
    return sorted(people, key=_order)


def cover(frames: Sequence[ProposalFrame], ranked: Sequence[int], target: int) -> Coverage:
    """The frames to keep first so every counted person has a keep (see the
    module docstring); `ranked`: the acceptable frames, best first."""
    best_for: dict[int, int] = {}
    for i in ranked:
        for seen in frames[i].people:
            best_for.setdefault(seen.id, i)
    chosen: list[int] = []
    covered: set[int] = set()
    beyond = 0
    for person in shoot_people(frames):
        if not person.counts or person.kept or person.id in covered:
            continue
        best = best_for.get(person.id)
        if best is None:  # no frame of theirs passed the checks: "no keep", not forced
            continue
        if len(chosen) >= target:
            beyond += 1
            continue
        chosen.append(best)
        covered.update(p.id for p in frames[best].people)
    return Coverage(tuple(chosen), beyond)


def no_keep(frames: Sequence[ProposalFrame], kept: Collection[int]) -> tuple[FramePerson, ...]:
    """The counted people with no keep: none of their frames kept by the
    photographer, none of them in `kept` (the proposal's keeps, frame indexes)."""
    with_keep = {p.id for i in kept for p in frames[i].people}
    return tuple(
        FramePerson(p.id, p.name)
        for p in shoot_people(frames)
        if p.counts and not p.kept and p.id not in with_keep
    )

"""What is wrong with one frame: the checks of `cull.table`, at a kind of
shoot's lines, applied to it; and what a frame is worth. Pure.

`CullChecks` holds each line's value and the checks that are off; `checks_for`
makes them for a kind of shoot (`cull.tuning` moves them). `judge` runs every
check on a frame in the table's order: each failure gives its reason and margin
(-1..1), which make the proposal's confidences. An unmeasured value is not checked.
A sports shoot never splits a burst into moments by faces (`faces_make_moments`).

`value` ranks frames: the photographer's taste score where there is one,
over the technical value (sharpness and exposure).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property

from curator.cull import table
from curator.cull.check_types import CullCheck, Genre, Sensitivity
from curator.records import ProposalFrame, ProposalReason

EXPRESSIONS = "expressions"  # the check that weighs how people look (cull.looks)
MOMENTS_NOT_BY_FACES = frozenset({Genre.SPORTS})


def lines_for(genre: Genre | None, levels: Mapping[str, Sensitivity]) -> dict[str, float]:
    """Every check's lines for a kind of shoot and each check's level (by name;
    a check not named: Normal)."""
    return {
        line.name: line.value(genre, levels.get(check.name, Sensitivity.NORMAL))
        for check in table.CHECKS
        for line in check.lines
    }


@dataclass(frozen=True)
class CullChecks:
    """The checks a proposal applies: each line's value by name, the checks off."""

    lines: Mapping[str, float] = field(default_factory=lambda: lines_for(None, {}))
    off: frozenset[str] = frozenset()  # checks not applied (the window's "Off")
    faces_make_moments: bool = True  # a new face layout in a burst is another moment

    def line(self, name: str) -> float:
        return self.lines[name]

    def applies(self, check: str) -> bool:
        return check not in self.off

    @cached_property
    def applied(self) -> tuple[CullCheck, ...]:
        """The checks that count, in the table's order (asked once per proposal)."""
        return tuple(check for check in table.CHECKS if check.name not in self.off)


def values_expressions(genre: Genre | None) -> bool:
    """Whether a kind of shoot values smiles and looks at the camera (None: not
    said, as people do)."""
    return table.check(EXPRESSIONS).default_level(genre) is not Sensitivity.OFF


def genre_of(kind: str | None) -> Genre | None:
    """The `shoot_kind` setting's word as a kind of shoot ("any" or none: None)."""
    return Genre(kind) if kind in {g.value for g in Genre} else None


def checks_for(genre: Genre | None) -> CullChecks:
    """The checks of a kind of shoot (None: every check at its default line)."""
    return CullChecks(
        lines=lines_for(genre, {}),
        off=frozenset(c.name for c in table.CHECKS if c.default_level(genre) is Sensitivity.OFF),
        faces_make_moments=genre not in MOMENTS_NOT_BY_FACES,
    )


@dataclass(frozen=True)
class Judged:
    """One frame's checks: the failed ones (reasons, worst first) and the
    smallest margin over all (negative when a check failed)."""

    reasons: tuple[ProposalReason, ...]
    margin: float

    @property
    def acceptable(self) -> bool:
        return not self.reasons


def judge(frame: ProposalFrame, checks: CullChecks) -> Judged:
    """The checks of `frame` (a measure the stages did not make is not checked)."""
    failed: list[tuple[float, ProposalReason]] = []
    passed: list[float] = []
    lines = checks.lines
    for check in checks.applied:
        outcome = check.run(check, frame, lines)
        if outcome is None:
            continue
        margin, reason = outcome
        if reason is None:
            passed.append(margin)
        else:
            failed.append((margin, reason))
    failed.sort(key=lambda f: f[0])
    if failed:
        return Judged(tuple(reason for _, reason in failed), failed[0][0])
    return Judged((), min(passed) if passed else 0.0)


def technical_value(frame: ProposalFrame) -> float:
    """The frame's technical quality on 0..100: sharpness (capped at 90, where
    more detail no longer shows) and exposure, with a little for every key
    face's eyes open; 50 where nothing was measured."""
    parts: list[float] = []
    if frame.sharpness_score is not None:
        parts.append(min(frame.sharpness_score, 90.0) / 0.9)
    if frame.exposure_score is not None:
        parts.append(frame.exposure_score)
    value = sum(parts) / len(parts) if parts else 50.0
    if frame.faces is not None and frame.faces.eyes_open:
        value += 3.0
    return value


TASTE_WEIGHT = 0.7  # the photographer's taste over the technical value, where there is one


BY_TASTE = "your taste model's scores, then the measures"
BY_MEASURES = (
    "the measures (no taste model yet): frames whose sharpness was judged first, then"
    " sharpness and exposure, then faces with open eyes; frames too small to judge last"
)


def rank_key(frame: ProposalFrame, its_value: float, index: int) -> tuple[bool, float, int]:
    """The order a target keeps frames in: a frame whose sharpness was judged
    before one that could not be (too small, unreadable), then by `value`; a
    frame too small to judge never outranks a judged one."""
    return (frame.sharpness_score is None, -its_value, index)


def value(frame: ProposalFrame) -> float:
    """What ranks frames for a target and picks a moment's best: the
    photographer's taste (when their model scored the photo) over the
    technical value."""
    tech = technical_value(frame)
    if frame.taste is None:
        return tech
    return TASTE_WEIGHT * frame.taste + (1.0 - TASTE_WEIGHT) * tech

"""The window's controls for a proposal (Cull ▸ Propose…) as `CullChecks`: a
kind of shoot and a sensitivity per check of `cull.table`. Pure.

The kind of shoot gives the lines (`checks.checks_for`); a sensitivity moves a
check's lines as its row says (`Line.scale`, `Line.set_to`), so "Normal" is
`curator cull --propose --genre KIND` and Off leaves the check out. Unnamed
checks start at `default_levels`. The table as the docs show it:
`cull.reference.checks_markdown`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace

from curator.cull import table
from curator.cull.check_types import Genre, Sensitivity
from curator.cull.checks import CullChecks, checks_for, lines_for


@dataclass(frozen=True)
class CullTuning:
    """The dialog's choices: the kind of shoot and a sensitivity per check, by
    the check's name (a check not named: as the kind of shoot starts it)."""

    genre: Genre | None = None
    levels: Mapping[str, Sensitivity] = field(default_factory=dict)

    def level(self, check: str) -> Sensitivity:
        """The sensitivity of `check`: chosen, or where the kind of shoot starts it."""
        chosen = self.levels.get(check)
        return chosen if chosen is not None else table.check(check).default_level(self.genre)


def default_levels(genre: Genre | None) -> dict[str, Sensitivity]:
    """Where each check starts for a kind of shoot, by name (the dialog's rows)."""
    return {check.name: check.default_level(genre) for check in table.CHECKS}


def tuned_checks(tuning: CullTuning) -> CullChecks:
    """`tuning` as the checks a proposal applies (see the module docstring)."""
    levels = {check.name: tuning.level(check.name) for check in table.CHECKS}
    return replace(
        checks_for(tuning.genre),
        lines=lines_for(tuning.genre, levels),
        off=frozenset(name for name, level in levels.items() if level is Sensitivity.OFF),
    )

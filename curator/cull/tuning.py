"""The window's controls for a proposal (Cull ▸ Propose…) as `CullChecks`: a
kind of shoot and a sensitivity per check, mapped onto the checks' lines.
Pure: no Qt, no catalog.

The kind of shoot gives the lines (`checks.checks_for`); each sensitivity
moves its check's line from there, so "Normal" is exactly what `curator
cull --propose --genre KIND` does:

| check                  | Off          | Lenient              | Normal | Strict               |
|------------------------|--------------|----------------------|--------|----------------------|
| sharpness (blur, shake)| not checked  | line × 2/3 (30 → 20) | line   | line × 4/3 (30 → 40) |
| exposure (under, over) | not checked  | line × 2/3 (60 → 40) | line   | line × 5/4 (60 → 75) |
| clipped highlights     | with exposure| 15 % → 25 % burnt    | 15 %   | 15 % → 10 %          |
| closed eyes, soft face | not checked  | —                    | checked| —                    |
| expressions            | not weighed  | —                    | weighed| —                    |

The sharpness line 30 is the BLUR badge's (a Gaussian blur of sigma 2 px at
1440 px); 40 is the portrait line, 20 lets a slightly soft frame through
(the fixtures' soft leaf scores 27). The exposure score 60 is about 1.2 EV
off; 40 about 1.6 EV and 75 about 0.9 EV (imaging.exposure's curve: the
score is 100 / (1 + (badness / 1.1)^2), badness about 0.3 EV under the EV
off). Closed eyes and soft faces are on or off: the faces stage's
verdicts (ml.faces.verdicts) have no line to move; the kind of shoot says
whether they start on (landscape and sports: off). "Expressions" (issue
49) is on or off too: on by default for people, portrait and event shoots
(and an unsaid kind), off for sports and landscape (`checks.values_expressions`);
on, a moment's best goes to the frame whose faces smile and look at the
camera; it never rejects a frame. Duplicates are not a
check: a moment keeps its best frame whatever the sensitivities.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import StrEnum

from curator.cull.checks import CullChecks, Genre, checks_for


class Sensitivity(StrEnum):
    OFF = "off"
    LENIENT = "lenient"
    NORMAL = "normal"
    STRICT = "strict"


SHARPNESS_FACTOR = {Sensitivity.LENIENT: 2 / 3, Sensitivity.NORMAL: 1.0, Sensitivity.STRICT: 4 / 3}
EXPOSURE_FACTOR = {Sensitivity.LENIENT: 2 / 3, Sensitivity.NORMAL: 1.0, Sensitivity.STRICT: 5 / 4}
CLIP_LINE = {Sensitivity.LENIENT: 0.25, Sensitivity.STRICT: 0.10}  # Normal: the genre's

LEVELS = (Sensitivity.OFF, Sensitivity.LENIENT, Sensitivity.NORMAL, Sensitivity.STRICT)
ON_OFF = (Sensitivity.OFF, Sensitivity.NORMAL)  # a face verdict: checked or not


@dataclass(frozen=True)
class CullTuning:
    """The dialog's choices: the kind of shoot and each check's sensitivity
    (None for a face check: as the kind of shoot says)."""

    genre: Genre | None = None
    sharpness: Sensitivity = Sensitivity.NORMAL
    exposure: Sensitivity = Sensitivity.NORMAL
    closed_eyes: Sensitivity | None = None
    soft_face: Sensitivity | None = None
    expressions: Sensitivity | None = None


def face_checks_of(genre: Genre | None) -> tuple[Sensitivity, Sensitivity]:
    """Whether the kind of shoot checks closed eyes and soft faces, as levels."""
    base = checks_for(genre)
    on, off = Sensitivity.NORMAL, Sensitivity.OFF
    return (on if base.closed_eyes else off, on if base.soft_face else off)


def expressions_of(genre: Genre | None) -> Sensitivity:
    """Whether the kind of shoot weighs expressions, as a level."""
    return Sensitivity.NORMAL if checks_for(genre).expressions else Sensitivity.OFF


def tuned_checks(tuning: CullTuning) -> CullChecks:
    """`tuning` as the checks a proposal applies (see the module docstring)."""
    base = checks_for(tuning.genre)
    checks = replace(
        base,
        sharpness=tuning.sharpness is not Sensitivity.OFF,
        exposure=tuning.exposure is not Sensitivity.OFF,
    )
    if tuning.sharpness in SHARPNESS_FACTOR:
        checks = replace(checks, blur_below=base.blur_below * SHARPNESS_FACTOR[tuning.sharpness])
    if tuning.exposure in EXPOSURE_FACTOR:
        checks = replace(
            checks,
            exposure_below=base.exposure_below * EXPOSURE_FACTOR[tuning.exposure],
            clip_above=CLIP_LINE.get(tuning.exposure, base.clip_above),
        )
    if tuning.closed_eyes is not None:
        checks = replace(checks, closed_eyes=tuning.closed_eyes is not Sensitivity.OFF)
    if tuning.soft_face is not None:
        checks = replace(checks, soft_face=tuning.soft_face is not Sensitivity.OFF)
    if tuning.expressions is not None:
        checks = replace(checks, expressions=tuning.expressions is not Sensitivity.OFF)
    return checks

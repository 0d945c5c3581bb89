"""What a cull check is made of: the shape of a row of `cull.table` and the
judging every row shares. Pure: no Qt, no catalog.

A check (`CullCheck`) fails a frame by:
- its `lines`: a stored measure (`measured`) below or above a line; the margin
  is the distance in units of the line, clipped to -1..1 (negative: failed),
  the worst of several lines;
- its `flag`: a faces-summary verdict (`FacesSummary`), at `flag_margin`;
- its own `judge` (exposure).
With none it never rejects (expressions). An unmeasured (None) value is not checked.

A kind of shoot may move a line (`genres`); a sensitivity scales it (`scale`)
or sets it (`set_to`); `off_for` starts it Off. The tile's badge shows a
failure at the default line (or the flag) and never moves with the dialog.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from fractions import Fraction
from typing import TYPE_CHECKING, Any

from curator.records import ProposalFrame, ProposalReason

if TYPE_CHECKING:
    from curator.catalog.types import GalleryRow


class Genre(StrEnum):
    """The kinds of shoot (`--genre`, the `shoot_kind` setting)."""

    PEOPLE = "people"
    PORTRAIT = "portrait"
    EVENT = "event"
    LANDSCAPE = "landscape"
    SPORTS = "sports"


class Sensitivity(StrEnum):
    OFF = "off"
    LENIENT = "lenient"
    NORMAL = "normal"
    STRICT = "strict"


LEVELS = (Sensitivity.OFF, Sensitivity.LENIENT, Sensitivity.NORMAL, Sensitivity.STRICT)
ON_OFF = (Sensitivity.OFF, Sensitivity.NORMAL)  # a check with no line to move: on or off


class Direction(StrEnum):
    BELOW = "below"  # a frame fails under the line
    ABOVE = "above"  # a frame fails over the line


@dataclass(frozen=True)
class Line:
    """One line of a check on one stored measure."""

    name: str  # how the checks hold its value ("blur_below": `CullChecks.line`)
    measure: str  # the stored measure: the photo column it reads ("sharpness_score")
    direction: Direction
    at: float  # the line, where no kind of shoot or sensitivity moves it
    why: str  # what the line catches, measured (the docs say it)
    genres: Mapping[Genre, float] = field(default_factory=dict)  # kinds of shoot's own
    scale: Mapping[Sensitivity, Fraction] = field(default_factory=dict)  # × the kind's line
    set_to: Mapping[Sensitivity, float] = field(default_factory=dict)  # whatever the kind
    percent: bool = False  # a fraction said as a percentage (0.15: "15 %")
    sign: float = field(init=False, repr=False, compare=False)  # +1 below, -1 above

    def __post_init__(self) -> None:
        object.__setattr__(self, "sign", 1.0 if self.direction is Direction.BELOW else -1.0)

    def value(self, genre: Genre | None, level: Sensitivity) -> float:
        """The line for a kind of shoot and a sensitivity."""
        if level in self.set_to:
            return self.set_to[level]
        base = self.genres.get(genre, self.at) if genre is not None else self.at
        return base * float(self.scale[level]) if level in self.scale else base

    def margin(self, measure: float, line: float) -> float:
        """How far `measure` is from `line`, in units of the line (negative: failed)."""
        m = (measure - line) * self.sign / line  # a proposal asks it of every frame: no calls
        return -1.0 if m < -1.0 else 1.0 if m > 1.0 else m

    def shown(self, value: float) -> str:
        """ "30", "15 %"."""
        return f"{100 * value:.0f} %" if self.percent else f"{value:g}"


@dataclass(frozen=True)
class ReasonWords:
    """A proposal's reason in words: on a tile, in a sentence, in the docs."""

    reason: ProposalReason
    pill: str  # the word on a tile's REJECT? pill ("BLUR")
    words: str  # how a sentence names it (the loupe, the tile's tooltip)
    means: str  # what it says of the frame, for the docs


@dataclass(frozen=True)
class Badge:
    """A check's badge on a gallery tile."""

    text: str  # the pill ("BLUR")
    # The tooltip's sentence: a template over the check's measures by column
    # ("Noisy (noise {noise_level:.1f})"), or a function of the tile's row.
    says: str | Callable[[GalleryRow], str]
    # Its search word when not the pill's own ("blur"): a word, or a key:value
    # ("tilted:yes"); search.tokens makes the badge's token from it.
    word: str = ""


# What a check says of one frame: (margin, the reason it failed; None: passed),
# or None when it did not judge (nothing measured, or a verdict not given).
Outcome = tuple[float, ProposalReason | None]
Judge = Callable[["CullCheck", ProposalFrame, Mapping[str, float]], "Outcome | None"]


@dataclass(frozen=True)
class CullCheck:
    """One check of a proposal: a row of `cull.table.CHECKS` (module docstring)."""

    name: str  # read by it: the tuning's key, the docs' and the help's word
    label: str  # its row in Cull ▸ Propose… ("Blur and shake")
    docs: str  # what it catches, for the docs and `curator cull --help`
    reasons: tuple[ReasonWords, ...] = ()  # what a frame it fails is rejected for
    lines: tuple[Line, ...] = ()
    flag: str = ""  # a `FacesSummary` verdict it reads instead of lines
    flag_margin: float = -0.5  # how sure a failed verdict is (-1: sure)
    judge: Judge | None = None  # its own judging; default: the lines or the flag
    levels: tuple[Sensitivity, ...] = LEVELS  # what the dialog offers (ON_OFF: on or off)
    off_for: frozenset[Genre] = frozenset()  # kinds of shoot where it starts Off
    tooltip: str = ""  # its dialog row's tooltip
    badge: Badge | None = None
    # How it judges a frame: `judge`, else by its flag or its lines (never: None).
    run: Judge = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        run = self.judge or (flag_outcome if self.flag else line_outcome if self.lines else None)
        object.__setattr__(self, "run", run or _never)

    def line(self, name: str) -> Line:
        for line in self.lines:
            if line.name == name:
                return line
        raise KeyError(name)

    def default_level(self, genre: Genre | None) -> Sensitivity:
        """Where the dialog starts for a kind of shoot: Normal, or Off where it is off."""
        return Sensitivity.OFF if genre in self.off_for else Sensitivity.NORMAL

    def outcome(self, frame: ProposalFrame, lines: Mapping[str, float]) -> Outcome | None:
        """What the check says of `frame` at the lines' values `lines` (by name)."""
        return self.run(self, frame, lines)

    def badge_shows(self, row: GalleryRow) -> bool:
        """Whether a tile shows the badge: a line failed at its default, or the flag."""
        if self.badge is None:
            return False
        if self.flag:
            return row.faces is not None and bool(getattr(row.faces, self.flag))
        for line in self.lines:
            value = measured(row, line.measure)
            if value is not None and line.margin(value, line.at) < 0:
                return True
        return False

    @property
    def badge_token(self) -> str:
        """The badge as a search word ("BLUR": blur, "CLOSED EYES": closed-eyes), or
        the word its badge names (`Badge.word`: "tilted:yes")."""
        assert self.badge is not None
        return self.badge.word.lower() or "-".join(self.badge.text.lower().split())

    def badge_sql(self, photo: str) -> str:
        """`badge_shows` as an SQL condition on the photo row aliased `photo`
        (the search's badge tokens): the flag in `photo_faces`, or a line's
        stored measure past its default line."""
        if self.flag:
            return (
                f"EXISTS (SELECT 1 FROM photo_faces bf WHERE bf.photo_id = {photo}.id"
                f" AND bf.{self.flag} = 1)"
            )
        past = [
            f"({photo}.{line.measure} IS NOT NULL AND {photo}.{line.measure}"
            f" {'<' if line.direction is Direction.BELOW else '>'} {float(line.at)!r})"
            for line in self.lines
        ]
        return "(" + " OR ".join(past or ["0 = 1"]) + ")"

    def badge_says(self, row: GalleryRow) -> str:
        assert self.badge is not None
        says = self.badge.says
        if callable(says):
            return says(row)
        return says.format(**{line.measure: measured(row, line.measure) for line in self.lines})


def measured(record: ProposalFrame | GalleryRow | Any, column: str) -> float | None:
    """A stored figure as a frame or a gallery row holds it: its field of the
    column's name, else by that name in its `figures` (curator.figures)."""
    if hasattr(record, column):
        value: float | None = getattr(record, column)
        return value
    found = record.figures.get(column)
    return None if found is None else float(found)  # type: ignore[arg-type]


def line_outcome(
    check: CullCheck, frame: ProposalFrame, lines: Mapping[str, float]
) -> Outcome | None:
    """The worst margin of the check's lines; failed: its first reason."""
    worst: float | None = None
    for line in check.lines:
        value = measured(frame, line.measure)
        if value is not None:
            margin = line.margin(value, lines[line.name])
            worst = margin if worst is None else min(worst, margin)
    if worst is None:
        return None
    return worst, check.reasons[0].reason if worst < 0 else None


def flag_outcome(
    check: CullCheck, frame: ProposalFrame, lines: Mapping[str, float]
) -> Outcome | None:
    """The faces stage's verdict: failed at the check's margin when it is set."""
    faces = frame.faces
    if faces is not None and getattr(faces, check.flag):
        return check.flag_margin, check.reasons[0].reason
    return None


def _never(check: CullCheck, frame: ProposalFrame, lines: Mapping[str, float]) -> None:
    """A check with no line, flag or judge of its own never rejects (expressions)."""
    return None

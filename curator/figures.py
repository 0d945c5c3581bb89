"""The stored figures: each measure a stage keeps on a photo, declared once.

A `StoredFigure` is one column of `photo` that a stage measures: its name,
type, scale and unit, what NULL (not judged) means, and how the stage's
record gives its value. Everything else follows from `FIGURES`:
- the peewee model's column (`catalog.models`), the stage's writer
  (`catalog.writer`: `figure.read(measurement)`), `curator list --json`'s
  field and its docs (`commands.listing`; a BYTES figure, a fingerprint, is
  stored and compared but never shown: `shown_figures`);
- the gallery's rows and the proposal's frames carry every figure they have
  no field of their own for in `figures`, by name (`catalog.queries`,
  `catalog.proposals.plan`), and a cull check reads one by its name
  (`cull.check_types.measured`);
- a search token's predicate is SQL over the figure's column (one row of
  `search.tokens`);
- the technical stage's version is the highest `since` of its figures
  (`technical_version`), so a new figure back-fills an existing catalog: every
  photo measured at an older version is measured again at its next import.
The column itself comes from a numbered migration (history, never derived).

A figure comes from the stage's own measures (`read`: sharpness, exposure) or
from a function of its own (`measure`: "module:function" run on the pixels the
technical stage decoded anyway, into the record's `measured`).

Invariants: `value_in` never raises on a record that lacks the figure; it
returns `NOT_MEASURED`, and the writer then leaves the stored value as it was.
No catalog, Qt or numpy import: this is a foundation.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Final

from curator.records import TechnicalMeasurement


class FigureType(StrEnum):
    """The column's type (its peewee field: catalog.models)."""

    REAL = "real"
    INTEGER = "integer"
    TEXT = "text"
    BYTES = "bytes"  # a fingerprint, a signature


class _NotMeasured:
    def __repr__(self) -> str:
        return "NOT_MEASURED"


NOT_MEASURED: Final = _NotMeasured()  # `read`'s answer when the record lacks the measure


@dataclass(frozen=True)
class StoredFigure:
    """One measure a stage keeps on a photo (see the module docstring)."""

    name: str  # the photo column, the JSON field, the name a check reads it by
    type: FigureType
    meaning: str  # what it is, for `curator list --json`'s reference
    scale: str  # its range or unit ("0–100", "a fraction 0–1", "EV", "grey levels")
    not_judged: str  # what null means for it
    # Its value in the stage's record, for a figure the stage's own measures give;
    # None for one measured by `measure`.
    read: Callable[[TechnicalMeasurement], object] | None = None
    # "module:function" that measures it on the pixels the technical stage has
    # decoded anyway: `function(luma, preview)` (the decoded luma: 2-D uint8 at
    # full resolution in the stored orientation, so scale it down first; the
    # upright RGB preview, uint8) -> its value, None when it can't tell
    # (`imaging.technical` calls it; nothing is read twice).
    measure: str = ""
    since: int = 4  # the technical stage's version that first stored it

    def value_in(self, m: TechnicalMeasurement) -> object:
        """Its value in the stage's record; `NOT_MEASURED` when the record has none
        (a file known by its bytes is not decoded again: the stored value stays)."""
        if self.read is not None:
            return self.read(m)
        return m.measured.get(self.name) if m.decoded else NOT_MEASURED

    def described(self) -> str:
        """The figure's line in the JSON reference: meaning, scale, null."""
        scale = f" ({self.scale})" if self.scale else ""
        return f"{self.meaning}{scale}; null {self.not_judged}"


def _sharp(
    value: Callable[..., object], *, judged_only: bool = False
) -> Callable[[TechnicalMeasurement], object]:
    """A sharpness figure's read: from the record's sharpness measure (a frame not
    judged keeps none of the working scale's figures, m028)."""

    def read(m: TechnicalMeasurement) -> object:
        sharp = m.sharpness
        if sharp is None:
            return NOT_MEASURED
        return None if judged_only and not sharp.judged else value(sharp)

    return read


def _exposure(value: Callable[..., object]) -> Callable[[TechnicalMeasurement], object]:
    def read(m: TechnicalMeasurement) -> object:
        return NOT_MEASURED if m.exposure is None else value(m.exposure)

    return read


_NOT_JUDGED = "when the frame was too small to judge (`sharpness_note` says so) or not measured"
_NOT_MEASURED = "when the photo was not measured"

R = FigureType.REAL
# name, type, meaning, scale, what null means, how the stage's record gives it
FIGURES: tuple[StoredFigure, ...] = (
    StoredFigure("sharpness_score", R, "sharpness (the BLUR badge's line: the cull checks' table)",
                 "0–100", _NOT_JUDGED, _sharp(lambda s: s.score)),
    StoredFigure("laplacian_var", R, "variance of the Laplacian over the whole frame (kept for"
                 " history)", "", _NOT_JUDGED, _sharp(lambda s: s.laplacian_var, judged_only=True)),
    StoredFigure("sharpness_tile_p90", R, "90th percentile of the tiles' Laplacian variance (kept"
                 " for history)", "", _NOT_JUDGED, _sharp(lambda s: s.tile_p90, judged_only=True)),
    StoredFigure("sharpness_note", FigureType.TEXT, 'why there is no sharpness score ("too small'
                 ' to judge") or what lowered it ("focus missed the subject", "camera shake")', "",
                 "when nothing is to be said", _sharp(lambda s: s.note)),
    StoredFigure("noise_level", R, "the noise taken off the sharpness: its standard deviation at"
                 " the 1024 px working scale", "grey levels", _NOT_JUDGED,
                 _sharp(lambda s: s.noise, judged_only=True)),
    StoredFigure("exposure_score", R, "exposure", "0–100", _NOT_MEASURED,
                 _exposure(lambda e: e.score)),
    StoredFigure("exposure_ev", R, "how far the frame is from a metered exposure (−1.3: 1.3 stops"
                 " darker)", "EV", "when it could not be estimated", _exposure(lambda e: e.ev)),
    StoredFigure("highlight_clip", R, "the share of the pixels at or above the highlight clipping"
                 " line", "a fraction 0–1", _NOT_MEASURED, _exposure(lambda e: e.highlight_clip)),
    StoredFigure("shadow_clip", R, "the share of the pixels at or below the shadow clipping line",
                 "a fraction 0–1", _NOT_MEASURED, _exposure(lambda e: e.shadow_clip)),
    StoredFigure("mean_luminance", R, "mean brightness", "0–255", _NOT_MEASURED,
                 _exposure(lambda e: e.mean_luminance)),
    StoredFigure("fingerprint", FigureType.BYTES, "the picture's fingerprint, which finds the"
                 " same picture stored twice (imaging.fingerprint)", "801 bytes",
                 "for a frame too small or flat to tell, or one not measured since version 5",
                 measure="curator.imaging.fingerprint:fingerprint", since=5),
)  # fmt: skip

FIRST_TECHNICAL_VERSION = 4  # the technical stage's version before figures were declared


def figure_named(name: str) -> StoredFigure | None:
    """The declared figure stored in column `name`; None for any other column."""
    return next((f for f in FIGURES if f.name == name), None)


def technical_version() -> str:
    """The technical stage's version: the highest `since` of its figures (a new
    figure measured at import re-measures the photos of an older version)."""
    return f"technical-{max([FIRST_TECHNICAL_VERSION, *(f.since for f in FIGURES)])}"


def shown_figures() -> tuple[StoredFigure, ...]:
    """The figures a photo's row, `curator list --json` and a check read: all but
    the BYTES ones (a fingerprint is kept for comparing, never shown)."""
    return tuple(f for f in FIGURES if f.type is not FigureType.BYTES)


def figures_beyond(fields: set[str] | frozenset[str]) -> tuple[str, ...]:
    """The shown figures a record with these `fields` has no field for: what
    it carries in its `figures`, by name."""
    return tuple(f.name for f in shown_figures() if f.name not in fields)

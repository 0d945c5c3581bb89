"""The cull checks, one row each, and the words of every reason a proposal gives.
Pure: no Qt, no catalog.

Each check is declared once here (shape: `cull.check_types`) and read by name
by the rules (`cull.checks.judge`, `checks_for`, `cull.tuning`), Cull ▸
Propose…'s rows (`ui.cull.dialog`), the tiles' badges and pills
(`ui.gallery.flags`, `ui.gallery.view`), the loupe (`ui.loupe.proposal_mark`)
and the help and docs (`cull.reference`). Reasons that are no check's have
their words in `OTHER_REASONS`; every `ProposalReason` has words (a test).
Each line's `Line.why` states its figure; how they were found:
docs/decisions/cull.md. Adding a check: docs/how-to-add-a-cull-check.md.
"""

from __future__ import annotations

from collections.abc import Mapping
from fractions import Fraction
from typing import TYPE_CHECKING

from curator.cull.check_types import (
    ON_OFF,
    Badge,
    CullCheck,
    Direction,
    Genre,
    Line,
    Outcome,
    ReasonWords,
    Sensitivity,
    line_outcome,
)
from curator.records import ProposalFrame, ProposalReason

if TYPE_CHECKING:
    from curator.catalog.types import GalleryRow

R, S = ProposalReason, Sensitivity

BLUR_BELOW = 30.0  # the sharpness score: the BLUR badge and the proposal's Normal
EXPOSURE_BELOW = 60.0  # the exposure score: about 1.2 EV off
CLIP_ABOVE = 0.15  # the share of the frame burnt to white
CLIP_LENIENT, CLIP_STRICT = 0.25, 0.10
CLIP_MARGIN_SPAN = 0.3  # burnt share past the line at which a clipped frame is a sure reject
HANDHELD_FOCAL_DEFAULT = 50.0  # mm: 1/50 s is the hand-held limit without a focal length


def ev_text(ev: float | None) -> str:
    """'≈ −1.3 EV' (a real minus sign), '≈ +0.7 EV', '≈ 0 EV'; '' when unknown."""
    if ev is None:
        return ""
    if round(ev, 1) == 0:
        return "≈ 0 EV"
    sign = "+" if ev > 0 else "\u2212"
    return f"≈ {sign}{abs(ev):.1f} EV"


def shake_or_blur(frame: ProposalFrame) -> ProposalReason:
    """Shake when the technical stage saw the frame smeared one way, or when the
    exposure was longer than the hand-held limit; else blur."""
    if frame.shaken:
        return R.SHAKE
    if frame.exposure_time is None:
        return R.BLUR
    focal = frame.focal_length if frame.focal_length and frame.focal_length > 0 else None
    limit = 1.0 / (focal or HANDHELD_FOCAL_DEFAULT)
    return R.SHAKE if frame.exposure_time > limit * 1.01 else R.BLUR


def _sharpness(
    check: CullCheck, frame: ProposalFrame, lines: Mapping[str, float]
) -> Outcome | None:
    outcome = line_outcome(check, frame, lines)
    if outcome is None or outcome[1] is None:
        return outcome
    return outcome[0], shake_or_blur(frame)


def _blur_says(row: GalleryRow) -> str:
    why = f": {row.sharpness_note}" if row.sharpness_note else ""
    return f"Probably blurred (sharpness {row.sharpness_score:.0f} / 100{why})"


def _exposure(check: CullCheck, frame: ProposalFrame, lines: Mapping[str, float]) -> Outcome | None:
    """Clipped highlights are over-exposed (their margin from the burnt share);
    else a poor exposure score is under or over by the EV's sign."""
    m_expo: float | None = None
    if frame.exposure_score is not None:
        m_expo = check.line("exposure_below").margin(frame.exposure_score, lines["exposure_below"])
    clip = lines["clip_above"]
    if frame.highlight_clip is not None and frame.highlight_clip > clip:
        m_clip = -min(1.0, (frame.highlight_clip - clip) / CLIP_MARGIN_SPAN + 0.1)
        return min(m_clip, m_expo if m_expo is not None else 0.0), R.OVER_EXPOSED
    if m_expo is None or m_expo >= 0:
        return None if m_expo is None else (m_expo, None)
    over = frame.exposure_ev is not None and frame.exposure_ev > 0
    return m_expo, R.OVER_EXPOSED if over else R.UNDER_EXPOSED


def _exposure_says(row: GalleryRow) -> str:
    """The CLIPPED badge's sentence: the exposure estimate when there is one."""
    clip = check("exposure").line("clip_above").at
    if row.highlight_clip is not None and row.highlight_clip > clip:
        return f"Clipped highlights ({100 * row.highlight_clip:.0f} % burnt to white)"
    if row.exposure_ev is not None and row.exposure_ev < 0:
        return f"Under-exposed ({ev_text(row.exposure_ev)})"
    if row.exposure_ev is not None and row.exposure_ev > 0:
        return f"Over-exposed ({ev_text(row.exposure_ev)})"
    return "Poor exposure"


def _pct(x: float) -> str:
    return f"{100 * x:.0f} %"


SHOOTS_WITHOUT_SUBJECTS_EYES = frozenset({Genre.LANDSCAPE, Genre.SPORTS})
KEY_FACE = "a key face (one of the photo's subjects)"

CHECKS: tuple[CullCheck, ...] = (
    CullCheck(
        name="sharpness",
        label="Blur and shake",
        docs="The frame is soft all over. It is called shake when the technical stage "
        "saw it smeared one way (its note “camera shake”) or when it was exposed longer "
        "than the hand-held limit (1 / focal length; 1/50 s without one), else blur.",
        reasons=(
            ReasonWords(R.BLUR, "BLUR", "blur", "soft all over: missed focus or motion"),
            ReasonWords(
                R.SHAKE, "SHAKE", "shake", "soft and smeared one way, or slower than hand-held"
            ),
        ),
        lines=(
            Line(
                "blur_below",
                "sharpness_score",
                Direction.BELOW,
                BLUR_BELOW,
                why="a Gaussian blur of sigma 2 px or a 17 px shake at 1440 px scores about "
                "30; 40 (portrait, Strict) rejects a slightly soft frame, 20 (Lenient) lets "
                "one through (the fixtures' soft leaf scores 27)",
                genres={Genre.PORTRAIT: 40.0, Genre.SPORTS: 25.0},
                scale={S.LENIENT: Fraction(2, 3), S.STRICT: Fraction(4, 3)},
            ),
        ),
        judge=_sharpness,
        tooltip="Strict rejects softer frames (the portrait line); lenient lets a slightly "
        "soft frame through.",
        badge=Badge("BLUR", _blur_says),
    ),
    CullCheck(
        name="exposure",
        label="Under- and over-exposed",
        docs="The exposure is far off, or the highlights are burnt: clipped highlights "
        "are over-exposed, else the sign of the EV off says under or over.",
        reasons=(
            ReasonWords(R.UNDER_EXPOSED, "DARK", "under-exposed", "too dark to save"),
            ReasonWords(
                R.OVER_EXPOSED, "BRIGHT", "over-exposed", "too bright, or highlights burnt"
            ),
        ),
        lines=(
            Line(
                "exposure_below",
                "exposure_score",
                Direction.BELOW,
                EXPOSURE_BELOW,
                why="about 1.2 EV off on the exposure score's curve (imaging.exposure): "
                "1.3 EV off scores 45-60, 0.7 EV off 75-90; Lenient's 40 is about 1.6 EV "
                "off, Strict's 75 about 0.9 EV",
                genres={Genre.LANDSCAPE: 65.0},
                scale={S.LENIENT: Fraction(2, 3), S.STRICT: Fraction(5, 4)},
            ),
            Line(
                "clip_above",
                "highlight_clip",
                Direction.ABOVE,
                CLIP_ABOVE,
                why="the share of the frame burnt to white (luma >= 250)",
                set_to={S.LENIENT: CLIP_LENIENT, S.STRICT: CLIP_STRICT},
                percent=True,
            ),
        ),
        judge=_exposure,
        tooltip=f"Normal rejects a frame about 1.2 EV off or {_pct(CLIP_ABOVE)} burnt to "
        f"white; strict about 0.9 EV off or {_pct(CLIP_STRICT)}, lenient about 1.6 EV off "
        f"or {_pct(CLIP_LENIENT)}.",
        badge=Badge("CLIPPED", _exposure_says),  # not "CLIP": that is the model
    ),
    CullCheck(
        name="closed_eyes",
        label="Closed eyes",
        docs=f"The faces stage saw {KEY_FACE} blink (ml.faces.verdicts).",
        reasons=(ReasonWords(R.CLOSED_EYES, "EYES", "closed eyes", f"{KEY_FACE} blinked"),),
        flag="closed_eyes",
        flag_margin=-0.6,
        levels=ON_OFF,
        off_for=SHOOTS_WITHOUT_SUBJECTS_EYES,
        badge=Badge("CLOSED EYES", f"Closed eyes: {KEY_FACE} blinked"),
    ),
    CullCheck(
        name="soft_face",
        label="Soft faces",
        docs="The faces stage saw a key face clearly softer than the rest of the photo "
        "(ml.faces.verdicts): focus on the background.",
        reasons=(
            ReasonWords(
                R.SOFT_FACE, "SOFT", "soft face", "a key face clearly softer than the photo"
            ),
        ),
        flag="soft_face",
        flag_margin=-0.3,
        levels=ON_OFF,
        off_for=SHOOTS_WITHOUT_SUBJECTS_EYES,
        badge=Badge(
            "SOFT FACE", "Soft face: a key face is clearly softer than the rest of the photo"
        ),
    ),
    CullCheck(
        name="expressions",
        label="Expressions",
        docs="Never a reason to reject: on, a moment's keep goes to the frame whose people "
        "smile and look at the camera (cull.looks, the burst star's own people rule).",
        levels=ON_OFF,
        off_for=SHOOTS_WITHOUT_SUBJECTS_EYES,
        tooltip="On: between frames of one moment, the keep goes to the one where people "
        "smile and look at the camera. Never a reason to reject a frame.",
    ),
)

# The reasons no check gives: how a moment and a target choose.
OTHER_REASONS: tuple[ReasonWords, ...] = (
    ReasonWords(
        R.DUPLICATE, "DUPLICATE", "duplicate", "another frame of its burst or scene is kept"
    ),
    ReasonWords(
        R.BELOW_TASTE, "TASTE", "below your taste", "cut by the target, ranked by your taste"
    ),
    ReasonWords(
        R.BELOW_TARGET,
        "TARGET",
        "below the target",
        "cut by the target, with no taste score to rank it by",
    ),
)


def check(name: str) -> CullCheck:
    """The check called `name` (KeyError when none is)."""
    for row in CHECKS:
        if row.name == name:
            return row
    raise KeyError(name)


def all_reason_words() -> tuple[ReasonWords, ...]:
    """Every reason's words: the checks' in their order, then `OTHER_REASONS`."""
    return (*(words for row in CHECKS for words in row.reasons), *OTHER_REASONS)


def reason_words(reason: ProposalReason) -> ReasonWords:
    """A reason's words: its check's, or `OTHER_REASONS`'."""
    for words in all_reason_words():
        if words.reason == reason:
            return words
    raise KeyError(reason)

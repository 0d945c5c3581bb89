"""What is wrong with one frame: the checks a proposal applies, their
sensitivities, and how the kind of shoot weighs them. Pure.

Each check reads one measure the stages stored (no file is read again):
- blur / shake: the sharpness score under `blur_below` (the gallery's BLUR
  badge line, 30: a Gaussian blur of sigma 2 px or a 17 px shake at 1440 px).
  A soft frame is called shake when the technical stage saw it smeared one
  way (its note "camera shake": `ProposalFrame.shaken`) or when it was
  exposed longer than the hand-held limit (1 / focal length, 1/50 s without
  one), else blur;
- under- / over-exposed: the exposure score under `exposure_below` (60:
  about 1.2 EV off, the CLIPPED badge's line) or more than `clip_above` of
  the frame burnt to white; the sign of the EV says which (clipping is over);
- closed eyes / soft face: the faces stage's summary (ml.faces.verdicts:
  a key face blinked; a key face clearly softer than the photo).

A check can be turned off (`sharpness`, `exposure`: the window's Cull ▸
Propose… "Off"; cull.tuning maps its sensitivities onto these lines).

A check's *margin* is how far the frame is from its line, in units of the
line (negative: failed), clipped to -1..1: it makes the confidences.

Kinds of shoot (`--genre`): people and event weigh every check; portrait
judges sharpness harder (a face at 100 % is what a client looks at);
landscape has no subjects' eyes to check and judges exposure harder; sports
forgives a little motion blur and never rejects for an athlete's eyes or a
face softer than the frame (motion), and a changed face layout within a
burst is the action, not another moment.

How the people look (the "expressions" check, issue 49 §3): on for people,
portrait and event shoots (and when the kind is not said), off for sports
and landscape (`values_expressions`). It is never a reject: when on, a
moment's best goes to the frame whose faces smile and look at the camera
(cull.looks.prefer_looks, the burst star's own people rule); when off,
neither decides.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import StrEnum

from curator.records import ProposalFrame, ProposalReason

BLUR_BELOW = 30.0  # ui.gallery.flags.BLUR_BELOW: the BLUR badge
EXPOSURE_BELOW = 60.0  # ui.gallery.flags.EXPOSURE_BELOW: about 1.2 EV off
CLIP_ABOVE = 0.15  # ui.gallery.flags.CLIP_ABOVE: 15 % burnt to white
HANDHELD_FOCAL_DEFAULT = 50.0  # mm: 1/50 s without a focal length
CLOSED_EYES_MARGIN = -0.6  # a detector verdict, not a distance from a line
SOFT_FACE_MARGIN = -0.3


class Genre(StrEnum):
    PEOPLE = "people"
    PORTRAIT = "portrait"
    EVENT = "event"
    LANDSCAPE = "landscape"
    SPORTS = "sports"


@dataclass(frozen=True)
class CullChecks:
    """The checks' sensitivities (lines) and which ones count."""

    blur_below: float = BLUR_BELOW
    exposure_below: float = EXPOSURE_BELOW
    clip_above: float = CLIP_ABOVE
    closed_eyes: bool = True
    soft_face: bool = True
    faces_make_moments: bool = True  # a new face layout in a burst is another moment
    sharpness: bool = True  # blur and shake are checked (False: the window's "Off")
    exposure: bool = True  # under-, over-exposure and clipping are checked
    expressions: bool = True  # smiles and looks at the camera choose a moment's best


EXPRESSIONS_VALUED = frozenset({Genre.PEOPLE, Genre.PORTRAIT, Genre.EVENT})


def values_expressions(genre: Genre | None) -> bool:
    """Whether a kind of shoot values smiles and looks at the camera (None: not
    said, as people do)."""
    return genre is None or genre in EXPRESSIONS_VALUED


def genre_of(kind: str | None) -> Genre | None:
    """The `shoot_kind` setting's word as a kind of shoot ("any" or none: None)."""
    return Genre(kind) if kind in {g.value for g in Genre} else None


def checks_for(genre: Genre | None) -> CullChecks:
    """The checks of a kind of shoot (None: every check at its default line)."""
    base = CullChecks()
    if genre is Genre.PORTRAIT:
        return replace(base, blur_below=40.0)
    if genre is Genre.LANDSCAPE:
        return replace(
            base, exposure_below=65.0, closed_eyes=False, soft_face=False, expressions=False
        )
    if genre is Genre.SPORTS:
        return replace(
            base,
            blur_below=25.0,
            closed_eyes=False,
            soft_face=False,
            faces_make_moments=False,
            expressions=False,
        )
    return base


@dataclass(frozen=True)
class Judged:
    """One frame's checks: the failed ones (reasons, worst first) and the
    smallest margin over all (negative when a check failed)."""

    reasons: tuple[ProposalReason, ...]
    margin: float

    @property
    def acceptable(self) -> bool:
        return not self.reasons


def _clip(x: float) -> float:
    return max(-1.0, min(1.0, x))


def judge(frame: ProposalFrame, checks: CullChecks) -> Judged:
    """The checks of `frame` (a measure the stages did not make is not checked)."""
    failed: list[tuple[float, ProposalReason]] = []
    passed: list[float] = []
    if frame.sharpness is not None and checks.sharpness:
        m = _clip((frame.sharpness - checks.blur_below) / checks.blur_below)
        if m < 0:
            failed.append((m, _shake_or_blur(frame)))
        else:
            passed.append(m)
    m_expo: float | None = None
    if frame.exposure is not None and checks.exposure:
        m_expo = _clip((frame.exposure - checks.exposure_below) / checks.exposure_below)
    clipped = (
        checks.exposure
        and frame.highlight_clip is not None
        and frame.highlight_clip > checks.clip_above
    )
    if clipped:
        assert frame.highlight_clip is not None
        m_clip = -min(1.0, (frame.highlight_clip - checks.clip_above) / 0.3 + 0.1)
        worst = min(m_clip, m_expo if m_expo is not None else 0.0)
        failed.append((worst, ProposalReason.OVER_EXPOSED))
    elif m_expo is not None and m_expo < 0:
        over = frame.ev is not None and frame.ev > 0
        failed.append(
            (m_expo, ProposalReason.OVER_EXPOSED if over else ProposalReason.UNDER_EXPOSED)
        )
    elif m_expo is not None:
        passed.append(m_expo)
    faces = frame.faces
    if faces is not None and checks.closed_eyes and faces.closed_eyes:
        failed.append((CLOSED_EYES_MARGIN, ProposalReason.CLOSED_EYES))
    if faces is not None and checks.soft_face and faces.soft_face:
        failed.append((SOFT_FACE_MARGIN, ProposalReason.SOFT_FACE))
    failed.sort(key=lambda f: f[0])
    if failed:
        return Judged(tuple(reason for _, reason in failed), failed[0][0])
    return Judged((), min(passed) if passed else 0.0)


def _shake_or_blur(frame: ProposalFrame) -> ProposalReason:
    """Shake when the technical stage saw the frame smeared one way, or when the
    exposure was longer than the hand-held limit; else blur."""
    if frame.shaken:
        return ProposalReason.SHAKE
    if frame.exposure_time is None:
        return ProposalReason.BLUR
    focal = frame.focal_length if frame.focal_length and frame.focal_length > 0 else None
    limit = 1.0 / (focal or HANDHELD_FOCAL_DEFAULT)
    return ProposalReason.SHAKE if frame.exposure_time > limit * 1.01 else ProposalReason.BLUR


def technical_value(frame: ProposalFrame) -> float:
    """The frame's technical quality on 0..100: sharpness (capped at 90, where
    more detail no longer shows) and exposure, with a little for every key
    face's eyes open; 50 where nothing was measured."""
    parts: list[float] = []
    if frame.sharpness is not None:
        parts.append(min(frame.sharpness, 90.0) / 0.9)
    if frame.exposure is not None:
        parts.append(frame.exposure)
    value = sum(parts) / len(parts) if parts else 50.0
    if frame.faces is not None and frame.faces.eyes_open:
        value += 3.0
    return value


TASTE_WEIGHT = 0.7  # the photographer's taste over the technical value, where there is one


def value(frame: ProposalFrame) -> float:
    """What ranks frames for a target and picks a moment's best: the
    photographer's taste (when their model scored the photo) over the
    technical value."""
    tech = technical_value(frame)
    if frame.taste is None:
        return tech
    return TASTE_WEIGHT * frame.taste + (1.0 - TASTE_WEIGHT) * tech

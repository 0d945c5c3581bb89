"""The badges of a gallery tile (MATCH, blur, clipped, closed eyes, soft face,
burst, missing, RAW+JPEG) and its tooltip: derived from the tile's row and the
live MATCH threshold, never stored (`PhotoFlags`, `photo_flags`, `tooltip`).
The model hands them to the view through its `FlagsRole`.
"""

from __future__ import annotations

from dataclasses import dataclass

from curator.catalog.types import GalleryRow
from curator.ui.common import format as fmt

# Badge thresholds on the issue 10 scores (tests/bench/score_series.py): a Gaussian
# blur of sigma 2 px or a 17 px shake at 1440 px scores about 30 (the median
# source); an exposure 1.3 EV off scores 45-60, 0.7 EV off 75-90.
BLUR_BELOW = 30.0  # sharpness_score under this: a blur warning
EXPOSURE_BELOW = 60.0  # exposure_score under this: an exposure warning (about 1.2 EV off)
CLIP_ABOVE = 0.15  # more than 15 % burnt to white (luma >= 250): a clipping warning too


@dataclass(frozen=True)
class PhotoFlags:
    """The badges of one gallery cell (derived, never stored)."""

    match: bool = False
    blurry: bool = False
    clipped: bool = False
    burst: bool = False
    burst_best: bool = False
    missing: bool = False  # every file of the photo is gone (kept, with its decisions)
    paired: bool = False  # a RAW+JPEG pair shown as one photo
    closed_eyes: bool = False  # a key face's eyes are closed (the faces stage)
    soft_face: bool = False  # a key face is clearly softer than the photo
    proposed: str | None = None  # "keep" | "reject": this photographer's proposal (cull for me)
    highlight: bool = False  # the proposal marks it one of the best of the keeps
    proposed_why: str = ""  # a proposed reject's first reason, in a word ("BLUR")
    offline: bool = False  # its file is not there now (an unplugged drive): what is cached shows


def photo_flags(row: GalleryRow, match_threshold: float) -> PhotoFlags:
    clipped = (row.highlight_clip is not None and row.highlight_clip > CLIP_ABOVE) or (
        row.exposure_score is not None and row.exposure_score < EXPOSURE_BELOW
    )
    return PhotoFlags(
        match=row.preference_score is not None and row.preference_score >= match_threshold,
        blurry=row.sharpness_score is not None and row.sharpness_score < BLUR_BELOW,
        clipped=clipped,
        burst=row.burst_group is not None,
        burst_best=row.burst_group is not None and row.burst_best,
        missing=row.missing,
        paired=bool(row.paired_with),
        closed_eyes=row.faces is not None and row.faces.closed_eyes,
        soft_face=row.faces is not None and row.faces.soft_face,
        proposed=None if row.proposal is None else row.proposal.verdict.value,
        highlight=row.proposal is not None and row.proposal.highlight,
        proposed_why=_first_reason(row),
    )


def tooltip(row: GalleryRow, flags: PhotoFlags) -> str:
    lines = [row.path]
    if flags.paired:
        lines.append(f"RAW+JPEG: one photo with {row.paired_with}; decisions apply to both")
    if flags.missing:
        lines.append(
            "Missing: no file holds this photo any more (moved off disk, deleted or "
            "replaced). Its decisions are kept; it comes back when its file reappears."
        )
    if row.failed_reason:
        lines.append(row.failed_reason)
    if flags.match:
        lines.append(f"MATCH: preference {row.preference_score:.0f}")
    if flags.blurry:
        why = f": {row.sharpness_note}" if row.sharpness_note else ""
        lines.append(f"Probably blurred (sharpness {row.sharpness_score:.0f} / 100{why})")
    if flags.clipped:
        lines.append(clip_warning(row))
    if flags.closed_eyes:
        lines.append("Closed eyes: a key face (one of the photo's subjects) blinked")
    if flags.soft_face:
        lines.append("Soft face: a key face is clearly softer than the rest of the photo")
    if row.proposal is not None:
        lines.append(proposal_text(row))
    if flags.burst_best:
        lines.append("Burst: the suggested best frame")
    elif flags.burst:
        lines.append("Part of a burst")
    return "\n".join(lines)


def clip_warning(row: GalleryRow) -> str:
    """The CLIPPED badge's sentence: the exposure estimate when there is one."""
    if row.highlight_clip is not None and row.highlight_clip > CLIP_ABOVE:
        return f"Clipped highlights ({100 * row.highlight_clip:.0f} % burnt to white)"
    if row.exposure_ev is not None and row.exposure_ev < 0:
        return f"Under-exposed ({fmt.ev_text(row.exposure_ev)})"
    if row.exposure_ev is not None and row.exposure_ev > 0:
        return f"Over-exposed ({fmt.ev_text(row.exposure_ev)})"
    return "Poor exposure"


# A proposed reject's first reason on its tile, in a word (the tooltip says it all).
REASON_WORDS = {
    "blur": "BLUR",
    "shake": "SHAKE",
    "closed eyes": "EYES",
    "soft face": "SOFT",
    "under-exposed": "DARK",
    "over-exposed": "BRIGHT",
    "duplicate": "DUPLICATE",
    "below your taste": "TASTE",
    "below the target": "TARGET",
}


def _first_reason(row: GalleryRow) -> str:
    p = row.proposal
    if p is None or p.verdict.value != "reject" or not p.reasons:
        return ""
    return REASON_WORDS.get(p.reasons[0].value, "")


def proposal_text(row: GalleryRow) -> str:
    """The proposal in a sentence: "Proposed reject: blur, closed eyes (sure: 80 %)"."""
    p = row.proposal
    assert p is not None
    why = f": {', '.join(r.value for r in p.reasons)}" if p.reasons else ""
    mark = ", a highlight" if p.highlight else ""
    return f"Proposed {p.verdict.value}{why}{mark} (sure: {p.confidence:.0%}; not decided yet)"

"""The badges of a gallery tile (MATCH, each cull check's badge, burst, missing,
RAW+JPEG, a client's heart, a near-duplicate) and its tooltip, derived from the
row and the live MATCH threshold, never stored (`PhotoFlags`, `photo_flags`,
`tooltip`). A cull check's badge, words and REJECT? pill word are its row in
`cull.table`: this module only asks.
"""

from __future__ import annotations

from dataclasses import dataclass

from curator.catalog.types import GalleryRow
from curator.cull import table


@dataclass(frozen=True)
class PhotoFlags:
    """The badges of one gallery cell (derived, never stored)."""

    match: bool = False
    badges: tuple[str, ...] = ()  # the cull checks whose badge shows, by name, in table order
    burst: bool = False
    burst_best: bool = False
    missing: bool = False  # every file of the photo is gone (kept, with its decisions)
    paired: bool = False  # a RAW+JPEG pair shown as one photo
    proposed: str | None = None  # "keep" | "reject": this photographer's proposal (cull for me)
    highlight: bool = False  # the proposal marks it one of the best of the keeps
    proposed_why: str = ""  # a proposed reject's first reason, in a word ("BLUR")
    offline: bool = False  # its file is not there now (an unplugged drive): what is cached shows
    client_heart: bool = False  # a client hearted it in a client gallery
    duplicate: bool = False  # the same picture is stored again: View ▸ Duplicates resolves it

    def shows(self, check: str) -> bool:
        """Whether the badge of the cull check called `check` shows."""
        return check in self.badges


def photo_flags(row: GalleryRow, match_threshold: float) -> PhotoFlags:
    return PhotoFlags(
        match=row.preference_score is not None and row.preference_score >= match_threshold,
        badges=tuple(c.name for c in table.CHECKS if c.badge_shows(row)),
        burst=row.burst_group is not None,
        burst_best=row.burst_group is not None and row.burst_best,
        missing=row.missing,
        paired=bool(row.paired_with),
        proposed=None if row.proposal is None else row.proposal.verdict.value,
        highlight=row.proposal is not None and row.proposal.highlight,
        proposed_why=_first_reason(row),
        client_heart=row.client_heart,
        duplicate=row.duplicate_group is not None and row.cull != "rejected",
    )


def badge_pills(flags: PhotoFlags) -> list[str]:
    """The texts of the cull checks' badges that show, in table order."""
    return [c.badge.text for c in table.CHECKS if c.badge is not None and flags.shows(c.name)]


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
    lines.extend(c.badge_says(row) for c in table.CHECKS if flags.shows(c.name) and c.badge)
    if row.proposal is not None:
        lines.append(proposal_text(row))
    if flags.client_heart:
        lines.append("♥ A client hearted it in a client gallery (its comment is in the loupe)")
    if flags.duplicate:
        lines.append("Duplicate: the same picture is stored again (View ▸ Duplicates)")
    if flags.burst_best:
        lines.append("Burst: the suggested best frame")
    elif flags.burst:
        lines.append("Part of a burst")
    return "\n".join(lines)


def _first_reason(row: GalleryRow) -> str:
    p = row.proposal
    if p is None or p.verdict.value != "reject" or not p.reasons:
        return ""
    return table.reason_words(p.reasons[0]).pill


def proposal_text(row: GalleryRow) -> str:
    """The proposal in a sentence: "Proposed reject: blur, closed eyes (sure: 80 %)"."""
    p = row.proposal
    assert p is not None
    words = ", ".join(table.reason_words(r).words for r in p.reasons)
    why = f": {words}" if p.reasons else ""
    mark = ", a highlight" if p.highlight else ""
    return f"Proposed {p.verdict.value}{why}{mark} (sure: {p.confidence:.0%}; not decided yet)"

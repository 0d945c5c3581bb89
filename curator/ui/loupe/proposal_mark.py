"""A photo's proposal (cull for me) in the loupe: the footer's pills (the tiles'
KEEP?, REJECT?, HIGHLIGHT, beside the decision strip, never in it), the
dimming of a proposed reject (less than a decided one's) and the side panel's
words (`proposal_line`; each reason's are its row's in cull.table). All of it
comes from `GalleryRow.proposal`, so it goes when a decision ends the proposal.
"""

from __future__ import annotations

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QPainter

from curator.catalog.types import GalleryRow
from curator.cull.table import reason_words
from curator.records import Proposal, ProposalVerdict
from curator.ui.gallery.view import (
    GOLD,
    GREY,
    HIGHLIGHT,
    PROPOSED_KEEP,
    PROPOSED_REJECT,
    draw_pill,
    pill_width,
)

# The loupe's picture of a proposed reject: dimmed, but less than a decided
# reject's (0.45) and than its tile's (0.55): the photographer judges it here.
PROPOSED_REJECT_LOUPE_OPACITY = 0.7
REASONS_COLOUR = QColor(255, 179, 71)  # the panel's warning amber (#ffb347)
ACCEPT_HINT = "A accepts"
MIN_REASONS_ROOM = 40  # px: narrower (a survey's small pane), the pills alone


def proposed_reject(row: GalleryRow | None) -> bool:
    """Whether `row` is an undecided photo Curator proposes to reject."""
    return (
        row is not None
        and row.proposal is not None
        and row.proposal.verdict is ProposalVerdict.REJECT
        and row.cull == "unreviewed"
    )


def reasons_words(proposal: Proposal) -> str:
    """ "closed eyes · blur"; a keep chosen for its people, how they look ("both
    smiling, looking at the camera"); a keep usually has none: ""."""
    return " · ".join(reason_words(r).words for r in proposal.reasons) or proposal.why


def proposal_line(proposal: Proposal | None, people: str = "") -> str:
    """The panel's line: "Reject? closed eyes · blur (sure: 80 %) · A accepts";
    `people`: a keep's people in words (`cull.looks.ready_reason`)."""
    if proposal is None:
        return "none"
    verdict = "Keep?" if proposal.verdict is ProposalVerdict.KEEP else "Reject?"
    why = reasons_words(proposal)
    if not why and proposal.verdict is ProposalVerdict.KEEP:
        why = people
    parts = [f"{verdict} {why}".strip()]
    if proposal.highlight:
        parts.append("a highlight")
    return f"{' · '.join(parts)} (sure: {proposal.confidence:.0%}) · {ACCEPT_HINT}"


def paint_proposal(
    painter: QPainter, left: float, strip: QRectF, row: GalleryRow, *, room: float
) -> float:
    """The proposal's pills from `left` in the footer `strip` (KEEP? or REJECT?,
    HIGHLIGHT), then — when `room` px are free after them — its reasons in
    words; returns where the next thing may start (`left` when none)."""
    p = row.proposal
    if p is None:
        return left
    pills = [(PROPOSED_KEEP if p.verdict is ProposalVerdict.KEEP else PROPOSED_REJECT, GREY)]
    if p.highlight:
        pills.append((HIGHLIGHT, GOLD))
    top = strip.center().y() - 8
    x = left
    for text, colour in pills:
        width = pill_width(painter, text)
        draw_pill(painter, x + width, top, text, colour)
        x += width + 4
    words = reasons_words(p)
    if room >= MIN_REASONS_ROOM and words:
        painter.save()
        painter.setPen(REASONS_COLOUR)
        shown = painter.fontMetrics().elidedText(words, Qt.TextElideMode.ElideRight, int(room))
        width = painter.fontMetrics().horizontalAdvance(shown)
        painter.drawText(
            QRectF(x + 2, strip.top(), width + 2, strip.height()),
            int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter),
            shown,
        )
        painter.restore()
        x += width + 6
    return x + 4


def pills_width(painter: QPainter, row: GalleryRow) -> float:
    """How wide `paint_proposal`'s pills are (0 without a proposal)."""
    p = row.proposal
    if p is None:
        return 0.0
    texts = [PROPOSED_KEEP if p.verdict is ProposalVerdict.KEEP else PROPOSED_REJECT]
    if p.highlight:
        texts.append(HIGHLIGHT)
    return sum(pill_width(painter, t) + 4 for t in texts)

"""Proposals on the gallery's tiles (issue 42 §3, the first part): a proposed
keep or reject is a grey pill with a question mark (a proposed reject's first
reason in a word), a highlight a gold one, the tooltip says it in a sentence
and that nothing is decided yet; a tile without a proposal shows none."""

from __future__ import annotations

from curator.catalog.types import GalleryRow
from curator.records import Proposal, ProposalReason, ProposalVerdict
from curator.ui.gallery.flags import photo_flags, tooltip
from curator.ui.gallery.view import HIGHLIGHT, flag_pills


def _row(proposal: Proposal | None) -> GalleryRow:
    return GalleryRow(
        id=1, file_name="IMG_0001.jpg", path="/shoot/IMG_0001.jpg", captured_at=None,
        camera=None, lens=None, iso=None, exposure_time=None, f_number=None,
        focal_length=None, width=None, height=None, thumbnail_key=None, preview_key=None,
        sharpness_score=80.0, exposure_score=95.0, preference_score=None, cull="unreviewed",
        rating=None, picked=False, failed_reason=None, proposal=proposal,
    )  # fmt: skip


def _top_pills(row: GalleryRow) -> list[str]:
    return [text for text, _ in flag_pills(photo_flags(row, 70.0))[0]]


def test_a_proposed_reject_shows_its_first_reason_and_says_so() -> None:
    why = (ProposalReason.CLOSED_EYES, ProposalReason.BLUR)
    row = _row(Proposal(1, ProposalVerdict.REJECT, why, 0.8))
    flags = photo_flags(row, 70.0)
    assert flags.proposed == "reject" and not flags.highlight
    assert _top_pills(row) == ["REJECT? EYES"]
    assert "Proposed reject: closed eyes, blur (sure: 80%; not decided yet)" in tooltip(row, flags)


def test_a_highlighted_keep_and_no_proposal() -> None:
    row = _row(Proposal(1, ProposalVerdict.KEEP, (), 0.9, True))
    assert _top_pills(row) == [HIGHLIGHT, "KEEP?"]
    assert "Proposed keep, a highlight" in tooltip(row, photo_flags(row, 70.0))
    plain = _row(None)
    assert _top_pills(plain) == [] and photo_flags(plain, 70.0).proposed is None
    assert "Proposed" not in tooltip(plain, photo_flags(plain, 70.0))

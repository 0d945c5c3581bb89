"""`PackedProposals`: many proposals kept in a shape the cycle collector does not walk.

What an Accept the Rest ended is kept for its undo; as `Proposal` records
60,000 made ~100,000 objects every full collection walked (126-137 ms:
docs/decisions/catalog.md). A tuple of atomic values is untracked after one
collection.

Invariants: immutable; a row is what `store` writes; no catalog, no Qt;
`records()` remakes the `Proposal`s (without `why`).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from curator.records import Proposal, ProposalReason, ProposalVerdict

SEP = "|"  # between the reasons of a stored proposal
# (photo id, verdict, reasons joined by SEP, confidence 0..1, highlight 0/1)
ProposalRow = tuple[int, str, str, float, int]


def proposal_row(p: Proposal) -> ProposalRow:
    """A proposal as its stored columns."""
    return (
        int(p.photo_id),
        p.verdict.value,
        SEP.join(r.value for r in p.reasons),
        float(p.confidence),
        int(p.highlight),
    )


def stored_row(
    photo_id: Any, verdict: Any, reasons: Any, confidence: Any, highlight: Any
) -> ProposalRow:
    """A row as the database gave it (a backend's bool, Decimal or None) in the
    plain types `ProposalRow` holds."""
    return (
        int(photo_id),
        str(verdict),
        str(reasons or ""),
        float(confidence),
        int(bool(highlight)),
    )


def proposal_record(
    photo_id: int, verdict: str, reasons: str, confidence: float, highlight: object
) -> Proposal:
    """A stored proposal's columns as the record the window shows."""
    return Proposal(
        photo_id,
        ProposalVerdict(verdict),
        tuple(ProposalReason(r) for r in str(reasons).split(SEP) if r),
        float(confidence),
        bool(highlight),
    )


class PackedProposals:
    """Proposals as a tuple of `ProposalRow`s (module docstring)."""

    __slots__ = ("rows",)

    def __init__(self, rows: Iterable[ProposalRow] = ()) -> None:
        self.rows: tuple[ProposalRow, ...] = tuple(rows)

    @classmethod
    def of(cls, proposals: Iterable[Proposal] | PackedProposals) -> PackedProposals:
        """`proposals` packed (a packed one as it is)."""
        if isinstance(proposals, PackedProposals):
            return proposals
        return cls(proposal_row(p) for p in proposals)

    def __len__(self) -> int:
        return len(self.rows)

    def __iter__(self) -> Iterator[ProposalRow]:
        return iter(self.rows)

    def photo_ids(self) -> list[int]:
        return [row[0] for row in self.rows]

    def verdicts(self) -> dict[int, str]:
        """The verdict's value ("keep", "reject") by photo."""
        return {row[0]: row[1] for row in self.rows}

    def records(self) -> list[Proposal]:
        return [proposal_record(*row) for row in self.rows]


__all__ = [
    "SEP",
    "PackedProposals",
    "ProposalRow",
    "proposal_record",
    "proposal_row",
    "stored_row",
]

"""A proposal's summary in words, as `curator cull --propose` prints it and
the window's Cull ▸ Propose… shows it while the controls move: the counts
("keep 412 · reject 1,588 · highlights 62"), the rejects' reasons, most
common first, why the keeps chosen for their people were ("both smiling,
looking at the camera": `Proposal.why`), and the sentence when a target asked for more keeps than
there were acceptable frames. Pure."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from curator.cull.rules import ProposalSummary
from curator.records import Proposal, ProposalVerdict


def reject_reasons(proposals: Iterable[Proposal]) -> Counter[str]:
    """How many proposed rejects give each reason (a reject may give several)."""
    return Counter(
        r.value for p in proposals if p.verdict is ProposalVerdict.REJECT for r in p.reasons
    )


def keep_reasons(proposals: Iterable[Proposal]) -> Counter[str]:
    """How many proposed keeps were chosen for how their people look, by the words."""
    return Counter(p.why for p in proposals if p.verdict is ProposalVerdict.KEEP and p.why)


def counts_text(s: ProposalSummary) -> str:
    return f"keep {s.keep:,} · reject {s.reject:,} · highlights {s.highlights:,}"


def reasons_text(reasons: Counter[str]) -> str:
    """ "blur 12, duplicate 9" ("" without rejects)."""
    return ", ".join(f"{name} {n:,}" for name, n in reasons.most_common())


def keeps_text(reasons: Counter[str]) -> str:
    """ "3 both smiling, looking at the camera; 1 eyes open · smiling" ("" without)."""
    return "; ".join(f"{n:,} {words}" for words, n in reasons.most_common())


def short_text(s: ProposalSummary) -> str:
    """The sentence when the target could not be met ("" when it was, or without one)."""
    if not s.short or s.target is None:
        return ""
    return (
        f"Only {s.acceptable:,} frame(s) passed every check: {s.keep:,} kept, "
        f"not the {s.target:,} asked for."
    )

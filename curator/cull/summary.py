"""A proposal's summary in words, as `curator cull --propose` prints it and
the window's Cull ▸ Propose… shows it while the controls move: the counts
("keep 412 · reject 1,588 · highlights 62"), the rejects' reasons, most
common first, why the keeps chosen for their people were ("both smiling,
looking at the camera": `Proposal.why`), the sentence when a target asked
for more keeps than there were acceptable frames, and the shoot's people
with no keep ("3 people have no keep: Anna, Ben and 1 unnamed":
cull.coverage). Pure."""

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


NAMES_SHOWN = 5  # names listed before "and N more"


def people_text(s: ProposalSummary) -> str:
    """ "3 people have no keep: Anna, Ben and 1 unnamed" ("" when everyone has
    one), and when the target could not cover everyone, how many it left out."""
    if not s.no_keep:
        return ""
    names = [p.name for p in s.no_keep if p.name is not None]
    unnamed = len(s.no_keep) - len(names)
    parts = names[:NAMES_SHOWN]
    if len(names) > NAMES_SHOWN:
        parts.append(f"{len(names) - NAMES_SHOWN:,} more named")
    if unnamed:
        parts.append(f"{unnamed:,} unnamed")
    listed = parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]
    n = len(s.no_keep)
    text = f"{n:,} {'person has' if n == 1 else 'people have'} no keep: {listed}."
    if s.beyond_target and s.target is not None:
        text += (
            f" {s.beyond_target:,} of them had a good frame, but there were more people"
            f" than the {s.target:,} keep(s) asked for."
        )
    return text


def failed_text(summary: ProposalSummary) -> str:
    """The photos a proposal left out because the technical stage failed on them."""
    n = summary.failed
    return (
        f"{n:,} photo{'s' if n != 1 else ''} left out: Curator could not read "
        f"{'them' if n != 1 else 'it'} (the Failed lane says why)"
    )

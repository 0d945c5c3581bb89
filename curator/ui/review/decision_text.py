"""Sentences that name a decision for the status line ("Undone: reject of
IMG_0412.jpg", "Redone: rating of 12 photos"); pure, over `DecisionRecord`s.

An undo's records are the inverse rows, newest first, so the LAST record's
old value names the action; a redo's replay it, so the FIRST record's new
value does. An undo over another seat's later decision says whose (`since_text`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the catalog is imported after the first paint (issue 21 §1)
    from curator.catalog.decisions import DecisionRecord

_CULL_WORDS = {"kept": "keep", "rejected": "reject", "unreviewed": "clear of keep/reject"}


def action_name(kind: str, value: str | None) -> str:
    """What a decision of `kind` that set `value` is called: "reject", "3★ rating"."""
    if kind == "cull":
        return _CULL_WORDS.get(value or "unreviewed", "keep/reject")
    if kind == "pick":
        return "pick" if value == "1" else "unpick"
    if kind == "rating":
        return "rating removal" if value is None else f"{value}★ rating"
    if kind == "label":
        return "label removal" if value is None else f"{value} label"
    if kind == "tag":
        _state, _, name = (value or "").partition(":")
        return f"tag “{name}”" if name else "tag"
    if kind == "rotation":
        return "rotation"
    return str(kind)


def history_text(verb: str, records: Sequence[DecisionRecord], names: Mapping[int, str]) -> str:
    """ "Undone: reject of IMG_0412.jpg" — `verb` is "Undone" or "Redone";
    `names` maps photo ids to file names (a missing one reads "photo N")."""
    if not records:
        return f"{verb}: nothing."
    undo = verb.lower().startswith("undo")
    ordered = list(reversed(records)) if undo else list(records)
    kind = ordered[0].kind  # the step's lead (a 3★ that also keeps names the rating)
    # Mixed values of that kind (an accepted proposal: keeps and rejects) name each.
    what = " and ".join(
        dict.fromkeys(
            action_name(kind, r.old_value if undo else r.new_value)
            for r in ordered
            if r.kind == kind
        )
    )
    ids = list(dict.fromkeys(r.photo_id for r in records))
    whom = names.get(ids[0], f"photo {ids[0]}") if len(ids) == 1 else f"{len(ids)} photos"
    return f"{verb}: {what} of {whom}{since_text(records, len(ids))}."


def since_text(records: Sequence[DecisionRecord], photos: int) -> str:
    """ ", which assistant@studio-2 had changed since" (another seat's later decision), or ""."""
    by = {r.photo_id: r.changed_by for r in records if r.changed_by}
    if not by:
        return ""
    seats = ", ".join(dict.fromkeys(by.values()))
    if photos == 1:
        return f", which {seats} had changed since"
    return f" ({len(by)} of them changed since by {seats})"


def done_text(records: Sequence[DecisionRecord], asked: int) -> str:
    """What a decision on `asked` photos did: "reject of 12 photos." (or that none changed)."""
    if not records:
        noun = "photo" if asked == 1 else "photos"
        return f"Nothing changed: the {noun} already had that."
    n = len({r.photo_id for r in records})
    what = action_name(records[0].kind, records[0].new_value)
    return f"{what[:1].upper()}{what[1:]} of {n} {'photo' if n == 1 else 'photos'}."


def no_proposal_text(asked: int) -> str:
    """A (accept the proposal) where there is none: nothing was decided."""
    which = "This photo has" if asked == 1 else "None of these photos has"
    return (
        f"{which} no proposal to accept, so nothing was decided: P keeps, X rejects"
        " (Cull ▸ Propose… or curator cull --propose makes proposals)."
    )


def accepted_text(records: Sequence[DecisionRecord], asked: int) -> str:
    """What accepting proposals did: "Proposal accepted: kept." for one photo,
    "Proposals accepted: 3 kept, 1 rejected (2 without a proposal, …)." for several."""
    final = {r.photo_id: r.new_value for r in records if r.kind == "cull"}
    kept = sum(1 for v in final.values() if v == "kept")
    rejected = sum(1 for v in final.values() if v == "rejected")
    if asked == 1 and len(final) == 1:
        return f"Proposal accepted: {'kept' if kept else 'rejected'}."
    if not final:
        return "Nothing changed: someone had decided these photos already."
    parts = [f"{n} {word}" for n, word in ((kept, "kept"), (rejected, "rejected")) if n]
    left = asked - len(final)
    rest = f" ({left} without a proposal, or decided already)" if left else ""
    return f"Proposals accepted: {', '.join(parts)}{rest}."

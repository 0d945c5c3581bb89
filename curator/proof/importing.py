"""Bringing a client's selection back into the catalog: the one sequence that
`curator proof import` and the window's File ▸ Import Client Selection… both
run (no Qt).

read (the file's bytes or pasted text) → its gallery, by the token it names
→ the signature checked with that gallery's selection key → applied as a
whole (`catalog.proofing.picks.apply_selection`, one transaction). Each step
refuses with one sentence (`SelectionRefused`, `PicksRefused`) and then
nothing has changed: only the last step writes.
"""

from __future__ import annotations

from curator.catalog.proofing.galleries import Gallery, gallery_by_token
from curator.catalog.proofing.picks import PicksState, apply_selection
from curator.proof.access import selection_key
from curator.proof.selection import Selection, SelectionRefused, read_selection, verify


def import_selection(data: bytes) -> tuple[Gallery, PicksState, Selection]:
    """Apply the client's selection in `data` (module docstring): its gallery,
    the state after it and the selection as read."""
    selection = read_selection(data)
    gallery = gallery_by_token(selection.gallery)
    if gallery is None:
        raise SelectionRefused(
            f"This selection is for a gallery this catalog does not hold "
            f"(“{selection.title}”): import it into the catalog that made it."
        )
    verify(selection, selection_key(gallery.secret, gallery.token))
    state = apply_selection(
        gallery.id, set(selection.hearts), selection.comments, selection.confirmed_at
    )
    return gallery, state, selection

""" "Least sure first" in the cull pass (cull for me): the toolbar toggle and Shift+A.

`switch_least_sure_first` turns the cull pass's order to this seat's
photographer's proposals, least sure first, or back to its usual order at the
same photo, and returns the status bar's sentence (how many, or why none).
"""

from __future__ import annotations

from curator.ui.review.pass_order import PassOrder
from curator.ui.review.session import ReviewPass, ReviewSession


def switch_least_sure_first(session: ReviewSession, order: PassOrder, on: bool) -> str:
    """Turn "least sure first" on or off; the notice to show."""
    order.least_sure_first = on
    if not on:
        order.held.pop("cull", None)  # read again when next switched on
        if session.pass_ is ReviewPass.CULL:
            session.start(ReviewPass.CULL, at_photo=session.current)
        return "Cull pass: likeliest rejects first again."
    session.set_scope(None)  # the proposals' order wins over what the gallery shows
    session.start(ReviewPass.CULL)
    n = len(session.order)
    if n == 0:
        return (
            "Least sure first: there is no proposal to review (a decision ends a photo's"
            " proposal; Cull ▸ Propose… or curator cull --propose makes them)."
        )
    noun = "proposal" if n == 1 else "proposals"
    return (
        f"Cull pass, least sure first: {n} {noun}, the ones Curator is least sure of"
        " first. A accepts one, P / X decide otherwise."
    )

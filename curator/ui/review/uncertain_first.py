""" "Most uncertain first" in the rating pass: the toolbar toggle and Shift+U.

`switch_uncertain_first` turns the rating pass's order to the unrated kept
photos the taste model is least sure of first, or back to capture order at the
same photo, and returns the status bar's sentence (no taste model yet: why).
"""

from __future__ import annotations

from curator.ui.review.pass_order import PassOrder
from curator.ui.review.session import ReviewPass, ReviewSession


def switch_uncertain_first(
    session: ReviewSession,
    order: PassOrder,
    on: bool,
    embedding_model: str,
    fitted: bool | None = None,
) -> str:
    """Turn "most uncertain first" on or off; the notice to show. `fitted`: is
    there a taste model (read with the order on a worker; None: read here)."""
    order.uncertain_first = on
    if not on:
        order.held.pop("rating", None)  # read again when next switched on
        if session.pass_ is ReviewPass.RATING:
            session.start(ReviewPass.RATING, at_photo=session.current)
        return "Rating pass in capture order."
    session.set_scope(None)  # the uncertain order wins over a search's rank order
    session.start(ReviewPass.RATING)
    n = len(session.order)
    if n == 0:
        return "Most uncertain first: every kept photo is rated already."
    if fitted is None:
        fitted = has_taste_model(embedding_model)
    if not fitted:
        from curator.ml.taste import MIN_SAMPLES  # numpy: not before the first paint

        return (
            f"Most uncertain first: no taste model yet (it needs {MIN_SAMPLES} decisions on"
            f" embedded photos), so the {n} unrated kept photos come in capture order."
        )
    return (
        f"Rating pass, most uncertain first: {n} unrated photos, the ones the taste model"
        " is least sure of first."
    )


def has_taste_model(embedding_model: str) -> bool:
    """Is a taste model stored for these embeddings (a catalog read: any thread)?"""
    from curator.pipeline.stages.score import latest_fitted  # the catalog: not before the paint

    return latest_fitted(embedding_model) is not None

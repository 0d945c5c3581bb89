"""How many decisions the taste model needs, and the sentence when it has fewer.

numpy-free, so the score step can tell "not enough to learn from" from three
COUNT queries (`catalog.judgments.decision_counts`) without loading the fitting
stack. `ml.taste` re-exports both and raises `NotEnoughDecisions` with it.
"""

from __future__ import annotations

from curator.records import DecisionCounts

MIN_SAMPLES = 10


def not_enough_message(counts: DecisionCounts, *, weights_missing: bool = False) -> str:
    """The sentence for too few decisions on embedded photos (the hint only when true)."""
    text = (
        f"The taste model needs at least {MIN_SAMPLES} decisions on embedded photos; you have "
        f"{counts.decisions} decision{'s' if counts.decisions != 1 else ''}, "
        f"{counts.embedded_decisions} embedded"
    )
    if weights_missing:
        text += " (CLIP weights missing — run `curator models pull`)"
    elif counts.embedded_decisions < counts.decisions:
        text += " (the others get an embedding when the embed stage runs)"
    return text + "."

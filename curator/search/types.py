"""The values every kind of search returns (no Qt, no catalog)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class SearchHit:
    """One photo found, best first. `score`: higher is better; for text search
    the negated bm25 rank, for semantic search and more-like-this the cosine."""

    photo_id: int
    score: float
    why: str = ""  # e.g. "duplicate", "same burst", matched terms: for the UI and --json


class SearchUnavailable(Exception):
    """A search that can't run here (no CLIP weights, no embeddings yet); str()
    is the one sentence that says why and what to do."""

"""The gallery grid: its model (ordered ids + a row cache), its view and delegate,
the filter bar, the metadata filter popup, the thumbnail size and the decision
keys that act on a selection."""

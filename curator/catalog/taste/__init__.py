"""Taste models: stored per embedding model (and, on a shared catalog, per
photographer), and the preference scores they write (`store`)."""

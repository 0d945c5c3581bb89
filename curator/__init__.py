"""Curator: a local-first photo culler that measures, describes and learns your taste."""

__version__ = "0.1.0"

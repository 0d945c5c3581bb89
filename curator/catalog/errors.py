"""The catalog's base error (kept apart so `db` and `storage` both import it, no cycle)."""

from __future__ import annotations


class CatalogError(Exception):
    """The catalog can't be used; `str(err)` is the sentence to show."""

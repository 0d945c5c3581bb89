"""Small value types of the catalog that code outside it may name without
importing the ORM models (the UI must not import `catalog.models`).

`CullState` lives in `curator.records` (it crosses layers: ml's labels read
it too); this module and `catalog.models` re-export it, so `models.CullState`
is this same class.
"""

from __future__ import annotations

from curator.records import CullState

__all__ = ["CullState"]

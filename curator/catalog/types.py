"""Small value types of the catalog that code outside it may name without
importing the ORM models (the UI must not import `catalog.models`).

`catalog.models` re-exports them, so `models.CullState` is this same class.
"""

from __future__ import annotations

from enum import StrEnum


class CullState(StrEnum):
    UNREVIEWED = "unreviewed"
    KEPT = "kept"
    REJECTED = "rejected"

"""Placeholder until the storage-faults branch lands (it replaces this file)."""

from __future__ import annotations

from curator.catalog.db import CatalogError


class StorageError(CatalogError):
    """The disk or the catalog file refuses writes; str() is the sentence."""


def storage_problem(exc: BaseException, *, what: str) -> StorageError | None:
    text = str(exc).lower()
    if "disk is full" in text or "no space" in text:
        return StorageError(f"The disk holding {what} is full: free some space and run again.")
    if "readonly" in text or "read-only" in text:
        return StorageError(f"{what} is read-only: make it writable or pick another catalog.")
    return None

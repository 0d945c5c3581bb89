"""Catalog rows for the tag tests: a bare photo, and one the describer tagged."""

from __future__ import annotations

from curator.catalog import judgments
from curator.catalog.models import Photo


def plain_photo(n: int) -> int:
    """A measured-nothing photo row `/lib/{n}.jpg`; its id."""
    return int(Photo.create(path=f"/lib/{n}.jpg".encode(), content_hash=f"h{n}").id)


def described(photo_id: int, tags: list[str]) -> None:
    """A description of `photo_id` carrying the describer's `tags`."""
    judgments.store_description(
        photo_id,
        subject="s",
        content_type="landscape",
        lighting_critique="",
        artistic_mood="",
        tags=tags,
        model="m",
        prompt_version="p",
    )

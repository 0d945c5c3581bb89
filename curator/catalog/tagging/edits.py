"""Tag edits over many photos by name: `curator tag add|remove` and `curator tags rename`.

The window's tag edits (`decisions.add_tag` / `remove_tag`) for every photo of
one command, as ONE transaction and ONE undo step (`decisions.one_step`). A
rename removes OLD and adds NEW as yours (merging with an existing NEW).

A hierarchical name (`Places|Italy|Rome`) is the tag of its last level
(`curator.tags.normalise_tag`), its levels kept as the keyword's hierarchy
(`keywords.record_keywords`, source "curator") unless another tool's is
recorded already.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from curator.catalog.decisions import DecisionRecord, add_tag, one_step, remove_tag
from curator.catalog.models import Photo, PhotoKeyword, PhotoTag, Tag
from curator.catalog.tagging.keywords import SourceKeyword, record_keywords
from curator.tags import TAG_MAX_CHARS, TAG_MIN_CHARS, normalise_tag

KEYWORD_SOURCE = "curator"  # `photo_keyword.source` of a hierarchy typed in Curator
LEVELS = "|"  # Lightroom's separator of a keyword's levels


class TagNameError(ValueError):
    """A tag name that can't be used; the message says why."""


@dataclass(frozen=True)
class TagName:
    """A tag as typed: its catalog name, its text and its levels ('' when flat)."""

    name: str  # the catalog's form of the last level ("rome")
    text: str  # the last level as typed ("Rome")
    path: str = ""  # "Places|Italy|Rome"; '' for a flat name


def parse_tag_name(raw: str) -> TagName:
    """`raw` as a tag; TagNameError when nothing usable is left of it."""
    levels = [level.strip() for level in raw.split(LEVELS)]
    if len(levels) > 1 and not all(levels):
        raise TagNameError(f"“{raw}” has an empty level: write levels as Places|Italy|Rome.")
    text = levels[-1]
    name = normalise_tag(text)
    if name is None:
        raise TagNameError(
            f"“{raw}” is not a usable tag: a tag has {TAG_MIN_CHARS}–{TAG_MAX_CHARS} letters"
            " or digits, and is not a word like “photo” that says nothing about one photo."
        )
    return TagName(name, text, LEVELS.join(levels) if len(levels) > 1 else "")


def tag_photos(
    photo_ids: Iterable[int], tag: TagName, *, pass_: str = "cli"
) -> list[DecisionRecord]:
    """Tag every photo with `tag` as yours: one undo step; the decisions logged."""
    return one_step(photo_ids, _adding(tag, pass_))


def untag_photos(
    photo_ids: Iterable[int], tag: TagName, *, pass_: str = "cli"
) -> list[DecisionRecord]:
    """Remove `tag` from every photo that carries it: one undo step."""
    return one_step(photo_ids, lambda pid: remove_tag(pid, tag.name, pass_=pass_))


@dataclass(frozen=True)
class Renamed:
    """What a rename did: the photos that carried OLD and the decisions logged."""

    photos: int
    records: tuple[DecisionRecord, ...]


def rename_tag(old: TagName, new: TagName, *, pass_: str = "cli") -> Renamed:
    """Move every photo carrying `old` onto `new` (see the module docstring)."""
    ids = photos_with_tag(old.name)
    add = _adding(new, pass_)

    def move(pid: int) -> list[DecisionRecord]:
        records = [] if old.name == new.name else remove_tag(pid, old.name, pass_=pass_)
        return records + add(pid)

    return Renamed(len(ids), tuple(one_step(ids, move)))


def photos_with_tag(name: str) -> list[int]:
    """The live photos that carry tag `name` (not removed), by id."""
    rows = (
        PhotoTag.select(PhotoTag.photo)
        .join(Tag)
        .switch(PhotoTag)
        .join(Photo)
        .where(Tag.name == name, PhotoTag.removed_at.is_null(), Photo.deleted_at.is_null())
        .order_by(PhotoTag.photo)
        .tuples()
    )
    return [int(pid) for (pid,) in rows]


def _adding(tag: TagName, pass_: str) -> Callable[[int], list[DecisionRecord]]:
    def add(pid: int) -> list[DecisionRecord]:
        records = add_tag(pid, tag.name, pass_=pass_)
        if tag.path:
            _keep_levels(pid, tag)
        return records

    return add


def _keep_levels(photo_id: int, tag: TagName) -> None:
    """Record `tag`'s levels for the photo, unless a hierarchy is known for it."""
    known = PhotoKeyword.select().where(
        PhotoKeyword.photo == photo_id, PhotoKeyword.tag == tag.name, PhotoKeyword.path != ""
    )
    if not known.exists():
        record_keywords(photo_id, [SourceKeyword(tag.text, tag.path)], KEYWORD_SOURCE)

"""People's names as the keywords Lightroom and digiKam use, and which of them are Curator's.

A named person is three keywords (`person_keywords`): `People|Name` in
`lr:hierarchicalSubject`, `Name` in `dc:subject`, `People/Name` in
`digiKam:TagsList` (`|` and `/` in a name become `-`).

Curator remembers which of them it wrote (`XmpState.people`, in `xmp_sync`):
`plan_people(wanted, owned, current)` adds wanted names' keywords the file
lacks and removes only Curator's own for names no longer wanted; a keyword the
file had before stays the user's; a name the regions already give gets none.
`with_people` adds the edit to `xmp.edit.plan_edit`'s; `owned_now` says which
are Curator's after a write. Pure (`xmp.tree` applies the `PeopleEdit`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

from curator.interop.xmp.edit import PeopleEdit, PlannedEdit, XmpEdit
from curator.interop.xmp.fields import XmpFields
from curator.tags import normalise_tag

__all__ = [
    "PEOPLE_ROOT",
    "PeopleEdit",
    "keyword_name",
    "owned_now",
    "person_keywords",
    "plan_people",
    "wanted_keywords",
    "with_people",
]

PEOPLE_ROOT = "People"


def keyword_name(name: str) -> str:
    """`name` as a keyword: its separators made plain, spaces collapsed."""
    return " ".join(name.replace("|", "-").replace("/", "-").split())


def person_keywords(name: str) -> tuple[str, str]:
    """(hierarchical path, flat keyword) of a person's name."""
    clean = keyword_name(name)
    return f"{PEOPLE_ROOT}|{clean}", clean


def wanted_keywords(names: Iterable[str]) -> tuple[str, ...]:
    """Every keyword string of `names`, paths and flats, in order, each once."""
    out: list[str] = []
    for name in names:
        if keyword_name(name):
            out.extend(person_keywords(name))
    return tuple(dict.fromkeys(out))


def _present(current: XmpFields) -> set[str]:
    """The keyword strings the file has, in the forms `PeopleEdit` speaks."""
    return {*current.hierarchical, *current.keywords}


def plan_people(wanted: Iterable[str], owned: frozenset[str], current: XmpFields) -> PeopleEdit:
    """The edit that brings the names `wanted` into a file saying `current`,
    taking out only Curator's own keywords (`owned`) of names no longer wanted."""
    # A name the file's own regions already give (another tool named the face)
    # is that tool's word, not news from Curator: no keyword is added for it.
    stated = {r.name.casefold() for r in current.named_faces}
    want = wanted_keywords(n for n in wanted if n.casefold() not in stated)
    present = _present(current)
    add = tuple(k for k in want if k not in present)
    gone = {k for k in owned if k not in want and k in present}
    # A flat keyword that is still the leaf of a path the file keeps is left
    # (Lightroom lists every path's leaf in dc:subject).
    leaves = {p.rsplit("|", 1)[-1].strip() for p in current.hierarchical if p not in gone}
    remove = frozenset(k for k in gone if "|" in k or k not in leaves)
    return PeopleEdit(add, remove)


def with_people(
    planned: PlannedEdit,
    wanted: Iterable[str],
    owned: frozenset[str],
    current: XmpFields,
    extras: XmpEdit,
    *,
    own_file: bool = False,
) -> PlannedEdit:
    """`planned` (`xmp.edit.plan_edit`'s edit) with the person keywords the
    names need; a change of names is a decision, so Curator's regions (their
    names) and namespace ride along with it, as with any other decision."""
    people = plan_people(wanted, owned, current)
    if not people:
        return planned
    edit = planned.edit
    if not (edit.decides or own_file):
        edit = replace(
            edit,
            caption=extras.caption,
            creator_tool=extras.creator_tool,
            scores=extras.scores,
            texts=extras.texts,
            faces=extras.faces,
        )
    return replace(planned, edit=replace(edit, people=people))


def owned_now(
    owned: frozenset[str],
    edit: PeopleEdit | None,
    *,
    fresh: bool,
    wanted: Iterable[str],
    keywords_after: frozenset[str],
) -> frozenset[str]:
    """Curator's person keywords in a sidecar after a write: all the wanted
    ones in a sidecar Curator made (`fresh`), else the ones it owned less those
    it took out, with those it added; only those the file now has
    (`keywords_after`: its keywords in the catalog's tag form)."""
    if fresh:
        candidates = set(wanted_keywords(wanted))
    elif edit is None:
        candidates = set(owned)
    else:
        candidates = (set(owned) - edit.remove) | set(edit.add)
    return frozenset(k for k in candidates if normalise_tag(k.rsplit("|", 1)[-1]) in keywords_after)

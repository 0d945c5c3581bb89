"""Resolving a group of near-duplicates: one keeper takes the group's
decisions, the other copies are rejected as duplicates of it. Nothing is
deleted or moved: a rejected copy leaves only through the purge to the OS
trash the photographer runs.

`plan_resolution` (pure) says what resolving a group would do — the
`--dry-run`; `resolve` writes any number of them as ONE transaction and ONE
undo step (decisions' `apply_many`, pass `duplicates`): Ctrl+Z, `curator
undo`, brings every copy back as it was. The keeper gets: the best rating
of the group, a pick if any copy was picked, its own label or else the
first label of a copy, the union of the photographer's tags, every project a
copy is in, the people of a copy's faces on its own faces where they lie
(catalog.people.persons `carry_people`: a face of its own keeps its
person), and a copy's place in a client gallery with the client's heart and
comment (catalog.proofing.picks `hand_picks_to`). The decisions are one undo
step; the projects, people and client picks it took stay with the keeper
after an undo (being in a set, named or hearted takes nothing away). A
keeper never picked, rated or kept before is kept: resolving is a judgment.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from curator.catalog import decisions, projects
from curator.catalog.duplicates.keeper import DuplicateCopy, suggested_keeper
from curator.catalog.models import CullState
from curator.catalog.people.persons import carry_people, people_before
from curator.catalog.proofing.picks import hand_picks_to

DUPLICATES_PASS = "duplicates"


@dataclass(frozen=True)
class Resolution:
    """What resolving one group does (`plan_resolution`)."""

    keeper: DuplicateCopy
    why: str  # why this copy is kept ("the original RAW", "you chose it")
    rejected: tuple[DuplicateCopy, ...]
    rating: int | None  # the keeper's rating after
    picked: bool
    label: str | None
    tags_added: tuple[str, ...]
    projects_added: tuple[str, ...]
    people_added: tuple[str, ...]  # names on a copy the keeper's faces had not

    def said(self) -> str:
        """The resolution in one line, for the terminal."""
        others = ", ".join(f"#{c.photo_id}" for c in self.rejected)
        gives = [
            f"{self.rating}★" if self.rating else "",
            "picked" if self.picked else "",
            f"label {self.label}" if self.label else "",
            f"tags {', '.join(self.tags_added)}" if self.tags_added else "",
            f"projects {', '.join(self.projects_added)}" if self.projects_added else "",
            f"people {', '.join(self.people_added)}" if self.people_added else "",
        ]
        given = "; ".join(g for g in gives if g)
        text = f"keep #{self.keeper.photo_id} ({self.why}); reject {others} as its duplicates"
        return f"{text}; it takes {given}" if given else text


def plan_resolution(copies: Sequence[DuplicateCopy], keeper_id: int | None = None) -> Resolution:
    """What resolving the group of `copies` does, keeping `keeper_id` (None: the
    suggested keeper). Raises ValueError for a keeper not in the group."""
    if len(copies) < 2:
        raise ValueError("A group of duplicates has two copies or more.")
    if keeper_id is None:
        keeper, why = suggested_keeper(copies)
    else:
        chosen = [c for c in copies if c.photo_id == keeper_id]
        if not chosen:
            ids = ", ".join(str(c.photo_id) for c in copies)
            raise ValueError(f"Photo {keeper_id} is not in this group ({ids}).")
        keeper, why = chosen[0], "you chose it"
    others = tuple(c for c in copies if c.photo_id != keeper.photo_id)
    ratings = [c.rating for c in copies if c.rating is not None]
    labels = [c.label for c in (keeper, *others) if c.label is not None]
    tags = sorted({t for c in others for t in c.tags} - set(keeper.tags))
    into = sorted({p for c in others for p in c.projects} - set(keeper.projects))
    people = sorted({n for c in others for n in c.people} - set(keeper.people))
    return Resolution(
        keeper,
        why,
        others,
        rating=max(ratings) if ratings else None,
        picked=any(c.picked for c in copies),
        label=labels[0] if labels else None,
        tags_added=tuple(tags),
        projects_added=tuple(into),
        people_added=tuple(people),
    )


def resolve(resolutions: Sequence[Resolution]) -> list[decisions.DecisionRecord]:
    """Write the resolutions as one transaction and one undo step (see above)."""

    def write() -> list[decisions.DecisionRecord]:
        records: list[decisions.DecisionRecord] = []
        for r in resolutions:
            pid = r.keeper.photo_id
            if r.rating is not None:
                records += decisions.set_rating(pid, r.rating, pass_=DUPLICATES_PASS)
            if r.picked:
                records += decisions.set_picked(pid, True, pass_=DUPLICATES_PASS)
            if r.label is not None:
                records += decisions.set_label(pid, r.label, pass_=DUPLICATES_PASS)
            for tag in r.tags_added:
                records += decisions.add_tag(pid, tag, pass_=DUPLICATES_PASS)
            records += decisions.set_cull(pid, CullState.KEPT, pass_=DUPLICATES_PASS)
            for name in r.projects_added:
                projects.add_photos(name, [pid])
            for other in r.rejected:
                carry_people(pid, people_before(other.photo_id))
                hand_picks_to(pid, other.photo_id)
                records += decisions.set_cull(
                    other.photo_id, CullState.REJECTED, pass_=DUPLICATES_PASS
                )
        return records

    return decisions.apply_many(write, one_undo_step=True)

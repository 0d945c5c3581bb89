"""Which photos Cull ▸ Propose… may be for: the scopes the dialog offers, each a
label and a `catalog.proposals.plan.Scope`, in this order:

0. this watch session's photos, while a folder is watched (ui.cull.menu);
1. the photos selected in the grid, when two or more are;
2. the project the grid shows, when it shows one;
3. what the grid shows (filters, tags, search), when narrower than the project;
4. the whole catalog;
5. every other project, by name;
6. the photos under each recent import folder (Folder… adds any folder).

Invariant: building the list reads no catalog, only what the window holds
(selection, projects, the grid's query); the dialog's controller reads a
scope's photos on its pool (`plan_frames` resolves a query's ids there).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from curator.catalog.proposals.plan import Scope
from curator.catalog.types import GalleryQuery, GallerySort

# A selection offered as a scope from this many photos on (see the module docstring).
SELECTION_MIN = 2


@dataclass(frozen=True)
class ScopeSources:
    """What the window knows now, from which the scopes are offered."""

    shown_project: tuple[int, str] | None = None  # the project the grid shows (id, name)
    projects: Sequence[tuple[int, str]] = ()  # every project (id, name), by name
    grid_query: GalleryQuery | None = None  # what the grid lists now
    selection: Sequence[int] = ()  # the grid's selected photos, in grid order
    folders: Sequence[str] = ()  # the recent import folders that still exist
    watch: tuple[str, Sequence[int]] | None = None  # the watched folder, its session's photos


def watch_label(folder: str, count: int) -> str:
    return f"This watch session: {count:,} photo{'' if count == 1 else 's'} from {folder}"


def folder_label(folder: str) -> str:
    return f"Under {folder}"


def project_label(name: str) -> str:
    return f"The project “{name}”"


def selection_label(count: int) -> str:
    return f"The {count:,} photos selected in the grid"


def grid_words(query: GalleryQuery) -> list[str]:
    """What narrows `query`, in words ("kept", "tag “boat”", "a search's 40 results");
    the sort and a project the grid shows say nothing about which photos."""
    words: list[str] = []
    if query.cull is not None:
        words.append(query.cull)
    if query.failed_only:
        words.append("failed")
    if query.missing_only:
        words.append("missing")
    if query.min_rating is not None:
        words.append(f"{'★' * query.min_rating} or more")
    if query.match_only:
        words.append("MATCH")
    if query.label is not None:
        words.append("no label" if query.label == "none" else f"label {query.label}")
    if query.content_type is not None:
        words.append(query.content_type.replace("_", " "))
    for name in dict.fromkeys((*([query.tag] if query.tag else []), *query.tags_all)):
        words.append(f"tag “{name}”")
    words.extend(f"not “{name}”" for name in query.tags_none)
    if query.burst_only:
        words.append("in bursts")
    if query.metadata.active:
        words.append(query.metadata.describe())
    if query.ranked_ids is not None:
        n = len(query.ranked_ids)
        words.append(f"a search's {n:,} result{'' if n == 1 else 's'}")
    return words


def grid_narrows(query: GalleryQuery) -> bool:
    """Whether `query` shows fewer photos than the whole catalog or its project."""
    plain = GalleryQuery(match_threshold=query.match_threshold)
    return replace(query, sort=GallerySort.CAPTURE_TIME, project_id=None) != plain


def grid_label(query: GalleryQuery, project: str | None = None) -> str:
    """ "What the grid shows: kept · tag “boat”" (`project`: the name of the one it shows)."""
    words = grid_words(query)
    if query.project_id is not None:
        words.insert(0, f"in “{project}”" if project else "in its project")
    return "What the grid shows: " + " · ".join(words)


def offered_scopes(sources: ScopeSources) -> list[tuple[str, Scope]]:
    """The scopes, labelled, in the order of the module docstring."""
    out: list[tuple[str, Scope]] = []
    if sources.watch is not None:
        folder, ids = sources.watch
        out.append((watch_label(folder, len(ids)), Scope(photo_ids=tuple(ids))))
    selected = tuple(dict.fromkeys(int(pid) for pid in sources.selection))
    if len(selected) >= SELECTION_MIN:
        out.append((selection_label(len(selected)), Scope(photo_ids=selected)))
    shown = sources.shown_project
    if shown is not None:
        out.append((project_label(shown[1]), Scope(project=shown[0])))
    query = sources.grid_query
    if query is not None and grid_narrows(query):
        name = shown[1] if shown is not None and shown[0] == query.project_id else None
        out.append((grid_label(query, name), Scope(query=query)))
    out.append(("The whole catalog", Scope()))
    out.extend(
        (project_label(name), Scope(project=pid))
        for pid, name in sources.projects
        if shown is None or pid != shown[0]
    )
    out.extend((folder_label(folder), Scope(folder=folder)) for folder in sources.folders)
    return out

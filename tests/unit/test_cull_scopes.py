"""The scopes Cull ▸ Propose… offers (issue 51 §4, ui.cull.scopes): their order,
their labels, and which grid queries are worth a scope of their own. Pure: no
catalog, no Qt."""

from __future__ import annotations

from curator.catalog.proposals.plan import Scope
from curator.catalog.types import GalleryQuery, GallerySort, MetadataFilter
from curator.ui.cull.scopes import ScopeSources, grid_label, grid_narrows, offered_scopes


def test_the_scopes_come_selection_project_grid_catalog_projects_folders() -> None:
    grid = GalleryQuery(cull="unreviewed", project_id=2, tag="boat")
    scopes = offered_scopes(
        ScopeSources(
            shown_project=(2, "Wedding"),
            projects=[(1, "Album"), (2, "Wedding")],
            grid_query=grid,
            selection=[7, 5, 7, 9],
            folders=["/shoot/day1"],
        )
    )
    assert scopes == [
        ("The 3 photos selected in the grid", Scope(photo_ids=(7, 5, 9))),
        ("The project “Wedding”", Scope(project=2)),
        ("What the grid shows: in “Wedding” · unreviewed · tag “boat”", Scope(query=grid)),
        ("The whole catalog", Scope()),
        ("The project “Album”", Scope(project=1)),  # the one shown is not offered twice
        ("Under /shoot/day1", Scope(folder="/shoot/day1")),
    ]


def test_one_photo_selected_and_a_grid_that_only_sorts_are_not_scopes() -> None:
    scopes = offered_scopes(
        ScopeSources(grid_query=GalleryQuery(sort=GallerySort.SHARPNESS), selection=[4])
    )
    assert [label for label, _ in scopes] == ["The whole catalog"]


def test_a_grid_query_narrows_by_any_filter_but_not_by_sort_or_its_project() -> None:
    assert not grid_narrows(GalleryQuery(match_threshold=80.0, sort=GallerySort.RATING))
    assert not grid_narrows(GalleryQuery(project_id=3))  # the project's scope says it
    for narrower in (
        GalleryQuery(cull="kept"),
        GalleryQuery(match_only=True),
        GalleryQuery(tags_none=("sea",)),
        GalleryQuery(metadata=MetadataFilter(iso_min=3200)),
        GalleryQuery(ranked_ids=()),  # a search that found nothing still narrows
    ):
        assert grid_narrows(narrower), narrower


def test_the_grid_label_says_what_narrows_it() -> None:
    query = GalleryQuery(
        min_rating=4,
        label="none",
        content_type="still_life",
        tags_all=("sea",),
        tags_none=("boat",),
        metadata=MetadataFilter(iso_min=3200),
        ranked_ids=(3, 1),
    )
    assert grid_label(query) == (
        "What the grid shows: ★★★★ or more · no label · still life · tag “sea” · not “boat”"
        " · ISO ≥ 3200 · a search's 2 results"
    )
    assert grid_label(GalleryQuery(project_id=2, burst_only=True)) == (
        "What the grid shows: in its project · in bursts"
    )

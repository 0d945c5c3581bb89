"""The approval rule: every clause, on the pure function and the SQL condition alike."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest

from curator.catalog.approval import (
    approved_condition,
    is_approved,
    is_exportable_member,
    model_trusted,
)
from curator.catalog.db import Catalog
from curator.catalog.models import Photo
from tests.scores import set_score
from tests.taste_helpers import store_model

THRESHOLD = 70.0
GONE = datetime(2026, 1, 2, 3, 4, 5)

# (case, photo values, approved?)
CASES: list[tuple[str, dict[str, Any], bool]] = [
    ("rejected 5-star", {"cull": "rejected", "rating": 5, "preference": 99.0}, False),
    ("unjudged preference 95", {"cull": "unreviewed", "preference": 95.0}, False),
    ("kept 2-star preference 95", {"cull": "kept", "rating": 2, "preference": 95.0}, False),
    ("kept unrated preference at threshold", {"cull": "kept", "preference": THRESHOLD}, True),
    ("kept unrated preference above", {"cull": "kept", "preference": 95.0}, True),
    ("kept unrated preference below", {"cull": "kept", "preference": 69.9}, False),
    ("kept unrated unscored", {"cull": "kept"}, False),
    ("picked", {"cull": "kept", "picked": True}, True),
    ("picked 1-star", {"cull": "kept", "picked": True, "rating": 1}, True),
    ("4-star unreviewed", {"cull": "unreviewed", "rating": 4}, True),
    ("5-star kept", {"cull": "kept", "rating": 5}, True),
    ("3-star kept", {"cull": "kept", "rating": 3}, False),
    (
        "missing 5-star picked",
        {"cull": "kept", "rating": 5, "picked": True, "missing": True},
        False,
    ),
    (
        "deleted 5-star picked",
        {"cull": "kept", "rating": 5, "picked": True, "deleted": True},
        False,
    ),
    # A file that failed with nothing decoded: rated 5 and picked, never seen.
    (
        "no pixels 5-star picked",
        {"cull": "kept", "rating": 5, "picked": True, "blind": True},
        False,
    ),
    ("thumbnail only 5-star", {"cull": "kept", "rating": 5, "preview": False}, True),
]


def _values(spec: dict[str, Any]) -> dict[str, Any]:
    return {
        "cull": spec["cull"],
        "picked": spec.get("picked", False),
        "rating": spec.get("rating"),
        "preference": spec.get("preference"),
        "missing_since": GONE if spec.get("missing") else None,
        "deleted_at": GONE if spec.get("deleted") else None,
        "has_pixels": not spec.get("blind"),
    }


@pytest.mark.parametrize(("case", "spec", "expected"), CASES, ids=[c[0] for c in CASES])
def test_is_approved(case: str, spec: dict[str, Any], expected: bool) -> None:
    assert is_approved(**_values(spec), match_threshold=THRESHOLD) is expected


def test_sql_condition_agrees_with_the_pure_rule(catalog: Catalog) -> None:
    store_model(spearman=0.8, samples=60)  # a model whose MATCH approves
    ids: dict[str, int] = {}
    for i, (case, spec, _) in enumerate(CASES):
        v = _values(spec)
        photo = Photo.create(
            path=f"/lib/{i}.jpg".encode(),
            content_hash=f"h{i}",
            cull=v["cull"],
            picked=v["picked"],
            rating=v["rating"],
            missing_since=v["missing_since"],
            deleted_at=v["deleted_at"],
            preview_key=None if spec.get("blind") or spec.get("preview") is False else f"p/{i}",
            thumbnail_key=None if spec.get("blind") else f"t/{i}",
        )
        ids[case] = photo.id
        set_score(photo.id, v["preference"])
    approved = {p.id for p in Photo.select(Photo.id).where(approved_condition(THRESHOLD))}
    expected = {ids[case] for case, _, ok in CASES if ok}
    assert approved == expected
    # The threshold is a parameter, not a constant: raising it drops the model-only approval.
    stricter = {p.id for p in Photo.select(Photo.id).where(approved_condition(96.0))}
    assert ids["kept unrated preference above"] not in stricter
    assert ids["picked"] in stricter


def test_project_members_go_out_unless_rejected_missing_or_deleted() -> None:
    assert is_exportable_member(cull="unreviewed", missing=False, deleted=False)
    assert is_exportable_member(cull="kept", missing=False, deleted=False)
    assert not is_exportable_member(cull="rejected", missing=False, deleted=False)
    assert not is_exportable_member(cull="kept", missing=True, deleted=False)
    assert not is_exportable_member(cull="kept", missing=False, deleted=True)


def test_a_match_approves_only_from_a_model_that_clears_the_bar(catalog: Catalog) -> None:
    """Issue 20: an unrated keeper goes out on the model's word only when the
    model is not early and its honest held-out Spearman is at least the bar."""
    liked = Photo.create(path=b"/lib/liked.jpg", content_hash="h", cull="kept",
                         preview_key="p/h").id  # fmt: skip
    set_score(liked, 90.0)
    rated = Photo.create(path=b"/lib/five.jpg", content_hash="r", cull="kept", rating=5,
                         preview_key="p/r").id  # fmt: skip

    def approved(bar: float = 0.5) -> set[int]:
        return {p.id for p in Photo.select(Photo.id).where(approved_condition(THRESHOLD, bar))}

    assert approved() == {rated}  # no model at all
    store_model(spearman=0.9, samples=12)  # early: never approves
    assert approved() == {rated} and not model_trusted(0.5)
    store_model(spearman=0.35, samples=80)  # below the bar
    assert approved() == {rated} and approved(bar=0.3) == {rated, liked}
    store_model(spearman=0.62, samples=80)
    assert approved() == {rated, liked} and model_trusted(0.5)
    assert approved(bar=0.7) == {rated}  # the user's bar decides
    assert not is_approved(cull="kept", picked=False, rating=None, preference=90.0,
                           match_threshold=THRESHOLD, model_trusted=False)  # fmt: skip

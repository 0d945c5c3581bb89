"""The approval rule as the export applies it, clause by clause."""

from __future__ import annotations

import pytest

from curator.export.approval import is_approved, is_exportable_member


def _approved(
    cull: str = "unreviewed",
    rating: int | None = None,
    picked: bool = False,
    preference: float | None = None,
    missing: bool = False,
    deleted: bool = False,
) -> bool:
    return is_approved(
        cull=cull,
        rating=rating,
        picked=picked,
        preference=preference,
        missing=missing,
        deleted=deleted,
        match_threshold=70.0,
    )


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"rating": 5, "cull": "rejected"}, False),  # a reject beats any rating
        ({"preference": 99.0}, False),  # unjudged never goes out
        ({"rating": 2, "preference": 95.0}, False),  # a low rating beats the model
        ({"rating": 3, "cull": "kept", "preference": 95.0}, False),
        ({"cull": "kept", "preference": 70.0}, True),  # kept + liked by the model
        ({"cull": "kept", "preference": 69.9}, False),
        ({"cull": "kept"}, False),  # kept, no score yet
        ({"rating": 4}, True),
        ({"rating": 5, "cull": "kept"}, True),
        ({"picked": True, "cull": "kept"}, True),
        ({"picked": True, "rating": 2, "cull": "kept"}, True),  # a pick is explicit
        ({"rating": 5, "missing": True}, False),
        ({"rating": 5, "deleted": True}, False),
    ],
)
def test_is_approved(fields: dict[str, object], expected: bool) -> None:
    assert _approved(**fields) is expected  # type: ignore[arg-type]


def test_project_members_go_out_unless_rejected_missing_or_deleted() -> None:
    assert is_exportable_member(cull="unreviewed", missing=False, deleted=False)
    assert not is_exportable_member(cull="rejected", missing=False, deleted=False)
    assert not is_exportable_member(cull="kept", missing=True, deleted=False)
    assert not is_exportable_member(cull="kept", missing=False, deleted=True)

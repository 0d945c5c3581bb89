"""What the catalog claims in a sidecar: decisions as XMP values, a cleared
decision as a cleared value, no decision as None (the file keeps its own)."""

from __future__ import annotations

from curator.catalog import judgments
from curator.catalog.db import Catalog
from curator.catalog.decisions import (
    add_tag,
    remove_tag,
    set_cull,
    set_label,
    set_picked,
    set_rating,
)
from curator.catalog.models import CullState, Photo, PhotoPath
from curator.interop.xmp.fields import XmpFields
from curator.interop.xmp_fields import decided_photo_ids, xmp_fields_for
from curator.records import ColorLabel
from tests.scores import set_score


def _photo(name: str, **kw: object) -> int:
    score = kw.pop("preference_score", None)
    pid = int(Photo.create(path=f"/lib/{name}".encode(), content_hash=name, **kw).id)
    set_score(pid, score)  # type: ignore[arg-type]
    return pid


def test_only_decided_live_photos_are_chosen(catalog: Catalog) -> None:
    untouched = _photo("u.jpg", preference_score=99.0)
    rated = _photo("r.jpg")
    labelled = _photo("l.jpg")
    tagged = _photo("t.jpg")
    cleared = _photo("c.jpg")
    deleted = _photo("d.jpg")
    set_rating(rated, 3)
    set_label(labelled, ColorLabel.BLUE)
    add_tag(tagged, "harbour")
    set_rating(cleared, 2)
    set_rating(cleared, None)  # cleared: its old sidecar still says 2
    set_rating(deleted, 5)
    Photo.update(deleted_at=Photo.imported_at).where(Photo.id == deleted).execute()
    assert decided_photo_ids() == sorted([rated, labelled, tagged, cleared])
    assert untouched not in decided_photo_ids()
    assert [p.photo_id for p in xmp_fields_for([deleted, rated])] == [rated]


def test_values_cleared_in_curator_are_cleared_in_the_sidecar(catalog: Catalog) -> None:
    pid = _photo("a.jpg")
    set_rating(pid, 4)
    set_rating(pid, None)
    set_cull(pid, CullState.REJECTED)
    set_cull(pid, CullState.KEPT)
    set_picked(pid, True)
    set_picked(pid, False)
    set_label(pid, ColorLabel.RED)
    set_label(pid, None)
    (item,) = xmp_fields_for([pid])
    f = item.fields
    assert (f.rating, f.rejected, f.picked, f.label) == (0, False, False, "")


def test_values_curator_never_decided_stay_unsaid(catalog: Catalog) -> None:
    pid = _photo("b.jpg")
    add_tag(pid, "boats")
    (item,) = xmp_fields_for([pid])
    f = item.fields
    assert item.decided
    assert (f.rating, f.rejected, f.picked, f.label, f.description) == (None,) * 5
    assert f.keywords == ("boats",)


def test_full_fields_of_a_described_rejected_photo(catalog: Catalog) -> None:
    pid = _photo("c.jpg", sharpness_score=61.5, exposure_score=40.0, preference_score=88.0)
    PhotoPath.create(photo=pid, path=b"/lib/copy/c.jpg")
    judgments.store_description(
        pid,
        subject="Boats & nets at dawn",
        content_type="landscape",
        lighting_critique="Soft light.",
        artistic_mood="calm",
        tags=["sea", "boat"],
        model="m",
        prompt_version="p",
    )
    remove_tag(pid, "boat")  # feedback, never written
    add_tag(pid, "Zebra crossing")
    add_tag(pid, "harbour")
    set_rating(pid, 5)
    set_cull(pid, CullState.REJECTED)
    set_label(pid, ColorLabel.PURPLE)
    (item,) = xmp_fields_for([pid])
    assert item.paths == ("/lib/c.jpg", "/lib/copy/c.jpg")
    assert item.fields == XmpFields(
        rating=5,
        label="Purple",
        picked=None,
        rejected=True,
        keywords=("harbour", "Zebra crossing", "sea"),  # the user's first (by name), then AI's
        description="Boats & nets at dawn",
        scores={"preference": 88.0, "sharpness": 61.5, "exposure": 40.0},
        texts={"content_type": "landscape", "mood": "calm", "lighting": "Soft light."},
    )

"""plan_export on catalogs built row by row: names, fields, and a large approved set."""

from __future__ import annotations

import os
import time
from datetime import datetime, timedelta
from pathlib import Path

from curator.catalog.models import (
    Description,
    Photo,
    PhotoPreference,
    PhotoTag,
    Project,
    ProjectPhoto,
    Tag,
)
from curator.export.plan import plan_export
from curator.export.types import ExportRequest
from tests.scores import set_score
from tests.taste_helpers import store_model


def _photo(path: str, n: int, **fields: object) -> Photo:
    values: dict[str, object] = {
        "path": os.fsencode(path),
        "content_hash": f"{n:064x}",
        "size": 1000 + n,
        "captured_at": datetime(2024, 1, 1) + timedelta(minutes=n),
        "cull": "kept",
        "rating": 5,
        "preview_key": f"previews/{n}.jpg",  # measured: pixels were seen (approval)
    }
    values.update(fields)
    score = values.pop("preference_score", None)
    photo = Photo.create(**values)
    set_score(photo.id, score)  # type: ignore[arg-type]
    return photo


def test_a_raw_jpeg_pair_keeps_one_base_name_and_other_stems_are_unique(
    catalog: object, tmp_path: Path
) -> None:
    _photo("/a/IMG_1.JPG", 1)
    _photo("/b/img_1.cr2", 2)
    _photo("/a/IMG_1.CR2", 3)  # the pair of /a/IMG_1.JPG, captured later
    _photo("/c/CON.jpg", 4)
    originals = plan_export(ExportRequest(dest=tmp_path))
    # The pair sits together (the RAW first) under one base name; the other
    # IMG_1 takes -2 as a whole group, never IMG_1.JPG + IMG_1-2.CR2.
    assert [f.name for f in originals.files] == [
        "IMG_1.CR2",
        "IMG_1.JPG",
        "img_1-2.cr2",
        "CON_.jpg",
    ]
    groups = [f.group for f in originals.files]
    assert groups[0] == groups[1] and groups[0].size == 2 and groups[2].first_suffix == 2
    assert originals.folder == tmp_path / "approved"
    renditions = plan_export(ExportRequest(dest=tmp_path, renditions_long_edge=2048))
    assert [f.name for f in renditions.files] == [
        "IMG_1.jpg",
        "IMG_1_JPG.jpg",  # the pair's second rendition keeps the base name too
        "img_1-2.jpg",
        "CON_.jpg",
    ]


def test_manifest_and_xmp_fields_come_from_the_catalog(catalog: object, tmp_path: Path) -> None:
    p = _photo(
        "/a/x.jpg",
        1,
        camera_make="Canon",
        camera_model="Canon EOS 6D",
        lens="EF 50mm",
        picked=True,
        label="red",
        preference_score=81.5,
        sharpness_score=70.0,
        exposure_score=90.0,
    )
    Description.create(
        photo=p,
        subject="A boat",
        content_type="landscape",
        lighting_critique="soft",
        artistic_mood="calm",
        model="m",
        prompt_version="1",
    )
    for name, source in (("boat", "ai"), ("trip", "user")):
        PhotoTag.create(photo=p, tag=Tag.create(name=name), source=source)
    ProjectPhoto.create(project=Project.create(name="Harbour"), photo=p)
    (planned,) = plan_export(ExportRequest(dest=tmp_path)).files
    m = planned.manifest
    assert m["camera"] == "Canon EOS 6D" and m["lens"] == "EF 50mm"
    assert (m["rating"], m["picked"], m["label"]) == (5, True, "red")
    assert (m["preference_score"], m["sharpness"], m["exposure"]) == (81.5, 70.0, 90.0)
    assert (m["subject"], m["content_type"], m["mood"], m["lighting"]) == (
        "A boat",
        "landscape",
        "calm",
        "soft",
    )
    assert m["tags"] == ["trip", "boat"] and m["user_tags"] == ["trip"]
    assert m["projects"] == ["Harbour"] and m["captured_at"] == "2024-01-01T00:01:00"
    x = planned.xmp
    assert (x.rating, x.label, x.picked, x.rejected) == (5, "Red", True, False)
    assert x.keywords == ("trip", "boat") and x.description == "A boat"
    assert x.scores == {"preference": 81.5, "sharpness": 70.0, "exposure": 90.0}
    assert x.creator_tool and x.creator_tool.startswith("Curator ")
    # The same catalog view `curator xmp write` uses: the description's words too.
    assert x.texts == {"content_type": "landscape", "mood": "calm", "lighting": "soft"}


def test_a_large_approved_set_plans_quickly(catalog: object, tmp_path: Path) -> None:
    tag = Tag.create(name="sea")
    rows = [
        {
            "path": os.fsencode(f"/lib/{n // 1000}/IMG_{n % 1000:04d}.jpg"),
            "content_hash": f"{n:064x}",
            "cull": "kept" if n % 3 else "unreviewed",
            "rating": 5 if n % 2 else None,
            "preview_key": f"previews/{n}.jpg",
        }
        for n in range(6000)
    ]
    store_model()  # a model whose MATCH approves (catalog.approval)
    with catalog.db.atomic():  # type: ignore[attr-defined]
        Photo.insert_many(rows).execute()
        ids = [pid for (pid,) in Photo.select(Photo.id).tuples()]
        PhotoPreference.insert_many(
            [{"photo": i, "score": 80.0, "model_version": 1} for i in ids]
        ).execute()
        PhotoTag.insert_many([{"photo": i, "tag": tag, "source": "ai"} for i in ids]).execute()
    start = time.perf_counter()
    plan = plan_export(ExportRequest(dest=tmp_path))
    elapsed = time.perf_counter() - start
    # Unreviewed and unrated (n % 3 == 0 and n even) is unjudged: never approved.
    assert len(plan.files) == sum(1 for n in range(6000) if n % 3 or n % 2)
    assert all(f.manifest["tags"] == ["sea"] for f in plan.files)
    assert len({f.name.casefold() for f in plan.files}) == len(plan.files)
    print(f"planned {len(plan.files)} photos in {elapsed:.2f} s")

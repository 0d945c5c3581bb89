"""The writer's per-photo statements (catalog/writer.py: their SQL made once, not
built by peewee per photo): a save writes only the fields set since the row was
read, a new photo is inserted, and a measured batch lands exactly as it did."""

from __future__ import annotations

from pathlib import Path

from curator.catalog.models import Photo, Stage, StageRun, StageStatus
from curator.catalog.paths_codec import encode_path
from curator.catalog.writer import Attempted, CatalogWriter, save_changed
from curator.records import ExifData, FileFormat, TechnicalMeasurement


def _photo(name: str, **fields: object) -> Photo:
    return Photo.create(path=encode_path(f"/shoot/{name}"), content_hash=f"h-{name}", **fields)


def test_a_save_writes_only_the_fields_set_since_the_row_was_read(catalog: object) -> None:
    photo = _photo("a.jpg", rating=2, sharpness_score=10.0)
    read = Photo.get_by_id(photo.id)
    # Another writer decides after this row was read: a field the save did not set.
    Photo.update(rating=5).where(Photo.id == photo.id).execute()
    read.sharpness_score = 80.0
    read.width = 6000
    save_changed(read)
    row = Photo.get_by_id(photo.id)
    assert (row.rating, row.sharpness_score, row.width) == (5, 80.0, 6000)
    assert read.dirty_fields == []  # saved: nothing left to write
    Photo.update(rating=1).where(Photo.id == photo.id).execute()
    save_changed(read)  # nothing set since: no write at all
    assert Photo.get_by_id(photo.id).rating == 1


def test_a_save_of_a_new_photo_inserts_it(catalog: object) -> None:
    fresh = Photo(path=encode_path("/shoot/new.jpg"), content_hash="h-new", width=4000)
    save_changed(fresh)
    assert fresh.id is not None
    assert Photo.get_by_id(fresh.id).width == 4000


def _measurement(path: str, content_hash: str, sharpness_note: str = "") -> TechnicalMeasurement:
    return TechnicalMeasurement(
        path=path,
        content_hash=content_hash,
        size=1234,
        mtime_ns=42,
        decoded=True,
        format=FileFormat.JPEG,
        width=3000,
        height=2000,
        exif=ExifData(camera_make="Sony", camera_model="RX100", iso=200),
        preview_key="p/x.jpg",
        thumbnail_key="t/x.jpg",
        notes=(sharpness_note,) if sharpness_note else (),
    )


def test_a_measured_batch_lands_by_path_by_extra_path_and_by_bytes(
    catalog: object, tmp_path: Path
) -> None:
    """New photos, a re-measure of a known path, the same bytes at a second
    existing path (a copy: an extra path), and the stage rows: each found by the
    statements made once, each written as the photo's own."""
    kept = tmp_path / "kept.jpg"
    copy = tmp_path / "copy.jpg"
    for f in (kept, copy):
        f.write_bytes(b"x")
    writer = CatalogWriter(Photo._meta.database, stage_version="t1")
    first = writer.apply_technical([Attempted(_measurement(str(kept), "hash-kept"), 1, 3)])
    assert sum(first.values()) == 1
    photo = Photo.get(Photo.content_hash == "hash-kept")
    Photo.update(rating=4).where(Photo.id == photo.id).execute()  # the photographer's
    again = writer.apply_technical(
        [
            Attempted(_measurement(str(copy), "hash-kept"), 1, 3),
            Attempted(_measurement(str(kept), "hash-kept", "remeasured"), 2, 3),
        ]
    )
    assert sum(again.values()) == 2
    row = Photo.get_by_id(photo.id)
    assert (row.rating, row.camera_model, row.iso, row.notes) == (4, "RX100", 200, "remeasured")
    assert Photo.select().count() == 1  # the copy is an extra path, not a second photo
    assert [bytes(p.path) for p in row.extra_paths] == [encode_path(str(copy))]
    runs = list(StageRun.select().where(StageRun.photo == photo.id))
    assert [(r.stage, r.status, r.attempts, r.stage_version) for r in runs] == [
        (Stage.TECHNICAL.value, StageStatus.DONE.value, 2, "t1")
    ]
    assert runs[0].updated_at is not None and runs[0].updated_at.year >= 2024


def test_a_quick_look_inserts_the_row_peewee_would(catalog: object) -> None:
    """Every column of a quick-looked photo (peewee's defaults included: cull,
    picked, rotation…) equals the row `Photo.insert` writes for the same values."""
    from datetime import datetime

    from curator.catalog.quicklook import apply_quick_looks
    from curator.records import QuickLook

    shot = datetime(2024, 5, 1, 9, 30, 15)
    exif = ExifData(camera_make="Sony", camera_model="RX100", iso=400, captured_at=shot)
    look = QuickLook("/shoot/q.jpg", "hash-q", 999, 7, FileFormat.JPEG, "q/key.jpg", 640, 480, exif)
    (pid,) = apply_quick_looks(Photo._meta.database, [look], "v1")
    reference = Photo.insert(
        path=encode_path("/shoot/reference.jpg"),
        content_hash="hash-r",
        size=999,
        mtime_ns=7,
        format=FileFormat.JPEG.value,
        width=640,
        height=480,
        orientation=exif.orientation,
        captured_at=shot,
        camera_make="Sony",
        camera_model="RX100",
        lens=None,
        iso=400,
        exposure_time=None,
        f_number=None,
        focal_length=None,
        thumbnail_key="q/key.jpg",
    ).execute()
    db = Photo._meta.database
    cursor = db.execute_sql("SELECT * FROM photo WHERE id IN (?, ?) ORDER BY id", (pid, reference))
    columns = [d[0] for d in cursor.description]
    got, want = (dict(zip(columns, row, strict=True)) for row in cursor.fetchall())
    own = {"id", "path", "content_hash", "pair_key", "imported_at", "updated_at"}  # its own
    assert {c for c in columns if c not in own and got[c] != want[c]} == set()
    assert (got["cull"], got["picked"], got["rotation"]) == ("unreviewed", 0, 0)
    assert got["captured_at"] == want["captured_at"] and got["captured_at"].startswith("2024-05-01")
    assert str(got["imported_at"])[:10] == str(want["imported_at"])[:10]

"""Photos and people placed by hand in a test catalog, for the proposal and
coverage tests (issue 42, issue 50 §4): a technically good photo, a person
row (m025: person), and a face of a person on a photo (face_person)."""

from __future__ import annotations

from datetime import datetime, timedelta

from curator.catalog.models import Face, Photo

T0 = datetime(2025, 6, 1, 12, 0, 0)


def good_photo(i: int, folder: str = "/shoot", seconds_apart: int = 10, **kw: object) -> int:
    """Photo `i` of a shoot in `folder`, sharp and well exposed, taken
    `seconds_apart` after photo i - 1; `kw` overrides any column."""
    fields: dict[str, object] = {
        "path": f"{folder}/IMG_{i:04d}.jpg".encode(),
        "content_hash": f"h{folder}{i}",
        "captured_at": T0 + timedelta(seconds=seconds_apart * i),
        "sharpness_score": 80.0,
        "exposure_score": 95.0,
        "exposure_ev": 0.0,
        "highlight_clip": 0.01,
    }
    fields.update(kw)
    return int(Photo.create(**fields).id)


def person(name: str | None) -> int:
    db = Photo._meta.database
    (pid,) = db.execute_sql(
        'INSERT INTO "person" ("name", "made_at") VALUES (?, ?) RETURNING "id"',
        (name, "2025-06-01 12:00:00"),
    ).fetchone()
    return int(pid)


def faces_of(photo: int, *people: int) -> None:
    """One face per person on `photo`, each placed in its person."""
    db = Photo._meta.database
    for idx, who in enumerate(people):
        face = Face.create(
            photo=photo, idx=idx, x=0.1 * idx, y=0.2, w=0.1, h=0.2, size_px=200, judged=True,
            eyes="open", is_key=True, confidence=0.9,
        )  # fmt: skip
        db.execute_sql(
            'INSERT INTO "face_person" ("face_id", "person_id") VALUES (?, ?)', (face.id, who)
        )

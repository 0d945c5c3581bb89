"""People placed by hand in a test catalog (m025: person, face_person), for the
coverage tests (issue 50 §4): a person row, and a face of a person on a photo."""

from __future__ import annotations

from curator.catalog.models import Face, Photo


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

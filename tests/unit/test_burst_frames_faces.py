"""The faces a burst's frames carry (catalog.judgments.burst_frames' join of
the faces summary), on both backends."""

from __future__ import annotations

from datetime import datetime, timedelta

from curator.catalog.judgments import burst_frames, key_eyes
from curator.catalog.models import Photo
from curator.catalog.people.store import write_faces
from curator.records import EyeState, Face, FacesFound, FacesSummary, KeyEyes


def _photo(n: int) -> int:
    photo = Photo.create(
        path=f"/shoot/IMG_{n:04d}.JPG".encode(),
        content_hash=f"h{n}",
        captured_at=datetime(2024, 6, 1, 12) + timedelta(seconds=n),
    )
    return int(photo.id)


def _found(*, closed: bool = False, faces: int = 1) -> FacesFound:
    eyes = EyeState.CLOSED if closed else EyeState.OPEN
    found = tuple(
        Face(box=(0.1 * i, 0.1, 0.2, 0.2), size_px=200, judged=True, eyes=eyes, key=i == 0)
        for i in range(faces)
    )
    summary = FacesSummary(
        faces, faces, min(faces, 1), closed, False, faces > 0 and not closed, 70.0
    )
    return FacesFound(faces=found, version="v1", summary=summary)


def test_a_burst_frame_carries_its_key_faces(any_catalog: object) -> None:
    sharp, blink, bare = _photo(1), _photo(2), _photo(3)
    write_faces([(sharp, _found()), (blink, _found(closed=True)), (bare, _found(faces=0))])
    frames = {f.photo_id: f for f in burst_frames("clip")}
    assert frames[sharp].eyes_open is True and frames[sharp].closed_eyes is False
    assert frames[blink].closed_eyes is True and frames[blink].key_face_sharpness == 70.0
    assert frames[bare].eyes_open is None  # no key face: the other rules choose


def test_a_burst_frame_carries_how_its_faces_look(any_catalog: object) -> None:
    ready, glum = _photo(1), _photo(2)
    face = Face(box=(0.1, 0.1, 0.2, 0.2), size_px=200, judged=True, eyes=EyeState.OPEN, key=True)
    summary = FacesSummary(
        1, 1, 1, False, False, True, 70.0, smiling=True, all_at_camera=True, ready=1
    )
    write_faces(
        [
            (ready, FacesFound(faces=(face,), version="v1", summary=summary)),
            (glum, _found()),
        ]
    )
    frames = {f.photo_id: f for f in burst_frames("clip")}
    assert (frames[ready].faces_ready, frames[ready].all_at_camera, frames[ready].smiling) == (
        1,
        True,
        True,
    )
    assert (frames[glum].faces_ready, frames[glum].all_at_camera, frames[glum].smiling) == (
        0,
        False,
        False,
    )


def test_a_burst_frame_carries_its_key_faces_least_smile(
    any_catalog: object,
) -> None:
    both, bare = _photo(1), _photo(2)
    faces = tuple(
        Face(
            box=(0.3 * i, 0.1, 0.2, 0.2),
            size_px=200,
            judged=True,
            eyes=EyeState.OPEN,
            openness=o,
            sharpness=60.0 - 10 * i,
            key=k,
            smile=s,
        )
        for i, (o, s, k) in enumerate(((0.31, 0.97, True), (0.24, 0.62, True), (0.1, 0.01, False)))
    )
    summary = FacesSummary(3, 3, 2, False, False, True, 70.0, smiling=True)
    write_faces([(both, FacesFound(faces=faces, version="v1", summary=summary)), (bare, _found())])
    frames = {f.photo_id: f for f in burst_frames("clip")}
    # the least of the key faces (the third face is not key: it does not count)
    assert frames[both].smile == 0.62
    assert frames[bare].smile is None  # not read
    # and, asked for (a burst's frames with faces), each key face's place,
    # openness, eyes, smile, look and sharpness, as the star compares one
    # person; the frames do not carry them
    open_ = EyeState.OPEN
    assert key_eyes([both, bare, 999]) == {
        both: (
            KeyEyes(0.1, 0.2, 0.2, 0.2, 0.31, open_, 0.97, None, 60.0),
            KeyEyes.at((0.3, 0.1, 0.2, 0.2), 0.24, open_, 0.62, None, 50.0),
        ),
        bare: (KeyEyes.at((0.0, 0.1, 0.2, 0.2), None, open_),),  # nothing measured but its eyes
    }  # 999 is no photo
    assert frames[both].key_eyes == ()

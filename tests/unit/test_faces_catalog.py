"""The faces stage in the catalog: its one write path, what the panel and
`list --json` read, the people filters (gallery and search), the cull pass's
likeliest-rejects order, and what a back-fill plans."""

from __future__ import annotations

import sqlite3
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from curator.catalog.db import Catalog
from curator.catalog.models import ErrorLog, Photo, Stage, StageRun, StageStatus, utcnow
from curator.catalog.people import store
from curator.catalog.queries import gallery_query_ids, gallery_rows, gallery_sql, photo_details
from curator.catalog.types import GalleryQuery, GallerySort, MetadataFilter, PeopleChoice
from curator.records import (
    LOOKED_AGAIN,
    EyeState,
    Face,
    FacesFailure,
    FacesFound,
    FacesSummary,
    Looking,
)
from curator.search.text import text_search
from curator.search.tokens import TokenKind, parse_query
from tests.old_catalogs import catalog_at_version
from tests.scores import set_score

V = "faces-test"


def photo(n: int, *, measured: bool = True) -> int:
    p = Photo.create(
        path=f"/shoot/IMG_{n:04d}.jpg".encode(),
        content_hash=f"{n:064x}",
        captured_at=datetime(2024, 6, 1, 12) + timedelta(seconds=n),
        preview_key=f"p/{n}.jpg",
        noise_level=1.5,
        sharpness_score=80.0,
    )
    if measured:
        StageRun.create(photo=p.id, stage=Stage.TECHNICAL.value, status=StageStatus.DONE.value)
    return int(p.id)


def found(*faces: Face, closed: bool = False, soft: bool = False) -> FacesFound:
    key = [f for f in faces if f.key]
    summary = FacesSummary(
        count=len(faces),
        judged=sum(f.judged for f in faces),
        key=len(key),
        closed_eyes=closed,
        soft_face=soft,
        eyes_open=bool(key) and not closed,
        key_sharpness=min((f.sharpness or 0.0) for f in key) if key else None,
    )
    return FacesFound(tuple(faces), V, summary=summary)


OPEN = Face((0.4, 0.1, 0.2, 0.25), 300, True, EyeState.OPEN, None, 0.3, 82.0, True, 0.93)
CLOSED = Face((0.1, 0.2, 0.2, 0.25), 280, True, EyeState.CLOSED, None, 0.05, 75.0, True, 0.9)
TINY = Face((0.8, 0.1, 0.02, 0.03), 30, False, EyeState.UNKNOWN, "too small", confidence=0.6)


def test_faces_are_replaced_whole_with_their_summary_and_stage(catalog: object) -> None:
    pid = photo(1)
    store.apply_faces(Photo._meta.database, [(pid, found(OPEN, CLOSED, TINY, closed=True))])
    assert store.faces_of(pid) == (OPEN, CLOSED, TINY)
    assert store.summaries([pid])[pid].closed_eyes
    run = StageRun.get(StageRun.photo == pid, StageRun.stage == Stage.FACES.value)
    assert (run.status, run.stage_version) == ("done", V)
    # A re-run replaces them (a replayed batch gives the same rows, never more).
    store.apply_faces(Photo._meta.database, [(pid, found(OPEN))])
    store.apply_faces(Photo._meta.database, [(pid, found(OPEN))])
    assert store.faces_of(pid) == (OPEN,)
    assert not store.summaries([pid])[pid].closed_eyes


def test_a_failure_keeps_earlier_faces_and_is_logged_with_its_sentence(catalog: object) -> None:
    pid = photo(1)
    store.apply_faces(Photo._meta.database, [(pid, found(OPEN))])
    failure = FacesFailure("The face model crashed on this photo.", "WorkerCrashed", "SIGSEGV")
    store.apply_faces(Photo._meta.database, [(pid, failure)])
    assert store.faces_of(pid) == (OPEN,)
    run = StageRun.get(StageRun.photo == pid, StageRun.stage == Stage.FACES.value)
    assert run.status == "failed" and run.failure_reason == failure.message
    log = ErrorLog.get(ErrorLog.photo == pid)
    assert (log.stage, log.message, log.detail) == ("faces", failure.message, "SIGSEGV")


def test_a_photo_purged_meanwhile_is_left_alone(catalog: object) -> None:
    pid = photo(1)
    Photo.update(deleted_at=utcnow()).where(Photo.id == pid).execute()
    assert store.apply_faces(Photo._meta.database, [(pid, found(OPEN))]) == 0
    assert store.faces_of(pid) == ()


def test_the_panel_says_what_was_found_or_why_nothing_was_judged(catalog: object) -> None:
    db = Photo._meta.database
    waiting, skipped, nobody, small, people, again = (photo(n) for n in range(1, 7))
    unread = photo(7, measured=False)
    StageRun.create(photo=unread, stage=Stage.TECHNICAL.value, status=StageStatus.FAILED.value)
    store.mark_faces_skipped(db, [skipped], V, "The face model is not installed.")
    store.apply_faces(db, [(nobody, found()), (small, found(TINY))])
    store.apply_faces(db, [(people, found(OPEN, CLOSED, TINY, closed=True))])
    store.apply_faces(db, [(again, FacesFound((), V, note=LOOKED_AGAIN))])
    shown = (waiting, skipped, nobody, small, again, unread)
    notes = {pid: photo_details(pid).people.note for pid in shown}  # type: ignore[union-attr]
    assert notes == {
        waiting: "No faces judged yet (they are judged after the measurement).",
        skipped: "No faces judged: The face model is not installed.",
        nobody: "No faces found.",
        small: "1 face found, all too small to judge.",
        again: "No faces found, even looking again where the frames beside it show a face.",
        unread: "No faces judged: the photo itself could not be read.",  # failed, not "yet"
    }
    detail = photo_details(people).people  # type: ignore[union-attr]
    assert detail is not None and detail.faces == (OPEN, CLOSED, TINY)
    assert detail.note == ""  # judged faces: the panel counts them (face_labels.people_sentence)
    assert gallery_rows([people])[people].faces == store.summaries([people])[people]
    assert gallery_rows([waiting])[waiting].faces is None


def test_the_listing_has_faces_only_for_photos_the_stage_looked_at(catalog: object) -> None:
    db = Photo._meta.database
    looked, empty, waiting = photo(1), photo(2), photo(3)
    store.apply_faces(db, [(looked, found(OPEN, TINY)), (empty, found())])
    listing = store.faces_listing()
    assert waiting not in listing and listing[empty] == []
    first = listing[looked][0]
    assert first["box"] == list(OPEN.box) and first["eyes"] == "open"
    assert first["sharpness"] == 82.0 and first["key"] is True
    assert first["openness"] == 0.3  # what a burst's frames compare of one person
    assert listing[looked][1]["judged"] is False


LOOKS = replace(OPEN, smile=0.8731, looking=Looking.CAMERA, yaw=-12.5, pitch=4.25, roll=3.0)
UNREAD = replace(CLOSED, smile=0.1, looking=None, yaw=None, pitch=None, roll=None)


def test_how_faces_look_is_stored_listed_and_summarised(catalog: object) -> None:
    db = Photo._meta.database
    pid = photo(1)
    summary = FacesSummary(count=2, judged=2, key=1, smiling=True, all_at_camera=True, ready=1)
    store.apply_faces(db, [(pid, FacesFound((LOOKS, UNREAD), V, summary=summary))])
    assert store.faces_of(pid) == (LOOKS, UNREAD)
    assert store.faces_by_photo([pid])[pid] == (LOOKS, UNREAD)
    got = store.summaries([pid])[pid]
    assert (got.smiling, got.all_at_camera, got.ready) == (True, True, 1)
    first, second = store.faces_listing()[pid]
    assert (first["smile"], first["looking"]) == (0.8731, "camera")
    assert (first["yaw"], first["pitch"], first["roll"]) == (-12.5, 4.25, 3.0)
    assert (second["smile"], second["looking"], second["yaw"]) == (0.1, None, None)
    # Faces judged before issue 49 read back with nothing about how they look.
    store.apply_faces(db, [(pid, found(OPEN))])
    assert store.faces_of(pid)[0].smile is None and store.faces_of(pid)[0].looking is None
    assert not store.summaries([pid])[pid].smiling


def test_a_catalog_at_v23_gains_how_faces_look_with_old_faces_kept(tmp_path: Path) -> None:
    path = tmp_path / "v23.sqlite"
    con = catalog_at_version(path, 23)
    con.execute(
        "INSERT INTO photo (id, path, imported_at, updated_at)"
        " VALUES (1, X'2F612E6A7067', '2025-01-01 00:00:00', '2025-01-01 00:00:00')"
    )
    con.execute(
        "INSERT INTO face (photo_id, idx, x, y, w, h, size_px, judged, eyes, is_key, confidence)"
        " VALUES (1, 0, 0.1, 0.1, 0.2, 0.2, 200, 1, 'open', 1, 0.9)"
    )
    con.execute(
        "INSERT INTO photo_faces (photo_id, faces, judged, key_faces, closed_eyes, soft_face,"
        " eyes_open, version) VALUES (1, 1, 1, 1, 0, 0, 1, 'faces-4')"
    )
    con.execute("PRAGMA user_version = 23")
    con.commit()
    con.close()
    with Catalog.open(path):
        (kept,) = store.faces_of(1)
        assert kept.eyes is EyeState.OPEN and kept.smile is None and kept.yaw is None
        # m027 counts it again: a key face, open-eyed, its gaze not read: not seen away.
        assert store.summaries([1])[1].eyes_open and store.summaries([1])[1].ready == 1
    assert sqlite3.connect(path).execute("PRAGMA user_version").fetchone()[0] >= 24


def test_a_catalog_at_v26_counts_ready_again_unless_a_subject_looks_away(tmp_path: Path) -> None:
    path = tmp_path / "v26.sqlite"
    con = catalog_at_version(path, 26)
    for pid in (1, 2, 3):
        con.execute(
            "INSERT INTO photo (id, path, imported_at, updated_at)"
            " VALUES (?, ?, '2025-01-01 00:00:00', '2025-01-01 00:00:00')",
            (pid, f"/{pid}.jpg".encode()),
        )
    faces = [  # photo, judged, eyes, looking, key
        (1, 1, "open", "camera", 1),
        (1, 1, "open", None, 1),  # a subject, can't tell: ready now
        (1, 1, "open", None, 0),  # in the background, can't tell: still not
        (1, 1, "open", "camera", 0),  # in the background, at the camera: ready
        (1, 1, "open", "away", 1),
        (1, 1, "closed", None, 1),
        (1, 0, "unknown", None, 0),  # too small: never judged
        (2, 1, "open", "away", 1),
    ]
    for idx, (pid, judged, eyes, looking, key) in enumerate(faces):
        con.execute(
            "INSERT INTO face (photo_id, idx, x, y, w, h, size_px, judged, eyes, is_key,"
            " confidence, looking) VALUES (?, ?, 0.1, 0.1, 0.2, 0.2, 200, ?, ?, ?, 0.9, ?)",
            (pid, idx, judged, eyes, key, looking),
        )
    for pid, ready in ((1, 1), (2, 0), (3, 0)):  # 3: looked at, no face
        con.execute(
            "INSERT INTO photo_faces (photo_id, faces, judged, key_faces, closed_eyes,"
            " soft_face, eyes_open, version, ready) VALUES (?, 0, 0, 0, 0, 0, 0, 'faces-8', ?)",
            (pid, ready),
        )
    con.execute("PRAGMA user_version = 26")
    con.commit()
    con.close()
    with Catalog.open(path):
        got = store.summaries([1, 2, 3])
        assert (got[1].ready, got[2].ready, got[3].ready) == (3, 0, 0)
        assert store.faces_of(1)[1].looking is None  # the faces themselves untouched


def test_a_back_fill_plans_measured_photos_whose_faces_are_stale(catalog: object) -> None:
    db = Photo._meta.database
    done, stale, failed, never = (photo(n) for n in range(1, 5))
    unmeasured = photo(5, measured=False)
    store.apply_faces(db, [(done, found(OPEN))])
    StageRun.create(photo=stale, stage="faces", status="done", stage_version="faces-0")
    StageRun.create(photo=failed, stage="faces", status="failed", stage_version=V)
    needing = store.faces_needing(V)
    assert [row[0] for row in needing] == [stale, never]
    assert needing[0][1:4] == ("p/2.jpg", 1.5, 80.0)  # the preview, noise and sharpness
    # and the original, with what it held when measured (a group's detail look)
    assert (needing[0].path, needing[0].content_hash) == ("/shoot/IMG_0002.jpg", f"{2:064x}")
    assert unmeasured not in [row[0] for row in needing]


def _people_catalog() -> dict[str, int]:
    db = Photo._meta.database
    ids = {name: photo(n) for n, name in enumerate(("blink", "sharp", "soft", "empty", "new"), 1)}
    store.apply_faces(
        db,
        [
            (ids["blink"], found(OPEN, CLOSED, closed=True)),
            (ids["sharp"], found(OPEN, OPEN)),
            (ids["soft"], found(OPEN, soft=True)),
            (ids["empty"], found()),
        ],
    )
    return ids


@pytest.mark.parametrize(
    ("people", "expected"),
    [
        ("closed eyes", ["blink"]),
        ("soft face", ["soft"]),
        ("people", ["blink", "sharp", "soft"]),
        ("no people", ["empty"]),  # "new" is not judged yet: neither
    ],
)
def test_the_gallery_s_people_filter(catalog: object, people: str, expected: list[str]) -> None:
    ids = _people_catalog()
    names = {v: k for k, v in ids.items()}
    query = GalleryQuery(metadata=MetadataFilter(people=people))
    assert [names[i] for i in gallery_query_ids(query)] == expected
    assert [names[i] for i in gallery_query_ids(query, limit=10)] == expected
    assert query.metadata.active and query.metadata.describe() == people


@pytest.mark.parametrize("choice", list(PeopleChoice), ids=str)
def test_each_people_choice_shows_what_its_search_token_finds(
    catalog: object, choice: PeopleChoice
) -> None:
    _people_catalog()
    query = GalleryQuery(metadata=MetadataFilter(people=choice))
    assert set(gallery_query_ids(query)) == {h.photo_id for h in text_search(choice.token)}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("eyes:closed", {"blink"}),
        ("eyes:open", {"sharp", "soft"}),
        ("face:soft", {"soft"}),
        ("faces:0", {"empty"}),
        ("faces:1", {"soft"}),
        ("faces:2+", {"blink", "sharp"}),
        ("faces:1-2", {"blink", "sharp", "soft"}),
        ("Faces:2+ eyes:closed", {"blink"}),
    ],
)
def test_search_understands_people(catalog: object, text: str, expected: set[str]) -> None:
    ids = _people_catalog()
    names = {v: k for k, v in ids.items()}
    assert parse_query(text).values(TokenKind.PEOPLE) and not parse_query(text).words
    assert {names[h.photo_id] for h in text_search(text)} == expected


def test_the_people_filters_find_smiles_and_everyone_looking_at_the_camera(
    catalog: object,
) -> None:
    db = Photo._meta.database
    looks = {
        "both": FacesSummary(count=1, judged=1, key=1, smiling=True, all_at_camera=True, ready=1),
        "smiles away": FacesSummary(count=1, judged=1, key=1, smiling=True, all_at_camera=False),
        "glum": FacesSummary(count=1, judged=1, key=1, smiling=False, all_at_camera=True, ready=1),
        "none": FacesSummary(count=1, judged=1, key=1),
    }
    ids = {name: photo(n) for n, name in enumerate(looks, 1)}
    store.apply_faces(
        db, [(ids[name], FacesFound((LOOKS,), V, summary=s)) for name, s in looks.items()]
    )
    names = {v: k for k, v in ids.items()}

    def shown(people: str) -> set[str]:
        query = GalleryQuery(metadata=MetadataFilter(people=people))
        return {names[i] for i in gallery_query_ids(query)}

    assert shown("smiling") == {"both", "smiles away"}
    assert shown("looking at the camera") == {"both", "glum"}
    assert {names[h.photo_id] for h in text_search("face:smiling looking:camera")} == {"both"}


def test_a_people_word_that_is_not_a_filter_stays_a_word() -> None:
    parsed = parse_query("faces:many eyes:blue")
    assert parsed.filters == () and parsed.words == ("faces:many", "eyes:blue")


def test_the_likeliest_rejects_put_a_face_verdict_s_rejects_first(catalog: object) -> None:
    ids = _people_catalog()
    names = {v: k for k, v in ids.items()}
    for name, score in (("blink", 90.0), ("sharp", 20.0), ("soft", 95.0), ("empty", 10.0)):
        set_score(ids[name], score)
    query = GalleryQuery(sort=GallerySort.LIKELY_REJECTS)
    # Closed eyes and a soft face first (by score), then the rest by score, then the unscored.
    expected = ["blink", "soft", "empty", "sharp", "new"]
    assert [names[i] for i in gallery_query_ids(query)] == expected  # numpy's sort
    assert [names[i] for i in gallery_query_ids(query, limit=3)] == expected[:3]  # first page
    assert [names[i] for i in gallery_query_ids(query, limit=10)] == expected
    sql, params = gallery_sql(query)  # SQL's own, for catalogs it cannot pack
    rows = Photo._meta.database.execute_sql(sql, params).fetchall()
    assert [names[r[0]] for r in rows] == expected


def test_the_look_again_reads_faceless_frames_and_the_key_faces_beside_them(
    catalog: object,
) -> None:
    from curator.catalog.people.look_again import frames_to_look_again

    db = Photo._meta.database
    faced, faceless, noted, stale, purged = (photo(n) for n in range(1, 6))
    alone = photo(60)  # a minute later: no frame with a face within the pause
    gone = photo(6)  # its look again failed (its preview gone): not tried again
    Photo.update(camera_make="Canon", camera_model="EOS R5", width=6000, height=4000).where(
        Photo.id == faced
    ).execute()
    assert frames_to_look_again(V, 3.0) == ([], [])  # nothing judged yet: nothing to read
    store.apply_faces(db, [(faced, found(OPEN, replace(CLOSED, key=False)))])
    store.apply_faces(db, [(pid, FacesFound((), V)) for pid in (faceless, purged, alone)])
    store.apply_faces(db, [(noted, FacesFound((), V, note="too small to look for faces in"))])
    store.apply_faces(db, [(stale, FacesFound((), "faces-0"))])
    store.apply_faces(db, [(gone, FacesFound((), V))])
    store.apply_faces(db, [(gone, FacesFailure("The preview is gone.", "PreviewMissing"))])
    Photo.update(deleted_at=utcnow()).where(Photo.id == purged).execute()
    todo, with_faces = frames_to_look_again(V, 3.0)
    assert [t.frame.photo_id for t in todo] == [faceless]
    assert todo[0].preview_key == "p/2.jpg" and todo[0].noise_sd == 1.5
    assert todo[0].frame.camera is None and todo[0].frame.aspect is None
    assert todo[0].frame.when == datetime(2024, 6, 1, 12, 0, 2)
    (frame,) = with_faces
    assert frame.photo_id == faced and frame.camera == "Canon EOS R5" and frame.aspect == 1.5
    assert frame.faces == (OPEN.box,)  # its key face only
    assert frames_to_look_again(V, 0.5) == ([], [])  # 1 s apart: outside a 0.5 s pause

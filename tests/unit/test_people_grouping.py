"""People (issue 50 §2): faces grouped by their descriptors, incrementally
(ml.faces.people), and the people step on a catalog (catalog.people.persons,
pipeline.stages.people)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np

from curator.catalog.db import Catalog
from curator.catalog.models import Photo
from curator.catalog.people.persons import people_snapshot, persons_of_faces
from curator.catalog.people.store import apply_faces, faces_listing
from curator.ml.faces.descriptor import MODEL, vector_bytes
from curator.ml.faces.people import THRESHOLD, KnownFaces, group_faces
from curator.pipeline.stages.people import PeopleResult, update_people
from curator.records import EyeState, Face, FacesFound

DIMS = 128


def identity(seed: int) -> np.ndarray:
    v = np.random.default_rng(seed).normal(size=DIMS)
    return (v / np.linalg.norm(v)).astype(np.float32)


def faces_of(centre: np.ndarray, count: int, seed: int, spread: float = 0.6) -> np.ndarray:
    """`count` unit vectors around `centre` (pairwise similarity ~0.7 at 0.6)."""
    noise = np.random.default_rng(seed).normal(size=(count, DIMS)) / np.sqrt(DIMS)
    v = centre + spread * noise
    return (v / np.linalg.norm(v, axis=1, keepdims=True)).astype(np.float32)


def known(vectors: np.ndarray, person_of: list[int] | None = None, **kw: object) -> KnownFaces:
    n = len(vectors)
    return KnownFaces(
        np.arange(1, n + 1, dtype=np.int64),
        vectors,
        np.asarray(person_of if person_of is not None else [0] * n, np.int64),
        **kw,  # type: ignore[arg-type]
    )


def test_two_people_and_a_stranger_from_scratch() -> None:
    a, b = identity(1), identity(2)
    vectors = np.vstack([faces_of(a, 4, 10), faces_of(b, 3, 11), identity(3)[None]])
    grouping = group_faces(known(vectors))
    assert sorted(sorted(g) for g in grouping.new_people) == [[1, 2, 3, 4], [5, 6, 7]]
    assert grouping.left == [8] and grouping.joined == {}


def test_a_new_import_joins_the_people_already_there_and_forms_new_ones() -> None:
    a, b = identity(1), identity(2)
    old = faces_of(a, 3, 10)
    new = np.vstack([faces_of(a, 2, 12), faces_of(b, 2, 13)])
    grouping = group_faces(known(np.vstack([old, new]), [7, 7, 7, 0, 0, 0, 0]))
    assert grouping.joined == {4: 7, 5: 7}
    assert [sorted(g) for g in grouping.new_people] == [[6, 7]]


def test_two_existing_people_are_never_merged_nor_their_faces_moved() -> None:
    """Two people who are the same identity (the photographer kept them apart):
    new faces join one of them; neither person's faces are touched."""
    a = identity(1)
    vectors = np.vstack([faces_of(a, 2, 10), faces_of(a, 2, 11), faces_of(a, 3, 12)])
    grouping = group_faces(known(vectors, [1, 1, 2, 2, 0, 0, 0]))
    assert set(grouping.joined) == {5, 6, 7} and set(grouping.joined.values()) <= {1, 2}
    assert grouping.new_people == [] and grouping.left == []


def test_a_face_taken_out_of_a_person_never_joins_it_again() -> None:
    a, b = identity(1), identity(2)
    vectors = np.vstack([faces_of(a, 3, 10), faces_of(a, 1, 11), faces_of(b, 3, 12)])
    person_of = [1, 1, 1, 0, 2, 2, 2]
    assert group_faces(known(vectors, person_of)).joined == {4: 1}
    ruled = group_faces(known(vectors, person_of, ruled_out=frozenset({(4, 1)})))
    assert ruled.joined == {} and ruled.left == [4]


def test_faces_left_over_wait_for_the_next_batch() -> None:
    """Batches of two: a person's faces a batch apart still become one person."""
    a, b, c = identity(1), identity(2), identity(3)
    fa, fb, fc = faces_of(a, 2, 10), faces_of(b, 2, 11), faces_of(c, 2, 12)
    vectors = np.vstack([fa[0], fb[0], fa[1], fc[0], fc[1], fb[1]])
    grouping = group_faces(known(vectors), batch=2)
    assert sorted(sorted(g) for g in grouping.new_people) == [[1, 3], [2, 6], [4, 5]]
    # ... within the window of `carried` faces only:
    narrow = group_faces(known(vectors), batch=2, carried=1)
    assert [2, 6] not in [sorted(g) for g in narrow.new_people]


def test_the_grouping_is_deterministic_and_leaves_its_input_alone() -> None:
    vectors = np.vstack([faces_of(identity(i), 5, i) for i in range(6)])
    before = vectors.copy()
    first, second = group_faces(known(vectors)), group_faces(known(vectors))
    assert first == second and np.array_equal(vectors, before)
    assert len(first.new_people) == 6 and first.placed == 30


def test_nothing_to_group_is_an_empty_grouping() -> None:
    grouping = group_faces(known(np.zeros((0, DIMS), np.float32)))
    assert grouping.joined == {} and grouping.new_people == [] and grouping.left == []


def test_the_threshold_is_a_mean_similarity() -> None:
    """A face joins a person when its mean similarity to the person's faces is at
    the threshold, not when it is near only one of them."""
    a, far = identity(1), identity(2)
    near_one = (a + far) / np.linalg.norm(a + far)  # ~0.7 to `a`, ~0.7 to `far`
    vectors = np.vstack([a, far, near_one]).astype(np.float32)
    grouping = group_faces(known(vectors, [1, 1, 0]))
    mean = float(vectors[2] @ (vectors[0] + vectors[1]) / 2)
    assert (grouping.joined == {3: 1}) == (mean >= THRESHOLD)


# -- on a catalog ----------------------------------------------------------------------


def _found(vectors: np.ndarray) -> FacesFound:
    faces = tuple(
        Face((0.1 * i, 0.1, 0.1, 0.1), 200 - i, True, EyeState.OPEN, None, 0.3, 80.0, True, 0.9)
        for i in range(len(vectors))
    )
    return FacesFound(
        faces, "v", descriptors=tuple(vector_bytes(v) for v in vectors), descriptor_model=MODEL
    )


def _import(cat: Catalog, name: str, vectors: np.ndarray) -> int:
    photo = Photo.create(path=f"/{name}.jpg".encode(), content_hash=name)
    apply_faces(cat.db, [(photo.id, _found(vectors))])
    return int(photo.id)


def test_the_people_step_fills_person_in_the_listing(catalog: Catalog) -> None:
    a, b = identity(1), identity(2)
    fa, fb = faces_of(a, 3, 10), faces_of(b, 2, 11)
    p1 = _import(catalog, "one", np.vstack([fa[0], fb[0]]))
    p2 = _import(catalog, "two", np.vstack([fa[1], fb[1]]))
    result = update_people()
    assert (result.described, result.placed, result.new_people, result.left) == (4, 4, 2, 0)
    listing = faces_listing()
    first, second = listing[p1], listing[p2]
    assert first[0]["person"] == second[0]["person"] != first[1]["person"] == second[1]["person"]
    assert all(f["person_name"] is None for f in first + second)
    # A later import joins them; a second run with nothing new changes nothing.
    p3 = _import(catalog, "three", fa[2:3])
    assert update_people().placed == 1
    assert faces_listing()[p3][0]["person"] == first[0]["person"]
    again = update_people()
    assert (again.placed, again.new_people) == (0, 0)


def test_a_lone_face_is_left_and_looked_at_as_the_grouping_leaves_it(catalog: Catalog) -> None:
    """One described face and no person (a first import of one portrait): the
    step leaves it without a person and marks it looked at, as `group_faces`
    does with that one face, without numpy's grouping; the next face of the
    same person pairs with it."""
    fa = faces_of(identity(1), 2, 10)
    first = _import(catalog, "one", fa[:1])
    snapshot = people_snapshot(MODEL)
    grouping = group_faces(known(np.vstack([fa[0]]), looked=np.array([False])))
    assert (grouping.left, grouping.examined, grouping.new_people) == ([1], [1], [])
    assert update_people() == PeopleResult(1, 0, 0, 1)
    assert people_snapshot(MODEL).looked == [True] and snapshot.looked == [False]
    assert update_people() == PeopleResult(0, 0, 0, 0)  # nothing waits now
    second = _import(catalog, "two", fa[1:2])
    assert update_people() == PeopleResult(2, 2, 1, 0)
    listing = faces_listing()
    assert listing[first][0]["person"] == listing[second][0]["person"] is not None


LONE_FACE_STEP = r"""
import struct, sys
from curator.catalog.db import Catalog
from curator.catalog.models import Photo
from curator.catalog.people.store import apply_faces
from curator.ml.faces.files import DESCRIPTOR_MODEL
from curator.pipeline.stages.people import update_people
from curator.records import EyeState, Face, FacesFound

cat = Catalog.open(sys.argv[1])
face = Face((0.1, 0.1, 0.2, 0.2), 200, True, EyeState.OPEN, None, 0.3, 80.0, True, 0.9)
vector = struct.pack("<128f", *([1.0] + [0.0] * 127))
found = FacesFound((face,), "v", descriptors=(vector,), descriptor_model=DESCRIPTOR_MODEL)
photo = Photo.create(path=b"/one.jpg", content_hash="one")
apply_faces(cat.db, [(photo.id, found)])
print(update_people(), "numpy" in sys.modules)
"""


def test_a_lone_face_s_step_imports_no_numpy(tmp_path: Path) -> None:
    out = subprocess.run(
        [sys.executable, "-c", LONE_FACE_STEP, str(tmp_path / "catalog.sqlite")],
        capture_output=True,
        text=True,
        cwd=Path(__file__).resolve().parents[2],
        timeout=120,
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip().endswith(") False"), out.stdout  # placed nowhere, no numpy
    assert "PeopleResult(described=1, placed=0, new_people=0, left=1" in out.stdout


def test_a_named_person_keeps_its_name_and_a_ruled_out_face_stays_out(catalog: Catalog) -> None:
    a = identity(1)
    fa = faces_of(a, 4, 10)
    _import(catalog, "one", fa[:2])
    update_people()
    (person,) = {p for p, _ in persons_of_faces().values()}
    catalog.db.execute_sql('UPDATE "person" SET "name" = ? WHERE "id" = ?', ("Ada", person))
    late = _import(catalog, "two", fa[2:4])
    face_ids = [
        f for f, _ in catalog.db.execute_sql("SELECT id, idx FROM face WHERE photo_id = ?", (late,))
    ]
    catalog.db.execute_sql(
        'INSERT INTO "face_not_person" ("face_id", "person_id") VALUES (?, ?)',
        (face_ids[0], person),
    )
    update_people()
    names = persons_of_faces()
    assert names[face_ids[1]] == (person, "Ada")
    assert face_ids[0] not in names  # taken out of Ada: left without a person
    snapshot = people_snapshot(MODEL)
    assert (face_ids[0], person) in snapshot.ruled_out


def test_faces_judged_again_keep_their_person_name_and_corrections(catalog: Catalog) -> None:
    """A new faces stage version replaces a photo's faces (new face ids): each
    new face takes the person of the old face it overlaps, and what was ruled
    out stays ruled out."""
    a = identity(1)
    fa = faces_of(a, 3, 10)
    photo = _import(catalog, "one", fa[:2])
    other = _import(catalog, "two", fa[2:3])
    update_people()
    (person,) = {p for p, _ in persons_of_faces().values()}
    catalog.db.execute_sql('UPDATE "person" SET "name" = ? WHERE "id" = ?', ("Ada", person))
    (second,) = [
        f
        for (f,) in catalog.db.execute_sql(
            "SELECT id FROM face WHERE photo_id = ? AND idx = 1", (photo,)
        )
    ]
    catalog.db.execute_sql("DELETE FROM face_person WHERE face_id = ?", (second,))
    catalog.db.execute_sql(
        'INSERT INTO "face_not_person" ("face_id", "person_id") VALUES (?, ?)', (second, person)
    )
    apply_faces(catalog.db, [(photo, _found(fa[:2]))])  # judged again: new face rows
    after = faces_listing()[photo]
    assert [f["person_name"] for f in after] == ["Ada", None]
    update_people()
    assert [f["person_name"] for f in faces_listing()[photo]] == ["Ada", None]
    assert faces_listing()[other][0]["person_name"] == "Ada"


def test_faces_an_earlier_run_left_are_looked_at_again_only_within_the_window() -> None:
    """A face a run left without a person waits among the latest `carried`
    left-over faces: a new face of the same person pairs with it there, but an
    import's run never goes over every stranger of the catalog again."""
    a, b = identity(1), identity(2)
    old_a, new_a = faces_of(a, 2, 10)
    strangers = np.vstack([faces_of(identity(100 + i), 1, 100 + i) for i in range(5)])
    vectors = np.vstack([old_a[None], strangers, faces_of(b, 2, 11), new_a[None]])
    looked = np.array([True] * 6 + [False] * 3)
    wide = group_faces(known(vectors, looked=looked))
    assert wide.examined == [7, 8, 9]
    assert sorted(sorted(g) for g in wide.new_people) == [[1, 9], [7, 8]]
    narrow = group_faces(known(vectors, looked=looked), carried=2)
    assert sorted(wide.left) == [2, 3, 4, 5, 6]  # only the strangers stay alone
    assert [sorted(g) for g in narrow.new_people] == [[7, 8]]
    # outside the window of 2, the old face of A is not looked at again: the new
    # one stays alone beside it (and beside every stranger)
    assert sorted(narrow.left) == [1, 2, 3, 4, 5, 6, 9]


def test_the_writer_leaves_a_face_placed_meanwhile_and_a_person_gone(catalog: Catalog) -> None:
    """A face another run (or the photographer) placed since the plan keeps its
    person; a person merged away since takes no face."""
    from curator.catalog.people.persons import apply_people

    photo = _import(catalog, "one", faces_of(identity(1), 3, 10))
    faces = [
        f
        for (f,) in catalog.db.execute_sql(
            "SELECT id FROM face WHERE photo_id = ? ORDER BY idx", (photo,)
        )
    ]
    first = apply_people(catalog.db, {}, [faces[:1]], faces)
    (person,) = {p for p, _ in persons_of_faces().values()}
    assert (first.placed, first.new_people) == (1, 1)
    again = apply_people(catalog.db, {faces[2]: 12345}, [[faces[0], faces[1]]])
    assert (again.placed, again.new_people) == (1, 1)  # faces[0] keeps its person
    placed = {f: p for f, (p, _) in persons_of_faces().items()}
    assert placed[faces[0]] == person and placed[faces[1]] != person
    assert faces[2] not in placed  # person 12345 is not there
    looked = [
        bool(v)
        for (v,) in catalog.db.execute_sql("SELECT looked FROM face_descriptor ORDER BY face_id")
    ]
    assert looked == [True, True, True]


def test_a_face_joining_a_person_made_by_this_run_is_one_of_its_faces() -> None:
    """Batches of two: a new person formed in the first batch takes a later
    batch's face as one of its own, never as a join to a person the catalog
    does not have."""
    a, b = identity(1), identity(2)
    fa = faces_of(a, 3, 10)
    vectors = np.vstack([fa[0], fa[1], faces_of(b, 1, 11), fa[2]])
    grouping = group_faces(known(vectors), batch=2)
    assert grouping.joined == {}
    assert [sorted(g) for g in grouping.new_people] == [[1, 2, 4]]
    assert grouping.left == [3]

"""People at a catalog's scale (issue 50 §2): grouping 300,000 faces (100,000
photos) from scratch, and a 2,000-photo import's 6,000 faces joining them.

Synthetic descriptors (the real ones need real faces): `PEOPLE` identities,
each a random unit vector, photographed with Zipf-like frequencies (a few
people in many frames, a long tail in a few: a wedding season's catalog);
a face is its identity plus noise (mean similarity ~0.5 between two faces
of one person, ~0 between people: SFace's spread on real faces).

Budgets asserted (the issue's): the pure grouping from scratch ≤ 60 s, the
import's join ≤ 5 s, both CPU seconds of this process (on a machine shared
with other work, wall time measures the neighbours; both are printed and
written to people.json). The whole people step on a catalog of that size
(read, group, write) is asserted against the same budgets on SQLite and on
PostgreSQL (the throwaway server of tests/pg_server.py; one parametrized
test each, the catalog loaded by COPY there, executemany on SQLite): there
the CPU counted is this process's plus the server backend's for the
step's connection (/proc of `pg_backend_pid()`; the server's own
background writers are not counted), and the load average is recorded.

Measured on this project's 2-core machine, shared with five other
sessions (load average ~11; turn of 2026-11-26): from scratch, 300,000
faces in 28.8 CPU s (122 s wall), 10,750 people, 77.6 % of the faces placed
(the rest are the long tail's faces seen once or twice far apart), 99.8 %
of them with their person's majority identity; the import's 6,000 faces
joined in 1.6 CPU s (6.8 s wall), 5,311 placed. The whole step on a SQLite
catalog of 102,000 photos (306,000 faces) after the import: 3.2 CPU s (9.5 s
wall); from scratch on 100,000 photos (300,000 faces, none placed yet):
33.1 CPU s (79.7 s wall), 233,005 faces placed in 10,726 people. Before
`KnownFaces.looked`, the import's run went over the 67,000 faces left
without a person again: 18.7 CPU s.

Both backends at 100,000 photos (issue 50 §2; 2026-11-26, same machine;
CPU s = this process + the PostgreSQL backend; wall below CPU where the
grouping's BLAS ran on both cores). All four in one run at load average
1.1-1.6:

| step                         | SQLite CPU (wall) | PostgreSQL CPU: client + server (wall) |
|------------------------------|-------------------|----------------------------------------|
| from scratch, 300,000 faces  | 36.0 s (20.3 s)   | 39.6 s: 31.1 + 8.5 (25.3 s)            |
| an import's 6,000 faces join | 3.2 s (2.5 s)     | 3.8 s: 2.7 + 1.05 (2.9 s)              |

Beside a full test run (load average 1.8-4.8), four more PostgreSQL runs
each: from scratch 47.8 s (38.9 + 8.9, 74.4 s wall; one INSERT per new
person, before this issue) and 48.5 s (38.7 + 9.8, 52.3 s wall; one
INSERT for all); the import 3.0, 4.3, 3.1 and 3.5 s (2.4-5.5 s wall);
SQLite 38.6 s (36.0 s wall) and 2.6 s (2.7 s wall).

Both place 233,005 faces in 10,726 people from scratch, and 5,292 of the
import's faces (151 new people). Where PostgreSQL's extra ~10 s from
scratch goes (a one-off script timed the phases apart on the same
catalog, load average ~3.5; client + server CPU s): reading the
descriptors 1.3 + 0.7, the pure grouping 34.1 + 0, marking 300,000 faces
looked (one UPDATE per 50,000) 0.3 + 3.3, the 233,005 placements (one
INSERT ... SELECT per 50,000, each row checked against `person` and
`face` and their foreign keys) 0.5 + 5.7, the 10,726 new people 0.01 +
0.03 (one INSERT ... RETURNING for all of them since this issue; one
round trip each before: no difference within the machine's noise).
Within budget on both backends (the import's 4.3 s beside the test run is
the closest: 0.7 s under), so the writes stay set-based as they are.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from curator.catalog.backends.dialect import dialect_of
from curator.ml.faces.descriptor import MODEL
from curator.ml.faces.people import Grouping, KnownFaces, group_faces
from tests.bench.bulk import copy_rows, loading
from tests.bench.results import merge_results

pytestmark = pytest.mark.bench

FACES = 300_000
PEOPLE = 20_000
IMPORT_FACES = 6_000  # 2,000 photos, three faces each
DIMS = 128
MAX_SCRATCH_S = 60.0
MAX_IMPORT_S = 5.0


def synthetic(count: int, people: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(people, DIMS)).astype(np.float32)
    centres /= np.linalg.norm(centres, axis=1, keepdims=True)
    weights = 1.0 / np.arange(1, people + 1) ** 0.8
    who = rng.choice(people, size=count, p=weights / weights.sum())
    noise = rng.normal(size=(count, DIMS)).astype(np.float32) / np.sqrt(DIMS)
    vectors = centres[who] + noise
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    return who, vectors.astype(np.float32)


def timed(step: Callable[[], Grouping]) -> tuple[Grouping, float, float]:
    wall, cpu = time.perf_counter(), time.process_time()
    grouping = step()
    return grouping, time.perf_counter() - wall, time.process_time() - cpu


@pytest.mark.timeout(1800)
def test_people_group_within_budget() -> None:
    who, vectors = synthetic(FACES + IMPORT_FACES, PEOPLE, seed=50)
    ids = np.arange(1, FACES + IMPORT_FACES + 1, dtype=np.int64)
    old = slice(0, FACES)
    scratch, scratch_wall, scratch_cpu = timed(
        lambda: group_faces(KnownFaces(ids[old], vectors[old], np.zeros(FACES, np.int64)))
    )
    person_of = np.zeros(FACES + IMPORT_FACES, np.int64)
    for face, person in scratch.joined.items():
        person_of[face - 1] = person
    for k, faces in enumerate(scratch.new_people, start=1):
        person_of[np.asarray(faces) - 1] = k
    looked = np.zeros(FACES + IMPORT_FACES, bool)
    looked[:FACES] = True  # the first run looked at every face it had
    joined, import_wall, import_cpu = timed(
        lambda: group_faces(KnownFaces(ids, vectors, person_of, looked=looked))
    )
    placed = person_of[:FACES] != 0
    # How right the synthetic grouping is: the share of placed faces whose person's
    # most common identity is theirs (a sanity check, not the quality measure).
    majority: dict[int, int] = {}
    for person in np.unique(person_of[:FACES][placed]):
        members = who[:FACES][person_of[:FACES] == person]
        majority[int(person)] = int(np.bincount(members).argmax())
    agree = np.mean(
        [
            majority[int(p)] == w
            for p, w in zip(person_of[:FACES][placed], who[:FACES][placed], strict=True)
        ]
    )
    row: dict[str, Any] = {
        "faces": FACES,
        "identities": PEOPLE,
        "scratch_cpu_s": round(scratch_cpu, 1),
        "scratch_wall_s": round(scratch_wall, 1),
        "people": len(scratch.new_people),
        "placed_share": round(float(placed.mean()), 3),
        "placed_with_their_majority": round(float(agree), 3),
        "import_faces": IMPORT_FACES,
        "import_cpu_s": round(import_cpu, 2),
        "import_wall_s": round(import_wall, 2),
        "import_placed": joined.placed,
    }
    print("\npeople at scale:", json.dumps(row))
    merge_results("people.json", {"grouping": row})
    assert scratch_cpu <= MAX_SCRATCH_S, row
    assert import_cpu <= MAX_IMPORT_S, row


FACE_COLUMNS = (
    *("id", "photo_id", "idx", "x", "y", "w", "h", "size_px", "judged", "eyes"),
    *("is_key", "confidence"),
)
FACE_REST = (0.1, 0.1, 0.1, 120, 1, "open", 1, 0.9)  # y .. confidence: one open key face


def _catalog_rows(
    db: Any,
    first_photo: int,
    photos: int,
    vectors: np.ndarray,
    person_of: np.ndarray,
    looked: bool,
) -> None:
    """`photos` photos with three faces each (`vectors` theirs, in order), their
    descriptors (`looked` or not) and people: COPY on PostgreSQL, executemany
    on SQLite (tests/bench/bulk.py)."""
    now = "2026-11-26 00:00:00"
    first_face = (first_photo - 1) * 3 + 1
    photo_ids = range(first_photo, first_photo + photos)
    with loading(db):
        copy_rows(
            db,
            "photo",
            ("id", "path", "content_hash", "imported_at", "updated_at"),
            ((i, f"/p/{i}.jpg".encode(), f"h{i}", now, now) for i in photo_ids),
        )
        copy_rows(
            db,
            "face",
            FACE_COLUMNS,
            (
                (first_face + k, first_photo + k // 3, k % 3, 0.1 * (k % 3), *FACE_REST)
                for k in range(len(vectors))
            ),
        )
        copy_rows(
            db,
            "face_descriptor",
            ("face_id", "model", "vector", "looked"),
            (
                (first_face + k, MODEL, v.astype("<f4").tobytes(), int(looked))
                for k, v in enumerate(vectors)
            ),
        )
        people = sorted({int(p) for p in person_of if p})
        copy_rows(db, "person", ("id", "name", "made_at"), ((p, None, now) for p in people))
        copy_rows(
            db,
            "face_person",
            ("face_id", "person_id", "by_hand"),
            ((first_face + k, int(p), 0) for k, p in enumerate(person_of) if p),
        )


def _process_cpu(pid: int) -> float:
    """CPU seconds (user + system) of process `pid` so far, from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _timed_step(db: Any) -> tuple[Any, dict[str, float]]:
    """The whole people step on the bound catalog, timed: wall, this process's
    CPU and, on PostgreSQL, the server backend's CPU for this connection (the
    reads' and writes' other half) and the load average when it ended."""
    from curator.pipeline.stages.people import update_people

    backend = None
    if dialect_of(db).is_postgres:
        (backend,) = db.execute_sql("SELECT pg_backend_pid()").fetchone()
    server = _process_cpu(backend) if backend else 0.0
    wall, cpu = time.perf_counter(), time.process_time()
    result = update_people()
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    server = (_process_cpu(backend) - server) if backend else 0.0
    figures = {
        "step_cpu_s": round(cpu, 2),
        "server_cpu_s": round(server, 2),
        "step_wall_s": round(wall, 2),
        "load_avg": round(os.getloadavg()[0], 1),
    }
    return result, figures


@pytest.fixture(params=["sqlite", "postgresql"])
def catalog_at(request: pytest.FixtureRequest, tmp_path: Path) -> str | Path:
    """Where the bench's catalog goes: a SQLite file, or a fresh database on
    the throwaway PostgreSQL server (tests/pg_server.py)."""
    if request.param == "sqlite":
        return tmp_path / "c.sqlite"
    server = request.getfixturevalue("pg_server")
    return str(server.url(server.new_database()))


def _backend(where: str | Path) -> str:
    return "postgresql" if str(where).startswith("postgresql:") else "sqlite"


@pytest.mark.timeout(3600)
def test_an_import_joins_a_100k_photo_catalog_within_budget(catalog_at: str | Path) -> None:
    """The whole people step (read every descriptor, group, write) on a catalog
    of 100,000 photos and 300,000 grouped faces, after a 2,000-photo import:
    ≤ 5 s of CPU, this process's plus (PostgreSQL) the server's for it."""
    from curator.catalog.db import Catalog

    _, vectors = synthetic(FACES + IMPORT_FACES, PEOPLE, seed=50)
    ids = np.arange(1, FACES + 1, dtype=np.int64)
    scratch = group_faces(KnownFaces(ids, vectors[:FACES], np.zeros(FACES, np.int64)))
    person_of = np.zeros(FACES, np.int64)
    for face, person in scratch.joined.items():
        person_of[face - 1] = person
    for k, faces in enumerate(scratch.new_people, start=1):
        person_of[np.asarray(faces) - 1] = k
    with Catalog.open(catalog_at) as cat:
        _catalog_rows(cat.db, 1, FACES // 3, vectors[:FACES], person_of, looked=True)
        _catalog_rows(
            cat.db,
            FACES // 3 + 1,
            IMPORT_FACES // 3,
            vectors[FACES:],
            np.zeros(IMPORT_FACES, np.int64),
            looked=False,
        )
        result, figures = _timed_step(cat.db)
    backend = _backend(catalog_at)
    row = {
        "backend": backend,
        "photos": (FACES + IMPORT_FACES) // 3,
        "faces": FACES + IMPORT_FACES,
        **figures,
        "placed": result.placed,
        "new_people": result.new_people,
    }
    print(f"\npeople step on a {backend} catalog after an import:", json.dumps(row))
    merge_results("people.json", {f"catalog_import_{backend}": row})
    assert result.placed > 0.7 * IMPORT_FACES, row
    assert figures["step_cpu_s"] + figures["server_cpu_s"] <= MAX_IMPORT_S, row


@pytest.mark.timeout(3600)
def test_a_100k_photo_catalog_is_grouped_from_scratch_within_budget(
    catalog_at: str | Path,
) -> None:
    """The whole people step on a catalog whose 300,000 faces have no person
    yet (the first run after the faces are judged): ≤ 60 s of CPU, this
    process's plus (PostgreSQL) the server's for it."""
    from curator.catalog.db import Catalog

    _, vectors = synthetic(FACES, PEOPLE, seed=50)
    with Catalog.open(catalog_at) as cat:
        _catalog_rows(cat.db, 1, FACES // 3, vectors, np.zeros(FACES, np.int64), looked=False)
        result, figures = _timed_step(cat.db)
    backend = _backend(catalog_at)
    row = {"backend": backend, "faces": FACES, **figures}
    row |= {"placed": result.placed, "new_people": result.new_people}
    print(f"\npeople step from scratch on a {backend} catalog:", json.dumps(row))
    merge_results("people.json", {f"catalog_scratch_{backend}": row})
    assert result.placed > 0.7 * FACES, row
    assert figures["step_cpu_s"] + figures["server_cpu_s"] <= MAX_SCRATCH_S, row

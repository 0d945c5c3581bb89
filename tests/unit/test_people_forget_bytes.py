"""`forget_people` leaves no byte of a descriptor in a SQLite catalog's file,
also where SQLite does not overwrite deleted rows by default (a build without
SECURE_DELETE: earlier deletes, a face judged again, left descriptors in
free pages) — the file is then compacted."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from curator.catalog.db import Catalog
from curator.catalog.models import Photo
from curator.catalog.people.forget import forget_people
from curator.catalog.people.store import apply_faces
from curator.ml.faces.descriptor import MODEL, vector_bytes
from curator.records import EyeState, Face, FacesFound


def _described(db: object, count: int) -> list[bytes]:
    """`count` photos with a described face each; their descriptors' bytes."""
    rng = np.random.default_rng(7)
    out = []
    for i in range(count):
        photo = Photo.create(path=f"/shoot/{i}.jpg".encode(), content_hash=f"h{i}")
        vector = rng.normal(size=128).astype(np.float32)
        data = vector_bytes(vector / np.linalg.norm(vector))
        face = Face((0.3, 0.2, 0.3, 0.4), 300, True, EyeState.OPEN, None, 0.3, 80.0, True, 0.9)
        apply_faces(
            db, [(photo.id, FacesFound((face,), "v", descriptors=(data,), descriptor_model=MODEL))]
        )  # type: ignore[arg-type]
        out.append(data)
    return out


def _in_file(path: Path, vectors: list[bytes]) -> int:
    data = path.read_bytes() + (
        Path(f"{path}-wal").read_bytes() if Path(f"{path}-wal").exists() else b""
    )
    return sum(v[200:232] in data for v in vectors)


def test_forget_leaves_no_descriptor_where_sqlite_keeps_deleted_bytes(tmp_path: Path) -> None:
    where = tmp_path / "catalog.sqlite"
    with Catalog.open(where) as cat:
        db = cat.db
        db.execute_sql("PRAGMA secure_delete = OFF")  # as a build without SECURE_DELETE
        vectors = _described(db, 60)
        # Earlier deletes (as a face judged again): their bytes stay in free pages.
        db.execute_sql('DELETE FROM "face_descriptor" WHERE "face_id" % 2 = 0')
        db.execute_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        assert _in_file(where, vectors) > 30  # deleted ones too: the search sees them
        gone = forget_people(db)
        assert gone.descriptors == 30 and not gone.log_kept
        assert _in_file(where, vectors) == 0
        assert db.execute_sql("PRAGMA secure_delete").fetchone()[0] == 0  # as it was

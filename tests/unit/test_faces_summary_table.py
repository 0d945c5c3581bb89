"""The faces summary's table (records.FACES_SUMMARY) is what every consumer
reads: the migrations make its columns, the store writes each row of it, and
each reader (the store's, the gallery's rows, the proposal plan, the bursts'
frames) gives it back; a flag added to the table in a test, with its column,
goes through all of them with no other change."""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from curator.catalog.judgments import burst_frames
from curator.catalog.models import Photo, PhotoFaces, Stage, StageRun, StageStatus
from curator.catalog.people import store
from curator.catalog.people.summary import COLUMNS, columns, stored_values, summary_from
from curator.catalog.proposals.plan import plan_frames
from curator.catalog.queries import gallery_rows
from curator.records import FACES_SUMMARY, FacesFound, FacesSummary, SummaryField

REPO = Path(__file__).resolve().parents[2]
BASE = FacesSummary(count=1, judged=1, key=1)  # a key face: the bursts' join reads it
SET = {"bool": True, "int": 7, "float | None": 42.5}  # a value unlike each default


def _photo(n: int = 1) -> int:
    p = Photo.create(
        path=f"/shoot/IMG_{n:04d}.JPG".encode(),
        content_hash=f"h{n}",
        captured_at=datetime(2024, 6, 1, 12) + timedelta(seconds=n),
        sharpness_score=80.0,
    )
    StageRun.create(photo=p.id, stage=Stage.TECHNICAL.value, status=StageStatus.DONE.value)
    return int(p.id)


def test_the_table_declares_every_field_once_with_its_column_and_words() -> None:
    assert [f.name for f in FACES_SUMMARY] == list(FacesSummary.__dataclass_fields__)
    assert len(set(COLUMNS)) == len(COLUMNS)
    for row in FACES_SUMMARY:
        assert row.type in SET, row  # a type the catalog stores (models, summary)
        assert row.column and row.scale and row.meaning, row
        assert getattr(FacesSummary(), row.name) == row.default
    assert columns("pf").split(", ")[0] == f"pf.{FACES_SUMMARY[0].column}"


def test_the_migrations_make_the_tables_columns(any_catalog: Any) -> None:
    stored = {c.name for c in any_catalog.db.get_columns("photo_faces")}
    assert stored == {"photo_id", "note", "version", *COLUMNS}
    assert {f.column_name for f in PhotoFaces._meta.sorted_fields} == stored


@pytest.mark.parametrize("row", FACES_SUMMARY, ids=lambda r: r.name)
def test_each_field_is_written_and_read_back_by_every_reader(
    any_catalog: Any, row: SummaryField
) -> None:
    summary = replace(BASE, **{row.name: SET[row.type]})
    pid = _photo()
    store.write_faces([(pid, FacesFound((), "v1", summary=summary))])
    raw = any_catalog.db.execute_sql(
        f"SELECT {row.column} FROM photo_faces WHERE photo_id = ?", (pid,)
    ).fetchone()[0]
    assert raw == SET[row.type]  # a flag as 1
    assert stored_values(summary)[row.column] == SET[row.type]
    assert store.summaries([pid]) == {pid: summary}
    assert gallery_rows([pid])[pid].faces == summary
    (frame,) = plan_frames()
    assert frame.faces == summary
    (burst,) = burst_frames("clip")
    carried = {  # the bursts' Frame carries these of the summary, by name
        "eyes_open": burst.eyes_open,
        "closed_eyes": burst.closed_eyes,
        "key_sharpness": burst.key_face_sharpness,
        "ready": burst.faces_ready,
        "all_at_camera": burst.all_at_camera,
        "smiling": burst.smiling,
    }
    assert carried == {name: getattr(summary, name) for name in carried}


def test_a_row_of_values_becomes_the_record_with_each_fields_type() -> None:
    values = [1, 1, 1, 0, 1, 0, None, 1, 0, 2]
    got = summary_from(values)
    assert got == FacesSummary(1, 1, 1, False, True, False, None, True, False, 2)
    assert got.soft_face is True and got.closed_eyes is False  # bools, not 0/1


# A throw-away flag, added to the table as a newcomer would (one field and
# its column), before the catalog is imported; then written and read back.
_NEW_FLAG = """
from __future__ import annotations  # as in records.py: each type read as written
import dataclasses, json, sys
from datetime import datetime
from curator import records

@dataclasses.dataclass(frozen=True)
class FacesSummary(records.FacesSummary):
    yawning: bool = records.summary_field(False, "yawning", "yes/no", "a key face yawns")

records.FacesSummary = FacesSummary
records.FACES_SUMMARY = records.summary_table(FacesSummary)

from curator.catalog.db import Catalog
from curator.catalog.models import Photo, Stage, StageRun, StageStatus
from curator.catalog.people import store
from curator.catalog.proposals.plan import plan_frames
from curator.catalog.queries import gallery_rows

with Catalog.open(sys.argv[1]) as cat:
    # its numbered migration, in a real change
    cat.db.execute_sql('ALTER TABLE "photo_faces" ADD COLUMN "yawning" INTEGER NOT NULL DEFAULT 0')
    pid = Photo.create(path=b"/a.jpg", content_hash="h", captured_at=datetime(2024, 6, 1)).id
    StageRun.create(photo=pid, stage=Stage.TECHNICAL.value, status=StageStatus.DONE.value)
    summary = FacesSummary(count=1, judged=1, key=1, yawning=True)
    store.apply_faces(cat.db, [(pid, records.FacesFound((), "v1", summary=summary))])
    (frame,) = plan_frames()
    print(json.dumps({
        "column": cat.db.execute_sql("SELECT yawning FROM photo_faces").fetchone()[0],
        "store": store.summaries([pid])[pid].yawning,
        "gallery": gallery_rows([pid])[pid].faces.yawning,
        "plan": frame.faces.yawning,
    }))
"""


def test_a_flag_added_to_the_table_is_written_and_read_back_with_no_other_change(
    tmp_path: Path,
) -> None:
    done = subprocess.run(
        [sys.executable, "-c", _NEW_FLAG, str(tmp_path / "catalog.sqlite")],
        cwd=REPO,  # this checkout's curator
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    got = json.loads(done.stdout.strip().splitlines()[-1])
    assert got == {"column": 1, "store": True, "gallery": True, "plan": True}

"""The faces stage through `curator import`: judged beside the measurement,
back-filled on an old catalog, skipped with a sentence without the model (and
`curator doctor` says so), a crash of the face model failing only the faces,
a burst's frame looked at again where its siblings show a face, and what
`list --json`, `status` and `search` say."""

from __future__ import annotations

import json
import shutil
import sqlite3
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from curator.catalog.db import Catalog
from curator.catalog.writer import CatalogWriter
from curator.pipeline.service import RunRequest, make_process_pool, prepare
from curator.pipeline.stages.technical import STAGE_VERSION
from curator.pipeline.stages.technical_runner import TechnicalRunner, import_counts
from curator.settings import Settings
from tests.faces_helpers import FACES_DATA, PORTRAITS, installed_model
from tests.helpers import crash_when_judging_faces
from tests.imaging_helpers import exif_block, make_jpeg
from tests.integration.cli_helpers import import_json, list_json, run_cli
from tests.pools import make_pool


@pytest.fixture
def shoot(tmp_path: Path) -> Path:
    """Two portraits and a frame without anyone in it."""
    installed_model()
    lib = tmp_path / "shoot"
    lib.mkdir()
    for name in PORTRAITS:
        shutil.copy(FACES_DATA / name, lib / name)
    make_jpeg(lib / "landscape.jpg", 1200, 800, pattern="texture")
    return lib


def by_name(photos: list[dict[str, object]]) -> dict[str, dict[str, object]]:
    return {Path(str(p["path"])).name: p for p in photos}


def test_an_import_judges_faces_beside_the_measurement(shoot: Path) -> None:
    result = import_json(shoot)
    assert result["new"] == 3
    assert result["stages"]["faces"] == {"done": 3}  # all beside the measurement
    photos = by_name(list_json())
    portrait = photos[PORTRAITS[0]]
    faces = portrait["faces"]
    assert isinstance(faces, list) and len(faces) == 1
    face = faces[0]
    assert face["eyes"] == "open" and face["key"] is True
    assert len(face["box"]) == 4 and all(0.0 <= v <= 1.0 for v in face["box"])
    assert 0 <= face["sharpness"] <= 100
    assert photos["landscape.jpg"]["faces"] == []
    assert portrait["stages"]["faces"]["status"] == "done"  # type: ignore[index]
    code, out, _ = run_cli("status")
    assert code == 0 and "faces: 3 done" in out
    code, out, _ = run_cli("search", "faces:1 eyes:open")
    assert code == 0 and PORTRAITS[0] in out and "landscape" not in out
    code, out, _ = run_cli("search", "faces:0")
    assert code == 0 and "landscape.jpg" in out and PORTRAITS[0] not in out


def test_an_old_catalog_is_back_filled_from_its_previews(shoot: Path, curator_home: Path) -> None:
    import_json(shoot)
    _forget_faces(curator_home / "catalog.sqlite")
    assert all("faces" not in p for p in list_json())
    result = import_json(shoot)
    assert result["unchanged"] == 3  # no file is read again…
    assert result["stages"]["faces"] == {"done": 3}  # …the faces come from the previews
    photos = by_name(list_json())
    assert photos[PORTRAITS[1]]["faces"][0]["eyes"] == "open"  # type: ignore[index]


def test_without_the_model_faces_are_skipped_with_a_sentence_then_back_filled(
    shoot: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    empty = tmp_path / "no-model"
    empty.mkdir()
    monkeypatch.setenv("CURATOR_FACE_MODEL_DIR", str(empty))
    result = import_json(shoot)
    assert result["new"] == 3 and result["failed"] == 0  # everything else as before
    faces = result["stages"]["faces"]
    assert faces["skipped"] == 3 and "not installed" in faces["reason"]
    assert "make install" in faces["reason"]
    photos = list_json()
    assert all("faces" not in p for p in photos)
    assert {p["stages"]["faces"]["status"] for p in photos} == {"skipped"}
    code, out, _ = run_cli("doctor", "--json")
    checks = json.loads(out)
    assert code == 1 and checks["face_model"]["ok"] is False
    assert "not installed" in checks["face_model"]["message"]
    # A second import without the model writes nothing again for them.
    assert import_json(shoot)["stages"]["faces"]["skipped"] == 3
    # The model comes back: the next run back-fills.
    monkeypatch.delenv("CURATOR_FACE_MODEL_DIR")
    assert import_json(shoot)["stages"]["faces"] == {"done": 3}
    assert all(isinstance(p.get("faces"), list) for p in list_json())


def test_a_face_model_that_crashes_the_decoder_fails_only_the_faces(
    shoot: Path, tmp_path: Path, qtbot: QtBot
) -> None:
    settings = Settings(decode_workers=1, max_attempts=2)
    with Catalog.open(tmp_path / "cat.sqlite") as catalog:
        plan = prepare(RunRequest(folder=str(shoot)), settings, str(tmp_path / "cache")).plan
        assert plan is not None and all(r.faces_model for r in plan.requests)
        processes = make_process_pool(settings, plan)
        threads = make_pool(processes.size)
        runner = TechnicalRunner(
            CatalogWriter(catalog.db, STAGE_VERSION),
            processes,
            threads,
            max_attempts=settings.max_attempts,
            fn=crash_when_judging_faces,
            backoff_ms=10,
        )
        try:
            with qtbot.waitSignal(runner.finished, timeout=60_000) as blocker:
                runner.start_plan(plan)
        finally:
            processes.close()
            threads.waitForDone()
        summary = blocker.args[0]
        counts = import_counts(summary)
        assert counts["new"] == 3 and counts["failed"] == 0  # every photo measured
        assert summary.counts["faces_failed"] == 3
        rows = catalog.db.execute_sql(
            "SELECT status, failure_reason FROM stage_run WHERE stage = 'faces'"
        ).fetchall()
        assert len(rows) == 3 and {r[0] for r in rows} == {"failed"}
        assert all(r[1].startswith("The face model crashed on this photo") for r in rows)
        technical = catalog.db.execute_sql(
            "SELECT count(*) FROM stage_run WHERE stage = 'technical' AND status = 'done'"
        ).fetchone()[0]
        assert technical == 3


def test_a_burst_frame_without_a_face_is_looked_at_again_where_its_siblings_show_one(
    tmp_path: Path, fixtures_dir: Path, curator_home: Path
) -> None:
    """The burst bench's seed 494, burst 77: the laughing peak's face is missed by
    the whole frame's look; its siblings' are found. A frame of the bare scene
    shot beside them is looked at again too, finds nothing and says so; a
    second import looks at neither again."""
    from PIL import Image

    from curator.records import LOOKED_AGAIN
    from tests.bench import faces_dev as fd
    from tests.bench import smile_dev as sd
    from tests.bench.burst_star import paste

    if sd.missing_reason():
        pytest.skip(sd.missing_reason())
    installed_model()
    names = sorted(p.name for p in (fixtures_dir / "jpeg").glob("*.jpg"))
    cover = fd.blurred_backgrounds(fixtures_dir)[names.index("sony_a200_unset_clock.jpg")]
    shoot = tmp_path / "burst"
    shoot.mkdir()
    frames: dict[str, Image.Image] = {
        "glum": paste(cover, sd.dev_folder() / "file2651.jpg", 246, 293, 825),
        "peak": paste(cover, sd.dev_folder() / "file1185.jpg", 246, 293, 825),
        "other": paste(cover, sd.dev_folder() / "file2691.jpg", 246, 293, 825),
        "bare": cover,
    }
    start = datetime(2024, 6, 1, 13, 0, 0)
    for i, (name, frame) in enumerate(frames.items()):
        when = start + timedelta(seconds=i)
        exif = exif_block(captured_at=when, make="Bench", model="Burst")
        frame.save(shoot / f"{i}_{name}.jpg", quality=90, exif=exif)
    result = import_json(shoot, "--stages", "technical,faces,score")
    faces = result["stages"]["faces"]
    assert faces["done"] == 4 and faces["looked_again"] == 2 and faces["found_again"] == 1
    photos = {Path(str(p["path"])).stem.split("_")[1]: p for p in list_json()}
    (peak,) = photos["peak"]["faces"]  # type: ignore[misc]
    assert peak["key"] and peak["eyes"] == "open" and peak["smile"] >= 0.5
    assert peak["looking"] == "camera"
    assert photos["bare"]["faces"] == []
    con = sqlite3.connect(curator_home / "catalog.sqlite")
    notes = dict(con.execute("SELECT photo_id, note FROM photo_faces").fetchall())
    con.close()
    assert notes[photos["bare"]["id"]] == LOOKED_AGAIN  # the panel says why
    assert notes[photos["peak"]["id"]] is None
    assert photos["peak"]["burst_best"] is True  # the smile at the camera gets the star
    again = import_json(shoot, "--stages", "technical,faces,score")
    assert "looked_again" not in again["stages"].get("faces", {})


def _forget_faces(catalog: Path) -> None:
    """The catalog as one from before the faces stage (m017 adds empty tables)."""
    con = sqlite3.connect(catalog)
    with con:
        con.execute("DELETE FROM face")
        con.execute("DELETE FROM photo_faces")
        con.execute("DELETE FROM stage_run WHERE stage = 'faces'")
    con.close()


def test_a_back_fill_looks_for_a_group_s_faces_in_the_original_as_the_import_did(
    tmp_path: Path, curator_home: Path
) -> None:
    """A 24 MP group photo: the import found its small faces in the detail
    decode; a back-fill (an old catalog, a new stage version) reads the
    original again for them while it is the file measured, and judges the
    cached preview alone, without failing, once the original is gone."""
    import cv2

    installed_model()
    images = Path(__file__).parents[1] / "data" / "faces-eval" / "images"
    crowd = cv2.imread(str(images / "pexels_city_crossing_crowd.jpg"))
    scale = 6000 / max(crowd.shape[:2])
    big = cv2.resize(crowd, None, fx=scale, fy=scale, interpolation=cv2.INTER_CUBIC)
    lib = tmp_path / "shoot"
    lib.mkdir()
    cv2.imwrite(str(lib / "crowd.jpg"), big, [cv2.IMWRITE_JPEG_QUALITY, 90])
    import_json(lib)
    imported = by_name(list_json())["crowd.jpg"]["faces"]

    _forget_faces(curator_home / "catalog.sqlite")
    assert import_json(lib)["stages"]["faces"] == {"done": 1}
    again = by_name(list_json())["crowd.jpg"]["faces"]
    assert isinstance(imported, list) and isinstance(again, list)
    # The same faces and verdicts (the cached preview is the import's as a JPEG:
    # boxes a fraction of a pixel apart).
    assert len(again) == len(imported) and len(imported) >= 8, (len(again), len(imported))
    for old, new in zip(imported, again, strict=True):
        assert max(abs(a - b) for a, b in zip(old["box"], new["box"], strict=True)) < 0.003
        assert (old["eyes"], old["judged"], old["key"]) == (new["eyes"], new["judged"], new["key"])

    _forget_faces(curator_home / "catalog.sqlite")
    (lib / "crowd.jpg").rename(tmp_path / "elsewhere.jpg")  # a drive not mounted
    assert import_json(lib)["stages"]["faces"] == {"done": 1}
    from_preview = by_name(list_json())["crowd.jpg"]["faces"]
    assert isinstance(from_preview, list)
    # The preview alone shows fewer of the group's faces than its detail did.
    assert 0 < len(from_preview) < len(imported), (len(from_preview), len(imported))

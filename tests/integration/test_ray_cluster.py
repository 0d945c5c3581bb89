"""The heavy stages on a Ray cluster (issue 34 §3-5): a head and a second node
on 127.0.0.1 in namespaces of their own (tests/ray_cluster.py), shared by the
session; the seat is `curator import --ray` run inside them, compared with
the same import on this computer.

Each test here starts its imports as processes in the cluster's namespaces,
so a test's own process never imports Ray; a test that needs the cluster
skips, with the reason, where one cannot be made.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from curator.figures import FIGURES
from tests import ray_cluster as harness
from tests.clip_tiny import make_tiny_model_dir
from tests.imaging_helpers import make_jpeg
from tests.integration.cli_helpers import REPO, is_human_sentence, run_cli
from tests.llm_server import FakeOllama
from tests.ray_cluster import ADDRESS, RayTestCluster, Studio, serve_fake_ollama

# The session's fixtures (one cluster for every test that asks for it).
ray_cluster = harness.ray_cluster
studio = harness.studio

pytestmark = pytest.mark.slow

# A RAW that decodes, JPEGs of several cameras (one rotated), a truncated RAW
# whose failure must read the same, a tiny one.
PICKED = (
    "raw/LG-H815_sample_1mp.dng",
    "raw_truncated/exiftool_Nikon.nef",
    "jpeg/canon_sx60_hdr_NO.jpg",
    "jpeg/canon_sd300_1-6s_soft.jpg",
    "jpeg/nikon_d70s_dark.jpg",
    "jpeg/polaroid_ion230_future_date.jpg",
    "jpeg/sony_a200_unset_clock.jpg",
)
TECHNICAL = (
    "content_hash, size, mtime_ns, format, width, height, orientation, captured_at, "
    "camera_make, camera_model, iso, preview_key, thumbnail_key, metrics_source, "
    + "".join(f"{f.name}, " for f in FIGURES)  # every stored figure, as declared
    + "struct_sig, drive_mode, notes"
)


def _catalog(home: Path) -> dict[str, dict[str, Any]]:
    """name -> the photo's technical row, stage rows, vector and description."""
    db = sqlite3.connect(home / "catalog.sqlite")
    photos: dict[str, dict[str, Any]] = {}
    for row in db.execute(f"SELECT id, path, {TECHNICAL} FROM photo"):
        name = os.path.basename(os.fsdecode(bytes(row[1])))
        photos[name] = {"id": row[0], "technical": row[2:], "stages": {}}
    by_id = {p["id"]: p for p in photos.values()}
    for pid, stage, status, reason in db.execute(
        "SELECT photo_id, stage, status, failure_reason FROM stage_run"
    ):
        by_id[pid]["stages"][stage] = (status, reason)
    for pid, vector in db.execute("SELECT photo_id, vector FROM embedding"):
        by_id[pid]["vector"] = np.frombuffer(bytes(vector), dtype="<f4")
    for pid, subject, mood in db.execute(
        "SELECT photo_id, subject, artistic_mood FROM description"
    ):
        by_id[pid]["description"] = (subject, mood)
    for row in db.execute(
        "SELECT photo_id, faces, judged, key_faces, closed_eyes, soft_face, eyes_open, "
        "key_sharpness, note, version FROM photo_faces"
    ):
        by_id[row[0]]["faces"] = row[1:]
    db.close()
    return photos


def _import_on_cluster(
    cluster: RayTestCluster, folder: Path, home: Path, *extra: str, **env: str
) -> tuple[int, dict[str, Any], str]:
    """`curator import FOLDER --ray ADDRESS --json` as a seat inside the namespaces."""
    if "--ray" not in extra:
        extra = (*extra, "--ray", ADDRESS)
    proc = cluster.run(
        [sys.executable, "-m", "curator", "import", str(folder), "--json", *extra],
        env=cluster.env(CURATOR_HOME=str(home), CURATOR_CLIP_AUTO_DOWNLOAD="0", **env),
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    out, err = proc.communicate(timeout=600)
    return proc.returncode, json.loads(out) if out.strip() else {}, err


def test_an_import_on_the_cluster_gives_the_same_results_as_on_this_computer(
    ray_cluster: RayTestCluster,
    studio: Studio,
    fixtures_dir: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    files = [fixtures_dir / name for name in PICKED]
    seat, _ = studio.folder("same", files)
    # A folder only the seat has: the nodes' mapping finds nothing there.
    (seat / "only_at_the_seat").mkdir()
    make_jpeg(seat / "only_at_the_seat" / "here.jpg", 320, 240)
    model = make_tiny_model_dir(tmp_path / "clip")

    local_home = tmp_path / "local"
    monkeypatch.setenv("CURATOR_HOME", str(local_home))
    monkeypatch.setenv("CURATOR_CLIP_MODEL", f"local-dir:{model}")
    with FakeOllama() as ollama:
        monkeypatch.setenv("CURATOR_OLLAMA_URL", ollama.url)
        code, out, err = run_cli("import", str(seat), "--json", "--no-progress")
    assert code == 0, err
    local = json.loads(out)

    ollama_proc, url = serve_fake_ollama(ray_cluster)
    try:
        cluster_home = tmp_path / "cluster"
        code, remote, err = _import_on_cluster(
            ray_cluster, seat, cluster_home, CURATOR_CLIP_MODEL=f"local-dir:{model}",
            CURATOR_OLLAMA_URL=url,
        )  # fmt: skip
    finally:
        assert ollama_proc.stdin is not None
        ollama_proc.stdin.close()
        ollama_proc.wait(timeout=30)
    assert code == 0, err
    assert remote["cluster"] == f"{ADDRESS} (2 node(s), 2 CPU(s))"
    # Progress as for a local import: the same bars, on stderr.
    assert "Measuring" in err and "Embedding" in err and "Describing" in err

    here, there = _catalog(local_home), _catalog(cluster_home)
    assert set(here) == set(there) == {f.name for f in files} | {"here.jpg"}
    assert local["new"] == len(files) and local["failed"] == 1  # the truncated NEF
    assert remote["new"] == len(files) - 1 and remote["failed"] == 2  # ... and here.jpg
    for name in {f.name for f in files}:
        a, b = here[name], there[name]
        assert a["technical"] == b["technical"], name
        assert a["stages"]["technical"] == b["stages"]["technical"], name
        if "vector" in a:
            assert np.allclose(a["vector"], b["vector"], atol=1e-5), name
        else:
            assert "vector" not in b, name
        assert a.get("description") == b.get("description"), name
        assert a.get("faces") == b.get("faces"), name  # the faces stage rode along there
        key = a["technical"][11]  # the preview's cache key: the node's bytes at the seat
        if key:
            assert (cluster_home / "cache" / key).read_bytes() == (
                local_home / "cache" / key
            ).read_bytes()
    assert sum("faces" in there[n] for n in there) >= len(files) - 1  # every measured one
    embedded = [n for n in there if "vector" in there[n]]
    assert len(embedded) == len(files) - 1  # all but the truncated NEF (and here.jpg)
    assert all("description" in there[n] for n in embedded)

    status, reason = there["here.jpg"]["stages"]["technical"]
    assert status == "failed" and "does not see this photo's folder" in reason
    assert "CURATOR_RAY_ROOTS" in reason and is_human_sentence(reason)


def _import_while(
    cluster: RayTestCluster, seat: Path, home: Path, act: Callable[[], bool]
) -> tuple[int, dict[str, Any], str, bool]:
    """The technical stage's import of `seat` while a thread tries `act` every
    20 ms until it says it acted; and whether it did."""
    stop, acted = threading.Event(), threading.Event()

    def watch() -> None:
        while not stop.is_set():
            if act():
                acted.set()
                return
            stop.wait(0.02)

    threading.Thread(target=watch, daemon=True).start()
    try:
        code, result, err = _import_on_cluster(
            cluster, seat, home, "--stages", "technical", "--no-progress"
        )
    finally:
        stop.set()
    return code, result, err, acted.is_set()


def _many_photos(folder: Path, count: int) -> None:
    folder.mkdir(parents=True)
    for i in range(count):
        make_jpeg(folder / f"p{i:02d}.jpg", 1600 + 8 * i, 1200, pattern="texture")


def test_kill_9_of_a_ray_worker_during_an_import_loses_no_photo(
    ray_cluster: RayTestCluster, studio: Studio, tmp_path: Path
) -> None:
    staging = tmp_path / "staging"
    _many_photos(staging, 16)
    seat, _ = studio.folder("killed_worker", sorted(staging.iterdir()))

    def kill_a_measuring_worker() -> bool:
        for pid in ray_cluster.task_workers("curator technical"):
            os.kill(pid, signal.SIGKILL)
            return True
        return False

    code, result, err, killed = _import_while(
        ray_cluster, seat, tmp_path / "home", kill_a_measuring_worker
    )
    assert code == 0, err
    assert killed, "no Ray worker was caught measuring a file"
    photos = _catalog(tmp_path / "home")
    assert len(photos) == 16 and result["new"] + result["failed"] == 16
    for name, photo in photos.items():  # done, or failed alone with its sentence
        status, reason = photo["stages"]["technical"]
        assert status == "done" or is_human_sentence(reason), name
    assert result["new"] >= 15


def _drive(cluster: RayTestCluster, scenario: str, folder: Path, catalog: Path) -> dict[str, Any]:
    proc = cluster.run(
        [sys.executable, "-m", "tests.ray_driver", scenario, str(folder), str(catalog)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    out, err = proc.communicate(timeout=600)
    assert proc.returncode == 0, err
    result: dict[str, Any] = json.loads(out.strip().splitlines()[-1])
    return result


def test_a_photo_that_crashes_the_decoder_on_a_node_fails_alone(
    ray_cluster: RayTestCluster, studio: Studio, tmp_path: Path
) -> None:
    staging = tmp_path / "staging"
    staging.mkdir()
    for i in range(5):
        make_jpeg(staging / f"ok{i}.jpg", 400 + i, 300, pattern="texture" if i % 2 else "quadrants")
    make_jpeg(staging / "CRASHME.jpg", 400, 300)
    seat, _ = studio.folder("crash", sorted(staging.iterdir()))
    result = _drive(ray_cluster, "crash", seat, tmp_path / "cat.sqlite")
    assert result["counts"]["new"] == 5 and result["counts"]["failed"] == 1
    crashed = result["photos"]["CRASHME.jpg"]
    assert crashed["status"] == "failed" and crashed["attempts"] == 2  # retried, as here
    assert "decoder crashed on this file" in crashed["reason"]
    assert all(p["status"] == "done" for n, p in result["photos"].items() if n != "CRASHME.jpg")


def test_cancel_stops_the_clusters_work_for_the_import(
    ray_cluster: RayTestCluster, studio: Studio, tmp_path: Path
) -> None:
    staging = tmp_path / "staging"
    _many_photos(staging, 24)
    seat, shared = studio.folder("cancel", sorted(staging.iterdir()))
    result = _drive(ray_cluster, "cancel", seat, tmp_path / "cat.sqlite")
    assert result["cancelled"] is True
    written = len(result["photos"])
    assert 0 < written < 24  # some photos were measured, not all
    assert all(p["status"] == "done" for p in result["photos"].values()), result["photos"]
    started = (shared / ".ran").read_text().split()
    # Nothing more was sent once cancelled: what ran is what was written, give or
    # take the tasks already in flight (two per CPU of the cluster).
    assert written <= len(started) <= written + result["in_flight"]


def test_a_worker_node_that_dies_has_its_tasks_retried_on_the_others(
    ray_cluster: RayTestCluster, studio: Studio, tmp_path: Path
) -> None:
    staging = tmp_path / "staging"
    _many_photos(staging, 24)
    seat, _ = studio.folder("dead_node", sorted(staging.iterdir()))

    def kill_the_second_node_when_busy() -> bool:
        if len(ray_cluster.task_workers("curator technical")) < 2:
            return False  # not both nodes at work yet
        ray_cluster.kill_node(1)
        return True

    try:
        code, result, err, killed = _import_while(
            ray_cluster, seat, tmp_path / "home", kill_the_second_node_when_busy
        )
    finally:
        ray_cluster.restart_node(1)  # the next tests find two nodes again
    assert code == 0, err
    assert killed, "the second node was never seen at work"
    photos = _catalog(tmp_path / "home")
    assert len(photos) == 24
    statuses = {name: p["stages"]["technical"] for name, p in photos.items()}
    assert all(status == "done" for status, _ in statuses.values()), statuses
    assert result["new"] == 24 and result["failed"] == 0


def test_without_ray_an_import_never_imports_ray(tmp_path: Path) -> None:
    (tmp_path / "lib").mkdir()
    make_jpeg(tmp_path / "lib" / "a.jpg", 320, 240)
    code = (
        "import sys; from curator.cli import main;"
        f"rc = main(['import', {str(tmp_path / 'lib')!r}, '--json', '--no-progress']);"
        "print(rc, 'ray' in sys.modules, any(m.startswith('ray.') for m in sys.modules))"
    )
    env = {
        **os.environ,
        "CURATOR_HOME": str(tmp_path / "home"),
        "CURATOR_OLLAMA_URL": "http://127.0.0.1:9",
    }
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, env=env, capture_output=True, text=True, check=True
    )
    assert out.stdout.split()[-3:] == ["0", "False", "False"]


def test_doctor_joins_the_settings_cluster(ray_cluster: RayTestCluster, tmp_path: Path) -> None:
    proc = ray_cluster.run(
        [sys.executable, "-m", "curator", "doctor", "--json"],
        env=ray_cluster.env(CURATOR_HOME=str(tmp_path), CURATOR_RAY_ADDRESS=ADDRESS),
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    out, err = proc.communicate(timeout=300)
    check = json.loads(out)["ray_cluster"]
    assert check["ok"], (check["message"], err)
    assert check["message"].startswith(f"Ray cluster at {ADDRESS}: 2 node(s), 2 CPU(s)")


def test_a_seat_outside_the_cluster_joins_through_rays_client(
    ray_cluster: RayTestCluster, studio: Studio, fixtures_dir: Path, tmp_path: Path
) -> None:
    files = [fixtures_dir / name for name in PICKED[2:6]]
    seat, _ = studio.folder("client", files)
    model = make_tiny_model_dir(tmp_path / "clip")
    code, result, err = _import_on_cluster(
        ray_cluster, seat, tmp_path / "home", "--stages", "technical,embed", "--no-progress",
        "--ray", "ray://127.0.0.1:10001", CURATOR_CLIP_MODEL=f"local-dir:{model}",
    )  # fmt: skip
    assert code == 0, err
    assert result["cluster"] == "ray://127.0.0.1:10001 (2 node(s), 2 CPU(s))"
    assert result["new"] == 4 and result["stages"]["embed"] == {"done": 4}

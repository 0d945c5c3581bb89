"""The Ray cluster's pieces that need no cluster: addresses, the per-node root
mapping, the sentences, the seat's landing of a node's files, and the
technical stage's failures of a lost task or cluster."""

from __future__ import annotations

import importlib.util
import os
import socket
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from curator.engine.cluster import (
    ClusterLost,
    ClusterUnavailable,
    TaskLost,
    connect,
    probe_target,
    unavailable_reason,
)
from curator.imaging.errors import ENVIRONMENTAL_ERROR_TYPES
from curator.imaging.types import TechnicalFailure, TechnicalMeasurement, TechnicalRequest
from curator.pipeline.stages.technical_remote import (
    Shipped,
    call_isolated,
    measure_visible,
    node_path,
    parse_roots,
)
from curator.pipeline.stages.technical_runner import stops_the_run
from tests.integration.cli_helpers import run_cli

needs_ray = pytest.mark.skipif(
    importlib.util.find_spec("ray") is None, reason="Ray is not installed (curator[studio])"
)


@pytest.mark.parametrize(
    ("address", "target"),
    [
        ("auto", None),
        ("gpu-box:6380", ("gpu-box", 6380)),
        ("gpu-box", ("gpu-box", 6379)),
        ("ray://gpu-box:10001", ("gpu-box", 10001)),
        ("ray://gpu-box", ("gpu-box", 10001)),
        ("[::1]:6379", ("::1", 6379)),
        (" 10.0.0.5:6379 ", ("10.0.0.5", 6379)),
    ],
)
def test_the_address_probed_is_the_one_ray_would_use(
    address: str, target: tuple[str, int] | None
) -> None:
    assert probe_target(address) == target


def test_a_seats_path_becomes_the_nodes_path_of_the_same_file() -> None:
    roots = parse_roots("/Volumes/Studio=/mnt/studio; /Volumes/Studio/2024=/srv/2024 ;S:\\=/mnt/s")
    assert roots[0] == ("/Volumes/Studio/2024", "/srv/2024")  # the longest prefix first
    assert node_path("/Volumes/Studio/2023/a.cr3", roots) == "/mnt/studio/2023/a.cr3"
    assert node_path("/Volumes/Studio/2024/b/a.cr3", roots) == "/srv/2024/b/a.cr3"
    assert node_path("/Volumes/Studio", roots) == "/mnt/studio"
    assert node_path("/Volumes/StudioB/a.cr3", roots) == "/Volumes/StudioB/a.cr3"  # not a prefix
    assert node_path("s:\\Wedding\\a.CR3", roots) == "/mnt/s/Wedding/a.CR3"
    assert node_path("/home/me/a.jpg", roots) == "/home/me/a.jpg"  # no pair: as it is
    assert parse_roots("") == () and parse_roots("nonsense;=x;y=") == ()


def test_a_folder_a_node_does_not_see_fails_the_file_with_what_to_do(tmp_path: Path) -> None:
    def never(request: TechnicalRequest) -> Any:
        raise AssertionError("the body must not run")

    missing = tmp_path / "not-mounted" / "a.jpg"
    failure = measure_visible(never, TechnicalRequest(str(missing), str(tmp_path)))
    assert isinstance(failure, TechnicalFailure)
    assert failure.error_type == "RayNodeCannotSeeFile" and failure.transient
    assert socket.gethostname() in failure.message and "CURATOR_RAY_ROOTS" in failure.message
    assert "RayNodeCannotSeeFile" in ENVIRONMENTAL_ERROR_TYPES  # the next import retries it


def test_the_bundle_and_a_missing_ray_say_how_to_get_the_studio_extra(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    bundle = unavailable_reason(frozen=True)
    assert bundle is not None and "one-person app" in bundle
    assert "pip install 'curator[studio]'" in bundle
    monkeypatch.setattr(importlib.util, "find_spec", lambda name: None)
    missing = unavailable_reason(frozen=False)
    assert missing is not None and "Ray is not installed" in missing
    with pytest.raises(ClusterUnavailable) as caught:
        connect("127.0.0.1:6379")
    assert caught.value.message == missing


def test_import_with_ray_in_the_bundle_refuses_with_its_sentence(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "lib").mkdir()
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    code, out, err = run_cli("import", str(tmp_path / "lib"), "--ray", "auto", "--json")
    assert code == 2 and out == ""
    assert "comes without Ray" in err and "curator[studio]" in err
    # The setting asks the same of the bundle.
    monkeypatch.setenv("CURATOR_RAY_ADDRESS", "gpu-box:6379")
    code, _, err = run_cli("import", str(tmp_path / "lib"), "--json")
    assert code == 2 and "comes without Ray" in err


@needs_ray
def test_an_address_where_nothing_listens_is_said_at_once(tmp_path: Path) -> None:
    with socket.socket() as sock:  # a port that was free a moment ago
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    (tmp_path / "lib").mkdir()
    code, _, err = run_cli("import", str(tmp_path / "lib"), "--ray", f"127.0.0.1:{port}")
    assert code == 2
    assert f"Nothing answers at the Ray address 127.0.0.1:{port}" in err
    assert "ray start --head" in err


def _jpeg(path: Path) -> bytes:
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", (8, 8), (200, 10, 10)).save(path, "JPEG")
    return path.read_bytes()


def _measurement(path: str) -> TechnicalMeasurement:
    return TechnicalMeasurement(
        path=path,
        content_hash="ab" * 16,
        size=os.path.getsize(path),
        mtime_ns=1,  # the node's idea of the time
        decoded=True,
        preview_key="previews/ab/ab/x.jpg",
        thumbnail_key="thumbs/ab/x.jpg",
    )


def test_a_nodes_files_land_in_the_seats_cache(tmp_path: Path) -> None:
    original = tmp_path / "a.jpg"
    data = _jpeg(original)
    shipped = Shipped(
        _measurement(str(original)),
        (("previews/ab/ab/x.jpg", data), ("thumbs/ab/x.jpg", data[:100])),
        "node-1",
    )
    cache = tmp_path / "cache"
    landed = shipped.land(TechnicalRequest(str(original), str(cache)))
    assert isinstance(landed, TechnicalMeasurement)
    assert (cache / "previews/ab/ab/x.jpg").read_bytes() == data
    assert (cache / "thumbs/ab/x.jpg").read_bytes() == data[:100]
    assert landed.mtime_ns == original.stat().st_mtime_ns  # the seat's time of the file
    assert not [p for p in cache.rglob(".tmp-*")]


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders")
def test_a_seat_cache_that_cannot_take_them_fails_the_file_as_a_local_cache_does(
    tmp_path: Path,
) -> None:
    original = tmp_path / "a.jpg"
    data = _jpeg(original)
    cache = tmp_path / "cache"
    cache.mkdir()
    cache.chmod(0o500)
    try:
        landed = Shipped(_measurement(str(original)), (("previews/ab/ab/x.jpg", data),)).land(
            TechnicalRequest(str(original), str(cache))
        )
    finally:
        cache.chmod(0o700)
    assert isinstance(landed, TechnicalFailure)
    assert landed.error_type == "CacheWriteError" and landed.content_hash == "ab" * 16
    assert str(cache) in landed.message


class _Raising:
    def __init__(self, exc: BaseException):
        self.exc = exc

    def call(self, fn: Callable[[Any], Any], arg: Any, timeout: float | None = None) -> Any:
        raise self.exc


def test_a_lost_task_is_tried_again_and_a_lost_cluster_stops_the_run(tmp_path: Path) -> None:
    request = TechnicalRequest(str(tmp_path / "a.jpg"), str(tmp_path))
    lost = call_isolated(_Raising(TaskLost("The Ray cluster could not finish.")), print, request, 5)
    assert isinstance(lost, TechnicalFailure)
    assert lost.error_type == "RayTaskLost" and lost.transient
    assert stops_the_run(lost) is None
    gone = call_isolated(_Raising(ClusterLost("Curator lost the Ray cluster.")), print, request, 5)
    assert isinstance(gone, TechnicalFailure) and not gone.transient
    assert stops_the_run(gone) == "Curator lost the Ray cluster."
    assert {"RayTaskLost", "RayClusterLost"} <= ENVIRONMENTAL_ERROR_TYPES


@needs_ray
def test_rays_failures_read_as_sentences() -> None:
    import ray.exceptions as rex

    from curator.engine.cluster import task_lost

    died = task_lost(rex.NodeDiedError("node 1 died"))
    assert "its node left the cluster" in died.message and died.detail.startswith("NodeDied")
    crashed = task_lost(rex.WorkerCrashedError())
    assert "the Ray worker running it stopped" in crashed.message
    assert "tried again" in crashed.message


def test_doctor_says_why_the_settings_cluster_cannot_be_used(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from curator.install.doctor import ray_check
    from curator.settings import Settings

    assert ray_check(Settings()) == []  # no cluster named: nothing checked
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    (check,) = ray_check(Settings(ray_address="gpu-box:6379"))
    assert check.name == "ray_cluster" and not check.ok
    assert "comes without Ray" in check.message


def test_a_killed_workers_scratch_folder_is_swept_by_the_next_worker(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import tempfile

    from curator.pipeline.stages import technical_remote

    with open("/proc/sys/kernel/pid_max") as pid_max:
        dead_pid = int(pid_max.read()) + 1  # no process has it, nor ever will
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    monkeypatch.setattr(technical_remote, "_swept", [])
    stale = tmp_path / f"curator-ray-{dead_pid}-abc"
    stale.mkdir()
    live = tmp_path / f"curator-ray-{os.getpid()}-def"  # a live worker's: kept
    live.mkdir()
    other = tmp_path / "someone-elses"
    other.mkdir()
    made = Path(technical_remote.scratch_folder())
    assert made.name.startswith(f"curator-ray-{os.getpid()}-") and made.is_dir()
    assert not stale.exists() and live.exists() and other.exists()


def test_the_windows_sentence_says_the_import_ran_on_the_cluster() -> None:
    from curator.pipeline.report import RunReport, RunRequest, summary_sentence

    report = RunReport(RunRequest(folder="/Volumes/Studio/wedding"), elapsed_s=12.0)
    assert "Ray" not in summary_sentence(report)
    report.cluster = "ray://gpu-box:10001 (3 node(s), 40 CPU(s), 2 GPU(s))"
    sentence = summary_sentence(report)
    assert sentence.startswith("Import finished: ")
    assert sentence.endswith(
        " on the Ray cluster at ray://gpu-box:10001 (3 node(s), 40 CPU(s), 2 GPU(s))."
    )


def test_one_embedding_actor_per_gpu_else_per_live_node_with_a_cpu() -> None:
    from curator.ml.clip_remote import actor_count

    def node(cpus: float, gpus: float = 0.0, alive: bool = True) -> dict[str, Any]:
        return {"Alive": alive, "Resources": {"CPU": cpus, "GPU": gpus}}

    assert actor_count([node(16, 2), node(8), node(8, 1, alive=False)]) == (2, True)
    assert actor_count([node(1), node(1), node(0), node(4, alive=False)]) == (2, False)
    assert actor_count([node(0)]) == (1, False)  # a seat alone: one actor, waiting for room

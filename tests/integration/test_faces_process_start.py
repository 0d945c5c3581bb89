"""What a process that judges faces pays to start: the networks loaded early in
a decoder child (`faces_child.load_networks_early`,
`pipeline.decoders.start_decoders_early`) judge the same faces, fail with the
same sentence, and only the first child of a pool loads early; OpenVINO is
imported without its model converter (`graphs.import_openvino`)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from curator.engine.isolation import ChildProcessPool, WorkerCrashed
from curator.pipeline.decoders import decoder_pool, start_decoders_early
from curator.pipeline.prepare import process_pool_for
from curator.pipeline.stages.technical import TechnicalPlan, init_decoder_process
from curator.records import FacesFailure, FacesFound, TechnicalRequest
from curator.settings import Settings
from tests.faces_helpers import PORTRAITS, installed_model
from tests.helpers import child_crash, child_early_load_waited, child_judge_portrait


def _decoder(faces: tuple[str, bool] | None) -> ChildProcessPool:
    """A decoder pool whose child starts now; primed for a run, as the
    service primes it when its plan has photos to measure."""
    initargs = (frozenset(), 0) if faces is None else (frozenset(), 0, faces)
    pool = ChildProcessPool(1, initializer=init_decoder_process, initargs=initargs)
    pool.start_one()
    pool.reprime(frozenset(), 0)
    return pool


def _judged(folder: str, early: bool) -> list[object]:
    pool = _decoder((folder, True) if early else None)
    try:
        assert pool.call(child_early_load_waited, None) is early
        return [pool.call(child_judge_portrait, (folder, name)) for name in PORTRAITS]
    finally:
        pool.close()


def test_networks_loaded_early_judge_the_same_faces() -> None:
    folder = installed_model().folder  # type: ignore[attr-defined]
    early, late = _judged(folder, early=True), _judged(folder, early=False)
    assert all(isinstance(o, FacesFound) and o.faces for o in early), early
    assert early == late  # every face, box, verdict and descriptor alike


def test_a_failed_early_load_is_the_sentence_the_first_photo_said(tmp_path: Path) -> None:
    broken = tmp_path / "model"
    broken.mkdir()  # no network in it
    early, late = _judged(str(broken), early=True), _judged(str(broken), early=False)
    assert all(isinstance(o, FacesFailure) for o in early + late), early + late
    said = [(o.message, o.error_type) for o in early]  # type: ignore[attr-defined]
    assert said == [(o.message, o.error_type) for o in late]  # type: ignore[attr-defined]


def _plan_of_one(folder: Path) -> TechnicalPlan:
    plan = TechnicalPlan()
    plan.requests.append(TechnicalRequest(path=str(folder / "IMG_1.jpg"), cache_dir=str(folder)))
    return plan


def test_only_the_pool_s_first_child_loads_early(tmp_path: Path) -> None:
    # A load that crashes its child must not crash every child started after it.
    settings = Settings(decode_workers=1)
    pool = decoder_pool(settings, faces=(str(tmp_path), True))
    try:
        pool.start_one()
        assert process_pool_for(pool, settings, _plan_of_one(tmp_path)) is pool  # the run's
        assert pool.call(child_early_load_waited, None) is True
        with pytest.raises(WorkerCrashed):
            pool.call(child_crash, signal.SIGKILL)
        assert pool.call(child_early_load_waited, None) is False  # the replacement
    finally:
        pool.close()


def test_an_import_that_finds_nothing_new_closes_its_early_child_unasked(
    tmp_path: Path,
) -> None:
    settings = Settings(decode_workers=1)
    early = decoder_pool(settings, faces=(str(tmp_path), True))
    early.start_one()
    (pid,) = early.worker_pids()
    run = process_pool_for(early, settings, TechnicalPlan())  # nothing to measure
    try:
        assert run is not early and early.worker_pids() == [] and run.worker_pids() == []
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)  # gone: it never loaded the networks
        assert run.call(child_early_load_waited, None) is False  # a back-fill's child
    finally:
        run.close()


def test_an_import_starts_its_first_child_early_unless_a_cluster_measures() -> None:
    settings = Settings(decode_workers=2, faces_enabled=False)
    pool = start_decoders_early(settings, ("technical", "faces"))
    assert pool is not None
    try:
        assert len(pool.worker_pids()) == 1  # started before any request
        pid = pool.worker_pids()[0]
        assert pool.call(child_early_load_waited, None) is False  # faces off: nothing loaded
        assert pool.worker_pids() == [pid]  # the first request took it
    finally:
        pool.close()
    assert start_decoders_early(Settings(ray_address="auto"), ("technical",)) is None


IMPORT_OPENVINO = r"""
import sys
from curator.ml.faces.graphs import CONVERTER, import_openvino
openvino = import_openvino()
core = openvino.Core()
telemetry = "openvino_telemetry" in sys.modules
print("converter loaded:", CONVERTER in sys.modules, "telemetry loaded:", telemetry)
from openvino.tools.ovc import convert_model  # still there for whoever wants it
print("converter:", convert_model.__module__)
"""


def test_openvino_is_imported_without_its_model_converter() -> None:
    from curator.ml.faces.graphs import importable

    if not importable("openvino"):
        pytest.skip("OpenVINO is not installed here")
    out = subprocess.run(
        [sys.executable, "-c", IMPORT_OPENVINO],
        capture_output=True,
        text=True,
        env=dict(os.environ),
        cwd=Path(__file__).resolve().parents[2],
        timeout=120,
    )
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    assert lines[0] == "converter loaded: False telemetry loaded: False", out.stdout
    assert lines[1] == "converter: openvino.tools.ovc.convert", out.stdout

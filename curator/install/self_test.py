"""`curator --self-test`: does this installation (or bundle) work, end to end?

In a temporary folder, with no display, network or model: resources are found
(`resource_path()`); a new catalog is created; a generated JPEG is imported by
the real pipeline in a spawned child; its thumbnail is painted offscreen by Qt;
describe against a silent address reports itself skipped; embedding says
whether it is available; the face model, when installed, runs every network on
a made-up face and names its runtime. One line per step; exit 0 when all
passed, 1 otherwise.
"""

from __future__ import annotations

import importlib.util
import os
import socket
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import TextIO

EXIT_OK, EXIT_FAILED = 0, 1


def run_self_test(out: TextIO | None = None) -> int:
    out = out or sys.stdout
    os.environ["QT_QPA_PLATFORM"] = "offscreen"  # this process draws nothing on screen
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="curator-self-test-") as tmp:
        ok = _run_steps(Path(tmp), out)
    verdict = "passed" if ok else "FAILED"
    print(f"self-test {verdict} in {time.monotonic() - started:.1f} s", file=out)
    return EXIT_OK if ok else EXIT_FAILED


def _run_steps(tmp: Path, out: TextIO) -> bool:
    from curator.ui.common.render_check import gui_application

    gui_application()  # before the pipeline makes a QCoreApplication
    state: dict[str, object] = {}
    steps: list[tuple[str, Callable[[], str]]] = [
        ("resources", _check_resources),
        ("catalog", lambda: _check_catalog(tmp)),
        ("import", lambda: _check_import(tmp, state)),
        ("thumbnail", lambda: _check_thumbnail(tmp, state)),
        ("describe", lambda: _check_describe(state)),
        ("embedding", _check_embedding),
        ("faces", _check_faces),
    ]
    for name, step in steps:
        try:
            line = step()
        except Exception as exc:  # a failed step is reported, the next ones still run
            print(f"FAIL  {name}: {type(exc).__name__}: {exc}", file=out)
            state["failed"] = True
        else:
            print(f"{line.split(':', 1)[0]:<5} {name}:{line.split(':', 1)[1]}", file=out)
    return not state.get("failed")


def _check_resources() -> str:
    from curator.paths import resource_path

    readme = resource_path("README.md")
    if not readme.is_file():
        raise FileNotFoundError(f"resources not found at {readme.parent}")
    return f"ok: found in {readme.parent}"


def _check_catalog(tmp: Path) -> str:
    from curator.catalog.db import Catalog

    catalog = Catalog.open(tmp / "catalog.sqlite")
    catalog.close()
    return f"ok: created {tmp / 'catalog.sqlite'}"


def _check_import(tmp: Path, state: dict[str, object]) -> str:
    import numpy as np
    from PIL import Image

    from curator.pipeline.importer import run_headless
    from curator.pipeline.service import RunRequest
    from curator.settings import Settings

    folder = tmp / "photos"
    folder.mkdir()
    rng = np.random.default_rng(11)
    pixels = rng.integers(0, 255, (480, 640, 3), dtype=np.uint8)
    Image.fromarray(pixels).save(folder / "self-test.jpg", quality=90)
    nowhere = f"http://127.0.0.1:{_closed_port()}"
    settings = Settings(decode_workers=1, llm_model="ollama/llava", ollama_url=nowhere)
    report = run_headless(
        RunRequest(folder=str(folder), stages=("technical", "describe")),
        catalog_path=tmp / "catalog.sqlite",
        cache_dir=tmp / "cache",
        settings=settings,
    )
    state["report"] = report
    counts = report.counts
    if report.error or counts["new"] != 1 or counts["failed"]:
        raise RuntimeError(f"import went wrong: {counts} {report.error}")
    return "ok: 1 generated photo decoded in a child process and catalogued"


def _check_thumbnail(tmp: Path, state: dict[str, object]) -> str:
    from curator.ui.common.render_check import render_thumbnail

    thumbs = sorted((tmp / "cache").rglob("thumbs/**/*.jpg"))
    if not thumbs:
        raise FileNotFoundError("the import left no thumbnail in the cache")
    width, height = render_thumbnail(thumbs[0])
    return f"ok: {width}×{height} painted offscreen"


def _check_describe(state: dict[str, object]) -> str:
    report = state.get("report")
    if report is None:
        raise RuntimeError("no import ran")
    describe = getattr(report, "stages", {}).get("describe", {})
    if not describe.get("skipped"):
        raise RuntimeError(f"describe without a model should be skipped, got {describe}")
    return f"skip: skipped as expected ({describe.get('reason', 'no model')})"


def _check_embedding() -> str:
    if importlib.util.find_spec("torch") is None or importlib.util.find_spec("open_clip") is None:
        return (
            "info: unavailable in this build (torch is not bundled): embedding, similar "
            "photos and the taste model wait; everything else works"
        )
    return "ok: torch and open_clip are importable (weights download on first use)"


def _check_faces() -> str:
    from curator.ml.faces.files import find_face_model

    found = find_face_model()
    if found.files is None:
        return f"info: {found.problem}"
    import numpy as np

    from curator.ml.faces.descriptor import descriptor_for
    from curator.ml.faces.graphs import NAMES
    from curator.ml.faces.networks import Detection, networks_for

    nets = networks_for(found.files)
    rgb = np.full((480, 640, 3), 128, np.uint8)
    nets.detector.detect(rgb)
    nets.near_detector.detect(rgb)
    eyes_nose_mouth_ears = [(280, 200), (360, 200), (320, 240), (320, 280), (240, 210), (400, 210)]
    face = Detection(0.9, (220.0, 140.0, 200.0, 200.0), np.array(eyes_nose_mouth_ears, float))
    mesh = nets.landmarks.mesh(rgb, face, nets.landmarks.presence(rgb, face))
    descriptor = descriptor_for(found.files)
    descriptor.describe_many([np.full((112, 112, 3), 128, np.uint8)])
    if mesh.points.shape != (478, 2):
        raise RuntimeError(f"the landmarks model gave {mesh.points.shape} points, not 478")
    graphs = [nets.detector.net, nets.near_detector.net]
    graphs += [nets.landmarks.mesh_net, nets.landmarks.blend_net, nets.landmarks.presence_net]
    runs = sorted({NAMES[g.runtime] for g in graphs} | {NAMES[descriptor.runtime]})
    return f"ok: the face model runs on {' and '.join(runs)} ({found.files.folder})"


def _closed_port() -> int:
    """A local port nothing listens on: bound, then released."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])

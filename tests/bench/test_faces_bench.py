"""Faces benchmark (issue 32 §1, §3; the import's line, issue 74 §5): quality on a
labelled set of real photos, the face's sharpness against a blur series, the
stage's cost, and an import with faces against the same import without.

Run with ``make bench``. The labelled set is in the repository
(`faces_eval.set_folder`: tests/data/faces-eval, or ``$CURATOR_FACES_EVAL``);
without it the quality tests skip with that sentence. Results go to the bench
results folder (faces.json). Why the lines are where they are, and what was
measured and tried: docs/decisions/faces-speed.md.

Budgets asserted:
- closed-eye recall ≥ 0.97 and precision ≥ 0.9 on faces ≥ 80 px, printed with
  their Wilson interval (the set's shut faces are 18, from ten people: one face
  moves either figure by 0.05; the eyes' figures that mean something are the
  dev bench's, test_faces_dev_bench.py); no face with sunglasses or turned away
  called closed;
- detection recall ≥ 0.97 on faces ≥ 80 px that the camera sees and on those
  whose eyes can be judged; every face ≥ 80 px's recall is printed;
- face sharpness against a blur of the face only: mean Spearman ≥ 0.95 for
  Gaussian and motion blur;
- ≤ `MAX_CPU_MS` of CPU per photo, one thread, in a decoder child as the import
  runs it (`stage_costs`), on a cull's mix (the camera fixtures and the
  labelled set's people pictures, each at the 1,440 px preview the stage is
  given: `as_preview`); each photo's least of `ROUNDS` runs (the host's own
  speed moves by a fifth from hour to hour); the people-only figure and the
  stage without the identity descriptor are printed;
- an import of `IMPORT_PHOTOS` camera-sized photos (24 MP JPEGs) with faces
  ≤ `MAX_IMPORT_RATIO` x the same import without (both without CLIP), wall
  time, in the same run; the CPU of both and the faces' CPU a photo are
  printed, and a group's detail look apart (`group_look`: the shoot's frames
  whose preview shows a group, and what looking again in their detail costs,
  each source photo judged as the import judges it, with and without it).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import pytest

from tests.bench import faces_eval as fe
from tests.bench.results import merge_results
from tests.faces_helpers import installed_model

pytestmark = pytest.mark.bench

IMPORT_PHOTOS = 2000
CAMERA_LONG_EDGE = 6000
PREVIEW_LONG_EDGE = 1440
MAX_CPU_MS = 40.0
ROUNDS = 3  # each photo's cost: the least of this many runs (the decisions page says why)
MAX_IMPORT_RATIO = 1.5  # identity, expressions and a group's look included (decisions page)


@pytest.fixture(scope="module")
def model() -> object:
    return installed_model()


@pytest.fixture(scope="module")
def labelled() -> list[fe.Photo]:
    reason = fe.missing_reason()
    if reason:
        pytest.skip(reason)
    return list(fe.load_set())


def _finder(model: object):
    from curator.ml.faces.find import find_faces

    cv2.setNumThreads(1)
    return lambda rgb: find_faces(rgb, model, "bench", photo_sharpness=80.0)  # type: ignore[arg-type]


def test_quality_on_the_labelled_set(model: object, labelled: list[fe.Photo]) -> None:
    find = _finder(model)
    tally = fe.evaluate(iter(labelled), find)
    report = tally.report()
    judgeable = _judgeable_recall(labelled, find)
    report["detection_recall_80_judgeable"] = judgeable
    print("\nfaces on the labelled set:", json.dumps(report, indent=1))
    merge_results("faces.json", {"quality": report})
    _assert_found_and_closed(report)
    assert report["sunglasses_called_closed"].startswith("0/")
    assert report["turned_away_called_closed"].startswith("0/")
    assert judgeable[0] is not None and judgeable[0] >= 0.97, judgeable


def _camera_finder(model: object, folder: Path) -> Callable[[np.ndarray], object]:
    """A `find` that judges a labelled photo as the import judges a camera's
    frame: the photo made a 24 MP JPEG (`camera_jpeg`), measured by the
    technical stage with the faces stage riding along (`measure_file` and
    `faces_hook`), so a group's small faces are looked for again in the
    frame's detail decode (`ml.faces.groups`)."""
    import dataclasses

    from curator.imaging.technical import measure_file
    from curator.pipeline.stages.faces_child import faces_hook
    from curator.records import TechnicalRequest

    folder.mkdir(exist_ok=True)
    path = folder / "frame.jpg"
    request = TechnicalRequest(path=str(path), cache_dir=str(folder / "cache"))
    request = dataclasses.replace(request, faces_model=model.folder, faces_version="bench")  # type: ignore[attr-defined]

    def find(rgb: np.ndarray) -> object:
        path.write_bytes(camera_jpeg(rgb))
        return measure_file(request, faces_hook(request)).faces

    return find


def camera_jpeg(rgb: np.ndarray) -> bytes:
    """`rgb` enlarged to a camera's `CAMERA_LONG_EDGE` and encoded as its JPEG is
    (quality 90)."""
    scale = CAMERA_LONG_EDGE / max(rgb.shape[:2])
    size = (round(rgb.shape[1] * scale), round(rgb.shape[0] * scale))
    big = cv2.resize(rgb, size, interpolation=cv2.INTER_CUBIC)
    ok, data = cv2.imencode(".jpg", big[:, :, ::-1], [cv2.IMWRITE_JPEG_QUALITY, 90])
    assert ok
    return data.tobytes()


def test_quality_at_a_camera_s_size(
    model: object, labelled: list[fe.Photo], tmp_path: Path
) -> None:
    """The labelled set judged as the import judges 24 MP frames (a group's
    faces in the detail decode too): the recall and the closed eyes hold as on
    the previews, and the judged faces matching no label are listed."""
    tally = fe.evaluate(iter(labelled), _camera_finder(model, tmp_path))
    report = tally.report()
    print("\nfaces on the labelled set at a camera's size:", json.dumps(report, indent=1))
    merge_results("faces.json", {"quality_camera_size": report})
    _assert_found_and_closed(report)


def _assert_found_and_closed(report: dict[str, Any]) -> None:
    """The closed eyes' precision and recall, and the facing faces' recall,
    at the budgets above."""
    precision, recall = report["closed_eye_precision"][0], report["closed_eye_recall"][0]
    assert precision is not None and precision >= 0.9, report
    assert recall is not None and recall >= 0.97, report
    facing = report["detection_recall_80_facing"][0]
    assert facing is not None and facing >= 0.97, report


def _judgeable_recall(photos: list[fe.Photo], find: object) -> tuple[float | None, ...]:
    hits = total = 0
    for photo in photos:
        height, width = photo.rgb.shape[:2]
        found = find(photo.rgb)  # type: ignore[operator]
        matched = fe.match(photo.labels, list(found.faces), width, height)
        for i, label in enumerate(photo.labels):
            if label.size >= fe.JUDGED_FROM and label.eyes in ("open", "closed"):
                total += 1
                hits += i in matched
    return fe.wilson(hits, total)


def test_face_sharpness_follows_a_blur_of_the_face(model: object, labelled: list[fe.Photo]) -> None:
    series = fe.blur_series(iter(labelled), _finder(model))
    print("\nface sharpness against blur:", json.dumps(series, indent=1))
    merge_results("faces.json", {"blur_series": series})
    for name, row in series.items():
        assert row["faces"] >= 10, (name, row)
        assert row["spearman_mean"] >= 0.95, (name, row)


def fixture_previews(fixtures: Path) -> list[np.ndarray]:
    """The camera fixtures' previews as the import decodes them (JPEGs and
    RAWs of 100 kB or more; a file the decoder refuses is left out)."""
    from curator.imaging.decode import decode_image
    from curator.imaging.formats import is_raw_path

    out = []
    for path in sorted((fixtures / "jpeg").rglob("*.jpg")) + sorted((fixtures / "raw").glob("*")):
        if not path.is_file() or path.stat().st_size < 100_000:
            continue
        try:
            decoded = decode_image(path.read_bytes(), is_raw=is_raw_path(str(path)))
        except Exception:
            continue
        out.append(np.asarray(decoded.preview))
    return out


def as_preview(rgb: np.ndarray) -> np.ndarray:
    """`rgb` at the 1,440 px long edge of the preview the stage is given
    (the import's, `TechnicalRequest.preview_long_edge`): the labelled set's
    web photos are 360-1,137 px and several fixtures under 1,440, and a face
    in fewer pixels is judged and described less often."""
    scale = PREVIEW_LONG_EDGE / max(rgb.shape[:2])
    size = (round(rgb.shape[1] * scale), round(rgb.shape[0] * scale))
    kind = cv2.INTER_AREA if scale < 1 else cv2.INTER_CUBIC
    return np.asarray(cv2.resize(rgb, size, interpolation=kind), dtype=np.uint8)


def stage_costs(fixtures: str) -> dict[str, list[float]]:
    """The stage's CPU (ms) on each photo of the mix, with and without the
    identity descriptor, run where the import runs it: in a decoder child
    (`ChildProcessPool` with `init_decoder_process`: one compute thread,
    numpy's BLAS included — in this test's own process OpenBLAS's idle
    threads spun a second core through every people photo, 76 ms of process
    CPU a photo against 47 on the stage's thread, 2026-11-27). Each photo's
    cost is the least of `ROUNDS` runs, a round going over every photo once
    (as Python's timeit takes the least of its repeats: what runs longer was slowed
    by something else on the machine); the first round's are kept as well."""
    from curator.ml.faces.find import find_faces

    model = installed_model()
    people = [as_preview(p.rgb) for p in fe.load_set()]
    others = [as_preview(rgb) for rgb in fixture_previews(Path(fixtures))]
    find_faces(people[0], model, "bench")  # type: ignore[arg-type]  # the networks load once
    costs: dict[str, list[float]] = {}
    for describe in (True, False):  # the whole stage; without the identity descriptor
        for name, previews in (("people", people), ("no people", others)):
            key = name if describe else f"{name}, no descriptor"
            rounds = []
            for _ in range(ROUNDS):  # every photo once a round: a slow spell hits one round
                rounds.append([])
                for rgb in previews:
                    start = time.process_time()
                    find_faces(rgb, model, "bench", photo_sharpness=80.0, describe=describe)  # type: ignore[arg-type]
                    rounds[-1].append(1000 * (time.process_time() - start))
            costs[key] = [min(each) for each in zip(*rounds, strict=True)]
            costs[f"{key}, first round"] = rounds[0]
    return costs


def test_the_stage_costs_at_most_40_ms_a_photo(
    model: object, labelled: list[fe.Photo], fixtures_dir: Path
) -> None:
    from curator.engine.isolation import ChildProcessPool
    from curator.pipeline.stages.technical import init_decoder_process

    decoder = ChildProcessPool(
        1, initializer=init_decoder_process, initargs=(frozenset(),), memory_limit=None
    )
    try:
        costs = decoder.call(stage_costs, str(fixtures_dir))
    finally:
        decoder.close()
    mixes = {
        "mix": costs["people"] + costs["no people"],
        "mix, no descriptor": costs["people, no descriptor"] + costs["no people, no descriptor"],
        "mix, first round": costs["people, first round"] + costs["no people, first round"],
    }
    row = {
        name: {
            "photos": len(v),
            "mean_ms": round(float(np.mean(v)), 1),
            "median_ms": round(float(np.median(v)), 1),
        }
        for name, v in (*costs.items(), *mixes.items())
    }
    print("\nfaces stage CPU per 1,440 px preview (one thread):", json.dumps(row, indent=1))
    merge_results("faces.json", {"cost": row})
    assert row["mix"]["mean_ms"] <= MAX_CPU_MS, row


def _import_library(folder: Path, photos: list[fe.Photo], fixtures: Path, count: int) -> int:
    """`count` distinct camera-sized JPEGs (24 MP, 6,000 px long edge, as a
    wedding shoot's): the labelled set's photos and the camera fixtures, each
    encoded once; every copy is another photo to the catalog (a comment
    segment with its number right after the JPEG's start: other bytes, the
    same pixels). An import of 2,400 px web JPEGs would price the technical
    stage at a quarter of a camera file's and the faces beside it at 4 x
    their share. Returns how many sources there are (copy i is source i % n)."""
    from PIL import Image

    sources = [p.rgb for p in photos]
    sources += [
        np.asarray(Image.open(p).convert("RGB"))
        for p in sorted((fixtures / "jpeg").glob("*.jpg"))
        if p.stat().st_size > 100_000
    ]
    encoded = [camera_jpeg(rgb) for rgb in sources]
    folder.mkdir()
    for i in range(count):
        data = encoded[i % len(encoded)]
        note = f"bench copy {i}".encode()
        comment = b"\xff\xfe" + (len(note) + 2).to_bytes(2, "big") + note
        (folder / f"IMG_{i:05d}.jpg").write_bytes(data[:2] + comment + data[2:])
    return len(encoded)


def group_look_costs(job: tuple[list[str], str]) -> list[tuple[bool, float, float]]:
    """Each file (of `job`: the files, a cache folder) judged as the import
    judges it (`measure_file` with the faces hook riding along), in a decoder
    child: whether its preview showed a group (the detail was asked for), and
    the hook's CPU (ms) with the group's detail look and without it (the same
    preview, the detail withheld)."""
    from curator.records import TechnicalRequest

    files, cache_dir = job
    model = installed_model()
    requests = [
        TechnicalRequest(
            path=path,
            cache_dir=cache_dir,
            faces_model=model.folder,  # type: ignore[attr-defined]
            faces_version="bench",
        )
        for path in files
    ]
    _judged_twice(requests[0])  # the networks load once, outside the figures
    return [_judged_twice(request) for request in requests]


def _judged_twice(request: Any) -> tuple[bool, float, float]:
    from curator.imaging.technical import measure_file
    from curator.pipeline.stages.faces_child import faces_hook

    hook = faces_hook(request)
    assert hook is not None
    costs: list[float] = []
    asked: list[bool] = []

    def timed(rgb: Any, noise: Any, sharpness: Any, detail: Any) -> Any:
        def counted() -> Any:
            asked.append(True)
            return detail()

        start = time.process_time()
        outcome = hook(rgb, noise, sharpness, counted)
        costs.append(1000 * (time.process_time() - start))
        start = time.process_time()
        hook(rgb, noise, sharpness, lambda: None)
        costs.append(1000 * (time.process_time() - start))
        return outcome

    measure_file(request, timed)
    return bool(asked), costs[0], costs[1]


def _group_look(lib: Path, sources: int, photos: int, tmp_path: Path) -> dict[str, Any]:
    """A group's detail look, apart: the shoot's group frames and what looking
    again in their detail costs a photo of the shoot (`group_look_costs` on
    each source, weighted by its copies)."""
    from curator.engine.isolation import ChildProcessPool
    from curator.pipeline.stages.technical import init_decoder_process

    files = [str(lib / f"IMG_{i:05d}.jpg") for i in range(sources)]
    decoder = ChildProcessPool(
        1, initializer=init_decoder_process, initargs=(frozenset(),), memory_limit=None
    )
    try:
        job = (files, str(tmp_path / "look-cache"))
        judged = decoder.call(group_look_costs, job, timeout=3600)
    finally:
        decoder.close()
    copies = [photos // sources + (i < photos % sources) for i in range(sources)]
    groups = sum(n for n, (group, *_) in zip(copies, judged, strict=True) if group)
    look = sum(
        n * (full - plain) for n, (group, full, plain) in zip(copies, judged, strict=True) if group
    )
    hook = sum(n * full for n, (_, full, _) in zip(copies, judged, strict=True))
    return {
        "group_frames": groups,
        "group_frames_share": round(groups / photos, 3),
        "detail_look_cpu_ms_per_photo": round(look / photos, 1),
        "faces_hook_cpu_ms_per_photo": round(hook / photos, 1),
    }


def _timed_import(lib: Path, home: Path, stages: str) -> tuple[float, float]:
    """(wall seconds, CPU seconds of the import and every process it ran)."""
    import resource

    env = dict(os.environ, CURATOR_HOME=str(home), CURATOR_CLIP_AUTO_DOWNLOAD="0")
    command = [sys.executable, "-m", "curator", "import", str(lib), "--stages", stages]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.monotonic()
    done = subprocess.run(
        [*command, "--json", "--no-progress"], env=env, capture_output=True, text=True, check=False
    )
    elapsed = time.monotonic() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    assert done.returncode == 0, done.stderr[-2000:]
    cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    return elapsed, cpu


@pytest.mark.timeout(3600)
def test_an_import_with_faces_costs_at_most_1_5_x(
    model: object, labelled: list[fe.Photo], fixtures_dir: Path, tmp_path: Path
) -> None:
    lib = tmp_path / "shoot"
    sources = _import_library(lib, labelled, fixtures_dir, IMPORT_PHOTOS)
    without, without_cpu = _timed_import(lib, tmp_path / "without", "technical")
    with_faces, with_cpu = _timed_import(lib, tmp_path / "with", "technical,faces")
    group_look = _group_look(lib, sources, IMPORT_PHOTOS, tmp_path)
    shutil.rmtree(lib)
    ratio = with_faces / without
    row = {
        "photos": IMPORT_PHOTOS,
        "long_edge_px": CAMERA_LONG_EDGE,
        "without_s": round(without, 1),
        "with_faces_s": round(with_faces, 1),
        "ratio": round(ratio, 3),
        "cpu_without_s": round(without_cpu, 1),
        "cpu_with_faces_s": round(with_cpu, 1),
        "cpu_ratio": round(with_cpu / without_cpu, 3),
        "faces_cpu_ms_per_photo": round((with_cpu - without_cpu) / IMPORT_PHOTOS * 1000, 1),
        "group_look": group_look,
    }
    print("\nimport with faces against without:", json.dumps(row))
    merge_results("faces.json", {"import": row})
    assert ratio <= MAX_IMPORT_RATIO, row

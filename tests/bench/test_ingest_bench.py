"""Ingest benchmark: the technical stage against the naive approach and the bare decode.

Run with ``make bench`` (``pytest tests/bench -m bench -s -q``); ``make test``
leaves it out. It writes its inputs into a temporary folder: `N_GENERATED`
24 MP JPEGs (6000 x 4000, detailed texture) and as many 24 MP Bayer DNGs
(uncompressed 12-bit, no embedded preview), plus the decodable camera
fixtures (../shared/fixtures/jpeg and raw). For every file set, in the same
run, it measures files per second for:

- naive: one process; per file a full decode (rawpy ``postprocess()`` with
  LibRaw's defaults for RAW, Pillow ``convert("RGB")`` for JPEG), a Pillow
  LANCZOS resize to 1440 px, grey + ``cv2.Laplacian`` variance on the full
  frame (the libraries' default threading, as a naive script would have);
- bare: one process; the bare decode of the file (JPEG: ``cv2.imdecode``
  IMREAD_COLOR at full resolution; RAW: rawpy ``postprocess(half_size=True)``);
- ours x1 / x2: the real technical stage (`run_technical`) through the real
  crash-isolation pool (`ChildProcessPool` with the importer's initializer),
  fed by as many threads as children. Children are warmed first (one untimed
  call each, which also imports rawpy/OpenCV there) and every timed run gets
  a fresh cache folder, so previews and thumbnails are really written.

Each measurement is repeated `ROUNDS` times and the fastest kept (the
machines these run on are shared; the fastest run is the least disturbed).

Budgets (docs/product.md "Budgets", asserted here, never in CI):
- ours x1 >= 5 x naive in CPU time (every thread of either side; the wall
  ratio is printed too: on a shared machine the child may get a fraction of a
  core while naive runs, which a wall ratio would charge to ours), on RAW
  sets: product.md defines "naive" as a full RAW
  demosaic + PIL resize. For JPEG the ratio is printed only: both sides must
  entropy-decode every coefficient of the full frame, so it cannot reach 5 x;
- ours x1 CPU per file <= `MAX_COST_OVER_FLOOR` (1.5) x the physical floor's
  CPU per file, on the generated 24 MP sets (issue 21 §3). The floor is what
  any importer must do: read the file, blake3 it, and decode it at the
  reduced scale the previews need (a JPEG's DCT-scaled draft to the preview
  size; a RAW's half-size LibRaw decode), in-process, one thread. The bare
  full decode is printed too (x1/bare t), no longer a budget: a full decode
  is not the floor, so 2.5 x it hid a 2 x cost over the floor;
- ours x2 >= 1.8 x ours x1 on the generated sets, checked only when the two
  children really kept two cores busy (the cores-busy column, child CPU /
  wall >= `MIN_CORES_FOR_SCALING`); otherwise the table says the scaling was
  not measured and why. The fixture sets are printed only:
  a handful of files of very different sizes (a 9 MP DNG next to 0.2 MP
  ones) cannot be shared evenly between two workers.

RAW at the speed of its embedded preview (`test_raw_with_preview_throughput`,
issue 10 §2): `N_GENERATED` 24 MP DNGs that embed a full-size JPEG (the
generated JPEG's picture, appended as a preview IFD: tests.raw_helpers), the
same-size JPEGs, and the same DNGs with the fast path switched off in the
children (`raw.decode.FAST_PREVIEW_LONG_EDGE` out of reach: the sensor path,
i.e. what a RAW with a preview cost before). Budgets, per file with one
worker: the fast path >= `MIN_PREVIEW_OVER_SENSOR` x the sensor path's rate
on the same files, and <= `MAX_PREVIEW_OVER_JPEG` x the JPEG's time. Written
to the bench results folder (tests/bench/results.py): ingest-raw-preview.json.

The table is printed and written as JSON to ingest.json in the bench results
folder (tests/bench/results.py). It
also shows the children's CPU time per file and the cores they kept busy
(CPU time / wall time): with one worker that should be ~1 (a child that
spreads over several cores cannot double with a second worker), with two
~2; less than that means something else was using the machine, and the wall
times of that run are not to be trusted.
"""

from __future__ import annotations

import io
import json
import math
import os
import shutil
import tempfile
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import blake3
import cv2
import numpy as np
import pytest
import rawpy
from PIL import Image

from curator.engine.isolation import ChildProcessPool
from curator.imaging.formats import is_raw_path
from curator.imaging.metrics import WORKING_LONG_EDGE
from curator.imaging.types import TechnicalMeasurement, TechnicalRequest
from curator.pipeline.stages.technical import TechnicalOutcome, init_decoder_process, run_technical
from tests.bench.results import results_path
from tests.imaging_helpers import FIXTURES, make_dng, make_jpeg
from tests.raw_helpers import add_jpeg_preview

pytestmark = pytest.mark.bench

N_GENERATED = 8
WIDTH, HEIGHT = 6000, 4000
PREVIEW_LONG_EDGE = 1440
ROUNDS = 2
CALL_TIMEOUT_S = 300.0
RESULTS = results_path("ingest.json")

MIN_SPEEDUP_OVER_NAIVE = 5.0
MIN_TWO_WORKER_SCALING = 1.8
MAX_COST_OVER_FLOOR = 1.5  # ours x1 CPU per file / the floor's (issue 21 §3)
MIN_CORES_FOR_SCALING = 1.8  # two children this busy: the machine gave them two cores
MIN_PREVIEW_OVER_SENSOR = 2.5
MAX_PREVIEW_OVER_JPEG = 1.5
RAW_PREVIEW_RESULTS = RESULTS.with_name("ingest-raw-preview.json")


@dataclass(frozen=True)
class FileSet:
    name: str
    paths: tuple[Path, ...]
    raw: bool
    generated: bool


@dataclass(frozen=True)
class SetResult:
    name: str
    files: int
    megabytes: float
    naive_fps: float
    bare_fps: float
    floor_cpu_ms_per_file: float  # read + blake3 + reduced decode, in-process CPU
    ours1_fps: float
    ours2_fps: float
    ours1_over_naive: float  # wall time, printed
    ours1_over_naive_cpu: float  # CPU time (every thread): budget >= 5 (RAW sets)
    ours2_over_ours1: float  # budget >= 1.8
    ours1_over_bare_time: float  # time per file, printed only
    ours1_cpu_ms_per_file: float  # CPU time in the child per file (all its threads)
    ours1_over_floor_cpu: float  # budget <= MAX_COST_OVER_FLOOR (generated sets)
    ours1_cores: float  # child CPU time / wall time with one worker
    ours2_cores: float  # the same with two: < 1.8 means they did not get two cores


# --- the three contenders -------------------------------------------------------------


def naive_one(path: Path) -> float:
    """Full decode, Pillow LANCZOS resize to 1440 px, Laplacian variance on the full frame."""
    if is_raw_path(str(path)):
        with rawpy.imread(str(path)) as raw:
            rgb = raw.postprocess()
    else:
        with Image.open(path) as img:
            rgb = np.asarray(img.convert("RGB"))
    image = Image.fromarray(rgb)
    scale = PREVIEW_LONG_EDGE / max(image.size)
    if scale < 1:
        size = (max(1, round(image.width * scale)), max(1, round(image.height * scale)))
        image.resize(size, Image.Resampling.LANCZOS)
    grey = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)
    return float(cv2.Laplacian(grey, cv2.CV_64F).var())


def bare_one(path: Path) -> int:
    """The bare decode: OpenCV's full-resolution colour JPEG decode / LibRaw's half size."""
    data = path.read_bytes()
    if is_raw_path(str(path)):
        with rawpy.imread(io.BytesIO(data)) as raw:
            rgb = raw.postprocess(half_size=True)
    else:
        rgb = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR)
    assert rgb is not None, path
    return int(rgb.shape[0])


def floor_one(path: Path) -> int:
    """The physical floor: read, blake3, and the reduced decode the previews need."""
    data = path.read_bytes()
    blake3.blake3(data, max_threads=1).hexdigest()
    if is_raw_path(str(path)):
        with rawpy.imread(io.BytesIO(data)) as raw:
            return int(raw.postprocess(half_size=True).shape[0])
    with Image.open(io.BytesIO(data)) as img:
        ratio = max(PREVIEW_LONG_EDGE, WORKING_LONG_EDGE) / max(img.size)
        if ratio < 0.5:
            img.draft("RGB", (math.ceil(img.width * ratio), math.ceil(img.height * ratio)))
        img.load()
        return int(img.size[1])


def cpu_in_process(fn: Callable[[Path], object], paths: tuple[Path, ...]) -> float:
    """CPU seconds of `fn` over `paths` in this process (one thread)."""
    start = time.process_time()
    for path in paths:
        fn(path)
    return time.process_time() - start


def time_in_process(fn: Callable[[Path], object], paths: tuple[Path, ...]) -> float:
    start = time.perf_counter()
    for path in paths:
        fn(path)
    return time.perf_counter() - start


def run_technical_timed(request: TechnicalRequest) -> tuple[TechnicalOutcome, float]:
    """`run_technical` plus the CPU seconds it took in the child (every thread)."""
    start = time.process_time()
    outcome = run_technical(request)
    return outcome, time.process_time() - start


def time_ours(
    paths: tuple[Path, ...],
    workers: int,
    scratch: Path,
    initializer: Callable[..., object] = init_decoder_process,
) -> tuple[float, float]:
    """Wall seconds and child CPU seconds for the technical stage on `paths` with
    `workers` warmed children (CPU time tells a busy machine from poor scaling)."""
    pool = ChildProcessPool(workers, initializer=initializer, initargs=(frozenset(),))

    def call(request: TechnicalRequest) -> tuple[TechnicalOutcome, float]:
        return pool.call(run_technical_timed, request, CALL_TIMEOUT_S)

    try:
        with ThreadPoolExecutor(workers) as feeders:
            # Warm-up: one untimed call in each child (process start, imports, first RAW).
            warm_dir = tempfile.mkdtemp(prefix="warm-", dir=scratch)
            warm = TechnicalRequest(path=str(paths[0]), cache_dir=warm_dir)
            pool.warm(run_technical_timed, warm, CALL_TIMEOUT_S)
            assert len(pool.worker_pids()) == workers
            cache_dir = tempfile.mkdtemp(prefix="cache-", dir=scratch)
            requests = [TechnicalRequest(path=str(p), cache_dir=cache_dir) for p in paths]
            start = time.perf_counter()
            timed = list(feeders.map(call, requests))
            elapsed = time.perf_counter() - start
    finally:
        pool.close()
    outcomes = [outcome for outcome, _ in timed]
    failed = [o for o in outcomes if not isinstance(o, TechnicalMeasurement) or not o.decoded]
    assert not failed, failed
    previews = list(Path(cache_dir).glob("previews/*/*/*.jpg"))
    assert len(previews) == len({o.content_hash for o in outcomes}), "previews not written"
    return elapsed, sum(cpu for _, cpu in timed)


# --- inputs ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def file_sets(tmp_path_factory: pytest.TempPathFactory) -> Iterator[list[FileSet]]:
    folder = tmp_path_factory.mktemp("ingest-inputs")
    shot = datetime(2024, 5, 6, 7, 8, 9)
    jpegs, dngs = [], []
    for index in range(N_GENERATED):
        # A different capture time per file: different bytes, so a different content
        # hash and cache entry for every file (the pixels are the same texture).
        at = shot + timedelta(seconds=index)
        name = f"gen_{index:02d}"
        jpeg = make_jpeg(folder / f"{name}.jpg", WIDTH, HEIGHT, captured_at=at, pattern="texture")
        jpegs.append(jpeg)
        dngs.append(make_dng(folder / f"{name}.dng", WIDTH, HEIGHT, captured_at=at))
    fixture_jpegs = tuple(sorted(p for p in (FIXTURES / "jpeg").glob("*") if p.is_file()))
    fixture_raws = tuple(sorted(p for p in (FIXTURES / "raw").glob("*") if p.is_file()))
    if not fixture_jpegs or not fixture_raws:
        pytest.fail(f"camera fixtures missing under {FIXTURES}")
    yield [
        FileSet("jpeg 24 MP (generated)", tuple(jpegs), raw=False, generated=True),
        FileSet("dng 24 MP (generated)", tuple(dngs), raw=True, generated=True),
        FileSet("fixtures/jpeg", fixture_jpegs, raw=False, generated=False),
        FileSet("fixtures/raw", fixture_raws, raw=True, generated=False),
    ]
    shutil.rmtree(folder, ignore_errors=True)


# --- the benchmark ----------------------------------------------------------------------


def measure_set(file_set: FileSet, scratch: Path) -> SetResult:
    paths = file_set.paths
    for path in paths:  # read everything once: all contenders start from the page cache
        path.read_bytes()
    best: dict[str, float] = {}
    cpu: dict[str, float] = {}  # child CPU seconds of the fastest ours runs
    for _ in range(ROUNDS):
        cpu_start = time.process_time()
        timings = {"naive": time_in_process(naive_one, paths)}
        best["naive_cpu"] = min(
            best.get("naive_cpu", float("inf")), time.process_time() - cpu_start
        )
        timings["bare"] = time_in_process(bare_one, paths)
        best["floor_cpu"] = min(
            best.get("floor_cpu", float("inf")), cpu_in_process(floor_one, paths)
        )
        for workers in (1, 2):
            wall, cpu_seconds = time_ours(paths, workers, scratch)
            timings[f"ours{workers}"] = wall
            if wall < best.get(f"ours{workers}", float("inf")):
                cpu[f"ours{workers}"] = cpu_seconds
        for key, seconds in timings.items():  # the *_cpu figures are kept apart
            best[key] = min(best.get(key, float("inf")), seconds)
    count = len(paths)
    fps = {key: count / seconds for key, seconds in best.items() if not key.endswith("_cpu")}
    return SetResult(
        name=file_set.name,
        files=count,
        megabytes=round(sum(p.stat().st_size for p in paths) / 1e6, 1),
        naive_fps=round(fps["naive"], 3),
        bare_fps=round(fps["bare"], 3),
        floor_cpu_ms_per_file=round(1000 * best["floor_cpu"] / count, 1),
        ours1_fps=round(fps["ours1"], 3),
        ours2_fps=round(fps["ours2"], 3),
        ours1_over_naive=round(fps["ours1"] / fps["naive"], 2),
        ours1_over_naive_cpu=round(best["naive_cpu"] / cpu["ours1"], 2),
        ours2_over_ours1=round(fps["ours2"] / fps["ours1"], 2),
        ours1_over_bare_time=round(fps["bare"] / fps["ours1"], 2),
        ours1_cpu_ms_per_file=round(1000 * cpu["ours1"] / count, 1),
        ours1_over_floor_cpu=round(cpu["ours1"] / best["floor_cpu"], 2),
        ours1_cores=round(cpu["ours1"] / best["ours1"], 2),
        ours2_cores=round(cpu["ours2"] / best["ours2"], 2),
    )


def format_table(results: list[SetResult]) -> str:
    header = (
        f"{'file set':<24}{'files':>6}{'naive/s':>9}{'bare/s':>9}{'ours1/s':>9}{'ours2/s':>9}"
        f"{'x1/naive':>10}{'cpu':>6}{'x2/x1':>8}{'x1/bare t':>11}{'x1 cpu ms':>11}{'floor ms':>10}"
        f"{'x1/floor':>10}{'cores x1/x2':>13}"
    )
    lines = [header, "-" * len(header)]
    for r in results:
        lines.append(
            f"{r.name:<24}{r.files:>6}{r.naive_fps:>9.2f}{r.bare_fps:>9.2f}{r.ours1_fps:>9.2f}"
            f"{r.ours2_fps:>9.2f}{r.ours1_over_naive:>10.2f}{r.ours1_over_naive_cpu:>6.1f}"
            f"{r.ours2_over_ours1:>8.2f}"
            f"{r.ours1_over_bare_time:>11.2f}{r.ours1_cpu_ms_per_file:>11.0f}"
            f"{r.floor_cpu_ms_per_file:>10.0f}{r.ours1_over_floor_cpu:>10.2f}"
            f"{r.ours1_cores:>7.2f}/{r.ours2_cores:<5.2f}"
        )
    lines.append(
        f"budgets: x1/naive CPU >= {MIN_SPEEDUP_OVER_NAIVE} (RAW sets), x1 CPU/floor CPU <= "
        f"{MAX_COST_OVER_FLOOR} and x2/x1 >= {MIN_TWO_WORKER_SCALING} when two cores were "
        f"busy (>= {MIN_CORES_FOR_SCALING}) (generated sets)"
    )
    for r in results:
        if r.name.endswith("(generated)") and r.ours2_cores < MIN_CORES_FOR_SCALING:
            lines.append(
                f"{r.name}: 1 -> 2 worker scaling NOT measured: the two children kept only "
                f"{r.ours2_cores:.2f} cores busy (the machine was shared)"
            )
    return "\n".join(lines)


def budget_failures(file_set: FileSet, result: SetResult) -> list[str]:
    failures = []
    if file_set.raw and result.ours1_over_naive_cpu < MIN_SPEEDUP_OVER_NAIVE:
        # The ceiling too: naive's CPU over the floor's (read, hash, LibRaw's own
        # half-size decode), which no importer that decodes the sensor goes under.
        ceiling = result.ours1_over_naive_cpu * result.ours1_over_floor_cpu
        failures.append(
            f"{result.name}: ours x1 does {result.ours1_over_naive_cpu} x less work "
            f"(at {result.ours1_over_floor_cpu} x the floor; naive is {ceiling:.2f} x it)"
        )
    two_cores = result.ours2_cores >= MIN_CORES_FOR_SCALING
    if file_set.generated and two_cores and result.ours2_over_ours1 < MIN_TWO_WORKER_SCALING:
        failures.append(f"{result.name}: two workers give {result.ours2_over_ours1} x one")
    if file_set.generated and result.ours1_over_floor_cpu > MAX_COST_OVER_FLOOR:
        failures.append(f"{result.name}: ours x1 costs {result.ours1_over_floor_cpu} x the floor")
    return failures


@pytest.mark.timeout(1200)
def test_ingest_throughput(file_sets: list[FileSet], tmp_path: Path) -> None:
    results = [measure_set(file_set, tmp_path) for file_set in file_sets]
    table = format_table(results)
    print("\n" + table)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    payload: dict[str, Any] = {
        "cpu_count": os.cpu_count(),
        "rounds": ROUNDS,
        "sets": [asdict(r) for r in results],
    }
    RESULTS.write_text(json.dumps(payload, indent=2) + "\n")
    failures = [f for s, r in zip(file_sets, results, strict=True) for f in budget_failures(s, r)]
    assert not failures, "budgets missed:\n" + "\n".join(failures) + "\n" + table


# --- RAW with a full-size embedded preview (issue 10 §2) -----------------------------------


def init_sensor_path_process(hashes: frozenset[str]) -> None:
    """The importer's child initializer with the RAW fast path switched off."""
    from curator.imaging.raw import decode as rawdecode

    init_decoder_process(hashes)
    rawdecode.FAST_PREVIEW_LONG_EDGE = 1 << 30


@pytest.fixture(scope="module")
def preview_sets(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, tuple[Path, ...]]]:
    folder = tmp_path_factory.mktemp("raw-preview-inputs")
    shot = datetime(2024, 6, 7, 8, 9, 10)
    jpegs, dngs = [], []
    for index in range(N_GENERATED):
        at = shot + timedelta(seconds=index)
        jpeg = make_jpeg(
            folder / f"cam_{index:02d}.jpg", WIDTH, HEIGHT, captured_at=at, pattern="texture"
        )
        dng = make_dng(folder / f"cam_{index:02d}.dng", WIDTH, HEIGHT, captured_at=at)
        with Image.open(jpeg) as picture:
            add_jpeg_preview(dng, picture)
        jpegs.append(jpeg)
        dngs.append(dng)
    yield {"jpeg": tuple(jpegs), "dng": tuple(dngs)}
    shutil.rmtree(folder, ignore_errors=True)


def per_file_ms(
    paths: tuple[Path, ...],
    scratch: Path,
    initializer: Callable[..., object] = init_decoder_process,
) -> float:
    """The fastest of `ROUNDS` one-worker runs of the technical stage, ms per file."""
    for path in paths:
        path.read_bytes()
    best = min(time_ours(paths, 1, scratch, initializer)[0] for _ in range(ROUNDS))
    return 1000 * best / len(paths)


@pytest.mark.timeout(1200)
def test_raw_with_preview_throughput(
    preview_sets: dict[str, tuple[Path, ...]], tmp_path: Path
) -> None:
    dngs = preview_sets["dng"]
    probe = run_technical(TechnicalRequest(path=str(dngs[0]), cache_dir=str(tmp_path / "probe")))
    assert isinstance(probe, TechnicalMeasurement) and probe.metrics_source == "raw_embedded"
    timings = {
        "jpeg_ms": per_file_ms(preview_sets["jpeg"], tmp_path),
        "raw_preview_ms": per_file_ms(dngs, tmp_path),
        "raw_sensor_path_ms": per_file_ms(dngs, tmp_path, init_sensor_path_process),
    }
    speedup = timings["raw_sensor_path_ms"] / timings["raw_preview_ms"]
    over_jpeg = timings["raw_preview_ms"] / timings["jpeg_ms"]
    table = (
        f"24 MP, one worker, ms per file: JPEG {timings['jpeg_ms']:.0f}, DNG + full-size "
        f"preview {timings['raw_preview_ms']:.0f} (sensor path {timings['raw_sensor_path_ms']:.0f})"
        f"\nfast path {speedup:.2f} x the sensor path's rate (budget >= {MIN_PREVIEW_OVER_SENSOR}),"
        f" {over_jpeg:.2f} x a JPEG's time (budget <= {MAX_PREVIEW_OVER_JPEG})"
    )
    print("\n" + table)
    RAW_PREVIEW_RESULTS.parent.mkdir(parents=True, exist_ok=True)
    payload = {
        "files": len(dngs),
        **{k: round(v, 1) for k, v in timings.items()},
        "speedup_over_sensor_path": round(speedup, 2),
        "time_over_jpeg": round(over_jpeg, 2),
    }
    RAW_PREVIEW_RESULTS.write_text(json.dumps(payload, indent=2) + "\n")
    assert speedup >= MIN_PREVIEW_OVER_SENSOR, table
    assert over_jpeg <= MAX_PREVIEW_OVER_JPEG, table

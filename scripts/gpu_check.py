#!/usr/bin/env python3
"""The GPU check: CLIP through the product's own path on this machine's GPU, without Qt.

A GPU node (a studio's Ray worker, a borrowed machine) has torch and CUDA but
maybe no Qt; this script needs neither Qt nor pytest. It runs, and writes as
JSON into --out (default: $OUT, else ./gpu-check):

1. ``env.json``: Python, torch, CUDA, the GPU, the cores, and whether Qt is
   importable here (it need not be);
2. ``product_path.json``: `ClipEmbedder` loads ViT-L-14 from a checkpoint
   *file* with the device and precision left on auto (the settings a new user
   has), as `load()` does for the photographer — the weights given with
   --weights, else random weights saved to a file first (the forward's cost
   and the dtype path do not depend on the values) — and embeds generated
   previews with `embed_files`: every photo a finite unit vector, none failed;
3. ``models_bench.json``: `curator models bench --json` in a subprocess, on
   those weights (the photographer's own command);
4. ``embed_bench.json``: the embed bench (`tests/bench/embed_speed.py`: bare
   model against end to end, ViT-L-14 and ViT-B-32, with the budgets, each
   photo's end-to-end vector against its bare one, and the loader alone);
5. ``import.json`` (with --import N, where Qt's core is importable): `curator
   import --json` of N generated camera JPEGs twice, into fresh catalogs, with
   CLIP on this machine's GPU and without the embed stage: the elapsed times
   and each stage's (`stage_times`), so it shows whether the import waits for
   the embed stage;

and exits 1 when a step failed or the ViT-L-14 budget was missed. CI has no
GPU: the same code runs on CPU in the tests (bf16 there takes the same
mixed-precision path as fp16 on CUDA).

Run from the repository root::

    python3 scripts/gpu_check.py [--out DIR] [--weights FILE] [--photos N] [--quick] [--import N]

On a node without them, carry these wheels (pure Python) and put them on
PYTHONPATH: open_clip_torch, ftfy, wcwidth, peewee, platformdirs. The import
(step 5) needs the rest of Curator's stack too (PySide6's QtCore, pydantic,
rawpy, pillow-heif, exifread, blake3, send2trash); without Qt it is skipped.
`--quick` measures small samples (a smoke run, e.g. on a CPU). Each JSON
carries its step's `step_s`.

On an NVIDIA H200 node (16 cores, Python 3.12, torch 2.11; 2026-11-27) the
whole check with `--import 2000` took 408 s. Carried there: the wheels above
plus pydantic, pydantic-core, annotated-types, typing-inspection,
typing-extensions, pillow-heif, blake3, exifread and send2trash (cp312
builds, 12 MB), and PySide6's QtCore with its ICU libraries, shiboken6 and
the GLib libraries QtCore links (libglib-2.0, libgthread-2.0, libpcre2-8,
from any glibc Linux) as one .tar.xz of 13.5 MB, unpacked on PYTHONPATH with
its GLib folder on LD_LIBRARY_PATH. The face model (45 MB) did not fit
beside them, so that import ran without the faces stage.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
import traceback
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))


def _write(out: Path, name: str, payload: Any) -> None:
    (out / name).write_text(json.dumps(payload, indent=2, default=str) + "\n", encoding="utf-8")
    print(f"== {name}\n{json.dumps(payload, indent=2, default=str)[:4000]}", flush=True)


def _importable(name: str) -> bool:
    try:
        __import__(name)
    except ImportError:
        return False
    return True


def environment() -> dict[str, Any]:
    import torch

    cuda = torch.cuda.is_available()
    return {
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
        "torch": torch.__version__,
        "cuda": torch.version.cuda,
        "gpu": torch.cuda.get_device_name(0) if cuda else None,
        "gpu_memory_gb": round(torch.cuda.get_device_properties(0).total_memory / 1e9, 1)
        if cuda
        else None,
        "qt_importable": _importable("PySide6.QtCore"),
    }


def random_checkpoint(model_name: str, folder: Path) -> Path:
    """Random weights of `model_name`, saved as the photographer's checkpoint file would be."""
    import open_clip
    import torch

    torch.manual_seed(0)
    model = open_clip.create_model(model_name, pretrained=None)
    path = folder / f"{model_name.rsplit('/', 1)[-1].replace(':', '-')}-random.pt"
    torch.save(model.state_dict(), path)
    return path


def product_path(model_name: str, weights: Path, folder: Path, photos: int) -> dict[str, Any]:
    from curator.ml.clip_batches import embed_files
    from curator.ml.clip_bench import synthetic_previews
    from curator.ml.clip_device import input_dtype
    from curator.ml.config import ClipConfig
    from curator.ml.embedder import ClipEmbedder

    config = ClipConfig(model_name=model_name, pretrained=str(weights))  # device, precision: auto
    started = time.perf_counter()
    embedder = ClipEmbedder(config).load()
    loaded_s = time.perf_counter() - started
    paths = synthetic_previews(folder / "bench", photos)  # the embed bench reuses them
    started = time.perf_counter()
    results = list(embed_files(embedder, [(i, str(p)) for i, p in enumerate(paths)]))
    elapsed = time.perf_counter() - started
    started = time.perf_counter()  # again, the loader's processes already started
    again = sum(r.size for r in embed_files(embedder, [(i, str(p)) for i, p in enumerate(paths)]))
    elapsed_again = time.perf_counter() - started
    import numpy as np

    vectors = np.concatenate([r.vectors for r in results])
    norms = np.linalg.norm(vectors.astype(np.float64), axis=1)
    failures = [f.message for r in results for f in r.failures]
    return {
        "ok": not failures and len(vectors) == photos and bool(np.allclose(norms, 1, atol=1e-3)),
        "sentence": embedder.describe(),
        "device": embedder.device,
        "precision": embedder.precision,
        "input_dtype": str(input_dtype(embedder._model)),
        "first_parameter_dtype": str(next(embedder._model.parameters()).dtype),
        "loader": embedder.loader_plan().describe(),
        "load_s": round(loaded_s, 2),
        "photos": photos,
        "embedded": len(vectors),
        "failures": failures[:5],
        "photos_s_first_run": round(photos / elapsed, 1),
        "photos_s_second_run": round(again / elapsed_again, 1),
    }


def models_bench(model_name: str, weights: Path, home: Path, photos: int) -> dict[str, Any]:
    env = dict(os.environ)
    env.update(
        {
            "CURATOR_HOME": str(home),
            "CURATOR_CLIP_MODEL": model_name,
            "CURATOR_CLIP_PRETRAINED": str(weights),
            "PYTHONPATH": os.pathsep.join([str(REPO), env.get("PYTHONPATH", "")]),
        }
    )
    command = [
        sys.executable,
        "-m",
        "curator",
        "models",
        "bench",
        "--json",
        "--photos",
        str(photos),
    ]
    done = subprocess.run(command, capture_output=True, text=True, env=env, cwd=REPO, check=False)
    result: dict[str, Any] = {"exit": done.returncode, "stderr": done.stderr[-2000:]}
    if done.returncode == 0:
        result["report"] = last_json(done.stdout)
    return result


def last_json(stdout: str) -> Any:
    """The JSON a command printed last (its --json line)."""
    lines = [line for line in stdout.splitlines() if line.startswith("{")]
    if not lines:
        raise ValueError(f"no JSON in the command's output: {stdout[-500:]!r}")
    return json.loads(lines[-1])


def camera_photos(folder: Path, count: int) -> Path:
    """`count` generated 3000×2000 camera JPEGs (photo-like content; made on every core)."""
    from concurrent.futures import ThreadPoolExecutor

    from curator.ml.clip_bench import synthetic_preview

    folder.mkdir(parents=True, exist_ok=True)
    jobs = [(i, folder / f"IMG_{i:05d}.JPG") for i in range(count)]
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
        list(pool.map(lambda job: synthetic_preview(job[0] + 100_000, job[1], (3000, 2000)), jobs))
    return folder


def import_report(model_name: str, weights: Path, folder: Path, count: int) -> dict[str, Any]:
    """`curator import --json` of `count` photos, with CLIP (on the GPU here) and without."""
    if not _importable("PySide6.QtCore"):
        return {"skipped": "Qt's core (PySide6) is not installed here: the import was not run."}
    photos = camera_photos(folder / "card", count)
    result: dict[str, Any] = {"photos": count}
    for name, stages in (
        ("with_clip", "technical,faces,embed,describe,score"),
        ("without_clip", "technical,faces,describe,score"),
    ):
        env = dict(os.environ)
        env.update(
            {
                "CURATOR_HOME": str(folder / f"home-{name}"),
                "CURATOR_CLIP_MODEL": model_name,
                "CURATOR_CLIP_PRETRAINED": str(weights),
                "PYTHONPATH": os.pathsep.join([str(REPO), env.get("PYTHONPATH", "")]),
            }
        )
        command = [sys.executable, "-m", "curator", "import", str(photos), "--json"]
        command += ["--no-progress", "--stages", stages]
        started = time.perf_counter()
        done = subprocess.run(
            command, capture_output=True, text=True, env=env, cwd=REPO, check=False, timeout=300
        )
        run: dict[str, Any] = {"exit": done.returncode, "wall_s": time.perf_counter() - started}
        run["stderr"] = done.stderr[-1500:]
        if done.returncode in (0, 1):  # 1: some photos failed, still a report
            run["report"] = last_json(done.stdout)
        result[name] = run
    result["ok"] = all(result[n]["exit"] == 0 for n in ("with_clip", "without_clip"))
    return result


def embed_bench(folder: Path, quick: bool) -> dict[str, Any]:
    from tests.bench import embed_speed

    selected = None
    if quick:
        selected = [
            embed_speed.Case("ViT-B-32", photos=16, rounds=2),
            embed_speed.Case("ViT-L-14", photos=8, rounds=2),
        ]
    rows, payload = embed_speed.run(folder, selected)
    print(embed_speed.table(rows), flush=True)
    payload["missed"] = [r.model for r in embed_speed.missed(rows)]
    payload["table"] = embed_speed.table(rows)
    return payload


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=Path(os.environ.get("OUT") or "gpu-check"))
    parser.add_argument("--weights", type=Path, help="a ViT-L-14 checkpoint file (else random)")
    parser.add_argument("--model", default="ViT-L-14", help="open_clip architecture")
    parser.add_argument("--photos", type=int, default=0, help="previews per step")
    parser.add_argument("--quick", action="store_true", help="small samples: a smoke run")
    parser.add_argument(
        "--skip-embed-bench", action="store_true", help="steps 1-3 only (the tests' smoke run)"
    )
    parser.add_argument(
        "--import",
        dest="import_photos",
        type=int,
        default=0,
        metavar="N",
        help="also import N generated photos with CLIP on the GPU and without (step 5)",
    )
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    failed: list[str] = []
    env = environment()
    _write(args.out, "env.json", env)
    photos = args.photos or (8 if args.quick else (2048 if env["gpu"] else 32))
    with tempfile.TemporaryDirectory(prefix="curator-gpu-check-") as tmp:
        folder = Path(tmp)
        weights = args.weights or random_checkpoint(args.model, folder)
        steps = [
            ("product_path.json", lambda: product_path(args.model, weights, folder, photos)),
            ("models_bench.json", lambda: models_bench(args.model, weights, folder, photos)),
        ]
        if not args.skip_embed_bench:
            steps.append(("embed_bench.json", lambda: embed_bench(folder / "bench", args.quick)))
        if args.import_photos:
            steps.append(
                (
                    "import.json",
                    lambda: import_report(args.model, weights, folder, args.import_photos),
                )
            )
        for name, step in steps:
            started = time.perf_counter()
            try:
                payload = step()
            except Exception as exc:  # a step's failure is reported, the others still run
                payload = {"ok": False, "error": repr(exc), "traceback": traceback.format_exc()}
            # how long the step took: a GPU is lent by the minute, so the next run is sized by it
            payload["step_s"] = round(time.perf_counter() - started, 1)
            _write(args.out, name, payload)
            if (
                payload.get("ok") is False
                or payload.get("exit", 0) != 0
                or payload.get("missed")
                or "error" in payload
            ):
                failed.append(name)
    print(f"GPU check: {'FAILED ' + ', '.join(failed) if failed else 'all passed'}", flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

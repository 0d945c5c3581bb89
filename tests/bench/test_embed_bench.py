"""Embedding budget: end-to-end `embed_files` ≥ 0.9× the bare model forward, same batch size.

Run with `.venv/bin/pytest tests/bench/test_embed_bench.py -m bench -s -q`.

- bare: `embed_tensors` on tensors preprocessed before the clock starts;
- end-to-end: `embed_files` on the generated 1440 px preview JPEGs (decode with
  JPEG draft, RGB, the model's transform on the loader threads, the model on
  this thread);
same model object, same batch size, same photos, same run. The models have
random weights (no download here): the forward cost does not depend on the
weight values. ViT-L-14 is the product's model and the one the budget is
asserted on; ViT-B-32 (~10× lighter) is the hard case for hiding the decode
and is measured and reported: on a CPU-only machine there is no idle
processor to hide the decode on — loading competes with the forward for the
same cores — so a light model is borderline. The two sides are measured in
alternation, `rounds` times each, and each side's best round is kept: on a
shared machine another process's load comes and goes within seconds, and the
best round is the one least disturbed by it (all rounds go into the JSON).
Sample sizes keep the
whole run under ~4 minutes on a 2-core CPU; the table is printed and written
as JSON to the bench results folder (tests/bench/results.py): embed.json.
"""

from __future__ import annotations

import json
import os
import platform
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from curator.ml.clip_batches import embed_files, load_for_clip
from curator.ml.config import ClipConfig
from curator.ml.embedder import ClipEmbedder
from tests.bench.results import results_path

pytestmark = pytest.mark.bench

RESULTS = results_path("embed.json")
BUDGET = 0.9
BATCH = 16
ASSERTED = ("ViT-L-14",)  # the product's model; the others are reported


@dataclass(frozen=True)
class Case:
    model: str
    photos: int  # per measured round
    rounds: int


@dataclass(frozen=True)
class Row:
    model: str
    device: str
    batch: int
    photos: int
    bare_photos_s: float  # best round
    end_to_end_photos_s: float  # best round
    bare_rounds: tuple[float, ...]
    end_to_end_rounds: tuple[float, ...]

    @property
    def ratio(self) -> float:
        return self.end_to_end_photos_s / self.bare_photos_s


def _cases(device: str) -> list[Case]:
    if device == "cpu":  # ~5 photos/s (B-32) and ~0.5 photos/s (L-14) on 2 cores
        return [Case("ViT-B-32", photos=64, rounds=4), Case("ViT-L-14", photos=16, rounds=3)]
    return [Case("ViT-B-32", photos=1024, rounds=3), Case("ViT-L-14", photos=512, rounds=3)]


def _preview(seed: int, path: Path) -> None:
    """A 1440×960 preview with photo-like content: gradients, shapes, texture, sensor noise."""
    rng = np.random.default_rng(seed)
    h, w = 960, 1440
    y, x = np.mgrid[0:h, 0:w].astype(np.float32)
    base = rng.uniform(40, 200, size=3).astype(np.float32)
    tilt = rng.uniform(-0.08, 0.08, size=(2, 3)).astype(np.float32)
    img = base + x[..., None] * tilt[0] + y[..., None] * tilt[1]
    for _ in range(12):  # blobs and edges for the encoder to chew on
        cy, cx, r = rng.uniform(0, h), rng.uniform(0, w), rng.uniform(30, 250)
        mask = ((y - cy) ** 2 + (x - cx) ** 2) < r * r
        img[mask] = rng.uniform(0, 255, size=3)
    img += 20 * np.sin(x / rng.uniform(5, 40))[..., None]
    img += rng.normal(0, 6, size=img.shape)
    Image.fromarray(np.clip(img, 0, 255).astype(np.uint8), "RGB").save(path, "JPEG", quality=90)


def _embedder(model_name: str) -> ClipEmbedder:
    import open_clip
    import torch

    device = "cuda" if torch.cuda.is_available() else "cpu"
    precision = "fp16" if device == "cuda" else "fp32"
    model, _, preprocess = open_clip.create_model_and_transforms(
        model_name, pretrained=None, precision=precision, device=device
    )
    config = ClipConfig(model_name=model_name, pretrained="random", batch_size=BATCH)
    return ClipEmbedder.from_model(config, model, preprocess, device=device)


def _measure(
    embedder: ClipEmbedder, paths: list[Path], rounds: int
) -> tuple[list[float], list[float]]:
    import torch

    tensors = [embedder.preprocess(load_for_clip(p, max(embedder.input_size))) for p in paths]
    batches = [torch.stack(tensors[i : i + BATCH]) for i in range(0, len(tensors), BATCH)]
    items = [(i, str(p)) for i, p in enumerate(paths)]
    embedder.embed_tensors(batches[0][:2])  # warm-up: allocator, kernels
    bare: list[float] = []
    end_to_end: list[float] = []
    for _ in range(rounds):  # interleaved, so drift hits both sides alike
        started = time.perf_counter()
        for batch in batches:
            embedder.embed_tensors(batch)
        bare.append(len(paths) / (time.perf_counter() - started))

        started = time.perf_counter()
        done = sum(r.size for r in embed_files(embedder, items, batch_size=BATCH))
        end_to_end.append(len(paths) / (time.perf_counter() - started))
        assert done == len(paths)
    return bare, end_to_end


def _table(rows: list[Row]) -> str:
    lines = [
        f"{'model':<10} {'device':<6} {'batch':>5} {'photos':>6} "
        f"{'bare photos/s':>14} {'end-to-end photos/s':>20} {'ratio':>6}  budget ≥ {BUDGET}×"
    ]
    for r in rows:
        verdict = "ok" if r.ratio >= BUDGET else "MISSED"
        verdict += "" if r.model in ASSERTED else " (reported)"
        lines.append(
            f"{r.model:<10} {r.device:<6} {r.batch:>5} {r.photos:>6} {r.bare_photos_s:>14.2f} "
            f"{r.end_to_end_photos_s:>20.2f} {r.ratio:>6.3f}  {verdict}"
        )
    return "\n".join(lines)


def test_embed_end_to_end_keeps_up_with_the_bare_model(tmp_path: Path) -> None:
    import torch

    device = "cuda" if torch.cuda.is_available() else "cpu"
    cases = _cases(device)
    count = max(c.photos for c in cases)
    paths = [tmp_path / f"preview-{i:04d}.jpg" for i in range(count)]
    for i, path in enumerate(paths):
        _preview(i, path)

    rows: list[Row] = []
    for case in cases:
        embedder = _embedder(case.model)
        bare, e2e = _measure(embedder, paths[: case.photos], case.rounds)
        rows.append(
            Row(
                case.model,
                embedder.device,
                BATCH,
                case.photos,
                max(bare),
                max(e2e),
                tuple(round(v, 3) for v in bare),
                tuple(round(v, 3) for v in e2e),
            )
        )
        del embedder

    table = _table(rows)
    print("\n" + table)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    payload = {
        "budget": BUDGET,
        "asserted_models": list(ASSERTED),
        "machine": {
            "cpus": os.cpu_count(),
            "torch_threads": torch.get_num_threads(),
            "platform": platform.platform(),
            "torch": torch.__version__,
            "device": torch.cuda.get_device_name() if device == "cuda" else "cpu",
        },
        "rows": [asdict(r) | {"ratio": r.ratio} for r in rows],
    }
    RESULTS.write_text(json.dumps(payload, indent=2) + "\n")
    missed = [r for r in rows if r.ratio < BUDGET and r.model in ASSERTED]
    assert not missed, f"embedding budget missed:\n{table}"

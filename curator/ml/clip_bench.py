"""`curator models bench`: how fast CLIP runs on this machine, and whether it agrees with fp32.

On generated 1440 px previews it times **bare** (the model alone, inputs on
the device, the best of the loader's batch size and twice it on a GPU) and
**end to end** (`clip_batches.embed_files` from the CLIP renditions, and from
the previews), and compares the vectors with fp32 on the same device
(`cosine_to_fp32_min`). Each timing is the best of a few rounds after a
warm-up (least disturbed by other load).

Invariants: pure; the files live in the caller's temporary folder; the
embedder passed in is loaded.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from PIL import Image

from curator.ml.clip_batches import embed_files
from curator.ml.clip_pixels import load_for_clip

if TYPE_CHECKING:
    from curator.ml.embedder import ClipEmbedder

PREVIEW_SIZE = (1440, 960)


def synthetic_preview(seed: int, path: Path, size: tuple[int, int] = PREVIEW_SIZE) -> None:
    """A preview JPEG with photo-like content: gradients, shapes, texture, sensor noise.

    The scene (gradient and blobs) is drawn at a quarter of the size and
    enlarged, so its edges are soft as a lens draws them; the texture and
    the noise are added at full size (a ~300 kB JPEG, as a camera preview)."""
    rng = np.random.default_rng(seed)
    w, h = size
    y, x = np.mgrid[0 : h // 4, 0 : w // 4].astype(np.float32) * 4
    base = rng.uniform(40, 200, size=3).astype(np.float32)
    tilt = rng.uniform(-0.08, 0.08, size=(2, 3)).astype(np.float32)
    img = base + x[..., None] * tilt[0] + y[..., None] * tilt[1]
    for _ in range(12):  # blobs and edges for the encoder to chew on
        cy, cx, r = rng.uniform(0, h), rng.uniform(0, w), rng.uniform(30, 250)
        mask = ((y - cy) ** 2 + (x - cx) ** 2) < r * r
        img[mask] = rng.uniform(0, 255, size=3)
    scene = Image.fromarray(np.clip(img, 0, 255).astype(np.uint8), "RGB")
    full = np.asarray(scene.resize(size, Image.Resampling.BILINEAR), dtype=np.int16)
    stripes = 20 * np.sin(np.arange(w, dtype=np.float32) / rng.uniform(5, 40))
    full = full + stripes.astype(np.int16)[None, :, None]
    full += rng.integers(-10, 11, size=full.shape, dtype=np.int16)
    Image.fromarray(np.clip(full, 0, 255).astype(np.uint8), "RGB").save(path, "JPEG", quality=90)


def on_every_core(work: Callable[[Any], Any], items: Sequence[Any]) -> list[Any]:
    """`work` over `items`, in order, on as many threads as the machine has cores
    (numpy's array work and Pillow's decoding, resizing and encoding release the
    interpreter's lock): 2,048 previews take seconds on a 16-core node, not minutes."""
    from concurrent.futures import ThreadPoolExecutor

    from curator.ml.clip_loading import machine_cpus

    with ThreadPoolExecutor(max_workers=max(1, min(machine_cpus(), len(items)))) as pool:
        return list(pool.map(work, items))


def synthetic_previews(folder: Path, count: int) -> list[Path]:
    """`count` previews in `folder` (made once: a file already there is kept)."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = [folder / f"preview-{i:05d}.jpg" for i in range(count)]
    missing = [(i, path) for i, path in enumerate(paths) if not path.exists()]
    on_every_core(lambda job: synthetic_preview(*job), missing)
    return paths


def synthetic_renditions(previews: Sequence[Path], folder: Path) -> list[Path]:
    """The CLIP rendition of each preview (`imaging.cache.clip_rendition`, as the
    technical stage leaves beside it), in `folder`; made once, on every core."""
    from curator.imaging.cache import CLIP_QUALITY, clip_rendition

    folder.mkdir(parents=True, exist_ok=True)

    def make(preview: Path) -> Path:
        target = folder / preview.name
        if not target.exists():
            with Image.open(preview) as image:
                picture = image.convert("RGB")
            (clip_rendition(picture) or picture).save(target, "JPEG", quality=CLIP_QUALITY)
        return target

    return on_every_core(make, previews)


@dataclass(frozen=True)
class BenchReport:
    """What `models bench` prints (the first seven fields are its JSON's promise)."""

    device: str
    precision: str
    model: str
    photos: int
    bare_photos_s: float
    end_to_end_photos_s: float
    cosine_to_fp32_min: float
    batch_size: int
    loader: str
    fp32_bare_photos_s: float | None  # None when the model runs in fp32 already
    # end to end from the 1440 px previews themselves (`end_to_end_photos_s` reads
    # their CLIP renditions, as an import leaves them and the embed stage reads them)
    from_previews_photos_s: float = 0.0

    @property
    def ratio(self) -> float:
        return self.end_to_end_photos_s / self.bare_photos_s if self.bare_photos_s else 0.0

    def as_json(self) -> dict[str, Any]:
        payload = asdict(self)
        payload["end_to_end_ratio"] = round(self.ratio, 4)
        if self.fp32_bare_photos_s:
            payload["speedup_over_fp32"] = round(self.bare_photos_s / self.fp32_bare_photos_s, 3)
        return payload

    def lines(self) -> list[str]:
        out = [
            f"CLIP {self.model} on {self.device} in {self.precision} "
            f"({self.photos} generated 1440 px previews; {self.loader}):",
            f"  bare model      {self.bare_photos_s:10.2f} photos/s",
            f"  end to end      {self.end_to_end_photos_s:10.2f} photos/s "
            f"({self.ratio:.2f}× the bare model; from the previews' CLIP renditions)",
        ]
        if self.from_previews_photos_s:
            share = self.from_previews_photos_s / self.bare_photos_s if self.bare_photos_s else 0
            out.append(
                f"  from previews   {self.from_previews_photos_s:10.2f} photos/s "
                f"({share:.2f}×; a catalog imported before the renditions)"
            )
        if self.fp32_bare_photos_s:
            speedup = self.bare_photos_s / self.fp32_bare_photos_s
            out.append(
                f"  fp32, bare      {self.fp32_bare_photos_s:10.2f} photos/s "
                f"({self.precision} is {speedup:.2f}× as fast)"
            )
        out.append(f"  agreement with fp32: cosine ≥ {self.cosine_to_fp32_min:.4f} on every photo")
        return out


def prepared_inputs(embedder: ClipEmbedder, paths: Sequence[Path]) -> list[Any]:
    """Each photo through the model's own transform (CPU tensors), made once for
    every bare runner of a bench, on every core."""
    edge = max(embedder.input_size)
    return on_every_core(lambda p: embedder.preprocess(load_for_clip(p, edge)), paths)


class BareRunner:
    """The model alone at one batch size: inputs prepared on the device before
    the clock starts; `one_round` embeds them all and returns photos/s."""

    def __init__(
        self,
        embedder: ClipEmbedder,
        paths: Sequence[Path],
        batch: int,
        prepared: list[Any] | None = None,
    ) -> None:
        import torch

        prepared = prepared_inputs(embedder, paths) if prepared is None else prepared
        self.embedder, self.count = embedder, len(prepared)
        self.batches = [
            embedder.prepare_input(torch.stack(prepared[i : i + batch]))
            for i in range(0, len(prepared), batch)
        ]
        embedder.embed_prepared(self.batches[0][:1])  # warm-up: kernels, allocator
        self.rates: list[float] = []
        self.vectors = np.zeros((0, embedder.dim), dtype=np.float32)

    def one_round(self) -> float:
        started = time.perf_counter()  # on a GPU every batch is queued, then collected
        made = [wait() for wait in [self.embedder.launch_prepared(b) for b in self.batches]]
        rate = self.count / (time.perf_counter() - started)
        self.vectors = np.concatenate(made)
        self.rates.append(rate)
        return rate

    @property
    def best(self) -> float:
        return max(self.rates)


class EndToEndRunner:
    """`embed_files` from the files with the machine's own loader; the first
    (warm-up) call starts the loader (threads, or the session's processes)."""

    def __init__(self, embedder: ClipEmbedder, paths: Sequence[Path]) -> None:
        self.embedder = embedder
        self.items = [(i, str(p)) for i, p in enumerate(paths)]
        warm = self.items[: max(1, embedder.batch_size)]
        assert sum(r.size for r in embed_files(embedder, warm)) == len(warm)
        self.rates: list[float] = []
        self.vectors = np.zeros((0, embedder.dim), dtype=np.float32)

    def one_round(self) -> float:
        started = time.perf_counter()
        results = list(embed_files(self.embedder, self.items))
        rate = len(self.items) / (time.perf_counter() - started)
        assert sum(r.size for r in results) == len(self.items)
        self.vectors = np.concatenate([r.vectors for r in results])  # in the photos' order
        self.rates.append(rate)
        return rate

    @property
    def best(self) -> float:
        return max(self.rates)


def run_bench(
    embedder: ClipEmbedder,
    fp32_twin: Callable[[], ClipEmbedder] | None,
    paths: Sequence[Path],
    *,
    rounds: int = 2,
) -> BenchReport:
    """Bare, end to end and (with a twin, for a model not in fp32) the agreement
    with fp32 and fp32's own bare speed, all timed in alternating rounds."""
    embedder.load()
    plan = embedder.loader_plan()
    sizes = [plan.batch_size] + ([2 * plan.batch_size] if embedder.device != "cpu" else [])
    prepared = prepared_inputs(embedder, paths)
    runners = [BareRunner(embedder, paths, size, prepared) for size in sizes]
    renditions = synthetic_renditions(paths, paths[0].parent / "clip") if paths else []
    end_to_end = EndToEndRunner(embedder, renditions)
    from_previews = EndToEndRunner(embedder, paths)
    twin = None
    if embedder.precision != "fp32" and fp32_twin is not None:
        twin = BareRunner(fp32_twin(), paths, plan.batch_size, prepared)
    for _ in range(rounds):  # interleaved, so a load that comes and goes hits each alike
        timed: list[BareRunner | EndToEndRunner] = [*runners, end_to_end, from_previews]
        for runner in [*timed, *([twin] if twin is not None else [])]:
            runner.one_round()
    best = max(runners, key=lambda r: r.best)
    cosine = 1.0
    if twin is not None:
        cosine = float(np.min(np.sum(best.vectors * twin.vectors, axis=1)))
    return BenchReport(
        device=embedder.device,
        precision=embedder.precision,
        model=embedder.model_id,
        photos=len(paths),
        bare_photos_s=round(best.best, 3),
        end_to_end_photos_s=round(end_to_end.best, 3),
        cosine_to_fp32_min=round(cosine, 6) if math.isfinite(cosine) else cosine,
        batch_size=plan.batch_size,
        loader=plan.describe(),
        fp32_bare_photos_s=round(twin.best, 3) if twin is not None else None,
        from_previews_photos_s=round(from_previews.best, 3),
    )

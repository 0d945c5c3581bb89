"""The GPU decoder's share of the CLIP loader, run here with torchvision's CPU decoder.

CI has no GPU. The same code decodes on the CPU when the device is "cpu",
so these tests check everything but nvjpeg itself: the pixels agree with the
CPU loader's, a photo the GPU should not decode goes to the CPU loader, a
failing decoder loses no photo, and the share moves with what the loader
measures. scripts/gpu_check.py runs it on a GPU.
"""

from __future__ import annotations

import io
from dataclasses import replace
from pathlib import Path
from threading import Event

import numpy as np
import pytest
import torch
from PIL import Image

from curator.ml import clip_batches
from curator.ml.clip_batches import BatchLoader, embed_files, loader_plan_for
from curator.ml.clip_gpu_decode import GpuDecoder, read_for_gpu
from curator.ml.clip_loading import LoaderPlan
from curator.ml.clip_pixels import PixelPlan, prepare_pixels
from curator.ml.config import ClipConfig
from curator.ml.embedder import ClipEmbedder
from tests.clip_tiny import TINY_MODEL, make_tiny_checkpoint

ORIENTATION = 0x0112


@pytest.fixture(scope="module")
def embedder(tmp_path_factory: pytest.TempPathFactory) -> ClipEmbedder:
    checkpoint = make_tiny_checkpoint(tmp_path_factory.mktemp("tiny-clip"))
    config = ClipConfig(model_name=TINY_MODEL, pretrained=str(checkpoint), device="cpu")
    return ClipEmbedder(config).load()


def _upright_jpegs(fixtures_dir: Path) -> list[Path]:
    found = []
    for path in sorted((fixtures_dir / "jpeg").glob("*.jpg")):
        with Image.open(path) as image:
            if image.mode == "RGB" and image.getexif().get(ORIENTATION, 1) == 1:
                found.append(path)
    assert len(found) >= 5, "the fixtures' upright JPEGs"
    return found[:8]


def _photo(path: Path, seed: int, size: tuple[int, int] = (300, 200), **save: object) -> Path:
    rng = np.random.default_rng(seed)
    base = np.linspace(0, 255, size[0], dtype=np.float32)[None, :, None]
    pixels = np.clip(base + rng.normal(0, 25, (size[1], size[0], 3)), 0, 255).astype(np.uint8)
    Image.fromarray(pixels, "RGB").save(path, **save)  # type: ignore[arg-type]
    return path


def _plan(embedder: ClipEmbedder) -> PixelPlan:
    plan = embedder.pixel_plan
    assert isinstance(plan, PixelPlan)
    return plan


def test_gpu_pixels_agree_with_the_cpu_loader_s(embedder: ClipEmbedder, fixtures_dir: Path) -> None:
    paths = _upright_jpegs(fixtures_dir)
    plan = _plan(embedder)
    datas = [read_for_gpu(p) for p in paths]
    assert all(d is not None for d in datas)
    crops = GpuDecoder(plan, "cpu").decode([d for d in datas if d is not None])
    assert crops.dtype == torch.uint8 and tuple(crops.shape) == (len(paths), *plan.crop, 3)
    cpu = np.stack([prepare_pixels(str(p), plan) for p in paths])
    difference = np.abs(crops.numpy().astype(np.int16) - cpu.astype(np.int16))
    assert difference.mean() < 2.0  # about a grey level: DCT scaling against an area filter
    gpu_vectors = embedder.embed_pixels(crops)
    cpu_vectors = embedder.embed_pixels(cpu)
    assert np.min(np.sum(gpu_vectors * cpu_vectors, axis=1)) > 0.999


def test_photos_the_gpu_should_not_decode_go_to_the_cpu(tmp_path: Path) -> None:
    plain = _photo(tmp_path / "plain.jpg", 1, quality=90)
    assert read_for_gpu(plain) == plain.read_bytes()
    exif = Image.Exif()
    exif[ORIENTATION] = 6
    assert read_for_gpu(_photo(tmp_path / "turned.jpg", 2, exif=exif.tobytes())) is None
    assert read_for_gpu(_photo(tmp_path / "lossless.png", 3)) is None
    cmyk = tmp_path / "cmyk.jpg"
    Image.new("CMYK", (64, 48), (10, 20, 30, 40)).save(cmyk)
    assert read_for_gpu(cmyk) is None
    assert read_for_gpu(tmp_path / "gone.jpg") is None
    (tmp_path / "broken.jpg").write_bytes(b"\xff\xd8 not really a jpeg")
    assert read_for_gpu(tmp_path / "broken.jpg") is None
    assert read_for_gpu("ignored", plain.read_bytes()) == plain.read_bytes()  # bytes given


def _gpu_plan(embedder: ClipEmbedder, batch: int) -> LoaderPlan:
    plan = replace(loader_plan_for(embedder, batch), workers=2, processes=True, chunk=2)
    return replace(plan, prefetch_batches=2, gpu_decode=True)


def _mixed_folder(folder: Path) -> list[tuple[str, str]]:
    exif = Image.Exif()
    exif[ORIENTATION] = 3
    files = [_photo(folder / f"p{i:02d}.jpg", i, quality=88) for i in range(9)]
    files.insert(2, _photo(folder / "turned.jpg", 50, exif=exif.tobytes()))
    files.insert(5, _photo(folder / "lossless.png", 51))
    broken = folder / "broken.jpg"
    broken.write_bytes(b"\xff\xd8 cut short")
    files.insert(7, broken)
    return [(p.name, str(p)) for p in files]


def test_a_batch_split_between_gpu_and_cpu_keeps_every_photo_in_order(
    embedder: ClipEmbedder, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    items = _mixed_folder(tmp_path)
    monkeypatch.setattr(clip_batches, "GPU_SHARE_START", 0.5)
    plan = _gpu_plan(embedder, 6)
    monkeypatch.setattr(embedder, "loader_plan", lambda: plan)
    decoded: list[int] = []
    original = GpuDecoder.decode

    def counting(self: GpuDecoder, datas: list[bytes]) -> torch.Tensor:
        decoded.append(len(datas))
        return original(self, datas)

    monkeypatch.setattr(GpuDecoder, "decode", counting)
    results = list(embed_files(embedder, items))
    assert sum(decoded) >= 4  # half of each batch, less what the GPU should not decode
    keys = [k for r in results for k in r.keys]
    failed = {f.key: f.message for r in results for f in r.failures}
    assert set(failed) == {"broken.jpg"} and "broken.jpg" in failed["broken.jpg"]
    assert keys == [k for k, _ in items if k != "broken.jpg"]  # the input's order
    plain = list(embed_files(embedder, items, processes=False))
    by_key = {k: v for r in plain for k, v in zip(r.keys, r.vectors, strict=True)}
    vectors = np.concatenate([r.vectors for r in results])
    expected = np.stack([by_key[k] for k in keys])
    assert np.min(np.sum(vectors * expected, axis=1)) > 0.999


def test_a_failing_gpu_decoder_loses_no_photo_and_is_left_after_three_failures(
    embedder: ClipEmbedder, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    items = [(p.name, str(p)) for p in (_photo(tmp_path / f"{i}.jpg", i) for i in range(12))]

    def broken(self: GpuDecoder, datas: list[bytes]) -> torch.Tensor:
        raise RuntimeError("nvjpeg: decoding failed")

    monkeypatch.setattr(GpuDecoder, "decode", broken)
    monkeypatch.setattr(clip_batches, "GPU_SHARE_START", 0.5)
    loader: BatchLoader[str] = BatchLoader(embedder, _gpu_plan(embedder, 2), Event())
    try:
        loaded: list[str] = []
        for start in range(0, len(items), 2):
            tasks = loader.submit(items[start : start + 2])
            loaded.extend(k for t in tasks for k in loader.result(t).keys)
    finally:
        loader.close()
    assert loaded == [k for k, _ in items]
    assert loader.gpu is None and loader.gpu_errors == 3


def test_the_gpu_share_follows_what_the_model_waited_for(embedder: ClipEmbedder) -> None:
    loader: BatchLoader[str] = BatchLoader(embedder, _gpu_plan(embedder, 8), Event())
    try:
        assert loader.gpu is not None
        start = loader.gpu_share
        loader.waited = True
        loader._adapt()
        assert loader.gpu_share > start and loader.waited is False
        for _ in range(200):
            loader.waited = True
            loader._adapt()
        assert loader.gpu_share == pytest.approx(clip_batches.GPU_SHARE_MAX)
        for _ in range(500):
            loader._adapt()
        assert loader.gpu_share == 0.0
    finally:
        loader.close()


def test_only_a_cuda_plan_with_worker_processes_decodes_on_the_gpu() -> None:
    from curator.ml.clip_loading import plan_loader

    assert plan_loader("cuda", 0, cpus=16).gpu_decode
    assert not plan_loader("cuda", 0, cpus=2).gpu_decode  # threads: a small machine
    assert not plan_loader("cpu", 0, cpus=16).gpu_decode
    assert not plan_loader("mps", 0, cpus=16).gpu_decode
    assert "GPU's JPEG decoder" in plan_loader("cuda", 0, cpus=16).describe()


def test_bytes_of_a_jpeg_given_by_a_ray_seat_decode_too(embedder: ClipEmbedder) -> None:
    buffer = io.BytesIO()
    Image.new("RGB", (320, 240), (200, 30, 60)).save(buffer, "JPEG", quality=95)
    data = read_for_gpu("from-a-seat.jpg", buffer.getvalue())
    assert data is not None
    crop = GpuDecoder(_plan(embedder), "cpu").decode([data])[0].numpy()
    assert np.abs(crop.astype(int) - [200, 30, 60]).max() <= 3

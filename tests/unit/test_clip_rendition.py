"""The CLIP rendition: made beside each preview, read by the embed stage instead of it.

Issue 48: on an H100 the loader's worker processes decoded ~1,400 previews a
second, the model embedded ~2,100, so the loader set the pace. The technical
stage now leaves a 224 px rendition of the preview it already holds in memory;
the embed stage decodes that (a tenth of the work) when the model takes no
more pixels, and the vectors agree with the preview's.
"""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from curator.imaging.cache import (
    CLIP_SHORT_SIDE,
    cache_path,
    clip_key,
    clip_rendition,
    clip_rendition_of,
    preview_key,
)
from curator.imaging.technical import TechnicalRequest, measure_file
from curator.ml.clip_batches import embed_files
from curator.ml.clip_pixels import PixelPlan, prepare_pixels
from curator.ml.config import ClipConfig
from curator.ml.embedder import ClipEmbedder
from curator.pipeline.stages.judgments import clip_sources
from tests.clip_tiny import TINY_MODEL, make_tiny_checkpoint
from tests.conftest import FIXTURES

VIT_PLAN = PixelPlan(
    224,
    int(Image.Resampling.BICUBIC),
    (224, 224),
    (0.48145466, 0.4578275, 0.40821073),
    (0.26862954, 0.26130258, 0.27577711),
)


@pytest.fixture(scope="module")
def embedder(tmp_path_factory: pytest.TempPathFactory) -> ClipEmbedder:
    checkpoint = make_tiny_checkpoint(tmp_path_factory.mktemp("tiny-clip"))
    config = ClipConfig(model_name=TINY_MODEL, pretrained=str(checkpoint), device="cpu")
    return ClipEmbedder(config).load()


@pytest.fixture(scope="module")
def imported(tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    """The fixtures' JPEGs through the technical stage: their content hashes."""
    if not FIXTURES.is_dir():
        pytest.fail(f"camera fixtures missing at {FIXTURES}")
    cache = tmp_path_factory.mktemp("cache")
    hashes = []
    for path in sorted((FIXTURES / "jpeg").glob("*.jpg"))[:10]:
        measured = measure_file(TechnicalRequest(path=str(path), cache_dir=str(cache)))
        hashes.append(measured.content_hash)
    CACHES[id(hashes)] = cache
    return hashes


CACHES: dict[int, Path] = {}


def _cache(imported: list[str]) -> Path:
    return CACHES[id(imported)]


def test_the_technical_stage_leaves_a_rendition_with_clip_s_short_side(
    imported: list[str],
) -> None:
    made = 0
    for content_hash in imported:
        rendition = cache_path(_cache(imported), clip_key(content_hash))
        preview = cache_path(_cache(imported), preview_key(content_hash))
        with Image.open(preview) as large:
            if min(large.size) <= CLIP_SHORT_SIDE:
                assert not rendition.exists()  # never enlarged: the preview serves
                continue
            with Image.open(rendition) as small:
                assert small.format == "JPEG" and small.mode == "RGB"
                assert min(small.size) == CLIP_SHORT_SIDE
                ratio = max(large.size) / min(large.size)
                assert abs(max(small.size) / min(small.size) - ratio) < 0.02  # aspect kept
        if min(Image.open(preview).size) >= 2 * CLIP_SHORT_SIDE:
            assert rendition.stat().st_size < preview.stat().st_size
        made += 1
    assert made >= 5


def test_its_pixels_and_vectors_agree_with_the_preview_s(imported: list[str]) -> None:
    cache = _cache(imported)
    both = [h for h in imported if cache_path(cache, clip_key(h)).exists()]
    previews = [str(cache_path(cache, preview_key(h))) for h in both]
    renditions = [str(cache_path(cache, clip_key(h))) for h in both]
    from_preview = np.stack([prepare_pixels(p, VIT_PLAN) for p in previews])
    from_rendition = np.stack([prepare_pixels(r, VIT_PLAN) for r in renditions])
    difference = np.abs(from_preview.astype(np.int16) - from_rendition.astype(np.int16))
    assert difference.mean() < 3.0  # grey levels, over the fixtures' photos
    import open_clip
    import torch

    torch.manual_seed(0)  # ViT-B-32 at its real 224 px input; random weights
    model, _, preprocess = open_clip.create_model_and_transforms("ViT-B-32", pretrained=None)
    config = ClipConfig(model_name="ViT-B-32", pretrained="random", device="cpu")
    vit = ClipEmbedder.from_model(config, model, preprocess)
    a, b = vit.embed_pixels(from_preview), vit.embed_pixels(from_rendition)
    assert np.min(np.sum(a * b, axis=1)) > 0.999


def test_it_takes_a_fraction_of_the_preview_s_decoding(imported: list[str]) -> None:
    cache = _cache(imported)
    large = [h for h in imported if min(Image.open(cache_path(cache, preview_key(h))).size) > 448]
    assert large, "fixtures with previews larger than the rendition"

    def seconds(keys: list[str]) -> float:
        started = time.perf_counter()
        for _ in range(3):
            for key in keys:
                prepare_pixels(str(cache_path(cache, key)), VIT_PLAN)
        return time.perf_counter() - started

    previews = seconds([preview_key(h) for h in large])
    renditions = seconds([clip_key(h) for h in large])
    assert renditions < previews / 2, (renditions, previews)


def test_the_embed_stage_reads_renditions_and_falls_back_to_the_preview(
    imported: list[str], embedder: ClipEmbedder, tmp_path: Path
) -> None:
    cache = _cache(imported)
    both = [h for h in imported if cache_path(cache, clip_key(h)).exists()]
    items = [(i, str(cache_path(cache, preview_key(h)))) for i, h in enumerate(both)]
    items.append((99, str(tmp_path / "elsewhere.jpg")))  # not a cache preview: kept
    without = cache_path(cache, clip_key(both[1]))
    kept = without.read_bytes()
    without.unlink()  # an older catalog's photo: no rendition yet
    try:
        chosen = dict(clip_sources(embedder, items))
    finally:
        without.write_bytes(kept)
    assert chosen[0] == str(cache_path(cache, clip_key(both[0])))
    assert chosen[1] == items[1][1]  # the preview itself
    assert chosen[99] == items[-1][1]
    results = list(embed_files(embedder, list(chosen.items())[:-1]))
    assert sum(len(r.keys) for r in results) == len(both)


def test_a_model_that_takes_more_pixels_reads_the_preview(
    imported: list[str], embedder: ClipEmbedder, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache = _cache(imported)
    items = [(0, str(cache_path(cache, preview_key(imported[0]))))]
    larger = PixelPlan(336, VIT_PLAN.resample, (336, 336), VIT_PLAN.mean, VIT_PLAN.std)
    monkeypatch.setattr(type(embedder), "pixel_plan", property(lambda self: larger))
    assert clip_sources(embedder, items) == items


def test_a_small_preview_has_no_rendition_and_a_large_one_is_resized() -> None:
    assert clip_rendition(Image.new("RGB", (300, 224), (1, 2, 3))) is None
    tall = clip_rendition(Image.new("RGB", (960, 1440), (1, 2, 3)))
    assert tall is not None and tall.size == (224, 336)
    assert clip_rendition_of("/somewhere/else/photo.jpg") is None


def test_a_damaged_rendition_is_dropped_and_its_photo_embedded_from_the_preview(
    imported: list[str], embedder: ClipEmbedder, tmp_path: Path
) -> None:
    import threading
    from functools import partial

    from curator.pipeline.stages.judgments import embed_all, embed_here

    cache = _cache(imported)
    both = [h for h in imported if cache_path(cache, clip_key(h)).exists()][:3]
    items = [(i, str(cache_path(cache, preview_key(h)))) for i, h in enumerate(both)]
    damaged = cache_path(cache, clip_key(both[1]))
    kept = damaged.read_bytes()
    damaged.write_bytes(kept[: len(kept) // 3])  # cut short, as a disk error leaves it
    delivered: list[object] = []

    class Delivery:
        def deliver(self, message: object) -> bool:
            delivered.append(message)
            return True

    try:
        source = partial(embed_here, embedder)
        ended = embed_all(source, items, Delivery(), threading.Event())  # type: ignore[arg-type]
        assert ended.failure is None
        assert not damaged.exists()  # dropped from the cache: the preview serves now
    finally:
        damaged.write_bytes(kept)
    keys = sorted(k for r in delivered for k in r.keys)  # type: ignore[attr-defined]
    failures = [f for r in delivered for f in r.failures]  # type: ignore[attr-defined]
    assert keys == [0, 1, 2] and failures == []
    vectors = np.concatenate([r.vectors for r in delivered])  # type: ignore[attr-defined]
    assert vectors.shape[0] == 3 and np.allclose(np.linalg.norm(vectors, axis=1), 1, atol=1e-3)

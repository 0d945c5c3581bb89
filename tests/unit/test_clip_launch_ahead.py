"""The embed pipeline on an embedder that queues its work (a GPU): batch k+1 is
launched before batch k's vectors are collected, and nothing else changes —
the same vectors in the same order, a cancel still hands over the pass already
running, a failure at collection is the embedder's sentence.

CI has no GPU: the queueing embedder here wraps the tiny real model and defers
each batch's computation to its collection, which is what CUDA's queue does
(`ClipEmbedder.launch_pixels`); the CUDA half itself runs in scripts/gpu_check.py.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PIL import Image

from curator.ml.clip_batches import embed_files
from curator.ml.config import ClipConfig, EmbeddingFailed
from curator.ml.embedder import ClipEmbedder
from tests.clip_tiny import TINY_MODEL, make_tiny_checkpoint


@pytest.fixture(scope="module")
def embedder(tmp_path_factory: pytest.TempPathFactory) -> ClipEmbedder:
    checkpoint = make_tiny_checkpoint(tmp_path_factory.mktemp("tiny-clip"))
    config = ClipConfig(model_name=TINY_MODEL, pretrained=str(checkpoint), device="cpu")
    return ClipEmbedder(config).load()


class Queueing:
    """The real embedder, but its pixel batches run when collected, as on a GPU."""

    queues_work = True

    def __init__(self, inner: ClipEmbedder, fail_at: int | None = None) -> None:
        self.inner, self.fail_at = inner, fail_at
        self.log: list[tuple[str, int]] = []
        self.launched = 0

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)

    def launch_pixels(self, pixels: np.ndarray) -> Any:
        number = self.launched
        self.launched += 1
        self.log.append(("launch", number))

        def wait() -> np.ndarray:
            self.log.append(("collect", number))
            if number == self.fail_at:
                raise EmbeddingFailed("The CLIP model failed on a batch of 2 images on cuda: boom.")
            return self.inner.embed_pixels(pixels)

        return wait


def _jpegs(folder: Path, count: int) -> list[tuple[str, str]]:
    items = []
    for i in range(count):
        rng = np.random.default_rng(i)
        path = folder / f"photo {i:02d}.jpg"
        Image.fromarray(rng.integers(0, 256, (64, 96, 3), dtype=np.uint8)).save(path, quality=90)
        items.append((path.name, str(path)))
    return items


def test_the_next_batch_is_launched_before_this_one_is_collected(
    embedder: ClipEmbedder, tmp_path: Path
) -> None:
    items = _jpegs(tmp_path, 7)
    queued = Queueing(embedder)
    results = list(embed_files(queued, items, batch_size=2, processes=False))
    plain = list(embed_files(embedder, items, batch_size=2, processes=False))
    assert [r.keys for r in results] == [r.keys for r in plain]
    assert [r.index for r in results] == [0, 1, 2, 3]
    np.testing.assert_allclose(
        np.concatenate([r.vectors for r in results]),
        np.concatenate([r.vectors for r in plain]),
        atol=1e-6,
    )
    assert all(not r.vectors.flags.writeable for r in results)
    for k in range(3):  # the GPU has batch k+1 queued while batch k is handed on
        assert queued.log.index(("launch", k + 1)) < queued.log.index(("collect", k))
    assert queued.log[-1] == ("collect", 3)


def test_a_plain_embedder_hands_each_batch_on_before_the_next_runs(
    embedder: ClipEmbedder, tmp_path: Path
) -> None:
    items = _jpegs(tmp_path, 6)
    seen: list[int] = []
    stream = embed_files(embedder, items, batch_size=2, processes=False)
    first = next(stream)  # on a CPU nothing runs ahead of what the caller has taken
    seen.append(first.index)
    seen.extend(r.index for r in stream)
    assert seen == [0, 1, 2]


def test_a_cancel_still_hands_over_the_pass_already_running(
    embedder: ClipEmbedder, tmp_path: Path
) -> None:
    items = _jpegs(tmp_path, 10)
    queued = Queueing(embedder)
    cancel = threading.Event()
    results = list(
        embed_files(
            queued,
            items,
            batch_size=2,
            processes=False,
            on_batch=lambda _r: cancel.set(),
            cancel=cancel,
        )
    )
    # batch 0 collected (and cancelled on), batch 1 was already running: both kept
    assert [r.index for r in results] == [0, 1]
    assert queued.launched == 2
    assert not [t for t in threading.enumerate() if t.name.startswith("clip-load")]


def test_a_failure_when_collected_is_the_embedder_s_sentence(
    embedder: ClipEmbedder, tmp_path: Path
) -> None:
    items = _jpegs(tmp_path, 8)
    queued = Queueing(embedder, fail_at=1)
    delivered = []
    with pytest.raises(EmbeddingFailed, match="failed on a batch of 2 images on cuda"):
        for result in embed_files(queued, items, batch_size=2, processes=False):
            delivered.append(result.index)
    assert delivered == [0]
    assert not [t for t in threading.enumerate() if t.name.startswith("clip-load")]

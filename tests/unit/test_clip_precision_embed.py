"""CLIP in half precision through the product's own loading path, and the loader's processes.

CI has no GPU: bf16 on the CPU takes the same mixed-precision path as fp16 on
CUDA (open_clip halves the convolutions and linear layers and keeps the
positional embeddings in float32), so the dtype trap that failed every batch
on an NVIDIA GPU fails here too without the fix (issue 48).
"""

from __future__ import annotations

import multiprocessing
import threading
from concurrent.futures import Future
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from curator.ml.clip_batches import BatchLoader, embed_files, run_batch
from curator.ml.clip_device import input_dtype
from curator.ml.clip_loading import end_loader_processes
from curator.ml.clip_slots import release_slots, slot_lender
from curator.ml.config import ClipConfig, ModelUnavailable, model_id_for
from curator.ml.embedder import ClipEmbedder
from curator.ml.precision import auto_precision
from tests.clip_tiny import TINY_MODEL, make_tiny_checkpoint


@pytest.fixture(scope="module")
def tiny_checkpoint(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_tiny_checkpoint(tmp_path_factory.mktemp("tiny-clip-precision"))


def _embedder(checkpoint: Path, precision: str, **kw: Any) -> ClipEmbedder:
    config = ClipConfig(
        model_name=TINY_MODEL, pretrained=str(checkpoint), device="cpu", precision=precision, **kw
    )
    return ClipEmbedder(config).load()


def _photos(fixtures_dir: Path) -> list[Path]:
    found = sorted((fixtures_dir / "jpeg").glob("*.jp*g")) + sorted(
        (fixtures_dir / "jpeg").glob("*.JP*G")
    )
    return found + sorted((fixtures_dir / "jpeg" / "orientation").glob("*"))[:6]


def _vectors(embedder: ClipEmbedder, photos: list[Path], **kw: Any) -> np.ndarray:
    results = list(embed_files(embedder, [(i, str(p)) for i, p in enumerate(photos)], **kw))
    assert not [f for r in results for f in r.failures]
    return np.concatenate([r.vectors for r in results])


def test_bf16_through_the_product_path_embeds_and_agrees_with_fp32(
    tiny_checkpoint: Path, fixtures_dir: Path
) -> None:
    import torch

    half = _embedder(tiny_checkpoint, "bf16")
    full = _embedder(tiny_checkpoint, "fp32")
    model = half._model
    # the trap: the model's first parameter stays float32 while the tower computes in bf16
    assert next(model.parameters()).dtype == torch.float32
    assert input_dtype(model) == torch.bfloat16
    assert (half.precision, full.precision) == ("bf16", "fp32")
    photos = _photos(fixtures_dir)
    assert len(photos) >= 20
    ours, reference = _vectors(half, photos), _vectors(full, photos)
    assert ours.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(ours, axis=1), 1.0, atol=1e-5)
    cosines = np.sum(ours * reference, axis=1)
    assert cosines.min() >= 0.995, cosines  # every photo, not on average
    texts = half.embed_texts(["a red door", "the sea at dusk"])  # the text tower too
    assert texts.dtype == np.float32 and np.isfinite(texts).all()


def test_every_precision_is_stored_under_one_model_id(tiny_checkpoint: Path) -> None:
    weights = str(tiny_checkpoint)
    ids = {
        model_id_for(ClipConfig(model_name=TINY_MODEL, pretrained=weights, precision=p))
        for p in ("auto", "fp32", "fp16", "bf16")
    }
    assert len(ids) == 1


def test_auto_runs_the_cpu_s_own_fast_precision(tiny_checkpoint: Path) -> None:
    assert _embedder(tiny_checkpoint, "auto").precision == auto_precision("cpu")


def test_fp16_on_a_cpu_fails_once_at_load_with_a_sentence(tiny_checkpoint: Path) -> None:
    with pytest.raises(ModelUnavailable) as caught:
        _embedder(tiny_checkpoint, "fp16")
    assert "fp16" in caught.value.message and "CLIP precision" in caught.value.message


def test_a_precision_the_machine_refuses_fails_at_load_not_per_batch(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import open_clip

    fresh = make_tiny_checkpoint(tmp_path, seed=5)  # weights no other test loaded

    real = open_clip.create_model_and_transforms

    def refusing(*args: Any, **kwargs: Any) -> Any:
        model, train, preprocess = real(*args, **kwargs)

        def encode_image(*_a: Any, **_k: Any) -> Any:
            raise RuntimeError("\"addmm_impl_cpu_\" not implemented for 'BFloat16'")

        model.encode_image = encode_image
        return model, train, preprocess

    monkeypatch.setattr(open_clip, "create_model_and_transforms", refusing)
    config = ClipConfig(
        model_name=TINY_MODEL, pretrained=str(fresh), device="cpu", precision="bf16"
    )
    embedder = ClipEmbedder(config)
    with pytest.raises(ModelUnavailable) as caught:
        embedder.load()
    assert "can't run in bf16 on cpu" in caught.value.message
    assert "'fp32'" in caught.value.message
    assert not embedder.loaded


def test_loader_processes_give_the_threads_vectors_and_failures(
    tiny_checkpoint: Path, fixtures_dir: Path, tmp_path: Path
) -> None:
    embedder = _embedder(tiny_checkpoint, "fp32")
    release_slots()  # so the slots counted below are this run's
    photos = _photos(fixtures_dir)[:9]
    broken = tmp_path / "broken.jpg"
    broken.write_bytes(b"\xff\xd8\xff\xe0 not a jpeg")
    items = [(i, str(p)) for i, p in enumerate(photos)]
    items.insert(4, (99, str(broken)))
    items.append((100, str(tmp_path / "gone.jpg")))
    results = list(embed_files(embedder, items, batch_size=4, processes=True, workers=2))
    assert sum(r.size for r in results) == len(items)
    assert [k for r in results for k in r.keys] == list(range(len(photos)))
    failures = {f.key: f for r in results for f in r.failures}
    assert set(failures) == {99, 100}
    assert "missing" in failures[100].message and str(broken) in failures[99].message
    vectors = np.concatenate([r.vectors for r in results])
    np.testing.assert_allclose(vectors, _vectors(embedder, photos, processes=False), atol=1e-5)
    assert multiprocessing.active_children()  # kept for the next run (spawning costs ~1 s)
    assert slot_lender().count  # the crops came back through shared memory, not the pipe
    again = list(embed_files(embedder, items[:3], batch_size=4, processes=True, workers=2))
    assert [k for r in again for k in r.keys] == [0, 1, 2]
    end_loader_processes()
    # None left but the decoder child an earlier test in this worker may keep (engine.isolation).
    assert [c for c in multiprocessing.active_children() if c.name != "curator-decoder"] == []


def test_a_dead_loader_process_hands_its_photos_to_threads(
    tiny_checkpoint: Path, fixtures_dir: Path
) -> None:
    embedder = _embedder(tiny_checkpoint, "fp32")
    photos = _photos(fixtures_dir)[:5]

    class DeadPool:
        def submit(self, *_args: Any) -> Future[Any]:
            future: Future[Any] = Future()
            future.set_exception(BrokenProcessPool("a loader process was killed"))
            return future

        def shutdown(self, **_kw: Any) -> None:
            pass

    loader: BatchLoader[int] = BatchLoader(
        embedder, embedder.loader_plan().__class__(4, 2, True, 1, 2), threading.Event()
    )
    loader.processes = DeadPool()  # type: ignore[assignment]
    try:
        tasks = loader.submit([(i, str(p)) for i, p in enumerate(photos[:4])])
        result = run_batch(embedder, 0, [loader.result(task) for task in tasks])
        assert loader.broken and result.keys == (0, 1, 2, 3)
        later = loader.submit([(4, str(photos[4]))])
        assert not any(task.in_process for task in later)  # every chunk after: on threads
    finally:
        loader.close()
    np.testing.assert_allclose(result.vectors, _vectors(embedder, photos[:4]), atol=1e-5)


def test_a_ray_node_that_cannot_run_the_precision_says_so_in_the_seat_s_sentence(
    tiny_checkpoint: Path,
) -> None:
    from curator.ml.clip_remote import EmbedWorker

    config = ClipConfig(
        model_name=TINY_MODEL, pretrained=str(tiny_checkpoint), device="cpu", precision="fp16"
    )
    problem = EmbedWorker(config).ready()  # the actor's body, on this CPU "node"
    assert problem is not None
    sentence, _detail = problem
    assert sentence.startswith("On the Ray node ") and "CLIP precision is set to fp16" in sentence


def test_a_ray_actor_embeds_the_seat_s_bytes_with_the_seat_s_loader(
    tiny_checkpoint: Path, fixtures_dir: Path
) -> None:
    from curator.ml.clip_remote import EmbedWorker

    photos = _photos(fixtures_dir)[:3]
    config = ClipConfig(model_name=TINY_MODEL, pretrained=str(tiny_checkpoint), device="cpu")
    worker = EmbedWorker(config)
    assert worker.ready() is None
    result = worker.embed(0, [(i, str(p), p.read_bytes()) for i, p in enumerate(photos)])
    assert result.keys == (0, 1, 2) and not result.failures
    local = _embedder(tiny_checkpoint, "auto")
    np.testing.assert_allclose(result.vectors, _vectors(local, photos), atol=1e-5)

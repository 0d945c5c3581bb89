"""CLIP embedder and embed pipeline, on a tiny real open_clip model (no network, no GPU).

The tiny model (tests/clip_tiny.py) has random weights but goes through the
real loading code from a checkpoint file; the one test that needs the real
ViT-L-14 weights is marked `clip_weights` and skipped unless CURATOR_TEST_CLIP=1.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from curator.ml.clip_batches import EmbedBatchResult, embed_files, load_for_clip
from curator.ml.config import ClipConfig, ModelUnavailable, model_id_for
from curator.ml.embedder import ClipEmbedder, model_unavailable_message, weights_present
from tests.clip_tiny import TINY_DIM, TINY_IMAGE_SIZE, TINY_MODEL, make_tiny_checkpoint


@pytest.fixture(scope="module")
def tiny_checkpoint(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_tiny_checkpoint(tmp_path_factory.mktemp("tiny-clip"))


@pytest.fixture(scope="module")
def embedder(tiny_checkpoint: Path) -> ClipEmbedder:
    config = ClipConfig(
        model_name=TINY_MODEL, pretrained=str(tiny_checkpoint), device="cpu", batch_size=4
    )
    return ClipEmbedder(config).load()


@pytest.fixture(autouse=True)
def _offline(monkeypatch: pytest.MonkeyPatch) -> None:
    """No test may reach the Hugging Face hub; an attempt fails at once instead of hanging."""
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    import huggingface_hub.constants

    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_OFFLINE", True)


def _picture(seed: int, size: tuple[int, int] = (96, 64)) -> Image.Image:
    rng = np.random.default_rng(seed)
    pixels = rng.integers(0, 256, size=(size[1], size[0], 3), dtype=np.uint8)
    return Image.fromarray(pixels, "RGB")


def _jpegs(folder: Path, count: int, size: tuple[int, int] = (96, 64)) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(count):
        path = folder / f"photo {i:02d}.jpg"
        _picture(i, size).save(path, "JPEG", quality=90)
        paths.append(path)
    return paths


def _norms(vectors: np.ndarray) -> np.ndarray:
    return np.linalg.norm(vectors.astype(np.float64), axis=1)


# -- the embedder ------------------------------------------------------------------------------


def test_vectors_are_unit_float32_rows_of_the_model_dim(embedder: ClipEmbedder) -> None:
    vectors = embedder.embed_images([_picture(i) for i in range(3)])
    assert vectors.dtype == np.float32
    assert vectors.shape == (3, TINY_DIM)
    assert np.allclose(_norms(vectors), 1.0, atol=1e-5)
    assert embedder.dim == TINY_DIM  # read from the model, not hard-coded
    assert embedder.device == "cpu"
    assert embedder.input_size == (TINY_IMAGE_SIZE, TINY_IMAGE_SIZE)


def test_model_id_names_the_checkpoint_file(embedder: ClipEmbedder, tiny_checkpoint: Path) -> None:
    assert embedder.model_id == f"{TINY_MODEL}/{tiny_checkpoint.name}"
    assert model_id_for(ClipConfig()) == "ViT-L-14/openai"


def test_same_image_same_vector_and_different_images_differ(embedder: ClipEmbedder) -> None:
    first, again, other = embedder.embed_images([_picture(1), _picture(1), _picture(2)])
    np.testing.assert_allclose(first, again, atol=1e-6)
    assert float(first @ other) < 0.9999


def test_a_batch_gives_the_same_vectors_as_one_image_at_a_time(embedder: ClipEmbedder) -> None:
    images = [_picture(i) for i in range(6)]  # 6 > batch_size 4: two chunks
    batched = embedder.embed_images(images)
    singles = np.concatenate([embedder.embed_images([image]) for image in images])
    np.testing.assert_allclose(batched, singles, atol=1e-5)


def test_empty_inputs_give_empty_arrays(embedder: ClipEmbedder) -> None:
    assert embedder.embed_images([]).shape == (0, TINY_DIM)
    assert embedder.embed_tensors([]).shape == (0, TINY_DIM)
    assert embedder.embed_texts([]).shape == (0, TINY_DIM)


def test_text_embeddings_are_unit_vectors_in_the_image_space(embedder: ClipEmbedder) -> None:
    texts = embedder.embed_texts(["golden hour portrait by the sea", "a cat", "a cat"])
    assert texts.dtype == np.float32
    assert texts.shape == (3, TINY_DIM)
    assert np.allclose(_norms(texts), 1.0, atol=1e-5)
    np.testing.assert_allclose(texts[1], texts[2], atol=1e-6)
    assert float(texts[0] @ texts[1]) < 0.9999


def test_load_is_idempotent(embedder: ClipEmbedder) -> None:
    model = embedder._model
    assert embedder.load() is embedder
    assert embedder._model is model


def test_a_missing_checkpoint_file_is_a_clear_model_unavailable(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere" / "clip.pt"
    with pytest.raises(ModelUnavailable) as info:
        ClipEmbedder(ClipConfig(model_name=TINY_MODEL, pretrained=str(missing))).load()
    assert str(missing) in info.value.message
    assert "CURATOR_CLIP_PRETRAINED" in info.value.message
    assert not weights_present(ClipConfig(pretrained=str(missing)))
    assert str(missing) in model_unavailable_message(ClipConfig(pretrained=str(missing)))


def test_a_damaged_checkpoint_file_is_a_model_unavailable(
    tmp_path: Path, tiny_checkpoint: Path
) -> None:
    broken = tmp_path / "broken.pt"
    broken.write_bytes(b"this is not a checkpoint")
    with pytest.raises(ModelUnavailable) as info:
        ClipEmbedder(ClipConfig(model_name=TINY_MODEL, pretrained=str(broken))).load()
    assert "could not be loaded" in info.value.message
    assert info.value.detail


def test_weights_of_another_architecture_are_a_model_unavailable(tiny_checkpoint: Path) -> None:
    with pytest.raises(ModelUnavailable) as info:
        ClipEmbedder(ClipConfig(model_name="ViT-B-32", pretrained=str(tiny_checkpoint))).load()
    assert "another model" in info.value.message


def test_an_unknown_tag_fails_fast_offline() -> None:
    started = time.monotonic()
    with pytest.raises(ModelUnavailable) as info:
        ClipEmbedder(ClipConfig(model_name="ViT-B-32", pretrained="no_such_tag")).load()
    assert time.monotonic() - started < 10
    assert "no_such_tag" in info.value.message
    assert "openai" in info.value.message  # lists the tags that do exist


def test_known_weights_not_in_the_cache_fail_fast_with_how_to_get_them(tmp_path: Path) -> None:
    config = ClipConfig(model_name="ViT-B-32", pretrained="openai", cache_dir=str(tmp_path))
    started = time.monotonic()
    with pytest.raises(ModelUnavailable) as info:
        ClipEmbedder(config).load()
    assert time.monotonic() - started < 10
    assert "'ViT-B-32/openai' are not on this computer" in info.value.message
    assert "curator models pull" in info.value.message
    assert not weights_present(config)
    assert model_unavailable_message(config) == info.value.message


def test_pull_offline_is_a_model_unavailable(tmp_path: Path) -> None:
    config = ClipConfig(model_name="ViT-B-32", pretrained="openai", cache_dir=str(tmp_path))
    started = time.monotonic()
    with pytest.raises(ModelUnavailable) as info:
        ClipEmbedder(config).pull(progress=False)
    assert time.monotonic() - started < 20
    assert "curator models pull" in info.value.message
    assert info.value.detail


def test_an_unknown_model_name_is_a_model_unavailable() -> None:
    with pytest.raises(ModelUnavailable) as info:
        ClipEmbedder(ClipConfig(model_name="ViT-Q-99")).load()
    assert "ViT-Q-99" in info.value.message


def test_weights_present_for_a_checkpoint_file(tiny_checkpoint: Path) -> None:
    assert weights_present(ClipConfig(model_name=TINY_MODEL, pretrained=str(tiny_checkpoint)))


def test_model_id_and_validation() -> None:
    changed = ClipConfig(model_name="ViT-B-32", pretrained="/models/b32.pt")
    assert model_id_for(changed) == "ViT-B-32/b32.pt"
    with pytest.raises(ValueError, match="device"):
        ClipConfig(device="tpu")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="batch size"):
        ClipConfig(batch_size=-1)
    assert ClipConfig(batch_size=0).batch_size == 0  # 0: chosen from the device
    with pytest.raises(ValueError, match="precision"):
        ClipConfig(precision="int8")


def test_cuda_requested_without_cuda_is_a_model_unavailable(tiny_checkpoint: Path) -> None:
    import torch

    if torch.cuda.is_available():
        pytest.skip("this machine has CUDA")
    config = ClipConfig(model_name=TINY_MODEL, pretrained=str(tiny_checkpoint), device="cuda")
    with pytest.raises(ModelUnavailable, match="CUDA"):
        ClipEmbedder(config).load()


def test_importing_the_ml_modules_does_not_import_torch() -> None:
    code = (
        "import sys, curator.ml.embedder, curator.ml.clip_batches, curator.ml.precision,"
        " curator.ml.clip_loading, curator.ml.clip_pixels;"
        "print('torch' in sys.modules, 'open_clip' in sys.modules, 'torchvision' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False", "False"]


@pytest.mark.clip_weights
@pytest.mark.skipif(
    os.environ.get("CURATOR_TEST_CLIP") != "1",
    reason="needs the real ViT-L-14/openai weights (run `curator models pull`, "
    "then set CURATOR_TEST_CLIP=1)",
)
def test_real_vit_l14_weights_embed_and_match_text() -> None:
    real = ClipEmbedder(ClipConfig()).load()
    assert real.dim == 768
    red = Image.new("RGB", (320, 240), (220, 20, 20))
    image = real.embed_images([red])
    texts = real.embed_texts(["a plain red image", "a plain blue image"])
    assert image.shape == (1, 768)
    scores = texts @ image[0]
    assert scores[0] > scores[1]


# -- the pipeline ------------------------------------------------------------------------------


def _all(results: Iterator[EmbedBatchResult[str]]) -> list[EmbedBatchResult[str]]:
    return list(results)


def test_load_for_clip_decodes_no_more_than_needed(tmp_path: Path) -> None:
    path = _jpegs(tmp_path, 1, size=(1440, 960))[0]
    image = load_for_clip(path, 224)
    assert image.mode == "RGB"
    assert image.size == (360, 240)  # DCT-scaled by 1/4, both sides still >= 224


def test_embed_files_matches_embed_images(embedder: ClipEmbedder, tmp_path: Path) -> None:
    paths = _jpegs(tmp_path, 7)
    items = [(p.name, str(p)) for p in paths]
    results = _all(embed_files(embedder, items, batch_size=3))
    assert [r.index for r in results] == [0, 1, 2]
    assert [len(r.keys) for r in results] == [3, 3, 1]
    assert [k for r in results for k in r.keys] == [name for name, _ in items]
    vectors = np.concatenate([r.vectors for r in results])
    expected = embedder.embed_images([load_for_clip(p, TINY_IMAGE_SIZE) for p in paths])
    assert vectors.dtype == np.float32
    np.testing.assert_allclose(vectors, expected, atol=1e-5)
    assert not results[0].vectors.flags.writeable


def test_embed_files_reports_bad_files_and_keeps_the_rest(
    embedder: ClipEmbedder, tmp_path: Path
) -> None:
    paths = _jpegs(tmp_path, 5)
    corrupt = tmp_path / "corrupt.jpg"
    corrupt.write_bytes(b"\xff\xd8\xff\xe0 not really a jpeg")
    truncated = tmp_path / "truncated.jpg"
    truncated.write_bytes(paths[0].read_bytes()[:200])
    missing = tmp_path / "missing.jpg"
    items = [(p.name, str(p)) for p in paths]
    items[1:1] = [("corrupt", str(corrupt)), ("missing", str(missing))]
    items.append(("truncated", str(truncated)))
    seen: list[int] = []
    results = _all(
        embed_files(embedder, items, batch_size=4, on_batch=lambda r: seen.append(r.index))
    )
    assert seen == [r.index for r in results] == [0, 1]
    assert sum(r.size for r in results) == len(items)
    keys = [k for r in results for k in r.keys]
    assert keys == [p.name for p in paths]
    failures = {f.key: f for r in results for f in r.failures}
    assert set(failures) == {"corrupt", "missing", "truncated"}
    assert "missing" in failures["missing"].message
    assert failures["missing"].error_type == "FileNotFoundError"
    assert str(corrupt) in failures["corrupt"].message
    assert "truncated or corrupt" in failures["truncated"].message
    expected = embedder.embed_images([load_for_clip(p, TINY_IMAGE_SIZE) for p in paths])
    np.testing.assert_allclose(np.concatenate([r.vectors for r in results]), expected, atol=1e-5)


def test_a_batch_of_only_bad_files_yields_an_empty_vector_block(
    embedder: ClipEmbedder, tmp_path: Path
) -> None:
    results = _all(embed_files(embedder, [("a", str(tmp_path / "a.jpg"))]))
    assert results[0].vectors.shape == (0, TINY_DIM)
    assert [f.key for f in results[0].failures] == ["a"]


def test_embed_files_stops_when_cancelled_and_leaves_no_threads(
    embedder: ClipEmbedder, tmp_path: Path
) -> None:
    paths = _jpegs(tmp_path, 12)
    cancel = threading.Event()
    results = _all(
        embed_files(
            embedder,
            [(p.name, str(p)) for p in paths],
            batch_size=2,
            on_batch=lambda _result: cancel.set(),
            cancel=cancel,
        )
    )
    assert len(results) == 1
    assert not [t for t in threading.enumerate() if t.name.startswith("clip-load")]


def test_closing_the_generator_early_shuts_the_loaders_down(
    embedder: ClipEmbedder, tmp_path: Path
) -> None:
    paths = _jpegs(tmp_path, 10)
    results = embed_files(embedder, [(p.name, str(p)) for p in paths], batch_size=2)
    first = next(results)
    assert len(first.keys) == 2
    results.close()
    assert not [t for t in threading.enumerate() if t.name.startswith("clip-load")]


def test_embed_files_of_nothing_yields_nothing(embedder: ClipEmbedder) -> None:
    assert _all(embed_files(embedder, [])) == []

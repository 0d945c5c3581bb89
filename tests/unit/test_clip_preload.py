"""The import's CLIP model is loaded early on a GPU machine (never on a CPU), and
two loads of the same weights at once build one model, not two."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from curator.ml import clip_device
from curator.ml import embedder as embedder_module
from curator.ml.config import ClipConfig
from curator.ml.embedder import ClipEmbedder
from curator.pipeline.stages.clip_preload import preload_on_gpu
from tests.clip_tiny import TINY_MODEL, make_tiny_checkpoint


@pytest.fixture
def config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> ClipConfig:
    monkeypatch.setattr(embedder_module, "_loaded_models", {})  # this test's loads only
    checkpoint = make_tiny_checkpoint(tmp_path)
    return ClipConfig(model_name=TINY_MODEL, pretrained=str(checkpoint), device="cpu")


def test_on_a_gpu_machine_the_model_is_loaded_before_the_embed_stage_asks(
    config: ClipConfig, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(clip_device, "pick_device", lambda requested: "cuda")
    preload_on_gpu(config).join(timeout=120)
    assert len(embedder_module._loaded_models) == 1
    early = next(iter(embedder_module._loaded_models.values()))
    later = ClipEmbedder(config).load()  # what the embed stage does: adopts it
    assert later._model is early._model


def test_on_a_cpu_nothing_is_loaded_early(config: ClipConfig) -> None:
    preload_on_gpu(config).join(timeout=120)
    assert embedder_module._loaded_models == {}


def test_missing_weights_are_left_to_the_embed_stage(
    config: ClipConfig, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(clip_device, "pick_device", lambda requested: "cuda")
    gone = ClipConfig(model_name=TINY_MODEL, pretrained=str(tmp_path / "gone.pt"), device="cpu")
    thread = preload_on_gpu(gone)
    thread.join(timeout=60)
    assert not thread.is_alive() and embedder_module._loaded_models == {}


def test_two_loads_of_the_same_weights_at_once_build_one_model(config: ClipConfig) -> None:
    built: list[object] = []
    original = ClipEmbedder._build

    def counting(self: ClipEmbedder, *args: object) -> None:
        built.append(self)
        original(self, *args)  # type: ignore[arg-type]

    pair = [ClipEmbedder(config), ClipEmbedder(config)]
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(ClipEmbedder, "_build", counting)
        threads = [threading.Thread(target=e.load) for e in pair]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
    assert len(built) == 1
    assert pair[0]._model is pair[1]._model

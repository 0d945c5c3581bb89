"""`curator models bench` and `models pull` through the real command line, on a tiny CLIP.

The tiny model is an open_clip model folder (`local-dir:`), so the command
loads it through the product's own path, as it would the photographer's
ViT-L-14 checkpoint.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.clip_tiny import make_tiny_model_dir
from tests.integration.cli_helpers import run_cli

KEYS = {
    "device",
    "precision",
    "model",
    "photos",
    "bare_photos_s",
    "end_to_end_photos_s",
    "cosine_to_fp32_min",
}


@pytest.fixture(scope="module")
def tiny_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_tiny_model_dir(tmp_path_factory.mktemp("tiny-clip-dir"))


@pytest.fixture
def tiny_clip(tiny_dir: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    model = f"local-dir:{tiny_dir}"
    monkeypatch.setenv("CURATOR_CLIP_MODEL", model)
    return model


def test_bench_in_bf16_agrees_with_fp32_and_says_how_fast(tiny_clip: str) -> None:
    code, out, err = run_cli("models", "bench", "--precision", "bf16", "--photos", "6", "--json")
    assert code == 0, err
    report = json.loads(out)
    assert set(report) >= KEYS
    assert report["device"] == "cpu" and report["precision"] == "bf16"
    assert report["model"] == tiny_clip and report["photos"] == 6
    assert report["bare_photos_s"] > 0 and report["end_to_end_photos_s"] > 0
    assert 0.995 <= report["cosine_to_fp32_min"] <= 1.0 + 1e-6
    assert report["fp32_bare_photos_s"] > 0  # measured beside it, for the speed-up


def test_bench_in_fp32_needs_no_twin_and_prints_its_table(tiny_clip: str) -> None:
    code, out, err = run_cli("models", "bench", "--precision", "fp32", "--photos", "4")
    assert code == 0, err
    assert f"CLIP {tiny_clip} on cpu in fp32 (4 generated 1440 px previews" in out
    assert "end to end" in out and "cosine ≥ 1.0000" in out
    assert "CLIP runs on the CPU in fp32" in err  # where and in what, before it measures


def test_bench_of_a_precision_the_cpu_cannot_run_is_a_sentence(tiny_clip: str) -> None:
    code, out, err = run_cli("models", "bench", "--precision", "fp16", "--json")
    assert code == 3 and out == ""
    assert err.startswith("curator: CLIP precision is set to fp16")


def test_bench_without_the_weights_says_what_to_do(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CURATOR_CLIP_PRETRAINED", "/no/such/ViT-L-14.pt")
    code, out, err = run_cli("models", "bench", "--json")
    assert code == 3 and out == ""
    assert "'/no/such/ViT-L-14.pt' does not exist" in err


def test_pull_still_answers_at_once_when_the_weights_are_here(tiny_clip: str) -> None:
    code, out, err = run_cli("models", "pull")
    assert code == 0, err
    assert "are ready" in out


def test_bench_refuses_a_nonsense_number_of_photos(tiny_clip: str) -> None:
    with pytest.raises(SystemExit) as caught:
        run_cli("models", "bench", "--photos", "0")
    assert caught.value.code == 2

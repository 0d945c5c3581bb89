"""All stages end to end through the CLI: technical → embed (tiny CLIP, real
loading code) + describe (fake Ollama over HTTP) → decisions → taste model →
scores, MATCH and bursts."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from tests.clip_tiny import TINY_DIM, TINY_MODEL
from tests.imaging_helpers import exif_block, make_jpeg
from tests.integration.cli_helpers import import_json, list_json, run_cli, status_json
from tests.llm_server import FakeOllama


def _burst(lib: Path, t0: datetime) -> list[Path]:
    rng = np.random.default_rng(7)
    base = rng.integers(0, 255, size=(300, 400, 3), dtype=np.uint8)
    paths = []
    for i in range(3):
        frame = np.clip(base.astype(int) + i, 0, 255).astype(np.uint8)
        path = lib / f"burst_{i}.jpg"
        exif = exif_block(captured_at=t0 + timedelta(milliseconds=400 * i), make="Sony", model="A7")
        Image.fromarray(frame).save(path, "JPEG", quality=[70, 95, 85][i], exif=exif)
        paths.append(path)
    return paths


def test_everything_end_to_end(
    tmp_path: Path, tiny_clip: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    lib = tmp_path / "lib"
    lib.mkdir()
    t0 = datetime(2024, 7, 1, 8, 0, 0)
    singles = [
        make_jpeg(
            lib / f"p{i:02d}.jpg",
            320 + 8 * i,
            240,
            captured_at=t0 + timedelta(minutes=5 * (i + 1)),
            pattern="texture" if i % 2 else "quadrants",
        )
        for i in range(24)
    ]
    burst = _burst(lib, t0)
    with FakeOllama() as ollama:
        monkeypatch.setenv("CURATOR_OLLAMA_URL", ollama.url)
        result = import_json(lib)
    assert result["new"] == 27
    assert result["stages"]["embed"] == {"done": 27}
    assert result["stages"]["describe"] == {"done": 27}
    assert result["stages"]["score"]["bursts"] == 1

    photos = {Path(p["path"]).name: p for p in list_json()}
    model_id = f"{TINY_MODEL}/{tiny_clip.name}"
    assert all(p["embeddings"] == [model_id] for p in photos.values())
    confidences = [t["confidence"] for p in photos.values() for t in p["tags"]]
    assert confidences and all(c is not None and 0 <= c <= 100 for c in confidences)
    assert result["stages"]["score"]["tags_scored"] == len(confidences)
    burst_rows = [photos[p.name] for p in burst]
    assert (
        len({r["burst_group"] for r in burst_rows}) == 1
        and burst_rows[0]["burst_group"] is not None
    )
    assert sum(r["burst_best"] for r in burst_rows) == 1
    assert all(photos[p.name]["burst_group"] is None for p in singles)

    # Decisions from the command line train an early taste model at 10, a full
    # one at 20.
    stars = {s: [str(p) for p in singles[(s - 1) * 4 : s * 4]] for s in range(1, 6)}
    assert run_cli("rate", "--stars", "1", *stars[1])[0] == 0
    assert status_json()["taste"]["version"] is None  # 4 decisions: not yet
    for s in (2, 3):
        code, _, err = run_cli("rate", "--stars", str(s), *stars[s])
    assert code == 0 and "Taste model v1" in err and "early model" in err  # at 12 decisions
    assert status_json()["taste"]["early"] is True
    for s in (4, 5):
        assert run_cli("rate", "--stars", str(s), *stars[s])[0] == 0
    assert run_cli("reject", *[str(p) for p in singles[20:22]])[0] == 0
    taste = status_json()["taste"]
    assert taste["version"] == 4 and taste["samples"] == 22 and taste["early"] is False
    assert taste["embedding_model"] == model_id
    scored = list_json()
    assert all(p["preference_score"] is not None for p in scored)
    assert all(p["match"] == (p["preference_score"] >= 70) for p in scored)
    assert status_json()["stages"]["score"]["done"] == 27

    # A re-import does no finished work again.
    with FakeOllama() as ollama:
        monkeypatch.setenv("CURATOR_OLLAMA_URL", ollama.url)
        again = import_json(lib)
        assert ollama.chat_requests == []
    assert again["unchanged"] == 27 and "embed" not in again["stages"]


def test_missing_clip_weights_skip_embedding_with_how_to_get_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    lib = tmp_path / "lib"
    lib.mkdir()
    make_jpeg(lib / "a.jpg", 320, 240)
    monkeypatch.setenv("CURATOR_CLIP_PRETRAINED", str(tmp_path / "nowhere.pt"))
    monkeypatch.setenv("CURATOR_OLLAMA_URL", "http://127.0.0.1:9")
    result = import_json(lib)
    assert result["new"] == 1
    embed = result["stages"]["embed"]
    assert embed["skipped"] == 1
    assert "does not exist" in embed["reason"] and "CURATOR_CLIP_PRETRAINED" in embed["reason"]
    (photo,) = list_json()
    assert photo["stages"]["embed"]["status"] == "skipped"
    assert photo["stages"]["technical"]["status"] == "done"


def test_doctor_reports_each_check(
    tmp_path: Path, tiny_clip: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import json

    with FakeOllama() as ollama:
        monkeypatch.setenv("CURATOR_OLLAMA_URL", ollama.url)
        code, out, _ = run_cli("doctor", "--json")
    report = json.loads(out)
    assert code == 0, report
    assert report["ollama"]["ok"] and report["llm_model"]["ok"]
    assert report["clip_weights"]["ok"] and "device" in report
    monkeypatch.setenv("CURATOR_OLLAMA_URL", "http://127.0.0.1:9")
    monkeypatch.setenv("CURATOR_CLIP_PRETRAINED", str(tmp_path / "nowhere.pt"))
    code, out, _ = run_cli("doctor")
    assert code == 1
    assert "✗ ollama" in out and "ollama serve" in out
    assert "✗ clip_weights" in out and "does not exist" in out
    assert TINY_DIM == 32


def test_first_use_downloads_the_weights_when_online(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from curator.ml import embedder as embedder_module

    lib = tmp_path / "lib"
    lib.mkdir()
    make_jpeg(lib / "a.jpg", 320, 240)
    monkeypatch.setenv("CURATOR_CLIP_AUTO_DOWNLOAD", "1")
    monkeypatch.setenv("CURATOR_OLLAMA_URL", "http://127.0.0.1:9")
    monkeypatch.setattr(embedder_module, "weights_present", lambda config: False)
    attempts: list[bool] = []

    def fake_load(self: embedder_module.ClipEmbedder) -> embedder_module.ClipEmbedder:
        attempts.append(self.config.allow_download)
        raise embedder_module.ModelUnavailable("The download of the CLIP weights failed (test).")

    monkeypatch.setattr(embedder_module.ClipEmbedder, "load", fake_load)

    # Offline: no download attempt, skipped at once with how to get the weights.
    monkeypatch.setattr("curator.pipeline.stages.judgments.weights_host_reachable", lambda: False)
    offline = import_json(lib)
    assert attempts == [] and offline["stages"]["embed"]["skipped"] == 1
    assert "curator models pull" in offline["stages"]["embed"]["reason"]

    # Online: the embedder is allowed to download; a failed download skips with its reason.
    monkeypatch.setattr("curator.pipeline.stages.judgments.weights_host_reachable", lambda: True)
    assert run_cli("describe")[0] == 0  # unrelated stage: no download
    online = import_json(lib)
    assert attempts == [True]
    assert online["stages"]["embed"] == {
        "skipped": 1,
        "reason": "The download of the CLIP weights failed (test).",
    }
    (photo,) = list_json()
    assert photo["stages"]["embed"]["reason"] == "The download of the CLIP weights failed (test)."


def test_curator_describe_gives_the_new_tags_confidences(
    tmp_path: Path, tiny_clip: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Tags added by a later `curator describe` (Ollama was away at import) get
    their CLIP confidences too, as tags added during an import do."""
    lib = tmp_path / "lib"
    lib.mkdir()
    for i in range(3):
        make_jpeg(lib / f"p{i}.jpg", 360 + 8 * i, 240, pattern="texture")
    monkeypatch.setenv("CURATOR_OLLAMA_URL", "http://127.0.0.1:9")  # nobody listens
    result = import_json(lib)
    assert result["stages"]["describe"]["skipped"] == 3
    assert all(p["tags"] == [] for p in list_json())

    with FakeOllama() as ollama:
        monkeypatch.setenv("CURATOR_OLLAMA_URL", ollama.url)
        code, out, err = run_cli("describe", "--json")
    assert code == 0, err
    assert '"done": 3' in out
    tags = [t for p in list_json() for t in p["tags"]]
    assert len(tags) == 3 * 6  # the golden reply's six tags on each photo
    assert all(t["confidence"] is not None and 0 <= t["confidence"] <= 100 for t in tags)

"""The describe stage end to end: CLI import → fake Ollama over HTTP → catalog."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from tests.imaging_helpers import make_jpeg
from tests.integration.cli_helpers import import_json, list_json, run_cli, status_json
from tests.llm_server import FakeOllama, Reply, model_not_found


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _lib(tmp_path: Path, n: int = 3) -> Path:
    lib = tmp_path / "lib"
    lib.mkdir()
    for i in range(n):
        make_jpeg(lib / f"p{i}.jpg", 500 + i, 400, pattern="texture")
    return lib


@pytest.fixture(autouse=True)
def _no_clip(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    # These tests are about describe: point CLIP at a missing checkpoint so the
    # embed stage skips at once (its own tests cover it).
    monkeypatch.setenv("CURATOR_CLIP_PRETRAINED", str(tmp_path / "no-weights.pt"))


def test_photos_are_described_with_normalised_tags(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    lib = _lib(tmp_path)
    with FakeOllama() as ollama:
        monkeypatch.setenv("CURATOR_OLLAMA_URL", ollama.url)
        ollama.set_default(Reply.golden("describe_messy"))
        result = import_json(lib)
        assert result["new"] == 3
        assert result["stages"]["describe"] == {"done": 3}
        assert len(ollama.chat_requests) == 3
        assert all(
            url.startswith("data:image/jpeg;base64,")
            for r in ollama.chat_requests
            for url in r.image_urls()
        )
    photos = list_json()
    for p in photos:
        assert p["stages"]["describe"]["status"] == "done"
        assert p["content_type"] == "other"  # "selfie" coerced
        names = [t["name"] for t in p["tags"]]
        assert "sunset" in names and "golden hour" in names
        assert "photography" not in names and len(names) <= 7
        assert all(t["source"] == "ai" for t in p["tags"])
        assert p["subject"]
    assert status_json()["stages"]["describe"]["done"] == 3


def test_ollama_down_skips_with_a_reason_then_backfills(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    lib = _lib(tmp_path)
    down = f"http://127.0.0.1:{_free_port()}"
    monkeypatch.setenv("CURATOR_OLLAMA_URL", down)
    result = import_json(lib)
    assert result["new"] == 3  # nothing else waited for the LLM
    describe = result["stages"]["describe"]
    assert describe["skipped"] == 3
    assert "Ollama is not running" in describe["reason"] and "ollama serve" in describe["reason"]
    assert {p["stages"]["describe"]["status"] for p in list_json()} == {"skipped"}

    with FakeOllama() as ollama:
        monkeypatch.setenv("CURATOR_OLLAMA_URL", ollama.url)
        code, out, err = run_cli("describe", "--json")
        assert code == 0, err
        assert '"done": 3' in out
    assert {p["stages"]["describe"]["status"] for p in list_json()} == {"done"}
    # Nothing left to do: a second back-fill sends nothing.
    with FakeOllama() as ollama:
        monkeypatch.setenv("CURATOR_OLLAMA_URL", ollama.url)
        assert run_cli("describe")[0] == 0
        assert ollama.chat_requests == []


def test_model_not_pulled_says_how_to_pull_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    lib = _lib(tmp_path, 1)
    with FakeOllama(models=("mistral:latest",)) as ollama:
        monkeypatch.setenv("CURATOR_OLLAMA_URL", ollama.url)
        result = import_json(lib)
    reason = result["stages"]["describe"]["reason"]
    assert "not installed" in reason and "ollama pull llava" in reason


def test_model_vanishing_mid_run_fails_the_photo_with_the_reason(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    lib = _lib(tmp_path, 1)
    with FakeOllama() as ollama:
        monkeypatch.setenv("CURATOR_OLLAMA_URL", ollama.url)
        ollama.set_default(model_not_found())
        result = import_json(lib)
    assert result["stages"]["describe"] == {"failed": 1}
    (photo,) = list_json()
    assert "ollama pull llava" in photo["stages"]["describe"]["reason"]
    assert status_json()["failed"][0]["stage"] == "describe"
